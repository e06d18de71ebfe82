package linksfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/require"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/cluster"
)

func sample(n int) []cluster.Link {
	links := make([]cluster.Link, n)
	for i := range links {
		links[i] = cluster.Link{
			ClusterID:        int64(i / 2),
			HouseholdID:      int64(i / 5),
			Partner:          []string{"caritas", "comune", "acli"}[i%3],
			RecordID:         "r" + strings.Repeat("x", i%4) + string(rune('a'+i%26)),
			MatchProbability: float64(i%7) / 7,
		}
	}
	return links
}

func TestRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 17, rowGroupRows + 3} {
		t.Run("", func(t *testing.T) {
			if n > 1000 && testing.Short() {
				t.Skip("large file in -short mode")
			}
			path := filepath.Join(t.TempDir(), "links.parquet")
			links := sample(n)
			run := &Run{CodeVersion: "swd test", Params: Params{Threshold: 0.5, Assignment: "optimal"}, Partners: []string{"acli"}}
			require.NoError(t, Write(path, links, run))
			got, gotRun, err := Read(path)
			require.NoError(t, err)
			want := *run
			want.FormatVersion = RunVersion
			require.Equal(t, &want, gotRun)
			if n == 0 {
				require.Empty(t, got)
			} else {
				require.Equal(t, links, got)
			}
		})
	}
}

func TestColumnNames(t *testing.T) {
	path := filepath.Join(t.TempDir(), "links.parquet")
	require.NoError(t, Write(path, sample(3), nil))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	require.NoError(t, err)
	var names []string
	for _, c := range pf.Schema().Fields() {
		names = append(names, c.Name())
	}
	require.Equal(t, Columns, names)
	_, ok := pf.Lookup(RunKey)
	require.False(t, ok, "no run metadata when run is empty")
}

func TestReadRejectsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	notParquet := filepath.Join(dir, "x.parquet")
	require.NoError(t, os.WriteFile(notParquet, []byte("hello"), 0o644))
	_, _, err := Read(notParquet)
	require.True(t, errors.Is(err, base.ErrInvalidInput), "%v", err)

	type other struct {
		Partner string `parquet:"partner"`
	}
	otherPath := filepath.Join(dir, "other.parquet")
	require.NoError(t, parquet.WriteFile(otherPath, []other{{"a"}}))
	_, _, err = Read(otherPath)
	require.True(t, errors.Is(err, base.ErrInvalidInput), "%v", err)
	require.Contains(t, err.Error(), "cluster_id")
}

func TestCSVRoundTrip(t *testing.T) {
	links := sample(40)
	var buf bytes.Buffer
	require.NoError(t, WriteCSV(&buf, links))
	require.True(t, strings.HasPrefix(buf.String(), "cluster_id,household_id,partner,record_id,match_probability\n"))
	got, err := ReadCSV(&buf, "links.csv")
	require.NoError(t, err)
	require.Equal(t, links, got)

	path := filepath.Join(t.TempDir(), "links.csv")
	require.NoError(t, WriteCSVFile(path, links))
	got, run, err := ReadAny(path)
	require.NoError(t, err)
	require.Nil(t, run)
	require.Equal(t, links, got)
}

func TestReadCSVErrorsNameRowAndColumnNotValue(t *testing.T) {
	in := "cluster_id,household_id,partner,record_id,match_probability\n1,1,p,SECRETID,notanumber\n"
	_, err := ReadCSV(strings.NewReader(in), "l.csv")
	require.True(t, errors.Is(err, base.ErrInvalidInput))
	require.Contains(t, err.Error(), "row 1")
	require.Contains(t, err.Error(), "match_probability")
	require.NotContains(t, err.Error(), "SECRETID")
	require.NotContains(t, err.Error(), "notanumber")
}
