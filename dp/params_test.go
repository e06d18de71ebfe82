package dp

import (
	"reflect"
	"strings"
	"testing"
)

func TestParamsRoundTrip(t *testing.T) {
	tests := []Params{
		*(&Params{Epsilon: 1}).EnsureDefaults(),
		*(&Params{Epsilon: 0.25, Delta: 1e-7, Mechanism: MechanismGaussian, MaxNeeds: 2, RoundTo: 5, Confidence: 0.9,
			BoundingKey: "k1", Split: map[string]float64{QueryDistrictNeed: 0.75, QueryTotals: 0.25}, GroupPrivacy: 2}).EnsureDefaults(),
	}
	for _, p := range tests {
		t.Run(p.String(), func(t *testing.T) {
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			q, err := Parse(p.String())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p, q) || q.String() != p.String() {
				t.Fatalf("round trip:\n%+v\n%+v", p, q)
			}
		})
	}
	if _, err := Parse("epsilon=1 colour=blue"); err == nil {
		t.Fatal("unknown field accepted")
	}
	if _, err := Parse("epsilon"); err == nil {
		t.Fatal("field without = accepted")
	}
}

func TestParamsValidate(t *testing.T) {
	base := func() Params { return *(&Params{Epsilon: 1}).EnsureDefaults() }
	tests := []struct {
		name string
		mod  func(*Params)
		msg  string
	}{
		{"zero epsilon", func(p *Params) { p.Epsilon = 0 }, "epsilon"},
		{"negative delta", func(p *Params) { p.Delta = -1 }, "delta"},
		{"gaussian without delta", func(p *Params) { p.Mechanism = MechanismGaussian }, "gaussian"},
		{"bad mechanism", func(p *Params) { p.Mechanism = "uniform" }, "mechanism"},
		{"max needs", func(p *Params) { p.MaxNeeds = -1 }, "max needs"},
		{"split sum", func(p *Params) { p.Split = map[string]float64{QueryTotals: 0.5} }, "sum"},
		{"split unknown", func(p *Params) { p.Split = map[string]float64{"age": 1} }, "unknown query"},
		{"confidence", func(p *Params) { p.Confidence = 1 }, "confidence"},
		{"bounding key", func(p *Params) { p.BoundingKey = "a b" }, "bounding key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base()
			tt.mod(&p)
			err := p.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("got %v, want an error about %q", err, tt.msg)
			}
		})
	}
	p := base()
	if got := p.ReleasedQueries(); !reflect.DeepEqual(got, Queries[:5]) {
		t.Fatalf("default queries %v", got)
	}
	sum := 0.0
	for _, q := range Queries {
		sum += p.QueryEpsilon(q)
	}
	if sum < 0.999999 || sum > 1.000001 {
		t.Fatalf("query epsilons sum to %v", sum)
	}
}
