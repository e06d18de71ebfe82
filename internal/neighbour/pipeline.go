package neighbour

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/io/linksfile"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/model"
	"github.com/welfare-district/swd/linkage/schema"
	"github.com/welfare-district/swd/pipeline"
	"github.com/welfare-district/swd/taxonomy"
)

// ExactEpsilon is the ε of the releases Pipeline makes: the noise rounds to
// 0, so the released values are the exact counts.
const ExactEpsilon = 1e6

// AllTables is a budget split that releases every table of dp.Queries,
// the optional needs_sum included.
var AllTables = map[string]float64{
	dp.QueryDistrictNeed: 0.3, dp.QueryDistrict: 0.1, dp.QueryPartners: 0.15,
	dp.QueryMissingMiddle: 0.15, dp.QueryTotals: 0.15, dp.QueryNeedsSum: 0.15,
}

// Pipeline runs the real pipeline through its public entry points:
// pipeline.Encode for every partner export with one secret, pipeline.Link
// (the first run fits the model and saves it; every later run applies the
// saved model, as swd link --model does), pipeline.Publish at ExactEpsilon
// into a fresh ledger. Runs are named; their files live in Dir/<name>.
type Pipeline struct {
	Dir    string
	Schema *schema.Schema
	Secret encoding.Secret
	// Params of the releases; Epsilon is set to ExactEpsilon.
	Params dp.Params
	// Linkage parameters; Model is set by the first run.
	Linkage linkage.Config
	// Public are the public-service partners (the partners' roles, which
	// publish never guesses); NewPipeline sets synth's comune and ulss6.
	Public taxonomy.PublicServices

	model string
}

// NewPipeline loads the encoding schema and draws a fresh secret. The
// releases keep params (with every table of AllTables when its Split is
// empty).
func NewPipeline(dir, schemaFile string, params dp.Params) (*Pipeline, error) {
	s, err := schema.Load(schemaFile)
	if err != nil {
		return nil, err
	}
	secret, err := encoding.GenerateSecret()
	if err != nil {
		return nil, err
	}
	if len(params.Split) == 0 {
		params.Split = AllTables
	}
	params.Epsilon = ExactEpsilon
	return &Pipeline{Dir: dir, Schema: s, Secret: secret, Params: params,
		Public: taxonomy.ParsePublicServices("comune,ulss6")}, nil
}

// Run is the outcome of one run of the pipeline.
type Run struct {
	Name    string
	Encoded []string
	Links   string
	Release string
	Tables  Tables
}

// ReadLinks reads the run's links file.
func (r *Run) ReadLinks() ([]cluster.Link, *linksfile.Run, error) {
	return linksfile.ReadAny(r.Links)
}

// Run encodes the partner exports (files named <partner>.csv), links them
// and publishes. The first run saves the fitted model; later ones apply it.
func (p *Pipeline) Run(ctx context.Context, name string, exports []string) (*Run, error) {
	dir := filepath.Join(p.Dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	r := &Run{Name: name, Links: filepath.Join(dir, "links.parquet"), Release: filepath.Join(dir, "release")}
	for _, in := range exports {
		partner := strings.TrimSuffix(filepath.Base(in), ".csv")
		res, err := pipeline.Encode(ctx, pipeline.EncodeConfig{Schema: p.Schema, Secret: p.Secret, Partner: partner,
			In: in, Out: filepath.Join(dir, partner+".swd.parquet")})
		if err != nil {
			return nil, fmt.Errorf("%s: encoding %s: %w", name, partner, err)
		}
		if res.Stats.Rejected > 0 {
			return nil, fmt.Errorf("%s: %s: %d rows rejected", name, partner, res.Stats.Rejected)
		}
		r.Encoded = append(r.Encoded, res.Out)
	}
	lc := pipeline.LinkConfig{Inputs: r.Encoded, Out: r.Links, Linkage: p.Linkage}
	if p.model == "" {
		lc.SaveModel = filepath.Join(dir, "model.json")
	} else {
		m, err := model.ReadFile(p.model)
		if err != nil {
			return nil, err
		}
		lc.Linkage.Model = m
	}
	if _, err := pipeline.Link(ctx, lc); err != nil {
		return nil, fmt.Errorf("%s: link: %w", name, err)
	}
	if p.model == "" {
		p.model = lc.SaveModel
	}
	ledger := filepath.Join(dir, "ledger")
	if err := dp.InitLedger(ledger, name, dp.Budget{Epsilon: 2 * ExactEpsilon}, nil); err != nil {
		return nil, err
	}
	if _, err := pipeline.Publish(ctx, pipeline.PublishConfig{Links: r.Links, Inputs: r.Encoded, Params: p.Params,
		Households: pipeline.HouseholdConfig{Public: p.Public}, Ledger: ledger, Out: r.Release}); err != nil {
		return nil, fmt.Errorf("%s: publish: %w", name, err)
	}
	var err error
	r.Tables, err = ReadRelease(r.Release)
	return r, err
}

// CorrectlyLinked returns the households of pop whose records the links
// put into one household that holds no other record: the households a
// neighbour without them differs from the full run by exactly one linked
// household.
func CorrectlyLinked(pop *Population, links []cluster.Link) []*Household {
	var out []*Household
	for _, h := range pop.Households {
		if Parts(h, links) == 1 {
			out = append(out, h)
		}
	}
	return out
}

// Split returns the households of pop the links split into several linked
// households that hold none of anyone else's records, with the number of
// parts: a neighbour without one of them differs from the full run by k
// linked households, and each table may move by k times its bound (group
// privacy).
func Split(pop *Population, links []cluster.Link) map[*Household]int {
	out := map[*Household]int{}
	for _, h := range pop.Households {
		if k := Parts(h, links); k > 1 {
			out[h] = k
		}
	}
	return out
}

// Parts returns the number of linked households that hold h's records
// when they hold nobody else's, 0 otherwise (some record of h is not in
// the links, or shares a linked household with another household).
func Parts(h *Household, links []cluster.Link) int {
	type key struct{ partner, record string }
	mine := map[key]bool{}
	for partner, ids := range h.Records {
		for _, r := range ids {
			mine[key{partner, r}] = true
		}
	}
	found := 0
	parts := map[int64]bool{}
	for _, l := range links {
		if mine[key{l.Partner, l.RecordID}] {
			found++
			parts[l.HouseholdID] = true
		}
	}
	if found == 0 || found != len(mine) {
		return 0
	}
	for _, l := range links {
		if parts[l.HouseholdID] && !mine[key{l.Partner, l.RecordID}] {
			return 0
		}
	}
	return len(parts)
}
