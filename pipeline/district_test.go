package pipeline

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/io/linksfile"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/taxonomy"
)

// renamed are the partners of testdata/synth as another district names
// them: its Comune's social services and its health authority are
// "servizisociali" and "asl", not the demo's "comune" and "ulss6".
var renamed = map[string]string{"comune": "servizisociali", "ulss6": "asl", "caritas": "sanvincenzo", "acli": "acli", "cgil": "cgil"}

// districtRun encodes testdata/synth under the partner names names (export
// → partner), links the files and returns the encoded files and the links.
func districtRun(t *testing.T, dir string, names map[string]string) ([]string, string) {
	t.Helper()
	s := synthSchema(t)
	var encoded []string
	for _, export := range []string{"comune", "ulss6", "caritas", "acli", "cgil"} {
		out := filepath.Join(dir, names[export]+".swd.parquet")
		if _, err := Encode(context.Background(), EncodeConfig{Schema: s, Secret: encoding.Secret{7}, Partner: names[export],
			In: filepath.Join("..", "testdata", "synth", export+".csv"), Out: out}); err != nil {
			t.Fatal(err)
		}
		encoded = append(encoded, out)
	}
	links := filepath.Join(dir, "links.parquet")
	if _, err := Link(context.Background(), LinkConfig{Inputs: encoded, Out: links}); err != nil {
		t.Fatal(err)
	}
	return encoded, links
}

// writeDistrict writes a district file for the renamed partners, with
// their code maps (the demo partners' maps under the new names).
func writeDistrict(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("version: 1\nname: Another district\nterritory: {units: quartieri}\ntaxonomy: \"" + taxonomy.Default().Version() + "\"\npartners:\n")
	roles := map[string]string{"comune": taxonomy.RolePublicService, "ulss6": taxonomy.RolePublicService}
	for _, export := range []string{"comune", "ulss6", "caritas", "acli", "cgil"} {
		name, role := renamed[export], roles[export]
		if role == "" {
			role = taxonomy.RoleThirdSector
		}
		m := taxonomy.DefaultMaps()[export]
		m.Partner = name
		y, err := yaml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".map.yaml"), y, 0o644); err != nil {
			t.Fatal(err)
		}
		b.WriteString("  - {name: " + name + ", role: " + role + ", code_map: " + name + ".map.yaml}\n")
	}
	p := filepath.Join(dir, "district.yaml")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// exactRelease publishes with so much ε that the noise rounds to nothing,
// and returns the missing-middle and totals tables as "key=value" lines.
func exactRelease(t *testing.T, dir string, cfg PublishConfig) string {
	t.Helper()
	cfg.Ledger = filepath.Join(dir, "ledger.jsonl")
	if err := dp.InitLedger(cfg.Ledger, "test", dp.Budget{Epsilon: 1e7}, nil); err != nil {
		t.Fatal(err)
	}
	cfg.Out, cfg.Params = filepath.Join(dir, "release"), dp.Params{Epsilon: 1e6}
	if _, err := Publish(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, table := range []string{"missing_middle", "totals"} {
		f, err := os.Open(filepath.Join(cfg.Out, table+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs[1:] {
			out = append(out, table+":"+r[0]+"="+r[1])
		}
	}
	return strings.Join(out, " ")
}

// TestDistrictFileDecidesTheMissingMiddle: with partners named otherwise
// than the demo's, the district file gives the same missing middle as the
// demo's names and roles, and as counted straight from the links; without
// one, Publish refuses to guess; the public services given beside it
// override its roles; and the district file refuses a partner it does not
// name.
func TestDistrictFileDecidesTheMissingMiddle(t *testing.T) {
	demoDir, otherDir := t.TempDir(), t.TempDir()
	demoEncoded, demoLinks := districtRun(t, demoDir, map[string]string{"comune": "comune", "ulss6": "ulss6", "caritas": "caritas", "acli": "acli", "cgil": "cgil"})
	example, err := taxonomy.ParseDistrict(taxonomy.ExampleDistrict())
	if err != nil {
		t.Fatal(err)
	}
	want := exactRelease(t, demoDir, PublishConfig{Links: demoLinks, Inputs: demoEncoded, District: example})

	encoded, links := districtRun(t, otherDir, renamed)
	cfg := PublishConfig{Links: links, Inputs: encoded, Ledger: filepath.Join(otherDir, "none.jsonl"), Out: filepath.Join(otherDir, "r0")}
	if _, err := Publish(context.Background(), cfg); !errors.Is(err, base.ErrUsage) || !strings.Contains(err.Error(), "--district") {
		t.Fatalf("no district file, no public services: %v", err)
	}
	if _, err := Publish(context.Background(), PublishConfig{Links: links, Inputs: encoded, District: example,
		Ledger: filepath.Join(otherDir, "none.jsonl"), Out: filepath.Join(otherDir, "r0")}); !errors.Is(err, base.ErrInvalidInput) ||
		!strings.Contains(err.Error(), "does not name partner(s) asl, sanvincenzo, servizisociali") {
		t.Fatalf("partners the district file does not name: %v", err)
	}
	district, err := LoadDistrict(writeDistrict(t, otherDir))
	if err != nil {
		t.Fatal(err)
	}
	got := exactRelease(t, otherDir, PublishConfig{Links: links, Inputs: encoded, District: district})
	if got != want {
		t.Fatalf("missing middle with the district file:\n%s\nwith the demo's names:\n%s", got, want)
	}
	// The same numbers counted straight from the links file: a household
	// is third sector only when none of its records is a public
	// service's; the missing middle by district (the "district unknown"
	// row included) adds up to it.
	households, public := missingMiddleFromLinks(t, links, map[string]bool{"servizisociali": true, "asl": true})
	t.Logf("%d households, %d known to public services; release %s", households, public, got)
	var mmSum int
	for _, kv := range strings.Fields(got) {
		if v, ok := strings.CutPrefix(kv, "missing_middle:"); ok {
			_, n, _ := strings.Cut(v, "=")
			mmSum += atoi(t, n)
		}
	}
	for _, w := range []string{fmt.Sprintf("totals:households=%d", households), fmt.Sprintf("totals:known_to_public_services=%d", public),
		fmt.Sprintf("totals:third_sector_only=%d", households-public)} {
		if !strings.Contains(got+" ", w+" ") {
			t.Errorf("release %s lacks %s (counted from the links)", got, w)
		}
	}
	if mmSum != households-public || !strings.Contains(got, "missing_middle:"+taxonomy.DistrictUnknown+"=") {
		t.Errorf("the missing middle by district adds up to %d, want %d, with the unknown-district row: %s", mmSum, households-public, got)
	}
	// --public-services overrides the file's roles: with only the Comune's
	// social services public, the ASL's households join the missing middle.
	over := exactRelease(t, t.TempDir(), PublishConfig{Links: links, Inputs: encoded, District: district,
		Households: HouseholdConfig{Public: taxonomy.ParsePublicServices("servizisociali")}})
	if h, p := missingMiddleFromLinks(t, links, map[string]bool{"servizisociali": true}); !strings.Contains(over+" ",
		fmt.Sprintf("totals:known_to_public_services=%d totals:third_sector_only=%d ", p, h-p)) || p == public {
		t.Errorf("--public-services servizisociali over the district file: %s (from the links: %d of %d households)", over, p, h)
	}
	// The old default, the demo's names as public services, counted every
	// household of this district as third sector only.
	old := exactRelease(t, t.TempDir(), PublishConfig{Links: links, Inputs: encoded,
		Households: HouseholdConfig{Public: demoPublic, Maps: mustMaps(t, district)}})
	if old == want || !strings.Contains(old, "totals:known_to_public_services=0 ") {
		t.Fatalf("the demo's public services on renamed partners: %s", old)
	}
	if _, err := Link(context.Background(), LinkConfig{Inputs: encoded, Out: filepath.Join(otherDir, "l2.parquet"), District: example}); !errors.Is(err, base.ErrInvalidInput) {
		t.Fatalf("link with a district file that does not name the partners: %v", err)
	}
}

func TestPublishOutInMissingDirectory(t *testing.T) {
	example, _ := taxonomy.ParseDistrict(taxonomy.ExampleDistrict())
	_, err := Publish(context.Background(), PublishConfig{Links: "l.parquet", District: example, Out: filepath.Join(t.TempDir(), "nope", "release")})
	if !errors.Is(err, base.ErrUsage) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("got %v", err)
	}
}

// missingMiddleFromLinks counts the households of a links file and those
// with a record of a public service.
func missingMiddleFromLinks(t *testing.T, path string, public map[string]bool) (households, known int) {
	t.Helper()
	links, _, err := linksfile.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	byHousehold := map[int64]bool{}
	for _, l := range links {
		byHousehold[l.HouseholdID] = byHousehold[l.HouseholdID] || public[l.Partner]
	}
	for _, p := range byHousehold {
		if p {
			known++
		}
	}
	return len(byHousehold), known
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustMaps(t *testing.T, d *taxonomy.District) map[string]*taxonomy.CodeMap {
	t.Helper()
	m, err := d.CodeMaps()
	if err != nil {
		t.Fatal(err)
	}
	return m
}
