// Package progress shows progress on a terminal, and nothing otherwise
// (pipes, CI, --quiet), so logs stay clean. A line reads
//
//	scoring  42% 1,234,567 / 2,940,000 pairs · 3.1M pairs/s · ETA 1s
//	encoding 45,312 records · 25.2k records/s · 2s
//
// The rate is the average since the bar started (never the last, jittery
// step), and the estimated time left is shown only when the total is known.
package progress

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// Bar reports progress. A nil *Bar is valid and does nothing.
type Bar struct {
	mu          sync.Mutex
	w           io.Writer
	description string
	unit        string
	total       int64 // -1: unknown
	done        int64
	start       time.Time
	drawn       time.Time
	width       int // of the last line drawn, to clear it
	now         func() time.Time
}

// redraw is the shortest interval between two redraws.
const redraw = 200 * time.Millisecond

// New returns a bar on w for total units (-1 or 0: unknown) when w is a
// terminal and quiet is false; otherwise a no-op (nil) bar.
func New(w io.Writer, quiet bool, total int64, description string) *Bar {
	f, ok := w.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return newBar(w, total, description, time.Now)
}

func newBar(w io.Writer, total int64, description string, now func() time.Time) *Bar {
	if total <= 0 {
		total = -1
	}
	return &Bar{w: w, description: description, unit: "items", total: total, start: now(), now: now}
}

// Unit names what the bar counts ("records", "pairs"); it returns b.
func (b *Bar) Unit(unit string) *Bar {
	if b != nil && unit != "" {
		b.unit = unit
	}
	return b
}

// Add advances the bar by n units.
func (b *Bar) Add(n int) { b.Set(-1, int64(n)) }

// Set sets the units done (when done ≥ 0) or adds delta to them, and
// redraws at most every 200 ms. It is safe for concurrent use.
func (b *Bar) Set(done, delta int64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if done >= 0 {
		b.done = done
	} else {
		b.done += delta
	}
	if t := b.now(); t.Sub(b.drawn) >= redraw {
		b.drawn = t
		b.draw(Line(b.description, b.unit, b.done, b.total, t.Sub(b.start)))
	}
}

// Finish clears the bar's line.
func (b *Bar) Finish() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.width > 0 {
		fmt.Fprintf(b.w, "\r%s\r", strings.Repeat(" ", b.width))
		b.width = 0
	}
}

func (b *Bar) draw(line string) {
	pad := max(0, b.width-len([]rune(line)))
	fmt.Fprintf(b.w, "\r%s%s", line, strings.Repeat(" ", pad))
	b.width = len([]rune(line))
}

// Line renders one progress line: what is done of what (total -1:
// unknown), the average rate since the start, and the time left when the
// total is known (else the time spent).
func Line(description, unit string, done, total int64, elapsed time.Duration) string {
	var sb strings.Builder
	sb.WriteString(description)
	sb.WriteByte(' ')
	if total > 0 {
		fmt.Fprintf(&sb, "%3d%% %s / %s %s", min(100, 100*done/total), Count(done), Count(total), plural(unit, total))
	} else {
		fmt.Fprintf(&sb, "%s %s", Count(done), plural(unit, done))
	}
	secs := elapsed.Seconds()
	if secs < 0.2 || done <= 0 {
		return sb.String()
	}
	rate := float64(done) / secs
	fmt.Fprintf(&sb, " · %s %s/s", Rate(rate), unit)
	if total > 0 && done < total {
		left := time.Duration(float64(total-done) / rate * float64(time.Second))
		fmt.Fprintf(&sb, " · ETA %s", Duration(left))
	} else {
		fmt.Fprintf(&sb, " · %s", Duration(elapsed))
	}
	return sb.String()
}

// plural is unit (a plural English noun, "records", "partner pairs") for
// n things: one "record", not "1 records".
func plural(unit string, n int64) string {
	if n == 1 {
		return strings.TrimSuffix(unit, "s")
	}
	return unit
}

// Count writes n with thousands separators: 1,234,567.
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var sb strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			sb.WriteByte(',')
		}
		sb.WriteRune(c)
	}
	if neg {
		return "-" + sb.String()
	}
	return sb.String()
}

// Rate writes a rate with three significant digits and a k or M suffix:
// 950, 25.2k, 3.10M.
func Rate(r float64) string {
	switch {
	case r >= 1e6:
		return strconv.FormatFloat(r/1e6, 'f', 2, 64) + "M"
	case r >= 1e4:
		return strconv.FormatFloat(r/1e3, 'f', 1, 64) + "k"
	case r >= 10:
		return strconv.FormatFloat(r, 'f', 0, 64)
	}
	return strconv.FormatFloat(r, 'f', 1, 64)
}

// Duration writes a duration to the second: 0s, 42s, 3m05s, 1h02m.
func Duration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh%02dm", s/3600, s/60%60)
}
