package linkage

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"
)

// reportBytes is the report in JSON and HTML, as swd link writes it, with
// its creation time and timings (which differ from run to run) left out.
func reportBytes(t *testing.T, r *Report) []byte {
	t.Helper()
	c := *r
	c.Created, c.Timings = time.Time{}, nil
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&c); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// firstDiff is the first line where a and b differ, in each.
func firstDiff(a, b []byte) (string, string) {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range min(len(la), len(lb)) {
		if !bytes.Equal(la[i], lb[i]) {
			return string(la[i]), string(lb[i])
		}
	}
	return "(end)", "(end)"
}

// TestLinkReportReproducible: the same files give the same report, byte
// for byte, whatever the number of workers and however the goroutines are
// scheduled: the floating-point sums (expected matches per histogram bin,
// expected true pairs and pairs missed by blocking, household splits) are
// taken in a fixed order, not in the order workers finish or a map
// iterates. Every pair of CLKs is a candidate here, so that jobs span
// several chunks of workers' work.
func TestLinkReportReproducible(t *testing.T) {
	f := synthFixture(t)
	cfg := Config{USamples: 50_000, Seed: 1, DiceThreshold: 1e-9, DiceTopK: 1 << 20}
	var want []byte
	for _, w := range []int{1, 3} {
		cfg.Workers = w
		res, err := Link(context.Background(), f.ds, cfg)
		if err != nil {
			t.Fatal(err)
		}
		got := reportBytes(t, res.Report)
		if want == nil {
			chunked := false
			for _, p := range res.Report.Pairs {
				chunked = chunked || p.Candidates > 16384
			}
			if !chunked {
				t.Fatal("no job spans two chunks: the test does not test worker order")
			}
			want = got
			continue
		}
		if !bytes.Equal(got, want) {
			x, y := firstDiff(want, got)
			t.Fatalf("workers=%d: the report differs from workers=1's:\n%s\n%s", w, x, y)
		}
	}
}
