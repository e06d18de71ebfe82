//go:build unix

package bench

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/welfare-district/swd/internal/testdirs"
)

func TestWriteScaleSVG(t *testing.T) {
	rs := []ScaleResult{
		{Records: 2_000_000, WallSeconds: 120, PeakRSS: 2e9},
		{Records: 1_000_000, WallSeconds: 55, PeakRSS: 1.1e9},
	}
	var b bytes.Buffer
	if err := WriteScaleSVG(&b, rs); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName xml.Name
		Circles []struct{} `xml:"circle"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not well-formed XML: %v", err)
	}
	if doc.XMLName.Local != "svg" || len(doc.Circles) != 2*len(rs) {
		t.Fatalf("root %q with %d points, want svg with %d", doc.XMLName.Local, len(doc.Circles), 2*len(rs))
	}
	for _, tc := range []struct{ in, want float64 }{{0, 1}, {0.3, 0.5}, {1, 1}, {1.2, 2}, {3, 5}, {55, 100}, {120, 200}} {
		if got := nice(tc.in); got != tc.want {
			t.Errorf("nice(%g) = %g, want %g", tc.in, got, tc.want)
		}
	}
}

// TestRunScaleSmall runs the whole scaling measurement at 4,000 records
// with a freshly built swd: it builds the binary, so it runs only with
// SWD_LONG_TESTS=1.
func TestRunScaleSmall(t *testing.T) {
	if os.Getenv("SWD_LONG_TESTS") == "" {
		t.Skip("set SWD_LONG_TESTS=1 to run")
	}
	root := testdirs.ModuleRoot(t)
	dir := t.TempDir()
	swd := filepath.Join(dir, "swd")
	build := exec.Command("go", "build", "-o", swd, "./cmd/swd")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cfg := ScaleConfig{Swd: swd, Schema: filepath.Join(root, "docs/examples/synth/schema.yaml"), Dir: dir,
		Records: []int{4000}, Corruption: "medium", Seed: 7}
	var got []ScaleResult
	var log bytes.Buffer
	err := RunScale(context.Background(), cfg, &log, func(r ScaleResult) error { got = append(got, r); return nil })
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	r := got[0]
	if r.Records < 3000 || r.Records > 5000 || r.WallSeconds <= 0 || r.CPUSeconds <= 0 || r.PeakRSS <= 0 || r.Candidates <= 0 {
		t.Fatalf("implausible result %+v", r)
	}
	if r.SynthSeconds <= 0 || r.EncodeSeconds <= 0 || r.EncodePeakRSS <= 0 {
		t.Fatalf("no synth or encode figures: %+v", r)
	}
	if _, ok := r.Timings["blocking_s"]; !ok {
		t.Fatalf("no phase timings: %+v", r.Timings)
	}
}
