package taxonomy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/welfare-district/swd/internal/base"
)

func TestExampleDistrict(t *testing.T) {
	d, err := ParseDistrict(ExampleDistrict())
	if err != nil {
		t.Fatal(err)
	}
	if got := d.PublicServices().String(); got != "comune,ulss6" {
		t.Errorf("public services %q", got)
	}
	if got := strings.Join(d.Districts(), ","); got != "1,2,3,4,5,6" {
		t.Errorf("districts %q", got)
	}
	if err := d.CheckPartners([]string{"comune", "caritas"}); err != nil {
		t.Error(err)
	}
	err = d.CheckPartners([]string{"comune", "servizisociali", "asl"})
	if !errors.Is(err, base.ErrInvalidInput) || !strings.Contains(err.Error(), "does not name partner(s) servizisociali, asl") {
		t.Errorf("unknown partners: %v", err)
	}
}

func TestDistrictErrors(t *testing.T) {
	ok := "version: 1\nname: D\ntaxonomy: \"" + Default().Version() + "\"\nterritory: {units: quartieri}\npartners:\n  - {name: asl, role: public-service}\n"
	if _, err := ParseDistrict([]byte(ok)); err != nil {
		t.Fatalf("minimal file: %v", err)
	}
	for _, tt := range []struct{ name, edit, want string }{
		{"no role", "{name: asl, role: public-service}|{name: asl}", `partner "asl" has no role`},
		{"bad role", "public-service}|public}", `role "public" is neither`},
		{"twice", "public-service}\n|public-service}\n  - {name: asl, role: third-sector}\n", "listed twice"},
		{"version", "version: 1|version: 2", "version 2"},
		{"taxonomy", "taxonomy: \"|taxonomy: \"1999.", "not the version this swd embeds"},
		{"units", "quartieri|zones", `units "zones"`},
		{"municipalities", "{units: quartieri}|{units: municipalities, municipalities: [\"999999\"]}", `"999999" is not the ISTAT code`},
		{"unknown key", "name: D|name: D\ncolour: red", "colour"},
		{"no partners", "partners:\n  - {name: asl, role: public-service}\n|", "no partners"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			from, to, _ := strings.Cut(tt.edit, "|")
			_, err := ParseDistrict([]byte(strings.Replace(ok, from, to, 1)))
			if !errors.Is(err, base.ErrInvalidInput) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDistrictCodeMapsAndMunicipalities(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "maps"), 0o755); err != nil {
		t.Fatal(err)
	}
	mapYAML := "partner: servizisociali\nversion: '1'\ncodes:\n  ABIT: [casa]\n"
	if err := os.WriteFile(filepath.Join(dir, "maps", "ss.yaml"), []byte(mapYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	muni := Default().Territories().Municipalities()[:2]
	y := "version: 1\nname: Distretto Sud\ntaxonomy: \"" + Default().Version() + "\"\n" +
		"territory: {units: municipalities, municipalities: [\"" + muni[0].IstatCode + "\", \"" + muni[1].IstatCode + "\"]}\n" +
		"partners:\n  - {name: servizisociali, role: public-service, code_map: maps/ss.yaml}\n  - {name: asl, role: public-service}\n  - {name: sanvincenzo, role: third-sector}\n"
	p := filepath.Join(dir, "district.yaml")
	if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := LoadDistrict(p)
	if err != nil {
		t.Fatal(err)
	}
	maps, err := d.CodeMaps()
	if err != nil {
		t.Fatal(err)
	}
	if m := maps["servizisociali"]; m == nil || len(maps) != 1 {
		t.Fatalf("maps %v", maps)
	}
	if got := d.PublicServices().String(); got != "asl,servizisociali" {
		t.Errorf("public %q", got)
	}
	if got := d.Districts(); len(got) != 2 || got[0] != muni[0].IstatCode {
		t.Errorf("districts %v", got)
	}
	// A map of another partner is refused.
	if err := os.WriteFile(filepath.Join(dir, "maps", "ss.yaml"), []byte(strings.Replace(mapYAML, "servizisociali", "asl", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CodeMaps(); err == nil || !strings.Contains(err.Error(), `is the map of partner "asl"`) {
		t.Errorf("map of another partner: %v", err)
	}
	if _, err := LoadDistrict(filepath.Join(dir, "missing.yaml")); !errors.Is(err, base.ErrUsage) {
		t.Errorf("missing file: %v", err)
	}
}
