package model

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/welfare-district/swd/internal/base"
)

func TestLevels(t *testing.T) {
	cmp := Comparison{Field: "f", Thresholds: []float64{0.6, 0.75, 0.9}, Exact: true}
	eight := bitsVec(span(0, 8)...)
	a := dataset([]string{"f"},
		[][]uint64{eight},
		[][]uint64{nil},
		[][]uint64{bitsVec()}, // present but empty: no evidence
	)
	b := dataset([]string{"f"},
		[][]uint64{eight}, // identical → exact
		[][]uint64{bitsVec(append(span(0, 7), 8)...)},              // 7 of 8: dice 0.875 → ≥0.75
		[][]uint64{bitsVec(append(span(0, 6), 8, 9)...)},           // 6 of 8: dice 0.75 exactly → ≥0.75
		[][]uint64{bitsVec(append(span(0, 5), 8, 9, 10)...)},       // 5 of 8: 0.625 → ≥0.6
		[][]uint64{bitsVec(append(span(0, 4), span(8, 12)...)...)}, // 4 of 8: 0.5 → else
		[][]uint64{nil},
		[][]uint64{bitsVec(span(0, 9)...)}, // 16/17 ≈ 0.94 → ≥0.9
	)
	c, err := NewComparer([]Comparison{cmp}, a, b)
	require.NoError(t, err)
	tests := []struct {
		name string
		i, j int
		want string
	}{
		{"exact", 0, 0, "exact"},
		{"dice 0.875", 0, 1, "dice>=0.75"},
		{"dice 0.75 boundary", 0, 2, "dice>=0.75"},
		{"dice 0.625", 0, 3, "dice>=0.6"},
		{"dice 0.5", 0, 4, "else"},
		{"missing in B", 0, 5, "missing"},
		{"missing in A", 1, 0, "missing"},
		{"empty filter", 2, 0, "missing"},
		{"dice 0.94", 0, 6, "dice>=0.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, cmp.LevelName(c.Level(0, tt.i, tt.j)))
		})
	}
	t.Run("without exact level identical filters take the top threshold", func(t *testing.T) {
		noExact := Comparison{Field: "f", Thresholds: []float64{0.9}}
		c, err := NewComparer([]Comparison{noExact}, a, b)
		require.NoError(t, err)
		require.Equal(t, "dice>=0.9", noExact.LevelName(c.Level(0, 0, 0)))
		require.Equal(t, 3, noExact.Levels())
	})
}

func TestPatternKeys(t *testing.T) {
	cmps := threeFieldTruth().cmps
	seen := map[uint64]bool{}
	for l0 := range cmps[0].Levels() {
		for l1 := range cmps[1].Levels() {
			for l2 := range cmps[2].Levels() {
				k := EncodePattern(cmps, []int{l0, l1, l2})
				require.False(t, seen[k])
				seen[k] = true
				require.Equal(t, []int{l0, l1, l2}, DecodePattern(cmps, k, nil))
			}
		}
	}
	require.Len(t, seen, 6*5*3)

	many := make([]Comparison, 40)
	for i := range many {
		many[i] = Comparison{Field: string(rune('a' + i)), Thresholds: []float64{0.5, 0.7, 0.9}, Exact: true}
	}
	_, err := radices(many)
	require.True(t, errors.Is(err, base.ErrUsage))
}

func TestComparisonValidate(t *testing.T) {
	bad := []Comparison{
		{},
		{Field: "f", Thresholds: []float64{0.9, 0.8}},
		{Field: "f", Thresholds: []float64{0}},
		{Field: "f", Thresholds: []float64{1.2}},
		{Field: "f", TF: true},
	}
	for _, c := range bad {
		require.Error(t, c.Validate(), "%+v", c)
	}
	require.Error(t, validateComparisons([]Comparison{{Field: "f"}, {Field: "f"}}))
}

func TestDefaultComparison(t *testing.T) {
	tests := []struct{ field, kind, wantKind string }{
		{"cognome", "", KindName},
		{"given_name", "", KindName},
		{"data_nascita", "", KindDate},
		{"date_of_birth", "", KindDate},
		{"birth_year", "", KindDate},
		{"sesso", "", KindSex},
		{"cap", "", KindPostcode},
		{"postcode", "", KindPostcode},
		{"codice_fiscale", "", KindFiscalCode},
		{"soc_sec_id", "", KindExact},
		{"indirizzo", "", KindAddress},
		{"telefono", "", KindPhone},
		{"state", "", KindText},
		{"x", KindSex, KindSex},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			k := tt.kind
			if k == "" {
				require.Equal(t, tt.wantKind, GuessKind(tt.field))
			}
			c := DefaultComparison(tt.field, tt.kind)
			require.NoError(t, c.Validate())
			require.True(t, c.Exact)
			require.False(t, c.TF, "no term-frequency adjustment by default")
			require.Equal(t, tt.wantKind == KindName, c.Group == GroupName)
			if tt.wantKind == KindSex {
				require.Equal(t, 2, c.Levels()-1)
			}
		})
	}
}

func fitted(t *testing.T) *Model {
	t.Helper()
	tr := threeFieldTruth()
	m, err := Fit(context.Background(), tr.cmps, tr.simulate(50_000, 3), tr.u, EMConfig{UpdateU: true})
	require.NoError(t, err)
	return m
}

func TestModelJSONRoundTrip(t *testing.T) {
	m := fitted(t)
	var buf bytes.Buffer
	require.NoError(t, m.Encode(&buf))
	got, err := Decode(bytes.NewReader(buf.Bytes()), "model.json")
	require.NoError(t, err)
	require.Equal(t, m, got)
	for k := range uint64(90) {
		require.Equal(t, m.Posterior(k), got.Posterior(k))
	}

	t.Run("invalid", func(t *testing.T) {
		for name, edit := range map[string]func(string) string{
			"lambda":  func(s string) string { return strings.Replace(s, `"lambda": `, `"lambda": 7`, 1) },
			"unknown": func(s string) string { return strings.Replace(s, `"version"`, `"zzz": 1, "version"`, 1) },
			"version": func(s string) string { return strings.Replace(s, `"version": 1`, `"version": 9`, 1) },
			"garbage": func(string) string { return "nope" },
		} {
			t.Run(name, func(t *testing.T) {
				_, err := Decode(strings.NewReader(edit(buf.String())), "model.json")
				require.True(t, errors.Is(err, base.ErrInvalidInput), "%v", err)
				require.Contains(t, err.Error(), "model.json")
			})
		}
	})
}

func TestWeightsAndPosterior(t *testing.T) {
	m := fitted(t)
	cmps := m.Comparisons()
	all := EncodePattern(cmps, []int{5, 4, 2})
	none := EncodePattern(cmps, []int{1, 1, 1})
	missing := EncodePattern(cmps, []int{0, 0, 0})
	require.Equal(t, 0.0, m.Weight(missing))
	require.InDelta(t, m.Lambda, m.Posterior(missing), 1e-12, "no evidence: posterior is the prior")
	want := 0.0
	for f, l := range []int{5, 4, 2} {
		lv := m.Fields[f].Levels[l]
		want += math.Log2(lv.M / lv.U)
	}
	require.InDelta(t, want, m.Weight(all), 1e-12)
	require.Greater(t, m.Posterior(all), 0.99)
	require.Less(t, m.Posterior(none), 0.01)
}

func TestDefaultComparisonFor(t *testing.T) {
	tests := []struct {
		info FieldInfo
		want []float64
	}{
		{FieldInfo{Name: "soc_sec_id", Kind: KindExact}, nil},
		{FieldInfo{Name: "soc_sec_id", Kind: KindExact, QGrams: true}, []float64{0.6, 0.75, 0.9}},
		{FieldInfo{Name: "date_of_birth", Kind: KindDate, QGrams: true}, []float64{0.6, 0.75, 0.9}},
		{FieldInfo{Name: "date_of_birth", Kind: KindDate, DateParts: true}, []float64{0.4, 0.6}},
		{FieldInfo{Name: "sesso", Kind: KindSex, QGrams: true}, nil},
		{FieldInfo{Name: "cognome", QGrams: true}, []float64{0.6, 0.75, 0.9}},
	}
	for _, tt := range tests {
		t.Run(tt.info.Name, func(t *testing.T) {
			c := DefaultComparisonFor(tt.info)
			require.Equal(t, tt.want, c.Thresholds)
			require.True(t, c.Exact)
			require.NoError(t, c.Validate())
		})
	}
}
