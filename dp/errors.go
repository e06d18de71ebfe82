package dp

import "errors"

// ErrBudgetExhausted is returned when a release would exceed the remaining
// privacy budget (ε or δ) recorded in the ledger. Nothing is computed or
// written when it is returned.
var ErrBudgetExhausted = errors.New("dp: privacy budget exhausted")
