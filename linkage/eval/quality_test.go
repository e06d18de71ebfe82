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

	"github.com/welfare-district/swd/internal/testdirs"
	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/schema"
)

// The quality tests run the library end to end on the public benchmark
// sets — encode with the example schemas, linkage.Link as swd link runs it,
// evaluation — without the file formats of the command. They take about a
// minute, so they run only with SWD_QUALITY=1, as make quality sets it:
//
//	SWD_QUALITY=1 go test ./linkage/eval -run Quality -v

func quality(t *testing.T) string {
	t.Helper()
	if os.Getenv("SWD_QUALITY") == "" {
		t.Skip("set SWD_QUALITY=1 to run the end-to-end quality checks")
	}
	return testdirs.SharedDatasets(t)
}

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

// encodeAll encodes each file as one partner (p0, p1, …) under one fresh
// secret.
func encodeAll(t *testing.T, s *schema.Schema, files []string, header []string) []*encoding.Dataset {
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
	return out
}

// linkAll links the datasets as swd link does with its default flags
// (linkage.Link: blocking, comparisons with their groups, model fit with
// its fallbacks, per-pair priors, clustering), so the quality checked here
// is the quality users get.
//
// An earlier hand-built linker (candidates from CLK Dice ≥ 0.8 alone,
// suburb and postcode compared independently, EM on the candidates only)
// failed on NCVR for most secrets: 91% of those candidates are true
// matches, and EM's split of them was "same suburb and postcode" against
// the rest (λ ≈ 0.65, cluster F1 0.88). That split has the higher
// likelihood (log-likelihood −35117 against −38437 for the true classes'
// parameters, and EM started from those goes to it), so the model, not
// the fit, was wrong. linkage.Link meets the same split on NCVR and falls
// back to training sessions (Model.Sessions).
func linkAll(t *testing.T, sets []*encoding.Dataset) []cluster.Link {
	res, err := linkage.Link(context.Background(), sets, linkage.DefaultConfig())
	require.NoError(t, err)
	m := res.Model
	require.True(t, m.Identified, "%v", m.Warnings)
	t.Logf("candidates %d, λ %.4g, %d EM iterations, sessions %v, anchored %v, warnings %q",
		m.Pairs, m.Lambda, m.Iterations, m.Sessions, m.Anchored, m.Warnings)
	return res.Links
}

func logReport(t *testing.T, name string, rep Report) {
	p, c := rep.Person.Pairs, rep.Person.Clusters
	t.Logf("%s: pairwise P %.4f R %.4f F1 %.4f; exact clusters F1 %.4f; B-cubed F1 %.4f",
		name, p.Precision, p.Recall, p.F1, c.ExactScores.F1, c.BCubed.F1)
}

// exampleSchema is the example schema of docs/examples/NAME, the one the
// README's figures use (tests run in linkage/eval, two levels under the
// module root).
func exampleSchema(t *testing.T, name string) *schema.Schema {
	s, err := schema.Load(filepath.Join("..", "..", "docs", "examples", name, "schema.yaml"))
	require.NoError(t, err)
	return s
}

func TestQualityFEBRL4(t *testing.T) {
	ds := quality(t)
	sets := encodeAll(t, exampleSchema(t, "febrl"), []string{
		filepath.Join(ds, "febrl", "dataset4a.csv"), filepath.Join(ds, "febrl", "dataset4b.csv"),
	}, nil)
	links := linkAll(t, sets)
	rep, err := Evaluate(links, FEBRL())
	require.NoError(t, err)
	logReport(t, "FEBRL4", rep)
	require.GreaterOrEqual(t, rep.Person.Pairs.Precision, 0.999)
	require.GreaterOrEqual(t, rep.Person.Pairs.F1, 0.995)
}

func TestQualityFEBRL3(t *testing.T) {
	ds := quality(t)
	sets := encodeAll(t, exampleSchema(t, "febrl"), []string{filepath.Join(ds, "febrl", "dataset3.csv")}, nil)
	links := linkAll(t, sets)
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
	sets := encodeAll(t, exampleSchema(t, "ncvr"), files, nil)
	links := linkAll(t, sets)
	rep, err := Evaluate(links, SameID())
	require.NoError(t, err)
	logReport(t, "NCVR 5-party ocp20", rep)
	// Issue 15 asks cluster F1 ≥ 0.98. With the veto at −20 (docs/linkage.md
	// §8, 2026-12-06) eight secrets gave P 0.9932–0.9938, cluster F1
	// 0.9825–0.9843; at −10 one secret in eleven fell to 0.9788.
	require.GreaterOrEqual(t, rep.Person.Pairs.Precision, 0.99)
	require.GreaterOrEqual(t, rep.Person.Clusters.ExactScores.F1, 0.98)
}
