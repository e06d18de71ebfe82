package taxonomy

import (
	"encoding/json"
	"testing"
)

func TestDefaultNeeds(t *testing.T) {
	tax := Default()
	if tax.Version() != "2026.1" {
		t.Fatalf("version %q", tax.Version())
	}
	want := map[string]string{
		"famiglia-minori": "FAM", "disabilita": "DIS", "dipendenze": "ADD", "anziani": "ELD",
		"immigrazione": "IMMNOM", "poverta-disagio-adulti": "POV", "casa": "POV", "lavoro": "POV",
		"salute-mentale": "DIS", "salute": "MULBEN",
	}
	for code, area := range want {
		t.Run(code, func(t *testing.T) {
			n, ok := tax.Need(code)
			if !ok {
				t.Fatalf("missing need")
			}
			if n.IstatArea != area || n.LabelIT == "" || n.LabelEN == "" || n.Description == "" {
				t.Fatalf("bad need %+v", n)
			}
			if _, ok := tax.IstatArea(n.IstatArea); !ok {
				t.Fatalf("area %s unknown", n.IstatArea)
			}
		})
	}
	if got := len(tax.NeedCodes(false)); got != len(want) {
		t.Fatalf("%d canonical needs, want %d", got, len(want))
	}
	codes := tax.NeedCodes(true)
	if codes[len(codes)-1] != Unclassified {
		t.Fatalf("unclassified must be last: %v", codes)
	}
	if _, ok := tax.Need("MIN"); ok {
		t.Fatal("a local code must not be canonical")
	}
	if len(tax.IstatAreas()) != 7 {
		t.Fatalf("want the 7 ISTAT areas, got %d", len(tax.IstatAreas()))
	}
}

func TestValidCanonical(t *testing.T) {
	for code, want := range map[string]bool{"casa": true, "salute-mentale": true, "": false, "Casa": false, "-casa": false, "casa-": false, "casa 2": false} {
		if got := validCanonical(code); got != want {
			t.Errorf("validCanonical(%q) = %v", code, got)
		}
	}
}

func TestTerritories(t *testing.T) {
	tr := Default().Territories()
	qs := tr.Quartieri()
	names := []string{"Centro", "Nord", "Est", "Sud-Est", "Sud-Ovest", "Ovest"}
	if len(qs) != 6 {
		t.Fatalf("%d quartieri", len(qs))
	}
	tiles := map[[2]int]bool{}
	for i, q := range qs {
		if q.Code != i+1 || q.Name != names[i] {
			t.Errorf("quartiere %d = %+v", i+1, q)
		}
		if tiles[[2]int{q.Row, q.Col}] {
			t.Errorf("two quartieri on tile %d,%d", q.Row, q.Col)
		}
		tiles[[2]int{q.Row, q.Col}] = true
	}
	if got := tr.QuartiereKeys(); len(got) != 6 || got[0] != "1" || got[5] != "6" {
		t.Fatalf("keys %v", got)
	}
	var cons []string
	for _, c := range tr.Consulte() {
		cons = append(cons, c.Code)
	}
	if want := "1 2 3A 3B 4A 4B 5A 5B 6A 6B"; join(cons) != want {
		t.Fatalf("consulte %s", join(cons))
	}
	if q, _ := tr.Quartiere("3"); join(q.Consulte) != "3A 3B" {
		t.Fatalf("quartiere 3 consulte %v", q.Consulte)
	}
	if n := len(tr.Municipalities()); n != 102 {
		t.Fatalf("%d municipalities, want 102", n)
	}
	m, ok := tr.Municipality("028060")
	if !ok || m.Name != "Padova" || m.CatastoCode != "G224" {
		t.Fatalf("Padova = %+v %v", m, ok)
	}
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(tr.MunicipalitiesGeoJSON(), &fc); err != nil || fc.Type != "FeatureCollection" || len(fc.Features) != 102 {
		t.Fatalf("geojson: %v %s %d", err, fc.Type, len(fc.Features))
	}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

func TestPublicServices(t *testing.T) {
	p := DefaultPublicServices()
	if !p.IsPublic("comune") || !p.IsPublic("ulss6") || p.IsPublic("caritas") {
		t.Fatalf("default %v", p)
	}
	q := ParsePublicServices(" ulss6, comune ,")
	if q.String() != "comune,ulss6" {
		t.Fatalf("round trip %q", q.String())
	}
}
