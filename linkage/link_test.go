package linkage

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/blocking"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/eval"
	"github.com/welfare-district/swd/linkage/schema"
	"github.com/welfare-district/swd/linkage/synth"
)

// fixture is a small synthetic district encoded in memory.
type fixture struct {
	ds    []*encoding.Dataset
	truth []byte // truth.csv
}

var (
	fixtureOnce sync.Once
	fixtureVal  fixture
	fixtureErr  error
)

// synthFixture generates 300 households at the five default partners with
// low corruption and encodes them with the synth example schema.
func synthFixture(t *testing.T) fixture {
	t.Helper()
	fixtureOnce.Do(func() { fixtureVal, fixtureErr = buildFixture() })
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureVal
}

func buildFixture() (fixture, error) {
	dir, err := os.MkdirTemp("", "swd-linkage-test-")
	if err != nil {
		return fixture{}, err
	}
	defer os.RemoveAll(dir)
	var partners []synth.Partner
	for _, name := range synth.DefaultPartnerNames {
		partners = append(partners, synth.DefaultPartner(name))
	}
	if _, err := synth.Write(context.Background(), synth.Config{Households: 300, Partners: partners, Seed: 5, Corruption: synth.LevelLow}, dir, nil); err != nil {
		return fixture{}, err
	}
	s, err := schema.Load("../docs/examples/synth/schema.yaml")
	if err != nil {
		return fixture{}, err
	}
	var secret encoding.Secret
	copy(secret[:], "a fixed secret for tests only!!!")
	var f fixture
	for _, p := range partners {
		rows, err := readCSV(filepath.Join(dir, p.Name+".csv"))
		if err != nil {
			return fixture{}, err
		}
		enc, err := encoding.New(s, secret, p.Name)
		if err != nil {
			return fixture{}, err
		}
		d, _, _, err := enc.EncodeDataset(context.Background(), rows[0], rows[1:])
		if err != nil {
			return fixture{}, err
		}
		f.ds = append(f.ds, d)
	}
	f.truth, err = os.ReadFile(filepath.Join(dir, "truth.csv"))
	return f, err
}

func readCSV(path string) ([][]string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return csv.NewReader(fh).ReadAll()
}

func TestLinkQualityOnSynth(t *testing.T) {
	f := synthFixture(t)
	res, err := Link(context.Background(), f.ds, Config{Workers: 2, USamples: 50_000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range f.ds {
		n += d.Len()
	}
	if len(res.Links) != n {
		t.Fatalf("%d links for %d records: every record must appear once", len(res.Links), n)
	}
	truth, err := eval.ReadCSV(bytes.NewReader(f.truth), "truth.csv")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := eval.Evaluate(res.Links, truth)
	if err != nil {
		t.Fatal(err)
	}
	person := rep.Person.Pairs
	if person.F1 < 0.95 {
		t.Fatalf("person pairwise F1 %.4f < 0.95 (%+v)", person.F1, person)
	}
	// The estimate without ground truth lands near the measured persons.
	e := res.Report.Expected
	t.Logf("persons: measured P %.4f R %.4f, expected P %.4f R %.4f", person.Precision, person.Recall, e.Precision, e.Recall)
	if math.Abs(e.Precision-person.Precision) > 0.01 || math.Abs(e.Recall-person.Recall) > 0.01 {
		t.Fatalf("expected P %.4f R %.4f, measured P %.4f R %.4f", e.Precision, e.Recall, person.Precision, person.Recall)
	}
	if !res.Model.Converged || !res.Model.Identified {
		t.Fatalf("model not converged/identified: %+v", res.Model.Warnings)
	}
}

// TestLinkDeterministic: the same inputs give the same links whatever the
// number of workers, and a saved model applied again gives them too.
func TestLinkDeterministic(t *testing.T) {
	f := synthFixture(t)
	base, err := Link(context.Background(), f.ds, Config{Workers: 1, USamples: 50_000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{2, 5} {
		res, err := Link(context.Background(), f.ds, Config{Workers: w, USamples: 50_000, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(res.Links, base.Links) {
			t.Fatalf("workers=%d changed the links", w)
		}
	}
	// The same blocking (seed): each job's prior is refitted on its
	// candidates, whatever the model.
	res, err := Link(context.Background(), f.ds, Config{Workers: 2, Seed: 1, Model: base.Model})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Links, base.Links) {
		t.Fatal("re-applying the fitted model changed the links")
	}
}

func TestLinkReportHasNoRecordData(t *testing.T) {
	f := synthFixture(t)
	res, err := Link(context.Background(), f.ds[:2], Config{USamples: 20_000})
	if err != nil {
		t.Fatal(err)
	}
	var html bytes.Buffer
	if err := res.Report.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	page := html.String()
	for _, d := range f.ds[:2] {
		for _, id := range d.RecordIDs[:50] {
			if strings.Contains(page, id) {
				t.Fatalf("record id %q in the report", id)
			}
		}
	}
	for _, want := range []string{"<svg", "expected precision", "Partner pairs", "comune"} {
		if !strings.Contains(page, want) {
			t.Fatalf("report lacks %q", want)
		}
	}
	// Its exact counts make it confidential: the first line says so, in
	// the HTML and in the JSON (issue 13).
	if first, _, _ := strings.Cut(page, "\n"); !strings.Contains(first, "CONFIDENTIAL to the linkage unit") {
		t.Errorf("HTML report's first line %q", first)
	}
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res.Report); err != nil {
		t.Fatal(err)
	}
	if lines := strings.SplitN(js.String(), "\n", 3); !strings.HasPrefix(lines[1], `  "notice": "CONFIDENTIAL to the linkage unit`) {
		t.Errorf("JSON report opens with %q", lines[:2])
	}
}

func TestCheckCompatible(t *testing.T) {
	f := synthFixture(t)
	clone := func(d *encoding.Dataset, edit func(*encoding.Meta)) *encoding.Dataset {
		c := *d
		edit(&c.Meta)
		return &c
	}
	tests := []struct {
		name string
		ds   []*encoding.Dataset
		want string
	}{
		{"ok", f.ds, ""},
		{"schema", []*encoding.Dataset{f.ds[0], f.ds[1], clone(f.ds[2], func(m *encoding.Meta) { m.SchemaFingerprint = "other" })}, `partner "caritas" differs from the others in its schema fingerprint`},
		{"secret", []*encoding.Dataset{clone(f.ds[0], func(m *encoding.Meta) { m.KeyCheck = "0000" }), f.ds[1], f.ds[2]}, `partner "comune" differs from the others in its key check value`},
		{"same partner twice", []*encoding.Dataset{f.ds[0], f.ds[0]}, `appears in two input files`},
		{"no identifying field", []*encoding.Dataset{f.ds[0], noFields(f.ds[1])}, `partner "ulss6": none of its 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckCompatible(tt.ds)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, base.ErrInvalidInput) {
				t.Fatalf("got %v, want %q (invalid input)", err, tt.want)
			}
		})
	}
}

// noFields is d with every field filter missing in every record, as an
// export whose header matched none of the schema's columns encoded before
// swd encode checked the missing shares.
func noFields(d *encoding.Dataset) *encoding.Dataset {
	c := *d
	c.Fields = append([]encoding.FieldColumn(nil), d.Fields...)
	for i := range c.Fields {
		c.Fields[i].Present = make([]bool, d.Len())
	}
	return &c
}

// TestLinkProgressCoversEveryStage: every stage, EM fitting and clustering
// included, reports its progress, and a known total is never exceeded.
func TestLinkProgressCoversEveryStage(t *testing.T) {
	f := synthFixture(t)
	var mu sync.Mutex
	seen := map[string]int64{}
	_, err := Link(context.Background(), f.ds[:3], Config{USamples: 20_000, Progress: func(stage string, done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		if total > 0 && done > total {
			t.Errorf("%s: %d of %d", stage, done, total)
		}
		seen[stage] = max(seen[stage], done)
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{StageBlocking, StagePatterns, StageUSampling, StageEM, StageScoring, StageClustering} {
		if seen[s] == 0 {
			t.Errorf("stage %q reported no progress (seen %v)", s, seen)
		}
		if StageUnit(s) == "items" {
			t.Errorf("stage %q has no unit", s)
		}
	}
}

// TestLinkTFFields: term-frequency adjustment only on the fields asked
// for; an unknown field is a usage error.
func TestLinkTFFields(t *testing.T) {
	f := synthFixture(t)
	res, err := Link(context.Background(), f.ds, Config{USamples: 20_000, TF: []string{"surname"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, fp := range res.Model.Fields {
		if fp.TF != (fp.Field == "surname") {
			t.Fatalf("field %q: TF %v", fp.Field, fp.TF)
		}
	}
	_, err = Link(context.Background(), f.ds, Config{USamples: 20_000, TF: []string{"no_such_field"}})
	if !errors.Is(err, base.ErrUsage) {
		t.Fatalf("unknown TF field: %v", err)
	}
}

func TestLinkClusteringMode(t *testing.T) {
	f := synthFixture(t)
	for _, mode := range []string{"", ClusteringContested, ClusteringAll, ClusteringMerge} {
		if _, err := Link(context.Background(), f.ds, Config{USamples: 20_000, Clustering: mode, HouseholdMinWeight: 7}); err != nil {
			t.Fatalf("clustering %q: %v", mode, err)
		}
	}
	if _, err := Link(context.Background(), f.ds, Config{Clustering: "bogus"}); !errors.Is(err, base.ErrUsage) {
		t.Fatalf("unknown clustering mode: %v", err)
	}
}

// TestLSHBitsPerBand: 28 bits up to a million records (the blocking of
// every smaller linkage unchanged), two more for each doubling beyond,
// within 64; DefaultBlocking uses them, within the CLK's bits.
func TestLSHBitsPerBand(t *testing.T) {
	for _, tc := range []struct{ records, want int }{
		{0, 28},
		{1000, 28},
		{1_000_000, 28},
		{1_004_660, 28},
		{1_500_000, 29},
		{2_000_000, 30},
		{5_000_000, 33},
		{10_000_000, 35},
		{1 << 40, 64},
	} {
		if got := LSHBitsPerBand(tc.records); got != tc.want {
			t.Errorf("LSHBitsPerBand(%d) = %d, want %d", tc.records, got, tc.want)
		}
	}
	ds := synthFixture(t).ds
	for _, tc := range []struct{ records, want int }{
		{Records(ds), 28},
		{10_000_000, 35},
		{1 << 40, 64},
	} {
		c := DefaultBlocking(ds[0], 1, tc.records)
		l, ok := c.Passes[len(c.Passes)-1].(blocking.LSH)
		if !ok || l.BitsPerBand != min(tc.want, 64*ds[0].CLK.Words) {
			t.Errorf("records %d: last pass %#v, want LSH with %d bits a band", tc.records, c.Passes[len(c.Passes)-1], tc.want)
		}
	}
}

// TestLinkReleaseBlockKeys: dropping the blocking keys once blocked gives
// the same links and report pairs, and leaves the datasets without keys;
// without the option they are untouched.
func TestLinkReleaseBlockKeys(t *testing.T) {
	f := synthFixture(t)
	for _, release := range []bool{false, true} {
		ds := make([]*encoding.Dataset, len(f.ds))
		for i, d := range f.ds {
			c := *d
			ds[i] = &c
		}
		want, err := Link(context.Background(), f.ds, Config{USamples: 20_000, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		got, err := Link(context.Background(), ds, Config{USamples: 20_000, Seed: 1, ReleaseBlockKeys: release})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Links, want.Links) || !reflect.DeepEqual(got.Report.Pairs, want.Report.Pairs) {
			t.Errorf("release %v: the links or the report's pairs changed", release)
		}
		for i, d := range ds {
			if kept := d.BlockKeys != nil; kept == release || len(f.ds[i].BlockKeys) == 0 {
				t.Errorf("release %v: dataset %d has %d key columns (the fixture's: %d)", release, i, len(d.BlockKeys), len(f.ds[i].BlockKeys))
			}
		}
	}
}
