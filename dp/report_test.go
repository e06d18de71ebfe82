package dp

import (
	"bytes"
	"context"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNiceCeil(t *testing.T) {
	for x, want := range map[float64]float64{1: 1, 7: 8, 597: 600, 1001: 1200, 0.3: 0.3, 45: 50} {
		if got := niceCeil(x); got < want*0.999999 || got > want*1.000001 {
			t.Errorf("niceCeil(%v) = %v, want %v", x, got, want)
		}
	}
}

// Keys that come from data (partition selection) are escaped in the report.
func TestReportEscapesKeys(t *testing.T) {
	res := &Result{Params: *(&Params{Epsilon: 1}).EnsureDefaults(), Tables: []Table{{Query: QueryDistrict, Columns: []string{"district"},
		Mechanism: MechanismLaplace, Epsilon: 1, NoiseStd: 1.4, MaxPartitions: 1,
		Cells: []Cell{{Keys: []string{"<script>alert(1)</script>"}, Value: 10, CILower: 7, CIUpper: 13}}}}}
	meta := newReleaseMeta(res, Domain{})
	html, err := renderReport(res, meta, "")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(html, []byte("<script>")) || !bytes.Contains(html, []byte("&lt;script&gt;")) {
		t.Fatal("key not escaped")
	}
}

func TestReportMunicipalityMap(t *testing.T) {
	res := &Result{Params: *(&Params{Epsilon: 1}).EnsureDefaults(), Tables: []Table{{Query: QueryDistrict, Columns: []string{"district"},
		Mechanism: MechanismLaplace, Epsilon: 1, NoiseStd: 1.4, MaxPartitions: 1,
		Cells: []Cell{{Keys: []string{"028060"}, Value: 10, CILower: 7, CIUpper: 13}, {Keys: []string{"028001"}, Value: 3, CILower: 0, CIUpper: 6}}}}}
	html, err := renderReport(res, newReleaseMeta(res, Domain{}), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Padova: 10 [7 – 13]", "Abano Terme: 3 [0 – 6]", "CC-BY 4.0", "<path d=\"M"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("municipality map lacks %q", want)
		}
	}
}

// TestReportRendersInChromium renders a release's report in headless
// Chromium (when installed: Debian's chromium package), takes a screenshot
// and checks that the page was drawn with its district map.
func TestReportRendersInChromium(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("starts a browser (not under -short or -race: it tests no Go code paths the race detector could check)")
	}
	var browser string
	for _, b := range []string{"chromium", "chromium-browser", "google-chrome", "headless_shell"} {
		if p, err := exec.LookPath(b); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("no Chromium installed; the HTML is checked by TestPublishWritesEveryTable")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "release")
	if _, err := publishTo(t, synthHouseholds(600, 7), Params{Epsilon: 1}, filepath.Join(dir, "l"), out); err != nil {
		t.Fatal(err)
	}
	report := "file://" + filepath.Join(out, "report.html")
	shot := filepath.Join(dir, "report.png")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	common := []string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
		"--user-data-dir=" + filepath.Join(dir, "profile")}
	cmd := exec.CommandContext(ctx, browser, append(common, "--window-size=1000,2000", "--screenshot="+shot, report)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("chromium could not run here: %v\n%s", err, lastLines(b))
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// The page is drawn: many colours, and the tile map's dark blue (the
	// largest district is drawn in #084594) is on screen.
	colours, blue := map[color.RGBA]bool{}, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			colours[c] = true
			if c.R < 0x20 && c.G > 0x30 && c.G < 0x60 && c.B > 0x80 && c.B < 0xb0 {
				blue++
			}
		}
	}
	t.Logf("screenshot %v: %d colours, %d dark-blue samples", b.Size(), len(colours), blue)
	if len(colours) < 50 || blue < 100 {
		t.Fatalf("the report did not render: %d colours, %d dark-blue samples", len(colours), blue)
	}
}

func lastLines(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-5):], "\n")
}

// TestReportChartsShareOneScale: the per-district need charts of one table
// have the same axis, so districts compare; the unknown-district row is in
// the tables and explained; counts take the right number.
func TestReportChartsShareOneScale(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "release")
	hs := synthHouseholds(600, 7)
	for i := range hs[:40] {
		hs[i].District = ""
	}
	if _, err := publishTo(t, hs, Params{Epsilon: 1}, filepath.Join(dir, "l"), out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	start := strings.Index(html, `<h2 id="district_need">`)
	end := strings.Index(html[start+1:], "<h2 ") + start + 1
	section := html[start:end]
	charts := strings.Split(section, `<svg class="chart"`)[1:]
	if len(charts) != 7 {
		t.Fatalf("%d district charts, want 6 districts and unknown", len(charts))
	}
	axis := func(svg string) string { // the tick labels, in order
		var ticks []string
		for _, part := range strings.Split(svg, `font-size:10px">`)[1:] {
			ticks = append(ticks, part[:strings.Index(part, "<")])
		}
		return strings.Join(ticks, ",")
	}
	first := axis(charts[0])
	for i, c := range charts {
		if got := axis(c); got != first || got == "" {
			t.Fatalf("chart %d has axis %q, chart 0 %q", i, got, first)
		}
	}
	for _, want := range []string{"stessa scala per tutti i grafici", `id="unknown-district"`, "Quartiere non indicato / District unknown",
		"in al massimo 1 cella / each household counts in at most 1 cell", "77 celle / 77 cells"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(html, "1 celle") || strings.Contains(html, "1 cells") {
		t.Error("singular count written as a plural")
	}
}

func TestPlural(t *testing.T) {
	for _, tt := range []struct {
		n    any
		want string
	}{{1, "1 cella"}, {int64(1), "1 cella"}, {0, "0 celle"}, {int64(77), "77 celle"}} {
		if got := plural(tt.n, "cella", "celle"); got != tt.want {
			t.Errorf("plural(%v) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
