package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/io/identity"
	"github.com/welfare-district/swd/io/linksfile"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/schema"
	"github.com/welfare-district/swd/linkage/synth"
	"github.com/welfare-district/swd/pipeline"
	"github.com/welfare-district/swd/taxonomy"
)

// schemaFile is the encoding schema of swd synth's exports.
const schemaFile = "../docs/examples/synth/schema.yaml"

// demoPartners are the partners of make demo.
var demoPartners = []string{"comune", "ulss6", "caritas", "acli", "cgil"}

// Example runs make demo through the public API alone, in a temporary
// directory: synthetic exports of 3000 households at five partners, the
// partners' shared secret, one encoding per partner, the linkage, and a
// differentially private release spending ε = 1 of a budget of 3. It
// prints what does not depend on the random secret and the DP noise, and
// checks that the outputs agree with each other.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "swd-demo-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	if err := demo(ctx, dir); err != nil {
		fmt.Println(err)
	}
	// Output:
	// synth: 3000 households, 6472 records
	// encoded comune: 1938 of 1938 rows
	// encoded ulss6: 1272 of 1272 rows
	// encoded caritas: 1444 of 1444 rows
	// encoded acli: 1272 of 1272 rows
	// encoded cgil: 546 of 546 rows
	// linked 6472 records of 5 partners; the links file has a row for each
	// published 5 tables for ε = 1; households in the release: as in the links file
	// budget left: ε = 2
}

func demo(ctx context.Context, dir string) error {
	// 1. Synthetic exports (swd synth --households 3000 --seed 7 --corruption medium).
	exports := filepath.Join(dir, "exports")
	st, err := synth.Write(ctx, synth.Config{Households: 3000, Seed: 7, Corruption: synth.LevelMedium,
		Partners: synth.PartnersByName(demoPartners)}, exports, nil)
	if err != nil {
		return err
	}
	fmt.Printf("synth: %d households, %d records\n", st.Households, st.TotalRecords())

	// 2. The partners' shared secret (swd keygen); the linkage unit never sees it.
	secretFile := filepath.Join(dir, "secret.key")
	secret, err := encoding.GenerateSecret()
	if err != nil {
		return err
	}
	if err := pipeline.WriteSecret(secretFile, secret, false); err != nil {
		return err
	}

	// 3. Each partner encodes its export (swd encode).
	encoded, err := encodeAll(ctx, dir, exports, secretFile)
	if err != nil {
		return err
	}

	// 4. The linkage unit links the encodings (swd link).
	links := filepath.Join(dir, "links.parquet")
	lr, err := pipeline.Link(ctx, pipeline.LinkConfig{Inputs: encoded, Out: links})
	if err != nil {
		return err
	}
	rows, err := checkLinks(links, lr, st.TotalRecords())
	if err != nil {
		return err
	}

	// 5. Differentially private tables from a ledger signed by the linkage
	// unit's key (swd keys new; swd budget init --total 3 --key; swd publish
	// --epsilon 1 --key). The district file says which partners are public
	// services: the example of swd district init, with the demo's partners.
	district, err := taxonomy.ParseDistrict(taxonomy.ExampleDistrict())
	if err != nil {
		return err
	}
	unit, err := identity.Generate("unit", nil)
	if err != nil {
		return err
	}
	keyFile, _, err := identity.WritePair(filepath.Join(dir, "unit"), unit, false)
	if err != nil {
		return err
	}
	ledger := filepath.Join(dir, "ledger.jsonl")
	if err := dp.InitLedger(ledger, "demo", dp.Budget{Epsilon: 3, Delta: 1e-6}, unit); err != nil {
		return err
	}
	pr, err := pipeline.Publish(ctx, pipeline.PublishConfig{Links: links, Inputs: encoded, Ledger: ledger, District: district,
		LedgerKey: keyFile, Out: filepath.Join(dir, "release"), Params: dp.Params{Epsilon: 1}})
	if err != nil {
		return err
	}
	return checkRelease(pr, rows)
}

// encodeAll encodes each partner's export as that partner would, reading
// the secret from its file.
func encodeAll(ctx context.Context, dir, exports, secretFile string) ([]string, error) {
	s, err := schema.Load(schemaFile)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "encoded"), 0o755); err != nil {
		return nil, err
	}
	var encoded []string
	for _, p := range demoPartners {
		secret, err := pipeline.ReadSecret(secretFile)
		if err != nil {
			return nil, err
		}
		res, err := pipeline.Encode(ctx, pipeline.EncodeConfig{Schema: s, Secret: secret, Partner: p,
			In: filepath.Join(exports, p+".csv"), Out: filepath.Join(dir, "encoded", p+".swd.parquet")})
		if err != nil {
			return nil, err
		}
		fmt.Printf("encoded %s: %d of %d rows\n", p, res.Stats.Encoded, res.Stats.Read)
		encoded = append(encoded, res.Out)
	}
	return encoded, nil
}

// checkLinks reads the links file and checks it against the linkage and
// the input: one row per record, the run description of this linkage, the
// reports written.
func checkLinks(path string, lr *pipeline.LinkResult, records int64) ([]cluster.Link, error) {
	rows, run, err := linksfile.Read(path)
	if err != nil {
		return nil, err
	}
	if int64(len(rows)) != records || run.Clusters != lr.Run.Clusters || len(run.Partners) != len(demoPartners) ||
		households(rows) != run.Clusters.Households {
		return nil, fmt.Errorf("links file: %d rows, run %+v, for %d records", len(rows), run.Clusters, records)
	}
	for _, f := range []string{lr.Report, lr.ReportJSON} {
		if _, err := os.Stat(f); err != nil {
			return nil, err
		}
	}
	fmt.Printf("linked %d records of %d partners; the links file has a row for each\n", run.Clusters.Records, len(run.Partners))
	return rows, nil
}

// checkRelease checks the release against the links: every household and
// every record of the links file is in it, and every file it names exists.
func checkRelease(pr *pipeline.PublishResult, links []cluster.Link) error {
	if pr.Households.Households != households(links) || pr.Households.Records != len(links) {
		return fmt.Errorf("release of %d households from %d records; the links have %d and %d", pr.Households.Households,
			pr.Households.Records, households(links), len(links))
	}
	for _, f := range append(pr.Files, pr.Metadata, pr.Report) {
		if _, err := os.Stat(f); err != nil {
			return err
		}
	}
	fmt.Printf("published %d tables for ε = %g; households in the release: as in the links file\n", len(pr.Tables), pr.Cost.Epsilon)
	fmt.Printf("budget left: ε = %g\n", pr.Left.Epsilon)
	return nil
}

// households counts the distinct households of links.
func households(links []cluster.Link) int {
	seen := map[int64]bool{}
	for _, l := range links {
		seen[l.HouseholdID] = true
	}
	return len(seen)
}
