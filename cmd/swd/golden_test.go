package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/welfare-district/swd/internal/testdirs"
	"github.com/welfare-district/swd/pipeline"
)

// The golden tests pin what people and scripts read from swd: the command
// summaries (text and --json), the link report JSON, release.json and the
// release tables' layout, and --help of every command. They run the real
// cobra root on the shared fixtures (testdata/synth) under a fixed, public
// secret, and compare with testdata/golden. After an intended change of an
// output, rewrite the files and review the diff:
//
//	go test ./cmd/swd -run Golden -update
//
// Only what must differ between runs is masked (see masks): everything
// else is compared byte for byte.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenSecret is the linkage secret of the golden runs: public, so the
// key check value and every encoding are the same in every run.
const goldenSecret = "73776420676f6c64656e2074657374207365637265742c207075626c69632121\n"

// A mask replaces what legitimately differs between runs by a placeholder.
type mask struct {
	why  string
	re   *regexp.Regexp
	repl string
}

// masks applies to every golden output.
var masks = []mask{
	{"creation times of files, reports, releases and ledger entries",
		regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z`), "<TIME>"},
	{"--workers defaults to the number of CPUs of the machine",
		regexp.MustCompile(`(\(default: all cores\)) \(default \d+\)`), "${1} (default <NUM_CPU>)"},
}

// A numbered mask replaces each distinct value its second group matches by
// a placeholder numbered in the order the run first prints it, keeping the
// first group: the value changes from run to run, but which outputs show
// the same value stays compared (the head publish prints is the head
// budget show prints, the release id of the summary is the one in
// release.json and in the ledger).
type numberedMask struct {
	why   string
	re    *regexp.Regexp
	label string
}

var numberedMasks = []numberedMask{
	{"release ids: 8 random bytes (dp/ledger.go newEntryID)",
		regexp.MustCompile(`\b(r-)([0-9a-f]{16})\b`), "ID"},
	{"the ledger's id and head: SHA-256 of entries that hold their creation time",
		regexp.MustCompile(`("(?:ledger_id|ledger_head|head)": "|(?:ledger id|head|head after the release:) )([0-9a-f]{64})\b`), "HASH"},
}

// reportMasks applies to the link report JSON.
var reportMasks = []mask{
	{"stage durations", regexp.MustCompile(`("\w+_s"): [0-9.e+-]+`), "${1}: <SECONDS>"},
}

// noisyColumns are the columns of the release tables that hold noise: their
// values are masked, every other cell (keys, mechanism, ε) is compared.
var noisyColumns = []string{"noisy_value", "ci_lower", "ci_upper"}

// goldenRun is the state of one run of the pipeline.
type goldenRun struct {
	t    *testing.T
	dir  string // the run's temporary directory, shown as $TMP
	repo string // the module root, shown as $REPO
	seen map[string]bool
	// numbers holds the placeholder of each value a numbered mask met,
	// counts how many values each label has numbered.
	numbers map[string]string
	counts  map[string]int
}

func newGoldenRun(t *testing.T) *goldenRun {
	return &goldenRun{t: t, dir: t.TempDir(), repo: testdirs.ModuleRoot(t), seen: map[string]bool{},
		numbers: map[string]string{}, counts: map[string]int{}}
}

func (g *goldenRun) path(name string) string { return filepath.Join(g.dir, name) }

// must runs a command line that has to succeed and returns its stdout.
func (g *goldenRun) must(args ...string) string {
	g.t.Helper()
	code, out, errs := runCLI(g.t, args...)
	if code != ExitOK {
		g.t.Fatalf("swd %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

// normalise masks what differs between runs: the temporary directory and
// the module root (paths are printed as given), the code version (the
// build's VCS revision), and the masks.
func (g *goldenRun) normalise(s string, extra ...mask) string {
	s = strings.ReplaceAll(s, g.dir, "$TMP")
	s = strings.ReplaceAll(s, g.repo, "$REPO")
	s = strings.ReplaceAll(s, pipeline.CodeVersion(), "<CODE_VERSION>")
	for _, m := range append(slices.Clone(masks), extra...) {
		s = m.re.ReplaceAllString(s, m.repl)
	}
	for _, m := range numberedMasks {
		s = m.re.ReplaceAllStringFunc(s, func(match string) string {
			sub := m.re.FindStringSubmatch(match)
			ph, ok := g.numbers[sub[2]]
			if !ok {
				g.counts[m.label]++
				ph = fmt.Sprintf("<%s%d>", m.label, g.counts[m.label])
				g.numbers[sub[2]] = ph
			}
			return sub[1] + ph
		})
	}
	return s
}

// check compares got, once normalised, with testdata/golden/<name>, or
// writes it there with -update.
func (g *goldenRun) check(name, got string, extra ...mask) {
	g.t.Helper()
	g.seen[name] = true
	checkGolden(g.t, name, g.normalise(got, extra...))
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", filepath.FromSlash(name))
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%s: %v (run go test ./cmd/swd -run Golden -update to create it)", name, err)
		return
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (-want +got):\n%s\nif the change is intended: go test ./cmd/swd -run Golden -update",
			name, lineDiff(string(want), got))
	}
}

// lineDiff shows how got differs from want, line by line: the lines only
// in want (-) and only in got (+), from a longest common subsequence, each
// with its line number, at most 40.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	// lcs[i][j] is the length of the longest common subsequence of w[i:]
	// and g[j:]; golden files are small enough for the full table.
	lcs := make([][]int, len(w)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(g)+1)
	}
	for i := len(w) - 1; i >= 0; i-- {
		for j := len(g) - 1; j >= 0; j-- {
			if w[i] == g[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var b strings.Builder
	shown := 0
	show := func(sign byte, n int, line string) {
		if shown < 40 {
			fmt.Fprintf(&b, "%c%4d  %s\n", sign, n, line)
		}
		shown++
	}
	i, j := 0, 0
	for i < len(w) || j < len(g) {
		switch {
		case i < len(w) && j < len(g) && w[i] == g[j]:
			i, j = i+1, j+1
		case j < len(g) && (i == len(w) || lcs[i][j+1] >= lcs[i+1][j]):
			show('+', j+1, g[j])
			j++
		default:
			show('-', i+1, w[i])
			i++
		}
	}
	if shown > 40 {
		fmt.Fprintf(&b, "(%d more lines differ)\n", shown-40)
	}
	return b.String()
}

// checkNoStale fails for golden files under dir that no check wrote: an
// output (or a command) that was dropped or renamed, which the contracts
// forbid. With -update they are removed.
func checkNoStale(t *testing.T, dir string, seen map[string]bool) {
	t.Helper()
	root := filepath.Join("testdata", "golden")
	err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if seen[filepath.ToSlash(rel)] {
			return nil
		}
		if *update {
			return os.Remove(path)
		}
		t.Errorf("golden file %s matches no output any more (dropped or renamed?)", rel)
		return nil
	})
	if err != nil && !(*update && os.IsNotExist(err)) {
		t.Fatal(err)
	}
}

// roundFloats rounds every JSON or CSV number with a fraction or an
// exponent to 12 significant digits: the model's estimates come from long
// floating-point sums whose last bits differ between architectures (fused
// multiply-add on arm64). Integers are left as they are.
func roundFloats(s string) string {
	re := regexp.MustCompile(`(:\s*|\[\s*|,\s*)(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\b`)
	return re.ReplaceAllStringFunc(s, func(m string) string {
		sub := re.FindStringSubmatch(m)
		num := sub[2]
		if !strings.ContainsAny(num, ".eE") {
			return m
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return m
		}
		return sub[1] + strconv.FormatFloat(v, 'g', 12, 64)
	})
}

// maskColumns replaces the cells of the named CSV columns by "<NOISE>".
func maskColumns(t *testing.T, data string, cols []string) string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(data)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("release table: %v (%d lines)", err, len(rows))
	}
	var masked []int
	for i, h := range rows[0] {
		if slices.Contains(cols, h) {
			masked = append(masked, i)
		}
	}
	if len(masked) != len(cols) {
		t.Fatalf("release table header %v lacks one of %v", rows[0], cols)
	}
	for _, r := range rows[1:] {
		for _, i := range masked {
			r[i] = "<NOISE>"
		}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.WriteAll(rows)
	return b.String()
}

func (g *goldenRun) read(name string) string {
	g.t.Helper()
	return string(readBytes(g.t, g.path(name)))
}

// TestGoldenPipeline runs synth → encode → inspect → link → eval → budget
// init → publish → budget show and verify on the shared fixtures and compares every output people or
// scripts read.
func TestGoldenPipeline(t *testing.T) {
	g := newGoldenRun(t)
	secret := g.path("k.secret")
	if err := os.WriteFile(secret, []byte(goldenSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	exports := fixtureExports(t)
	schema := repoPath(t, "docs/examples/synth/schema.yaml")

	g.check("pipeline/synth.txt", g.must(append(slices.Clone(fixtureSynthArgs), "--out", g.path("synth"))...))

	var encoded []string
	for _, p := range fixturePartners {
		out := g.path(p + ".swd.parquet")
		encoded = append(encoded, out)
		g.check("pipeline/encode_"+p+".txt", g.must("encode", "--schema", schema, "--secret", secret,
			"--partner", p, "--in", filepath.Join(exports, p+".csv"), "--out", out))
	}
	g.check("pipeline/inspect.txt", g.must("inspect", encoded[0]))
	g.check("pipeline/inspect.json", g.must("inspect", "--json", encoded[0]))

	// One worker: the model's sums are then added in one order, so the
	// report's numbers are the same in every run.
	links := g.path("links.parquet")
	g.check("pipeline/link.txt", g.must(append([]string{"--workers", "1", "link", "--out", links, "--csv", g.path("links.csv")}, encoded...)...))
	g.check("pipeline/link.report.json", roundFloats(g.read("links.report.json")), reportMasks...)
	g.check("pipeline/links.csv", roundFloats(g.read("links.csv")))

	truth := filepath.Join(exports, "truth.csv")
	g.check("pipeline/eval.txt", g.must("eval", "--links", links, "--truth", truth))
	g.check("pipeline/eval.json", g.must("eval", "--json", "--links", links, "--truth", truth))

	ledger := g.path("ledger")
	g.check("pipeline/budget_init.txt", g.must("budget", "init", "--ledger", ledger, "--total", "3"))
	g.check("pipeline/district_init.txt", g.must("district", "init", "--out", g.path("district.yaml")))
	publish := func(args ...string) string {
		return g.must(append(append([]string{"publish", "--district", g.path("district.yaml"), "--links", links, "--ledger", ledger}, args...), encoded...)...)
	}
	g.check("pipeline/publish_dry_run.txt", publish("--epsilon", "1", "--out", g.path("dry"), "--dry-run"))
	g.check("pipeline/publish_dry_run.json", publish("--epsilon", "1", "--out", g.path("dry"), "--dry-run", "--json"))
	g.check("pipeline/publish.txt", publish("--epsilon", "1", "--out", g.path("release")))
	g.check("pipeline/release.json", g.read("release/release.json"))
	for _, table := range []string{"district_need", "district", "partners", "missing_middle", "totals"} {
		g.check("pipeline/release_"+table+".csv", maskColumns(t, g.read("release/"+table+".csv"), noisyColumns))
	}
	g.check("pipeline/publish.json", publish("--epsilon", "0.5", "--mechanism", "gaussian", "--delta", "1e-7",
		"--split", "district=0.5,totals=0.5", "--out", g.path("release2"), "--json"))
	g.check("pipeline/release2.json", g.read("release2/release.json"))

	g.check("pipeline/budget_show.txt", g.must("budget", "show", "--ledger", ledger))
	g.check("pipeline/budget_show.json", g.must("budget", "show", "--ledger", ledger, "--json"))
	g.check("pipeline/budget_verify.txt", g.must("budget", "verify", "--ledger", ledger, "--release", g.path("release"), "--release", g.path("release2")))

	g.check("pipeline/taxonomy_list.txt", g.must("taxonomy", "list"))
	g.check("pipeline/taxonomy_list.json", g.must("taxonomy", "list", "--json"))

	checkNoStale(t, "pipeline", g.seen)
}

// TestGoldenHelp compares --help of every command and subcommand, cobra's
// own (help, completion) included.
func TestGoldenHelp(t *testing.T) {
	g := newGoldenRun(t)
	root := newRootCommand(&GlobalOptions{})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		path := strings.Fields(c.CommandPath())[1:] // without "swd"
		name := "help/" + strings.Join(append([]string{"swd"}, path...), "_") + ".txt"
		g.check(name, g.must(append(path, "--help")...))
		n++
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if n < 25 {
		t.Fatalf("only %d commands walked", n)
	}
	checkNoStale(t, "help", g.seen)
}

// TestGoldenMasks checks that each mask matches what it is meant to hide
// and nothing of what must be compared: a mask that matched too much would
// make the golden tests pass on a changed output.
func TestGoldenMasks(t *testing.T) {
	g := &goldenRun{t: t, dir: "/tmp/TestX/001", repo: "/home/u/swd", numbers: map[string]string{}, counts: map[string]int{}}
	const (
		h1 = "3aa9a5287351677620a11c09aeb8e797f44f16878a79776d9703c08cebcc2869"
		h2 = "8df48ba858157d701b448ac14a7c653a3a97a865d89e62541538e7970691398d"
		fp = "310cc5598fb972d57c585e73a381fbf9f07f4c38b79fefe75ffb157b9452b240"
	)
	tests := []struct{ in, want string }{
		{`"created": "2026-12-05T13:13:04.556988775Z",`, `"created": "<TIME>",`},
		{"release r-ee6580b9e0b44b7e written to /tmp/TestX/001/rel", "release r-<ID1> written to $TMP/rel"},
		{`"ledger_entry_id": "r-ee6580b9e0b44b7e"`, `"ledger_entry_id": "r-<ID1>"`},
		{"r-7f849d94d3e2286a r-ee6580b9e0b44b7e", "r-<ID2> r-<ID1>"},
		{"r-ee6580b9e0b44b7ez r-ee6580b9e0b44b7", "r-ee6580b9e0b44b7ez r-ee6580b9e0b44b7"},
		{"ledger id " + h1 + "; 5 entries, head " + h2, "ledger id <HASH1>; 5 entries, head <HASH2>"},
		{`"ledger_id": "` + h1 + `", "head": "` + h2 + `", "ledger_head": "` + h2 + `"`, `"ledger_id": "<HASH1>", "head": "<HASH2>", "ledger_head": "<HASH2>"`},
		{"ledger head after the release: " + h2, "ledger head after the release: <HASH2>"},
		{"schema fingerprint " + fp + `, "schema_fingerprint": "` + fp + `"`, "schema fingerprint " + fp + `, "schema_fingerprint": "` + fp + `"`},
		{"encoded /home/u/swd/testdata/synth/comune.csv", "encoded $REPO/testdata/synth/comune.csv"},
		{"by " + pipeline.CodeVersion(), "by <CODE_VERSION>"},
		{"parallel work (default: all cores) (default " + strconv.Itoa(runtime.NumCPU()) + ")", "parallel work (default: all cores) (default <NUM_CPU>)"},
		{"--households int      number of households to generate (default 2000)", "--households int      number of households to generate (default 2000)"},
		{"rows read 140, encoded 140, rejected 0; key check value 1a2b3c4d5e6f7a8b", "rows read 140, encoded 140, rejected 0; key check value 1a2b3c4d5e6f7a8b"},
	}
	for _, tt := range tests {
		if got := g.normalise(tt.in); got != tt.want {
			t.Errorf("normalise(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := g.normalise(`"model_s": 0.869710201, "candidates": 21`, reportMasks...); got != `"model_s": <SECONDS>, "candidates": 21` {
		t.Errorf("report mask: %q", got)
	}
	if got, want := lineDiff("a\nb\nc\n", "a\nx\nb\nc\nd\n"), "+   2  x\n+   5  d\n"; got != want {
		t.Errorf("lineDiff:\n%s\nwant:\n%s", got, want)
	}
	if got := roundFloats(`{"a": 0.9998063310902334, "b": [1.5246256865326475e-8, 3], "n": 4993}`); got != `{"a": 0.99980633109, "b": [1.52462568653e-08, 3], "n": 4993}` {
		t.Errorf("roundFloats: %s", got)
	}
}
