package synth

import (
	"slices"
	"testing"

	"github.com/welfare-district/swd/internal/codicefiscale"
)

// sample generates n households with the default configuration.
func sample(t *testing.T, n int, seed uint64) []*Household {
	t.Helper()
	g, err := NewGenerator(Config{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	hs := make([]*Household, n)
	for i := range hs {
		hs[i], _ = g.Next()
	}
	return hs
}

func TestHouseholdModel(t *testing.T) {
	hs := sample(t, 3000, 21)
	ref := DefaultReference
	sizes := make([]int, 7)
	var persons, foreignBorn, elderlyAnziani, elderly, youngAnziani, young int
	ids := map[int64]bool{}
	for _, h := range hs {
		sizes[len(h.Members)]++
		if h.Quartiere < 1 || h.Quartiere > 6 || h.CAP < "35121" || h.CAP > "35143" || h.Street == "" || h.Number == "" {
			t.Fatalf("household %d: bad address", h.ID)
		}
		if len(h.Needs) == 0 {
			t.Fatalf("household %d has no need", h.ID)
		}
		for _, n := range h.Needs {
			if !isCanonicalNeed(n) {
				t.Fatalf("unknown need %q", n)
			}
		}
		if !slices.IsSortedFunc(h.Needs, func(a, b string) int {
			return slices.Index(CanonicalNeeds, a) - slices.Index(CanonicalNeeds, b)
		}) {
			t.Fatalf("needs not in canonical order: %v", h.Needs)
		}
		hasOld := false
		for i := range h.Members {
			p := &h.Members[i]
			persons++
			if ids[p.ID] {
				t.Fatal("person id reused")
			}
			ids[p.ID] = true
			if p.Foreign {
				foreignBorn++
			}
			if p.Age(ref) >= 75 {
				hasOld = true
			}
			checkPerson(t, p)
			if p.Role == RoleChild {
				for j := range h.Members {
					q := &h.Members[j]
					if (q.Role == RoleSpouse || (q.Role == RoleHead && len(h.Members) > 2)) && q.Age(ref)-p.Age(ref) < 12 {
						t.Fatalf("household %d: child aged %d, parent aged %d", h.ID, p.Age(ref), q.Age(ref))
					}
				}
			}
		}
		if hasOld {
			elderly++
			if slices.Contains(h.Needs, "anziani") {
				elderlyAnziani++
			}
		} else {
			young++
			if slices.Contains(h.Needs, "anziani") {
				youngAnziani++
			}
		}
	}
	t.Logf("sizes %v, foreign-born %.3f, anziani %.2f (over 75) vs %.2f", sizes[1:], float64(foreignBorn)/float64(persons),
		float64(elderlyAnziani)/float64(elderly), float64(youngAnziani)/float64(young))
	for s := 1; s <= 6; s++ {
		if sizes[s] == 0 {
			t.Errorf("no household of size %d", s)
		}
	}
	if sizes[1] < sizes[3] || sizes[2] < sizes[5] {
		t.Errorf("size distribution %v", sizes[1:])
	}
	if share := float64(foreignBorn) / float64(persons); share < 0.08 || share > 0.18 {
		t.Errorf("foreign-born share %.3f, want 0.10–0.15", share)
	}
	if a, b := float64(elderlyAnziani)/float64(elderly), float64(youngAnziani)/float64(young); a < 3*b {
		t.Errorf("anziani in %.2f of households with people over 75, %.2f of others", a, b)
	}
}

func checkPerson(t *testing.T, p *Person) {
	t.Helper()
	info, err := codicefiscale.Decode(p.CF)
	if err != nil {
		t.Fatalf("person %d: %v", p.ID, err)
	}
	if !info.Consistent(p.Female, p.Birth) || !info.Matches(p.Surname, p.Name) || info.Place != p.Place {
		t.Fatalf("person %d: fiscal code disagrees", p.ID)
	}
	if p.Foreign != (p.Place[0] == 'Z') || p.PlaceName == "" {
		t.Fatalf("person %d: birthplace inconsistent", p.ID)
	}
}

func TestLocalNeeds(t *testing.T) {
	codes := mustData().needCodes
	r := newRand(31)
	tests := []struct {
		partner string
		needs   []string
		want    [][]string // each output must equal one of these
	}{
		{"comune", []string{"famiglia-minori", "anziani"}, [][]string{{"MIN", "ANZ"}}},
		{"ulss6", []string{"salute", "lavoro"}, [][]string{{"MMG"}}},
		{"caritas", []string{"poverta-disagio-adulti"}, [][]string{{"POV"}, {"ALIM"}}},
		{"acli", []string{"famiglia-minori", "poverta-disagio-adulti"}, [][]string{{"ADI"}, {"AUU", "ISEE"}, {"ADI", "ISEE"}, {"AUU", "ADI"}}},
		{"acli", []string{"poverta-disagio-adulti"}, [][]string{{"ISEE"}}},
		{"cgil", []string{"salute"}, [][]string{nil}},
		{"cgil", []string{"lavoro", "casa", "immigrazione"}, [][]string{{"VERTLAV", "SUNIA", "MIGR"}}},
	}
	for _, tt := range tests {
		t.Run(tt.partner, func(t *testing.T) {
			for range 30 {
				got := localNeeds(r, codes[tt.partner], tt.needs, DefaultPartner(tt.partner))
				if !slices.ContainsFunc(tt.want, func(w []string) bool { return slices.Equal(w, got) }) {
					t.Fatalf("localNeeds(%v) = %v, want one of %v", tt.needs, got, tt.want)
				}
			}
		})
	}
	// the code table is the one agreed with the taxonomy
	if n := len(codes["comune"]) + len(codes["ulss6"]) + len(codes["caritas"]) + len(codes["acli"]) + len(codes["cgil"]); n != 36 {
		t.Errorf("%d local codes, want 36", n)
	}
}

func TestGeneratorSameSeedSameHouseholds(t *testing.T) {
	a, b := sample(t, 50, 7), sample(t, 50, 7)
	for i := range a {
		if a[i].Members[0].CF != b[i].Members[0].CF || a[i].Address() != b[i].Address() {
			t.Fatalf("household %d differs", i+1)
		}
	}
}

func TestLocalCodesCoverCanonical(t *testing.T) {
	for _, p := range DefaultPartnerNames {
		codes := LocalCodes(p)
		if len(codes) == 0 {
			t.Fatalf("%s has no codes", p)
		}
		for _, c := range codes {
			for _, n := range c.Canonical {
				if !isCanonicalNeed(n) {
					t.Errorf("%s %s → unknown %s", p, c.Code, n)
				}
			}
		}
	}
	if LocalCodes("emergency") != nil {
		t.Error("unknown partner has codes")
	}
}
