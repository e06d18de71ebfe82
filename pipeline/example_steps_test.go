package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/schema"
	"github.com/welfare-district/swd/linkage/synth"
	"github.com/welfare-district/swd/pipeline"
	"github.com/welfare-district/swd/taxonomy"
)

// One partner encodes its export (a synthetic one, from the module's
// testdata). Rows that cannot be encoded go to the rejects file, with their
// row, column and reason but no value.
func ExampleEncode() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "swd-example-")
	defer os.RemoveAll(dir)
	s, err := schema.Load(schemaFile)
	if err != nil {
		fmt.Println(err)
		return
	}
	secret, _ := encoding.GenerateSecret() // in practice: pipeline.ReadSecret, the partners' shared secret
	res, err := pipeline.Encode(ctx, pipeline.EncodeConfig{Schema: s, Secret: secret, Partner: "caritas",
		In: filepath.Join(fixtures, "caritas.csv"), Out: filepath.Join(dir, "caritas.swd.parquet")})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("rows read %d, encoded %d, rejected %d\n", res.Stats.Read, res.Stats.Encoded, res.Stats.Rejected)
	fmt.Println("rejects:", filepath.Base(res.Rejects))
	fmt.Println("fields:", len(res.Stats.Fields), "partner:", res.Meta.Partner)
	// Output:
	// rows read 87, encoded 87, rejected 0
	// rejects: caritas.rejects.csv
	// fields: 9 partner: caritas
}

// The linkage unit links two partners' encodings with a stricter threshold
// than the default; the links file records the parameters it was made with.
func ExampleLink() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "swd-example-")
	defer os.RemoveAll(dir)
	encoded, err := encodeFixtures(ctx, dir, "comune", "caritas")
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := pipeline.Link(ctx, pipeline.LinkConfig{Inputs: encoded, Out: filepath.Join(dir, "links.parquet"),
		Linkage: linkage.Config{Threshold: 0.9}})
	if err != nil {
		fmt.Println(err)
		return
	}
	run := res.Run
	fmt.Printf("%d records of %s linked at threshold %g (%s assignment)\n", run.Clusters.Records,
		strings.Join(run.Partners, " and "), run.Params.Threshold, run.Params.Assignment)
	fmt.Println("report:", filepath.Base(res.Report))
	// Output:
	// 227 records of comune and caritas linked at threshold 0.9 (optimal assignment)
	// report: links.report.html
}

// The dataset's ledger is created once; a dry run says what a release
// would cost before anything is spent; the release then writes the tables
// and records its ε in the ledger.
func ExamplePublish() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "swd-example-")
	defer os.RemoveAll(dir)
	encoded, err := encodeFixtures(ctx, dir, "comune", "caritas")
	if err != nil {
		fmt.Println(err)
		return
	}
	links := filepath.Join(dir, "links.parquet")
	if _, err := pipeline.Link(ctx, pipeline.LinkConfig{Inputs: encoded, Out: links}); err != nil {
		fmt.Println(err)
		return
	}
	// The district file says which partners are public services: the
	// example of swd district init, with the demo's partners.
	district, err := taxonomy.ParseDistrict(taxonomy.ExampleDistrict())
	if err != nil {
		fmt.Println(err)
		return
	}
	ledger := filepath.Join(dir, "ledger.jsonl")
	if err := dp.InitLedger(ledger, "padova", dp.Budget{Epsilon: 3, Delta: 1e-6}, nil); err != nil { // nil: not signed
		fmt.Println(err)
		return
	}
	cfg := pipeline.PublishConfig{Links: links, Inputs: encoded, Ledger: ledger, District: district,
		Out: filepath.Join(dir, "release"), Params: dp.Params{Epsilon: 0.5}, DryRun: true}
	dry, err := pipeline.Publish(ctx, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("dry run: ε = %g of %g, %g left\n", dry.Cost.Epsilon, dry.Total.Epsilon, dry.Left.Epsilon)
	cfg.DryRun = false
	res, err := pipeline.Publish(ctx, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("tables:", strings.Join(res.Tables, ", "))
	fmt.Printf("spent ε = %g, left ε = %g\n", res.Spent.Epsilon, res.Left.Epsilon)
	// Output:
	// dry run: ε = 0.5 of 3, 3 left
	// tables: district_need, district, partners, missing_middle, totals
	// spent ε = 0.5, left ε = 2.5
}

// A partner audits its own encoding before sending it: the attacker's
// public list here is another synthetic population's export.
func ExampleAudit() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "swd-example-")
	defer os.RemoveAll(dir)
	encoded, err := encodeFixtures(ctx, dir, "comune")
	if err != nil {
		fmt.Println(err)
		return
	}
	public := filepath.Join(dir, "public")
	if _, err := synth.Write(ctx, synth.Config{Households: 1000, Seed: 2, Partners: synth.PartnersByName([]string{"comune"})}, public, nil); err != nil {
		fmt.Println(err)
		return
	}
	rep, err := pipeline.Audit(ctx, pipeline.AuditConfig{File: encoded[0], Export: filepath.Join(fixtures, "comune.csv"),
		Public: filepath.Join(public, "comune.csv")})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range rep.Fields {
		fmt.Printf("%s: %d of %d records attacked\n", f.Field, f.Attacked, rep.Records)
	}
	fmt.Println("columns bounded:", len(rep.Exposure))
	fmt.Printf("%d attacks; worst %.2f%% (%s)\n", len(rep.Attacks), 100*rep.Worst, rep.WorstAttack)
	// Output:
	// given_name: 140 of 140 records attacked
	// surname: 140 of 140 records attacked
	// columns bounded: 14
	// 6 attacks; worst 0.00% (frequency)
}

// A plain encoded file is read where it is; a sealed one (EncodeConfig.Seal)
// would be opened into a temporary file with OpenConfig's keys, checked,
// and removed by Close.
func ExampleOpenInputs() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "swd-example-")
	defer os.RemoveAll(dir)
	encoded, err := encodeFixtures(ctx, dir, "comune")
	if err != nil {
		fmt.Println(err)
		return
	}
	in, err := pipeline.OpenInputs(encoded, pipeline.OpenConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer in.Close()
	ds, err := in.ReadAll(ctx, nil, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d records, read in place: %v\n", ds[0].Meta.Partner, ds[0].Len(), in.Paths[0] == encoded[0])
	// Output:
	// comune: 140 records, read in place: true
}

// One household known to the Comune (local code ABI, housing) and to
// Caritas (POV, poverty): one row of the table dp.Publish releases.
func ExampleBuildHouseholds() {
	layout := encoding.Layout{CLKBits: 64, Attrs: []string{"district", "needs"}}
	comune := encoding.NewDataset(encoding.Meta{Partner: "comune"}, layout)
	comune.Append(&encoding.Record{RecordID: "c17", CLK: []uint64{0}, Attrs: []string{"3", "ABI"}})
	caritas := encoding.NewDataset(encoding.Meta{Partner: "caritas"}, layout)
	caritas.Append(&encoding.Record{RecordID: "k4", CLK: []uint64{0}, Attrs: []string{"3", "POV"}})
	links := []cluster.Link{
		{HouseholdID: 0, Partner: "comune", RecordID: "c17"},
		{HouseholdID: 0, Partner: "caritas", RecordID: "k4"},
	}
	hs, st, err := pipeline.BuildHouseholds(links, []*encoding.Dataset{comune, caritas}, pipeline.HouseholdConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d households from %d records\n", st.Households, st.Records)
	fmt.Printf("district %s, needs %v, partners %v\n", hs[0].District, hs[0].Needs, hs[0].Partners)
	// Output:
	// 1 households from 2 records
	// district 3, needs [casa poverta-disagio-adulti], partners [caritas comune]
}

// fixtures holds the module's shared synthetic exports (testdata/README.md).
const fixtures = "../testdata/synth"

// encodeFixtures encodes the partners' exports of fixtures into dir with a
// fresh secret.
func encodeFixtures(ctx context.Context, dir string, partners ...string) ([]string, error) {
	s, err := schema.Load(schemaFile)
	if err != nil {
		return nil, err
	}
	secret, err := encoding.GenerateSecret()
	if err != nil {
		return nil, err
	}
	var encoded []string
	for _, p := range partners {
		res, err := pipeline.Encode(ctx, pipeline.EncodeConfig{Schema: s, Secret: secret, Partner: p,
			In: filepath.Join(fixtures, p+".csv"), Out: filepath.Join(dir, p+".swd.parquet")})
		if err != nil {
			return nil, err
		}
		encoded = append(encoded, res.Out)
	}
	return encoded, nil
}
