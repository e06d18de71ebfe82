package synth

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/codicefiscale"

	"github.com/welfare-district/swd/internal/testdirs"
)

// generate writes a small run into a temporary directory.
func generate(t *testing.T, cfg Config) (string, Stats) {
	t.Helper()
	dir := t.TempDir()
	st, err := Write(context.Background(), cfg, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return dir, st
}

func TestWriteContract(t *testing.T) {
	dir, st := generate(t, Config{Households: 500, Seed: 1})
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	var got []string
	for _, n := range names {
		got = append(got, filepath.Base(n))
	}
	want := []string{"acli.csv", "caritas.csv", "cgil.csv", "comune.csv", "truth.csv", "ulss6.csv"}
	if !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v (no temporary files left)", got, want)
	}
	for i, p := range DefaultPartnerNames {
		rows := testdirs.ReadCSV(t, filepath.Join(dir, p+".csv"))
		if strings.Join(rows[0], ",") != "record_id,nucleo_id,codice_fiscale,nome,cognome,sesso,data_nascita,comune_nascita,indirizzo,cap,telefono,quartiere,bisogni" {
			t.Errorf("%s header %q", p, rows[0])
		}
		if int64(len(rows)-1) != st.Records[i] {
			t.Errorf("%s: %d rows, stats say %d", p, len(rows)-1, st.Records[i])
		}
	}
	truth := testdirs.ReadCSV(t, filepath.Join(dir, "truth.csv"))
	if strings.Join(truth[0], ",") != "partner,record_id,person_id,household_id" {
		t.Errorf("truth header %q", truth[0])
	}
}

// TestTruthMatchesFiles: truth lists exactly the rows written, every
// generated household appears, record ids are unique and partner-specific,
// nucleo ids are the partner's own.
func TestTruthMatchesFiles(t *testing.T) {
	const n = 800
	dir, st := generate(t, Config{Households: n, Seed: 3})
	type key struct{ partner, record string }
	written := map[key][]string{}
	for _, p := range DefaultPartnerNames {
		prefix := DefaultPartner(p).Prefix + "-"
		for _, row := range testdirs.ReadCSV(t, filepath.Join(dir, p+".csv"))[1:] {
			k := key{p, row[0]}
			if _, dup := written[k]; dup {
				t.Fatalf("%s: record id repeated", p)
			}
			if !strings.HasPrefix(row[0], prefix) || !strings.HasPrefix(row[1], prefix+"N") {
				t.Fatalf("%s: ids %q %q lack the partner prefix", p, row[0], row[1])
			}
			written[k] = row
		}
	}
	truth := testdirs.ReadCSV(t, filepath.Join(dir, "truth.csv"))[1:]
	if len(truth) != len(written) {
		t.Fatalf("truth has %d rows, files %d", len(truth), len(written))
	}
	households := map[string]bool{}
	persons := map[string]string{}
	nucleoOf := map[key]string{} // (partner, household) → nucleo
	for _, tr := range truth {
		row, ok := written[key{tr[0], tr[1]}]
		if !ok {
			t.Fatalf("truth row not in %s.csv", tr[0])
		}
		households[tr[3]] = true
		if h, ok := persons[tr[2]]; ok && h != tr[3] {
			t.Fatal("a person is in two households")
		}
		persons[tr[2]] = tr[3]
		k := key{tr[0], tr[3]}
		if nu, ok := nucleoOf[k]; ok && nu != row[1] {
			t.Fatalf("%s: one household under two nucleo ids", tr[0])
		}
		nucleoOf[k] = row[1]
	}
	if len(households) != n || st.Households != n {
		t.Errorf("%d households in truth, want %d", len(households), n)
	}
	if int64(len(persons)) > st.Persons {
		t.Errorf("more persons in truth than generated")
	}
}

func TestDeterminism(t *testing.T) {
	cfg := Config{Households: 300, Seed: 42, Corruption: LevelHigh}
	a, _ := generate(t, cfg)
	b, _ := generate(t, cfg)
	cfg.Seed = 43
	c, _ := generate(t, cfg)
	for _, f := range []string{"comune.csv", "caritas.csv", "truth.csv"} {
		x, _ := os.ReadFile(filepath.Join(a, f))
		y, _ := os.ReadFile(filepath.Join(b, f))
		z, _ := os.ReadFile(filepath.Join(c, f))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between runs with the same seed", f)
		}
		if bytes.Equal(x, z) {
			t.Errorf("%s identical for different seeds", f)
		}
	}
}

// TestWorkersSameBytes: parallel generation writes exactly what the
// sequential generator writes.
func TestWorkersSameBytes(t *testing.T) {
	cfg := Config{Households: 1100, Seed: 99, Corruption: LevelMedium}
	seq, _ := generate(t, cfg)
	for _, w := range []int{2, 5} {
		cfg.Workers = w
		par, _ := generate(t, cfg)
		for _, f := range []string{"comune.csv", "ulss6.csv", "caritas.csv", "acli.csv", "cgil.csv", "truth.csv"} {
			x, _ := os.ReadFile(filepath.Join(seq, f))
			y, _ := os.ReadFile(filepath.Join(par, f))
			if !bytes.Equal(x, y) {
				t.Errorf("%d workers: %s differs from the sequential run", w, f)
			}
		}
	}
}

func TestWorkersCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	calls := 0
	_, err := Write(ctx, Config{Households: 100_000, Seed: 1, Workers: 3}, dir, func(int) {
		if calls++; calls == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("files left behind: %v", left)
	}
}

// TestCorruptionNone: every fiscal code is valid and agrees with the name,
// sex, birth date and birthplace of its row; nothing is missing.
func TestCorruptionNone(t *testing.T) {
	dir, _ := generate(t, Config{Households: 1500, Seed: 5, Corruption: LevelNone})
	codeOf := map[string]string{}
	for code, name := range mustData().placeNames {
		codeOf[strings.ToUpper(name)] = code
	}
	omocodic := 0
	for _, p := range DefaultPartnerNames {
		layout := DefaultPartner(p).DateLayout
		for i, row := range testdirs.ReadCSV(t, filepath.Join(dir, p+".csv"))[1:] {
			cf, nome, cognome, sesso, data, comune := row[2], row[3], row[4], row[5], row[6], row[7]
			for c, v := range row[:12] {
				if v == "" && Columns[c] != "telefono" {
					t.Fatalf("%s row %d: %s missing", p, i+1, Columns[c])
				}
			}
			info, err := codicefiscale.Decode(cf)
			if err != nil {
				t.Fatalf("%s row %d: %v", p, i+1, err)
			}
			if codicefiscale.IsOmocodic(cf) {
				omocodic++
			}
			birth, err := time.Parse(layout, data)
			if err != nil {
				t.Fatalf("%s row %d: date not in the partner's format", p, i+1)
			}
			if !info.Consistent(sesso == "F", birth) || !info.Matches(cognome, nome) {
				t.Fatalf("%s row %d: fiscal code disagrees with the row", p, i+1)
			}
			if codeOf[strings.ToUpper(comune)] != info.Place {
				t.Fatalf("%s row %d: birthplace disagrees with the fiscal code", p, i+1)
			}
			if q, err := strconv.Atoi(row[11]); err != nil || q < 1 || q > 6 {
				t.Fatalf("%s row %d: quartiere %q", p, i+1, row[11])
			}
		}
	}
	t.Logf("%d omocodic codes", omocodic)
}

// TestCorruptionScales: more corruption, more invalid codes and missing
// values; none has none.
func TestCorruptionScales(t *testing.T) {
	bad := map[Level]float64{}
	for _, l := range []Level{LevelNone, LevelLow, LevelHigh} {
		dir, _ := generate(t, Config{Households: 1000, Seed: 9, Corruption: l, Partners: PartnersByName([]string{"caritas"})})
		rows := testdirs.ReadCSV(t, filepath.Join(dir, "caritas.csv"))[1:]
		n := 0
		for _, row := range rows {
			if !codicefiscale.Valid(row[2]) || row[6] == "" || row[11] == "" {
				n++
			}
		}
		bad[l] = float64(n) / float64(len(rows))
	}
	if bad[LevelNone] != 0 || !(bad[LevelLow] > 0.05 && bad[LevelHigh] > 2*bad[LevelLow]) {
		t.Errorf("share of damaged records by level: %v", bad)
	}
}

func TestPartnerShares(t *testing.T) {
	_, st := generate(t, Config{Households: 3000, Seed: 11})
	for i, name := range DefaultPartnerNames {
		got := float64(st.KnownTo[i]) / float64(st.Households)
		want := DefaultPartner(name).HouseholdShare
		if got < want-0.05 || got > want+0.05 {
			t.Errorf("%s knows %.3f of households, want about %.2f", name, got, want)
		}
	}
	if mm := float64(st.OnlyThirdSector) / float64(st.Households); mm < 0.2 || mm > 0.6 {
		t.Errorf("missing middle %.3f", mm)
	}
}

func TestDuplicates(t *testing.T) {
	p := DefaultPartner("caritas")
	p.DuplicateRate = 0.2
	dir, _ := generate(t, Config{Households: 300, Seed: 13, Partners: []Partner{p}})
	count := map[string]int{}
	for _, tr := range testdirs.ReadCSV(t, filepath.Join(dir, "truth.csv"))[1:] {
		count[tr[2]]++
	}
	dups := 0
	for _, c := range count {
		if c > 1 {
			dups++
		}
	}
	if share := float64(dups) / float64(len(count)); share < 0.1 || share > 0.3 {
		t.Errorf("%.3f of persons duplicated, want about 0.2", share)
	}
}

func TestUnknownPartnerUsesCanonicalCodes(t *testing.T) {
	dir, _ := generate(t, Config{Households: 200, Seed: 17, Partners: PartnersByName([]string{"sant-egidio", "comune"})})
	rows := testdirs.ReadCSV(t, filepath.Join(dir, "sant-egidio.csv"))[1:]
	if len(rows) == 0 || !strings.HasPrefix(rows[0][0], "SANT-") {
		t.Fatalf("unknown partner: %d rows, first id %q", len(rows), rows[0][0])
	}
	for _, row := range rows {
		for _, c := range strings.Split(row[12], ";") {
			if c != "" && !isCanonicalNeed(c) {
				t.Fatalf("unknown partner wrote %q", c)
			}
		}
	}
	for _, row := range testdirs.ReadCSV(t, filepath.Join(dir, "comune.csv"))[1:] {
		for _, c := range strings.Split(row[12], ";") {
			if c != "" && !slices.Contains([]string{"MIN", "DIS", "DIP", "ANZ", "IMM", "ADU", "ABI", "LAV", "PSI"}, c) {
				t.Fatalf("comune wrote %q", c)
			}
		}
	}
}

func TestWriteCancelledLeavesNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	_, err := Write(ctx, Config{Households: 5000, Seed: 1}, dir, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("files left behind: %v", left)
	}
}

func TestConfigValidation(t *testing.T) {
	bad := func(mod func(*Partner)) []Partner {
		p := DefaultPartner("caritas")
		mod(&p)
		return []Partner{p}
	}
	tests := []struct {
		name string
		cfg  Config
	}{
		{"negative households", Config{Households: -1}},
		{"no partners", Config{Partners: []Partner{}}},
		{"duplicate partner", Config{Partners: PartnersByName([]string{"acli", "acli"})}},
		{"path in name", Config{Partners: PartnersByName([]string{"../x"})}},
		{"truth as partner", Config{Partners: PartnersByName([]string{"truth"})}},
		{"share above 1", Config{Partners: bad(func(p *Partner) { p.HouseholdShare = 1.5 })}},
		{"zero share", Config{Partners: bad(func(p *Partner) { p.HouseholdShare = 0 })}},
		{"unknown focus", Config{Partners: bad(func(p *Partner) { p.Focus = []string{"weather"} })}},
		{"level", Config{Corruption: Level(9)}},
		{"foreign share", Config{ForeignShare: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewGenerator(tt.cfg); !errors.Is(err, base.ErrUsage) {
				t.Fatalf("err = %v, want a usage error", err)
			}
		})
	}
}

func TestParseLevel(t *testing.T) {
	for i, s := range []string{"none", "low", "medium", "high"} {
		l, err := ParseLevel(s)
		if err != nil || l != Level(i) || l.String() != s {
			t.Errorf("ParseLevel(%q) = %v, %v", s, l, err)
		}
	}
	if _, err := ParseLevel("extreme"); !errors.Is(err, base.ErrUsage) {
		t.Errorf("ParseLevel(extreme) err = %v", err)
	}
}
