//go:build !unix

package dp

import (
	"context"
	"fmt"
	"os"
)

func lockFile(context.Context, *os.File, bool) error {
	return fmt.Errorf("dp: ledger locking is only implemented on unix systems")
}

func lockDir(string) (func(), error) {
	return nil, fmt.Errorf("dp: ledger locking is only implemented on unix systems")
}
