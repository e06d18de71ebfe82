package pipeline

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/taxonomy"
)

// rec is one record of a test file: id, district, needs.
type rec struct{ id, district, needs string }

// dataset builds an in-memory encoded file with the synth schema's
// attributes (district, needs, household).
func dataset(partner string, rs ...rec) *encoding.Dataset {
	return datasetAttrs(partner, []string{"district", "needs", "household"}, rs...)
}

func datasetAttrs(partner string, attrs []string, rs ...rec) *encoding.Dataset {
	d := encoding.NewDataset(encoding.Meta{Partner: partner}, encoding.Layout{CLKBits: 64, Attrs: attrs})
	for _, r := range rs {
		vals := make([]string, len(attrs))
		vals[0], vals[1] = r.district, r.needs
		d.Append(&encoding.Record{RecordID: r.id, CLK: []uint64{1}, Attrs: vals})
	}
	return d
}

func link(hh int64, partner, id string) cluster.Link {
	return cluster.Link{HouseholdID: hh, Partner: partner, RecordID: id}
}

// fixture: household 7 known to comune and caritas (districts tie 1–1: the
// public service's wins), household 3 to acli only, household 12 to cgil
// with no district and no needs.
func fixture() ([]cluster.Link, []*encoding.Dataset) {
	ds := []*encoding.Dataset{
		dataset("comune", rec{"C-1", "5", "MIN;ABI"}),
		dataset("caritas", rec{"K-1", "2", "POV;ABI;FAM"}, rec{"K-2", "", ""}),
		dataset("acli", rec{"A-1", " 3 ", "ADI"}),
		dataset("cgil", rec{"G-1", "", ""}),
	}
	links := []cluster.Link{
		link(7, "comune", "C-1"), link(7, "caritas", "K-1"), link(3, "acli", "A-1"),
		link(12, "cgil", "G-1"), link(7, "caritas", "K-2"),
	}
	return links, ds
}

// demoPublic are the demo's public services, comune and ulss6: they break
// district ties.
var demoPublic = taxonomy.PublicServices{Partners: []string{"comune", "ulss6"}}

func TestBuildHouseholds(t *testing.T) {
	links, ds := fixture()
	got, st, err := BuildHouseholds(links, ds, HouseholdConfig{Public: demoPublic})
	if err != nil {
		t.Fatal(err)
	}
	want := []dp.Household{
		{ID: "3", District: "3", Needs: []string{"famiglia-minori", "poverta-disagio-adulti"}, Partners: []string{"acli"},
			Seed: HouseholdSeed([]string{"acli"}, []string{"A-1"})},
		{ID: "7", District: "5", Needs: []string{"casa", "famiglia-minori", "poverta-disagio-adulti"}, Partners: []string{"caritas", "comune"},
			Seed: HouseholdSeed([]string{"caritas", "comune", "caritas"}, []string{"K-2", "C-1", "K-1"})},
		{ID: "12", Partners: []string{"cgil"}, Seed: HouseholdSeed([]string{"cgil"}, []string{"G-1"})},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("households\n got %+v\nwant %+v", got, want)
	}
	if st.Households != 3 || st.Records != 5 || st.NoDistrict != 1 || st.NoNeeds != 1 || st.DistrictTies != 1 || st.UnknownCodes() != 0 {
		t.Fatalf("stats %+v", st)
	}
	var names []string
	for _, p := range st.Partners {
		names = append(names, p.Partner)
	}
	if strings.Join(names, ",") != "acli,caritas,cgil,comune" || st.Partners[1].Records != 2 || st.Partners[1].MapVersion == "" {
		t.Fatalf("partner stats %+v", st.Partners)
	}
}

func TestBuildHouseholdsDeterministic(t *testing.T) {
	links, ds := fixture()
	first, _, err := BuildHouseholds(links, ds, HouseholdConfig{Public: demoPublic})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		shuffled := append([]cluster.Link(nil), links...)
		r.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		dss := append([]*encoding.Dataset(nil), ds...)
		r.Shuffle(len(dss), func(a, b int) { dss[a], dss[b] = dss[b], dss[a] })
		got, _, err := BuildHouseholds(shuffled, dss, HouseholdConfig{Public: demoPublic})
		if err != nil || !reflect.DeepEqual(got, first) {
			t.Fatalf("shuffle %d: %v\n got %+v\nwant %+v", i, err, got, first)
		}
	}
}

// TestHouseholdSeed: the seed is a function of the household's own
// records, whatever their order and whatever id the linkage gave the
// household; another record, or the same id at another partner, changes it.
func TestHouseholdSeed(t *testing.T) {
	s := HouseholdSeed([]string{"comune", "caritas"}, []string{"C-1", "K-1"})
	if len(s) != 64 || s != HouseholdSeed([]string{"caritas", "comune"}, []string{"K-1", "C-1"}) {
		t.Fatalf("seed %q depends on the order of the records", s)
	}
	for _, other := range []string{
		HouseholdSeed([]string{"comune"}, []string{"C-1"}),
		HouseholdSeed([]string{"comune", "acli"}, []string{"C-1", "K-1"}),
		HouseholdSeed([]string{"comune", "caritas", "caritas"}, []string{"C-1", "K-1", "K-2"}),
		HouseholdSeed([]string{"comune", "caritas"}, []string{"C-1K", "-1"}), // no ambiguity of the joins
		HouseholdSeed([]string{"comune", "caritas\x1fK"}, []string{"C-1", "-1"}),
	} {
		if other == s {
			t.Fatalf("two different households share a seed")
		}
	}
	links, ds := fixture()
	first, _, err := BuildHouseholds(links, ds, HouseholdConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range links {
		links[i].HouseholdID += 100 // another numbering
	}
	renumbered, _, err := BuildHouseholds(links, ds, HouseholdConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range first {
		if first[i].Seed == "" || first[i].Seed != renumbered[i].Seed {
			t.Fatalf("household %d: seed %q, renumbered %q", i, first[i].Seed, renumbered[i].Seed)
		}
	}
}

func TestDistrictChoice(t *testing.T) {
	tests := []struct {
		name    string
		records map[string][]string // partner → districts of its records
		want    string
		tie     bool
	}{
		{"majority beats a public service", map[string][]string{"comune": {"1"}, "caritas": {"4"}, "acli": {"4"}}, "4", false},
		{"tie: public service wins", map[string][]string{"caritas": {"2"}, "ulss6": {"6"}}, "6", true},
		{"tie among third sector: lowest code, numerically", map[string][]string{"caritas": {"10"}, "acli": {"9"}}, "9", true},
		{"tie between public services: lowest code", map[string][]string{"comune": {"3"}, "ulss6": {"2"}}, "2", true},
		{"non-numeric codes compare as strings", map[string][]string{"caritas": {"G224"}, "acli": {"028060"}}, "028060", true},
		{"empty values do not vote", map[string][]string{"comune": {"", ""}, "caritas": {"3"}}, "3", false},
		{"no value at all", map[string][]string{"comune": {""}}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var links []cluster.Link
			var ds []*encoding.Dataset
			for p, districts := range tt.records {
				var rs []rec
				for i, d := range districts {
					id := p + string(rune('a'+i))
					rs = append(rs, rec{id, d, ""})
					links = append(links, link(1, p, id))
				}
				ds = append(ds, dataset(p, rs...))
			}
			got, st, err := BuildHouseholds(links, ds, HouseholdConfig{Public: demoPublic})
			if err != nil {
				t.Fatal(err)
			}
			if got[0].District != tt.want || (st.DistrictTies == 1) != tt.tie {
				t.Fatalf("district %q ties %d, want %q tie %v", got[0].District, st.DistrictTies, tt.want, tt.tie)
			}
		})
	}
}

func TestUnknownCodes(t *testing.T) {
	ds := []*encoding.Dataset{
		dataset("caritas", rec{"K-1", "1", "POV;XX9;xx9"}, rec{"K-2", "1", "ZZ1;this is free text"}),
		dataset("comune", rec{"C-1", "1", "famiglia-minori;Q"}),
	}
	links := []cluster.Link{link(1, "caritas", "K-1"), link(2, "caritas", "K-2"), link(2, "comune", "C-1")}

	t.Run("unclassified", func(t *testing.T) {
		got, st, err := BuildHouseholds(links, ds, HouseholdConfig{Unknown: taxonomy.UnknownUnclassified})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"poverta-disagio-adulti", taxonomy.Unclassified}; !reflect.DeepEqual(got[0].Needs, want) {
			t.Fatalf("needs %v, want %v", got[0].Needs, want)
		}
		if want := []string{"famiglia-minori", taxonomy.Unclassified}; !reflect.DeepEqual(got[1].Needs, want) {
			t.Fatalf("needs %v, want %v", got[1].Needs, want)
		}
		if st.UnknownCodes() != 5 || st.Partners[0].UnknownCodes != 4 || st.Partners[1].UnknownCodes != 1 {
			t.Fatalf("unknown counts %+v", st.Partners)
		}
		for _, u := range st.Partners[0].Unknown {
			if strings.Contains(u.Code, "free") {
				t.Fatalf("free text reached the stats: %+v", st.Partners[0].Unknown)
			}
		}
	})
	t.Run("fail", func(t *testing.T) {
		_, st, err := BuildHouseholds(links, ds, HouseholdConfig{Unknown: taxonomy.UnknownFail})
		if !errors.Is(err, taxonomy.ErrUnknownCode) || !errors.Is(err, base.ErrInvalidInput) {
			t.Fatalf("err %v, want ErrUnknownCode and ErrInvalidInput", err)
		}
		// XX9, xx9, ZZ1 and the free text: four distinct, though the stats
		// list them as two lines (rare values, not a code).
		for _, want := range []string{"caritas 4 (4 distinct)", "comune 1 (1 distinct)"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
		for _, leak := range []string{"K-1", "K-2", "C-1", "free text", "XX9"} {
			if strings.Contains(err.Error(), leak) {
				t.Errorf("error %q holds %q", err, leak)
			}
		}
		if st.UnknownCodes() != 5 {
			t.Fatalf("stats must count the unknown codes even on failure: %+v", st)
		}
	})
	t.Run("a map given for the partner", func(t *testing.T) {
		m := &taxonomy.CodeMap{Partner: "caritas", Version: "test", Codes: map[string][]string{"XX9": {"casa"}, "ZZ1": {"lavoro"}}}
		got, st, err := BuildHouseholds(links, ds, HouseholdConfig{Unknown: taxonomy.UnknownUnclassified, Maps: map[string]*taxonomy.CodeMap{"caritas": m}})
		if err != nil {
			t.Fatal(err)
		}
		// POV is unknown to the replacement map; XX9 and xx9 (upper-cased) are casa.
		if want := []string{"casa", taxonomy.Unclassified}; !reflect.DeepEqual(got[0].Needs, want) {
			t.Fatalf("needs %v, want %v", got[0].Needs, want)
		}
		if st.Partners[0].MapVersion != "test" || st.Partners[0].UnknownCodes != 2 {
			t.Fatalf("stats %+v", st.Partners[0])
		}
	})
}

func TestAttributeNames(t *testing.T) {
	attrs := []string{"quartiere", "bisogni", "nucleo"}
	ds := []*encoding.Dataset{datasetAttrs("comune", attrs, rec{"C-1", "4", "ANZ"})}
	links := []cluster.Link{link(0, "comune", "C-1")}
	got, _, err := BuildHouseholds(links, ds, HouseholdConfig{DistrictAttr: "quartiere", NeedsAttr: "bisogni"})
	if err != nil || got[0].District != "4" || !reflect.DeepEqual(got[0].Needs, []string{"anziani"}) {
		t.Fatalf("got %+v, %v", got, err)
	}
	_, _, err = BuildHouseholds(links, ds, HouseholdConfig{})
	if !errors.Is(err, base.ErrInvalidInput) || !strings.Contains(err.Error(), `"district"`) || !strings.Contains(err.Error(), "quartiere") {
		t.Fatalf("missing default attribute: %v", err)
	}
}

func TestJoinErrors(t *testing.T) {
	const secret = "SECRET-ID"
	files := func() []*encoding.Dataset {
		return []*encoding.Dataset{
			dataset("comune", rec{secret + "-1", "1", "MIN"}, rec{secret + "-2", "1", ""}),
			dataset("caritas", rec{secret + "-3", "2", "POV"}),
		}
	}
	ok := []cluster.Link{link(0, "comune", secret+"-1"), link(0, "comune", secret+"-2"), link(1, "caritas", secret+"-3")}
	tests := []struct {
		name  string
		links []cluster.Link
		ds    []*encoding.Dataset
		want  string
	}{
		{"link to a partner without file", append(ok[:3:3], link(2, "acli", secret+"-9")), files(), "1 links name partner acli"},
		{"link to a missing record", append(ok[:3:3], link(2, "comune", secret+"-9")), files(), "1 links of comune name records"},
		{"record without link", ok[:2], files(), "1 records of caritas's encoded file have no link"},
		{"record linked twice", append(ok[:3:3], link(5, "caritas", secret+"-3")), files(), "1 records of caritas have more than one link"},
		{"two files of one partner", ok, append(files(), dataset("caritas")), `two encoded files are partner "caritas"'s`},
		{"file without partner", ok, append(files(), dataset("")), "names no partner"},
		{"repeated record id", ok, []*encoding.Dataset{files()[0], dataset("caritas", rec{secret + "-3", "", ""}, rec{secret + "-3", "", ""})}, "1 records repeat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := BuildHouseholds(tt.links, tt.ds, HouseholdConfig{})
			if !errors.Is(err, base.ErrInvalidInput) {
				t.Fatalf("err %v, want ErrInvalidInput", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q lacks %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error names a record id: %q", err)
			}
		})
	}
	if _, _, err := BuildHouseholds(ok, files(), HouseholdConfig{}); err != nil {
		t.Fatalf("control: %v", err)
	}
}
