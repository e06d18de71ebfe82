package eval

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/internal/testdirs"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/model"
	"github.com/welfare-district/swd/linkage/schema"
)

// The quality tests run the statistical core end to end on the public
// benchmark sets — encode, brute-force CLK candidates, model, clusters,
// evaluation — without the swd link pipeline. They take about a minute,
// so they run only with SWD_QUALITY=1, as make quality sets it:
//
//	SWD_QUALITY=1 go test ./linkage/eval -run Quality -v

func quality(t *testing.T) string {
	t.Helper()
	if os.Getenv("SWD_QUALITY") == "" {
		t.Skip("set SWD_QUALITY=1 to run the end-to-end quality checks")
	}
	return testdirs.SharedDatasets(t)
}

const ncvrSchema = `
id_column: recid
fields:
  - {name: givenname, kind: name, column: givenname}
  - {name: surname, kind: name, column: surname}
  - {name: suburb, kind: text, column: suburb}
  - {name: postcode, kind: postcode, column: postcode}
`

// readCSVLoose reads a comma-separated file, trimming the space FEBRL puts
// after each comma; header overrides the file's header when given.
func readCSVLoose(t *testing.T, path string, header []string) ([]string, [][]string) {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	var rows [][]string
	for first := true; sc.Scan(); first = false {
		parts := strings.Split(sc.Text(), ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		if first {
			if header == nil {
				header = parts
			}
			continue
		}
		rows = append(rows, parts)
	}
	return header, rows
}

func encodeAll(t *testing.T, s *schema.Schema, files []string, header []string) (*schema.Schema, []*encoding.Dataset) {
	secret, err := encoding.GenerateSecret()
	require.NoError(t, err)
	var out []*encoding.Dataset
	for k, path := range files {
		enc, err := encoding.New(s, secret, fmt.Sprintf("p%d", k))
		require.NoError(t, err)
		h, rows := readCSVLoose(t, path, header)
		d, _, _, err := enc.EncodeDataset(context.Background(), h, rows)
		require.NoError(t, err)
		out = append(out, d)
	}
	return s, out
}

// linkAll links every pair of datasets (or dedups a single one) with
// candidates from CLK Dice ≥ clk, one model for all pairs.
func linkAll(t *testing.T, s *schema.Schema, sets []*encoding.Dataset, clk, threshold float64) ([]cluster.Link, *model.Model) {
	ctx := context.Background()
	var fields []string
	for _, f := range sets[0].Fields {
		fields = append(fields, f.Name)
	}
	var cmps []model.Comparison
	for _, name := range fields {
		f := s.Field(name)
		cmps = append(cmps, model.DefaultComparisonFor(model.FieldInfo{Name: name, Kind: string(f.Kind), QGrams: f.Tokens.Q > 0, DateParts: f.Tokens.Parts}))
	}
	type job struct{ p, q int }
	var jobs []job
	if len(sets) == 1 {
		jobs = []job{{0, 0}}
	}
	for p := range sets {
		for q := p + 1; q < len(sets); q++ {
			jobs = append(jobs, job{p, q})
		}
	}
	type cand struct{ p, q, i, j int }
	var cands []cand
	counts := model.PatternCounts{}
	var u [][]float64
	for _, jb := range jobs {
		a, b := sets[jb.p], sets[jb.q]
		c, err := model.NewComparer(cmps, a, b)
		require.NoError(t, err)
		if u == nil {
			u, err = model.EstimateU(ctx, c, model.DefaultUSamples, 1)
			require.NoError(t, err)
		}
		for i := range a.Len() {
			j0 := 0
			if jb.p == jb.q {
				j0 = i + 1
			}
			for j := j0; j < b.Len(); j++ {
				if bitvec.Dice(a.CLK.At(i), b.CLK.At(j)) >= clk {
					cands = append(cands, cand{jb.p, jb.q, i, j})
					counts.Add(c.Key(i, j), 1)
				}
			}
		}
	}
	m, err := model.Fit(ctx, cmps, counts, u, model.EMConfig{UpdateU: true})
	require.NoError(t, err)
	require.True(t, m.Identified, "%v", m.Warnings)
	scorers := map[job]*model.Scorer{}
	for _, jb := range jobs {
		scorers[jb], err = model.NewScorer(m, sets[jb.p], sets[jb.q], true)
		require.NoError(t, err)
	}
	var edges []cluster.Edge
	for _, cd := range cands {
		_, w, p := scorers[job{cd.p, cd.q}].Score(cd.i, cd.j)
		edges = append(edges, cluster.Edge{A: cluster.Ref{Partner: cd.p, Row: cd.i}, B: cluster.Ref{Partner: cd.q, Row: cd.j}, Weight: w + m.PriorWeight(), Probability: p})
	}
	var partners []cluster.Partner
	for _, d := range sets {
		partners = append(partners, cluster.Partner{Name: d.Meta.Partner, RecordIDs: d.RecordIDs})
	}
	cfg := cluster.DefaultConfig()
	cfg.Threshold = threshold
	links, _, err := cluster.Build(ctx, partners, edges, cfg)
	require.NoError(t, err)
	t.Logf("candidates %d, λ %.4g, %d EM iterations", len(cands), m.Lambda, m.Iterations)
	return links, m
}

func logReport(t *testing.T, name string, rep Report) {
	p, c := rep.Person.Pairs, rep.Person.Clusters
	t.Logf("%s: pairwise P %.4f R %.4f F1 %.4f; exact clusters F1 %.4f; B-cubed F1 %.4f",
		name, p.Precision, p.Recall, p.F1, c.ExactScores.F1, c.BCubed.F1)
}

// febrlSchema is the example schema of docs/examples/febrl (tests run in
// linkage/eval, two levels under the module root).
func febrlSchema(t *testing.T) *schema.Schema {
	s, err := schema.Load(filepath.Join("..", "..", "docs", "examples", "febrl", "schema.yaml"))
	require.NoError(t, err)
	return s
}

func TestQualityFEBRL4(t *testing.T) {
	ds := quality(t)
	s, sets := encodeAll(t, febrlSchema(t), []string{
		filepath.Join(ds, "febrl", "dataset4a.csv"), filepath.Join(ds, "febrl", "dataset4b.csv"),
	}, nil)
	links, _ := linkAll(t, s, sets, 0.5, 0.5)
	rep, err := Evaluate(links, FEBRL())
	require.NoError(t, err)
	logReport(t, "FEBRL4", rep)
	require.GreaterOrEqual(t, rep.Person.Pairs.Precision, 0.999)
	require.GreaterOrEqual(t, rep.Person.Pairs.F1, 0.995)
}

func TestQualityFEBRL3(t *testing.T) {
	ds := quality(t)
	s, sets := encodeAll(t, febrlSchema(t), []string{filepath.Join(ds, "febrl", "dataset3.csv")}, nil)
	links, _ := linkAll(t, s, sets, 0.5, 0.5)
	rep, err := Evaluate(links, FEBRL())
	require.NoError(t, err)
	logReport(t, "FEBRL3", rep)
	require.GreaterOrEqual(t, rep.Person.Pairs.Precision, 0.995)
	require.GreaterOrEqual(t, rep.Person.Pairs.F1, 0.99)
}

func TestQualityNCVR(t *testing.T) {
	ds := quality(t)
	var files []string
	for p := range 5 {
		files = append(files, filepath.Join(ds, "ncvr-5party", fmt.Sprintf("ncvr_numrec_5000_modrec_2_ocp_20_myp_%d_nump_5.csv", p)))
	}
	ncvr, err := schema.Parse([]byte(ncvrSchema))
	require.NoError(t, err)
	s, sets := encodeAll(t, ncvr, files, []string{"recid", "givenname", "surname", "suburb", "postcode"})
	links, _ := linkAll(t, s, sets, 0.8, 0.5)
	rep, err := Evaluate(links, SameID())
	require.NoError(t, err)
	logReport(t, "NCVR 5-party ocp20", rep)
	require.GreaterOrEqual(t, rep.Person.Pairs.Precision, 0.98)
	require.GreaterOrEqual(t, rep.Person.Clusters.ExactScores.F1, 0.95)
}
