package taxonomy

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/welfare-district/swd/internal/base"
)

// The agreed maps (/tmp/codes.md); the synthetic generator uses the same.
var agreed = map[string]map[string][]string{
	"comune": {"MIN": {"famiglia-minori"}, "DIS": {"disabilita"}, "DIP": {"dipendenze"}, "ANZ": {"anziani"}, "IMM": {"immigrazione"},
		"ADU": {"poverta-disagio-adulti"}, "ABI": {"casa"}, "LAV": {"lavoro"}, "PSI": {"salute-mentale"}},
	"ulss6": {"UOMI": {"famiglia-minori"}, "UODI": {"disabilita"}, "SERD": {"dipendenze"}, "UVMD": {"anziani"}, "CSM": {"salute-mentale"}, "MMG": {"salute"}},
	"caritas": {"POV": {"poverta-disagio-adulti"}, "ALIM": {"poverta-disagio-adulti"}, "OCC": {"lavoro"}, "ABI": {"casa"}, "FAM": {"famiglia-minori"},
		"SAL": {"salute"}, "HAN": {"disabilita"}, "DIP": {"dipendenze"}, "IMM": {"immigrazione"}},
	"acli": {"ISEE": {"poverta-disagio-adulti"}, "ADI": {"poverta-disagio-adulti", "famiglia-minori"}, "NASPI": {"lavoro"}, "INVCIV": {"disabilita"},
		"PENS": {"anziani"}, "PERMSOG": {"immigrazione"}, "AUU": {"famiglia-minori"}},
	"cgil": {"VERTLAV": {"lavoro"}, "SUNIA": {"casa"}, "INCAPREV": {"anziani"}, "INCAINV": {"disabilita"}, "MIGR": {"immigrazione"}},
}

func TestDefaultMapsAreTheAgreedOnes(t *testing.T) {
	maps := DefaultMaps()
	if len(maps) != len(agreed) {
		t.Fatalf("%d maps, want %d", len(maps), len(agreed))
	}
	for p, codes := range agreed {
		t.Run(p, func(t *testing.T) {
			m := maps[p]
			if m == nil || m.Partner != p || m.Version == "" {
				t.Fatalf("map %+v", m)
			}
			if !reflect.DeepEqual(m.Codes, codes) {
				t.Fatalf("codes %v\nwant %v", m.Codes, codes)
			}
		})
	}
	maps["acli"].Codes["ADI"][0] = "casa"
	if DefaultMaps()["acli"].Codes["ADI"][0] != "poverta-disagio-adulti" {
		t.Fatal("DefaultMaps must return copies")
	}
}

func TestMapNeeds(t *testing.T) {
	acli := MapFor("acli")
	tests := []struct {
		name    string
		m       *CodeMap
		field   string
		policy  UnknownPolicy
		want    []string
		unknown int
		wantErr bool
	}{
		{"multi", acli, "ADI;PENS", UnknownFail, []string{"poverta-disagio-adulti", "famiglia-minori", "anziani"}, 0, false},
		{"dedup and spaces", acli, " ISEE ; ADI;;", UnknownFail, []string{"poverta-disagio-adulti", "famiglia-minori"}, 0, false},
		{"lower-case local", acli, "naspi", UnknownFail, []string{"lavoro"}, 0, false},
		{"canonical accepted", acli, "casa;NASPI", UnknownFail, []string{"casa", "lavoro"}, 0, false},
		{"nil map canonical", nil, "salute;anziani", UnknownFail, []string{"salute", "anziani"}, 0, false},
		{"empty", acli, "", UnknownFail, nil, 0, false},
		{"unknown fails", acli, "ISEE;XYZ", UnknownFail, []string{"poverta-disagio-adulti"}, 1, true},
		{"unknown unclassified", acli, "XYZ;ISEE;QQ", UnknownUnclassified, []string{Unclassified, "poverta-disagio-adulti"}, 2, false},
		{"nil map local", nil, "MIN", UnknownUnclassified, []string{Unclassified}, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var st UnknownStats
			got, err := MapNeeds(tt.m, tt.field, tt.policy, &st)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v", err)
			}
			if err != nil && (!errors.Is(err, ErrUnknownCode) || !errors.Is(err, base.ErrInvalidInput)) {
				t.Fatalf("error not marked: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) || st.Total() != tt.unknown {
				t.Fatalf("got %v (%d unknown), want %v (%d)", got, st.Total(), tt.want, tt.unknown)
			}
		})
	}
}

func TestUnknownStatsHidesNonCodes(t *testing.T) {
	var st UnknownStats
	for _, c := range []string{"XYZ", "XYZ", "Mario Rossi", "RSSMRA80A01G224X-too-long-for-a-code", "AB",
		"RSSMRA80A01G224X", "RSSMRAULALMNQRSX", "3331234567", "1980-01-01", "P000123", "A202"} {
		st.Add(c)
	}
	got := st.CountsMin(MinUnknownCountFloor)
	want := []UnknownCount{{Code: NonCodePlaceholder, Count: 7}, {Code: "XYZ", Count: 2},
		{Code: RarePlaceholder, Count: 2, Distinct: 2}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
	_, err := MapNeeds(MapFor("cgil"), "Mario Rossi", UnknownFail, nil)
	if err == nil || strings.Contains(err.Error(), "Mario") {
		t.Fatalf("error must not hold the value: %v", err)
	}
}

func TestLoadCodeMap(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, yaml string
		ok         bool
	}{
		{"good", "partner: anteas\nversion: \"1\"\ncodes:\n  SOLIT: [anziani]\n  SPESA: [poverta-disagio-adulti, anziani]\n", true},
		{"no partner", "codes:\n  A: [anziani]\n", false},
		{"bad target", "partner: x\ncodes:\n  A: [old-people]\n", false},
		{"empty target", "partner: x\ncodes:\n  A: []\n", false},
		{"unknown field", "partner: x\ncodez:\n  A: [anziani]\n", false},
		{"local with ;", "partner: x\ncodes:\n  \"A;B\": [anziani]\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".yaml")
			if err := os.WriteFile(p, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := LoadCodeMap(p)
			if (err == nil) != tt.ok {
				t.Fatalf("err %v", err)
			}
			if err != nil && !errors.Is(err, base.ErrInvalidInput) {
				t.Fatalf("not marked invalid input: %v", err)
			}
			if tt.ok {
				if c, ok := m.Map("SPESA"); !ok || len(c) != 2 {
					t.Fatalf("map %v", c)
				}
			}
		})
	}
}

// A word typed into the needs column by mistake (a surname) looks like a
// code; it is shown only if it occurs at least the minimum count, so a
// single occurrence never is.
func TestUnknownStatsSuppressesRareValues(t *testing.T) {
	fill := func(items ...any) *UnknownStats {
		var st UnknownStats
		for i := 0; i < len(items); i += 2 {
			for range items[i+1].(int) {
				st.Add(items[i].(string))
			}
		}
		return &st
	}
	tests := []struct {
		name     string
		st       *UnknownStats
		min      int
		want     []UnknownCount
		distinct int
	}{
		{"surname once, code six times", fill("ROSSI", 1, "NUOVO", 6), 0,
			[]UnknownCount{{Code: "NUOVO", Count: 6}, {Code: RarePlaceholder, Count: 1, Distinct: 1}}, 2},
		{"exactly the minimum is shown", fill("NUOVO", MinUnknownCount, "ROSSI", MinUnknownCount-1), 0,
			[]UnknownCount{{Code: "NUOVO", Count: MinUnknownCount}, {Code: RarePlaceholder, Count: MinUnknownCount - 1, Distinct: 1}}, 2},
		{"several rare values aggregate", fill("ROSSI", 1, "BIANCHI", 2, "VERDI", 4, "Mario Rossi", 1), 0,
			[]UnknownCount{{Code: NonCodePlaceholder, Count: 1}, {Code: RarePlaceholder, Count: 7, Distinct: 3}}, 4},
		{"a lower minimum", fill("ROSSI", 1, "XX", 2), 2,
			[]UnknownCount{{Code: "XX", Count: 2}, {Code: RarePlaceholder, Count: 1, Distinct: 1}}, 2},
		{"a minimum below the floor is raised to it", fill("ROSSI", 1, "XX", 2), 1,
			[]UnknownCount{{Code: "XX", Count: 2}, {Code: RarePlaceholder, Count: 1, Distinct: 1}}, 2},
		{"nothing rare", fill("XX", 9), 0, []UnknownCount{{Code: "XX", Count: 9}}, 1},
		{"empty", fill(), 0, []UnknownCount{}, 0},
		{"nil", nil, 0, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []UnknownCount
			if tt.min == 0 {
				got = tt.st.Counts()
			} else {
				got = tt.st.CountsMin(tt.min)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v want %v", got, tt.want)
			}
			if d := tt.st.Distinct(); d != tt.distinct {
				t.Fatalf("distinct %d want %d", d, tt.distinct)
			}
			for _, c := range got {
				for _, leak := range []string{"ROSSI", "BIANCHI", "VERDI", "Mario"} {
					if c.Code == leak {
						t.Fatalf("rare value %q shown: %v", leak, got)
					}
				}
			}
		})
	}
}
