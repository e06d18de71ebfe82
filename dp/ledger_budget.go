package dp

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"time"
)

// Release states in a Status.
const (
	ReleaseCommitted = "committed"
	ReleasePending   = "pending" // reserved but never committed (a crash): counted as spent
	ReleaseAborted   = "aborted"
)

// ReleaseRecord is one release as the ledger records it.
type ReleaseRecord struct {
	ID          string   `json:"id"`
	Time        string   `json:"time"`
	State       string   `json:"state"`
	Cost        Budget   `json:"cost"`
	Queries     []string `json:"queries"`
	Params      string   `json:"params"`
	CodeVersion string   `json:"code_version"`
	Output      string   `json:"output,omitempty"`
}

// Status is what a ledger says: total, spent and remaining budget, and every
// release. Spent and Left are computed exactly (see exact) and then
// rounded to the nearest float64 for display.
type Status struct {
	Path     string          `json:"ledger"`
	Dataset  string          `json:"dataset"`
	Total    Budget          `json:"total"`
	Spent    Budget          `json:"spent"`
	Left     Budget          `json:"left"`
	Releases []ReleaseRecord `json:"releases"`
	// Uncommitted lists pending releases that never committed (counted as
	// spent, conservatively: their noise may have been seen).
	Uncommitted []string `json:"uncommitted,omitempty"`
	// TornTail is true when the last line was incomplete (a crash during an
	// append); that entry is ignored.
	TornTail bool `json:"torn_tail,omitempty"`
	// LedgerID is the hash of the init entry; Head the hash of the last
	// entry, the Entries-th. Every release.json names the ledger id and
	// the head after its release.
	LedgerID string `json:"ledger_id"`
	Head     string `json:"head"`
	Entries  int    `json:"entries"`
	// Signer is the key id (and SignerName the name) of the key that signs
	// the ledger; empty for an unsigned ledger.
	Signer     string `json:"signer,omitempty"`
	SignerName string `json:"signer_name,omitempty"`
	// Binding is the dataset of the releases (nil before the first).
	Binding *Binding `json:"binding,omitempty"`
}

// exact is the exact rational value of the decimal x is written as: the
// shortest decimal that reads back as x, which is what the ledger's JSON
// holds and what the user typed (0.1 is 1/10, not the binary float
// nearest to it). Budget arithmetic on these values has no rounding at all.
func exact(x float64) *big.Rat {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(x, 'g', -1, 64))
	if !ok {
		panic(fmt.Sprintf("dp: budget value %v is not finite", x)) // validBudget rules this out
	}
	return r
}

func validBudget(b Budget) bool {
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	return finite(b.Epsilon) && finite(b.Delta) && b.Epsilon >= 0 && b.Delta >= 0
}

// sums are the exact totals of a ledger.
type sums struct {
	totalEps, totalDelta, spentEps, spentDelta *big.Rat
}

// sums adds up every release that is not aborted, exactly.
func (l *Ledger) sums() sums {
	s := sums{new(big.Rat), new(big.Rat), new(big.Rat), new(big.Rat)}
	aborted := map[string]bool{}
	for _, e := range l.entries {
		if e.Type == EntryAborted {
			aborted[e.ID] = true
		}
	}
	for _, e := range l.entries {
		switch {
		case e.Type == EntryInit:
			s.totalEps, s.totalDelta = exact(e.Total.Epsilon), exact(e.Total.Delta)
		case e.Type == EntryPending && !aborted[e.ID]:
			s.spentEps.Add(s.spentEps, exact(e.Cost.Epsilon))
			s.spentDelta.Add(s.spentDelta, exact(e.Cost.Delta))
		}
	}
	return s
}

func ratFloat(r *big.Rat) float64 {
	f, _ := r.Float64()
	return f
}

// left is max(0, total − spent), exactly.
func left(total, spent *big.Rat) *big.Rat {
	d := new(big.Rat).Sub(total, spent)
	if d.Sign() < 0 {
		return new(big.Rat)
	}
	return d
}

// Status computes the ledger's status.
func (l *Ledger) Status() *Status {
	s := &Status{Path: l.path, TornTail: l.torn, LedgerID: l.ID(), Head: l.Head(), Entries: l.Len(), Binding: l.binding}
	if l.signer != nil {
		s.Signer, s.SignerName = l.signer.ID().String(), l.signer.Name
	}
	idx := map[string]int{}
	for _, e := range l.entries {
		switch e.Type {
		case EntryInit:
			s.Dataset, s.Total = e.Dataset, *e.Total
		case EntryPending:
			idx[e.ID] = len(s.Releases)
			s.Releases = append(s.Releases, ReleaseRecord{ID: e.ID, Time: e.Time.Format(time.RFC3339),
				State: ReleasePending, Cost: *e.Cost, Queries: e.Queries, Params: e.Params, CodeVersion: e.CodeVersion, Output: e.Output})
		case EntryCommitted, EntryAborted:
			if i, ok := idx[e.ID]; ok {
				s.Releases[i].State = map[string]string{EntryCommitted: ReleaseCommitted, EntryAborted: ReleaseAborted}[e.Type]
			}
		}
	}
	for _, r := range s.Releases {
		if r.State == ReleasePending {
			s.Uncommitted = append(s.Uncommitted, r.ID)
		}
	}
	sum := l.sums()
	s.Spent = Budget{ratFloat(sum.spentEps), ratFloat(sum.spentDelta)}
	s.Left = Budget{ratFloat(left(sum.totalEps, sum.spentEps)), ratFloat(left(sum.totalDelta, sum.spentDelta))}
	return s
}

// Check returns an error wrapping ErrBudgetExhausted if cost does not fit in
// what is left. The comparison is exact: no sequence of releases, however
// many and however small, spends more than the total.
func (l *Ledger) Check(cost Budget) error {
	if !validBudget(cost) {
		return fmt.Errorf("dp: invalid release cost ε=%v, δ=%v", cost.Epsilon, cost.Delta)
	}
	s := l.sums()
	if new(big.Rat).Add(s.spentEps, exact(cost.Epsilon)).Cmp(s.totalEps) > 0 {
		return fmt.Errorf("%w: release needs ε=%g, ledger %s has ε=%g left of %g", ErrBudgetExhausted,
			cost.Epsilon, l.path, ratFloat(left(s.totalEps, s.spentEps)), ratFloat(s.totalEps))
	}
	if new(big.Rat).Add(s.spentDelta, exact(cost.Delta)).Cmp(s.totalDelta) > 0 {
		return fmt.Errorf("%w: release needs δ=%g, ledger %s has δ=%g left of %g", ErrBudgetExhausted,
			cost.Delta, l.path, ratFloat(left(s.totalDelta, s.spentDelta)), ratFloat(s.totalDelta))
	}
	return nil
}

// Reservation describes a release about to be computed.
type Reservation struct {
	Cost        Budget
	Queries     []string
	Params      string
	CodeVersion string
	Output      string
	// Binding is the dataset the release is made from (required; it must
	// match the ledger's, see Ledger.CheckBinding).
	Binding Binding
}

// Reserve checks the dataset and the budget and appends a pending entry
// (fsync'd) under a new random release id. From then on the budget counts
// as spent, whether or not the release commits.
func (l *Ledger) Reserve(r Reservation) (string, error) {
	if err := l.CheckBinding(r.Binding); err != nil {
		return "", err
	}
	if err := l.Check(r.Cost); err != nil {
		return "", err
	}
	id, err := newEntryID(l.ids)
	if err != nil {
		return "", err
	}
	cost, binding := r.Cost, r.Binding
	binding.Partners = slices.Clone(binding.Partners)
	err = l.append(Entry{Type: EntryPending, ID: id, Time: l.now(), Cost: &cost, Queries: slices.Clone(r.Queries),
		Params: r.Params, CodeVersion: r.CodeVersion, Output: r.Output, Binding: &binding})
	return id, err
}

// Commit records that release id's files are in place.
func (l *Ledger) Commit(id string) error { return l.finish(id, EntryCommitted, "") }

// Abort returns release id's budget. Call it only when no noisy value was
// computed (e.g. the output directory could not be created before noise was
// drawn); once noise exists the budget is spent even if nothing was written.
func (l *Ledger) Abort(id, reason string) error { return l.finish(id, EntryAborted, reason) }

func (l *Ledger) finish(id, typ, reason string) error {
	if !l.open[id] {
		if l.ids[id] {
			return fmt.Errorf("dp: release %s is not pending", id)
		}
		return fmt.Errorf("dp: no pending release %s in ledger %s", id, l.path)
	}
	return l.append(Entry{Type: typ, ID: id, Time: l.now(), Reason: reason})
}
