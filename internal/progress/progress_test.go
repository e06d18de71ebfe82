package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestLine(t *testing.T) {
	for _, tt := range []struct {
		done, total int64
		elapsed     time.Duration
		want        string
	}{
		{0, -1, 0, "encoding 0 records"},
		{45312, -1, 1800 * time.Millisecond, "encoding 45,312 records · 25.2k records/s · 2s"},
		{1234567, 2940000, 400 * time.Millisecond, "encoding  41% 1,234,567 / 2,940,000 records · 3.09M records/s · ETA 1s"},
		{3, 9, 90 * time.Second, "encoding  33% 3 / 9 records · 0.0 records/s · ETA 3m00s"},
		{9, 9, 2 * time.Hour, "encoding 100% 9 / 9 records · 0.0 records/s · 2h00m"},
		{1, -1, 0, "encoding 1 record"},
		{1, 1, time.Second, "encoding 100% 1 / 1 record · 1.0 records/s · 1s"},
		{1, 2, 0, "encoding  50% 1 / 2 records"},
	} {
		if got := Line("encoding", "records", tt.done, tt.total, tt.elapsed); got != tt.want {
			t.Errorf("Line(%d, %d, %v) = %q, want %q", tt.done, tt.total, tt.elapsed, got, tt.want)
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q", n, got)
		}
	}
}

// TestBarRedrawsAndClears: no rate from a single big step right after the
// start (the "2108378324 it/s" of a throttled bar), redraws throttled, and
// Finish leaves a blank line.
func TestBarRedrawsAndClears(t *testing.T) {
	var out bytes.Buffer
	clock := time.Unix(0, 0)
	b := newBar(&out, -1, "linking", func() time.Time { return clock }).Unit("pairs")
	clock = clock.Add(time.Millisecond)
	b.Add(2_000_000_000)
	if strings.Contains(out.String(), "/s") {
		t.Fatalf("a rate after 1 ms: %q", out.String())
	}
	clock = clock.Add(50 * time.Millisecond)
	b.Add(5)
	if strings.Count(out.String(), "\r") != 1 {
		t.Fatalf("redrawn within 200 ms: %q", out.String())
	}
	clock = clock.Add(2 * time.Second)
	b.Add(5)
	if !strings.Contains(out.String(), "2,000,000,010 pairs · 975.13M pairs/s · 2s") {
		t.Fatalf("second draw %q", out.String())
	}
	b.Finish()
	if !strings.HasSuffix(out.String(), "\r") {
		t.Fatalf("not cleared: %q", out.String())
	}
	var nilBar *Bar
	nilBar.Unit("x").Add(1)
	nilBar.Finish()
}
