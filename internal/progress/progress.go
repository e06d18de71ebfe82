// Package progress shows progress bars for long work on a terminal, and
// nothing otherwise (pipes, CI, --quiet), so logs stay clean.
package progress

import (
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Bar reports progress. A nil *Bar is valid and does nothing.
type Bar struct{ pb *progressbar.ProgressBar }

// New returns a bar on w for total units (-1: unknown) when w is a terminal
// and quiet is false; otherwise a no-op bar.
func New(w io.Writer, quiet bool, total int64, description string) *Bar {
	f, ok := w.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &Bar{pb: progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(description),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetPredictTime(true),
	)}
}

// Add advances the bar by n units.
func (b *Bar) Add(n int) {
	if b != nil {
		_ = b.pb.Add(n)
	}
}

// Finish completes and clears the bar.
func (b *Bar) Finish() {
	if b != nil {
		_ = b.pb.Finish()
	}
}
