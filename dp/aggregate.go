package dp

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/google/differential-privacy/go/v3/dpagg"
	"github.com/google/differential-privacy/go/v3/noise"
)

// ErrReleased is returned when an Aggregation is used after its result was
// taken or after it was merged into another: a noisy result can be taken only
// once, since taking it again would spend the budget again.
var ErrReleased = errors.New("dp: aggregation already released or merged")

type aggState int

const (
	stateOpen aggState = iota
	stateMerged
	stateReleased
)

// Aggregation accumulates households into the released tables. Partition
// counts live inside the DP library's aggregators, never in the clear
// outside them. Aggregations over disjoint sets of households with the same
// Params and Domain can be merged (the per-partition aggregation is
// combinable, as on Beam). Not safe for concurrent use.
type Aggregation struct {
	params  Params
	domain  Domain
	queries []*queryAgg
	state   aggState
	// noClamp skips post-processing; only the statistical tests set it, to
	// look at the mechanism's raw output.
	noClamp bool
}

type queryAgg struct {
	spec           querySpec
	noise          noise.Noise
	eps, delta     float64 // of the counts
	selEps, selDel float64 // of partition selection (0 when partitions are public)
	cells          map[string]*cellAgg
	order          []string
}

type cellAgg struct {
	keys  []string
	count *dpagg.Count           // a count, or
	sum   *dpagg.BoundedSumInt64 // a clamped sum
	sel   *dpagg.PreAggSelectPartition
}

// NewAggregation prepares the tables of p (which gets its defaults) over d.
func NewAggregation(p Params, d Domain) (*Aggregation, error) {
	quietGlog()
	p.EnsureDefaults()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	specs, err := buildSpecs(&p, &d)
	if err != nil {
		return nil, err
	}
	a := &Aggregation{params: p, domain: d}
	for _, s := range specs {
		q, err := newQueryAgg(&p, s)
		if err != nil {
			return nil, err
		}
		a.queries = append(a.queries, q)
	}
	return a, nil
}

func newQueryAgg(p *Params, s querySpec) (*queryAgg, error) {
	q := &queryAgg{spec: s, eps: p.QueryEpsilon(s.name), cells: map[string]*cellAgg{}}
	if p.Mechanism == MechanismGaussian {
		q.noise, q.delta = noise.Gaussian(), p.QueryDelta(s.name)
	} else {
		q.noise = noise.Laplace()
	}
	if s.public == nil {
		if p.QueryDelta(s.name) == 0 {
			return nil, fmt.Errorf("dp: %s: partitions are not public, so partition selection needs delta > 0", s.name)
		}
		q.eps /= 2
		q.selEps = q.eps
		q.selDel = p.QueryDelta(s.name)
		if p.Mechanism == MechanismGaussian {
			q.delta /= 2
			q.selDel /= 2
		}
	}
	for _, keys := range s.public {
		if _, err := q.cell(keys); err != nil {
			return nil, err
		}
	}
	return q, nil
}

func (q *queryAgg) cell(keys []string) (*cellAgg, error) {
	k := strings.Join(keys, "\x1f")
	if c, ok := q.cells[k]; ok {
		return c, nil
	}
	c := &cellAgg{keys: slices.Clone(keys)}
	var err error
	if q.spec.sumUpper > 0 {
		c.sum, err = dpagg.NewBoundedSumInt64(&dpagg.BoundedSumInt64Options{Epsilon: q.eps, Delta: q.delta,
			MaxPartitionsContributed: q.spec.l0, Lower: 0, Upper: q.spec.sumUpper, Noise: q.noise})
	} else {
		c.count, err = dpagg.NewCount(&dpagg.CountOptions{Epsilon: q.eps, Delta: q.delta,
			MaxPartitionsContributed: q.spec.l0, Noise: q.noise})
	}
	if err != nil {
		return nil, fmt.Errorf("dp: %s: %w", q.spec.name, err)
	}
	if q.spec.public == nil {
		c.sel, err = dpagg.NewPreAggSelectPartition(&dpagg.PreAggSelectPartitionOptions{
			Epsilon: q.selEps, Delta: q.selDel, MaxPartitionsContributed: q.spec.l0})
		if err != nil {
			return nil, fmt.Errorf("dp: %s: partition selection: %w", q.spec.name, err)
		}
	}
	q.cells[k] = c
	q.order = append(q.order, k)
	return c, nil
}

// Add counts one household in every table, within the contribution bounds:
// at most once per cell and in at most L0 cells per table.
func (a *Aggregation) Add(h Household) error {
	if a.state != stateOpen {
		return ErrReleased
	}
	for _, q := range a.queries {
		parts := q.spec.contrib(&h)
		if int64(len(parts)) > q.spec.l0 {
			panic(fmt.Sprintf("dp: %s: contribution bound broken (%d > %d)", q.spec.name, len(parts), q.spec.l0))
		}
		for _, keys := range parts {
			c, ok := q.cells[strings.Join(keys, "\x1f")]
			if !ok {
				if q.spec.public != nil {
					continue // outside the public domain
				}
				var err error
				if c, err = q.cell(keys); err != nil {
					return err
				}
			}
			if err := c.add(&q.spec, &h); err != nil {
				return err
			}
			if c.sel != nil {
				if err := c.sel.Increment(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Merge adds b's households into a; b can no longer be used.
func (a *Aggregation) Merge(b *Aggregation) error {
	if a.state != stateOpen || b.state != stateOpen {
		return ErrReleased
	}
	if a.params.String() != b.params.String() || len(a.queries) != len(b.queries) {
		return fmt.Errorf("dp: cannot merge aggregations with different parameters")
	}
	for i, q := range a.queries {
		bq := b.queries[i]
		for _, k := range bq.order {
			bc := bq.cells[k]
			c, err := q.cell(bc.keys)
			if err != nil {
				return err
			}
			if err := c.merge(bc); err != nil {
				return fmt.Errorf("dp: merging %s: %w", q.spec.name, err)
			}
			if c.sel != nil {
				if err := c.sel.Merge(bc.sel); err != nil {
					return fmt.Errorf("dp: merging %s: %w", q.spec.name, err)
				}
			}
		}
	}
	b.state = stateMerged
	return nil
}

// Cost is the budget the release spends: the parameters' ε, and the δ the
// tables actually use (Gaussian noise, partition selection); with Laplace
// noise over public partitions δ is 0 whatever Params.Delta says.
func (a *Aggregation) Cost() Budget {
	return groupCost(a.unitCost(), a.params.Group())
}

// unitCost is the (ε, δ) the release spends per linked household.
func (a *Aggregation) unitCost() Budget {
	c := Budget{Epsilon: a.params.Epsilon}
	for _, q := range a.queries {
		c.Delta += q.delta + q.selDel
	}
	return c
}

// groupCost is what the ledger is charged for a release of cost c per
// linked household that protects a true household split in up to k
// linked households: (k·ε, k·e^((k−1)ε)·δ).
func groupCost(c Budget, k int) Budget {
	if k <= 1 {
		return c
	}
	return Budget{Epsilon: GroupEpsilon(c.Epsilon, k), Delta: GroupDelta(c.Epsilon, c.Delta, k)}
}

// Params returns the parameters with their defaults.
func (a *Aggregation) Params() Params { return a.params }

// Result adds noise and returns the tables. It can be called once.
func (a *Aggregation) Result() (*Result, error) {
	if a.state != stateOpen {
		return nil, ErrReleased
	}
	a.state = stateReleased
	res := &Result{Params: a.params}
	for _, q := range a.queries {
		t, err := q.result(&a.params, a.noClamp)
		if err != nil {
			return nil, err
		}
		res.Tables = append(res.Tables, t)
	}
	return res, nil
}

func (q *queryAgg) result(p *Params, noClamp bool) (Table, error) {
	linf := max(1, q.spec.sumUpper)
	t := Table{Query: q.spec.name, Columns: q.spec.columns, Mechanism: p.Mechanism,
		Epsilon: p.QueryEpsilon(q.spec.name), Delta: q.delta + q.selDel, MaxPartitions: q.spec.l0,
		MaxPerPartition: linf, Sum: q.spec.sumUpper > 0, PartitionSelection: q.spec.public == nil,
		Confidence: p.Confidence, NoiseStd: noiseStd(p.Mechanism, q.spec.l0, linf, q.eps, q.delta)}
	keys := q.order
	if q.spec.public == nil {
		keys = slices.Sorted(slices.Values(keys))
	}
	for _, k := range keys {
		c := q.cells[k]
		if c.sel != nil {
			keep, err := c.sel.ShouldKeepPartition()
			if err != nil {
				return t, err
			}
			if !keep {
				continue
			}
		}
		v, ci, err := c.result(1 - p.Confidence)
		if err != nil {
			return t, err
		}
		if !noClamp {
			v = postProcess(v, p.RoundTo)
		}
		t.Cells = append(t.Cells, Cell{Keys: c.keys, Value: v,
			CILower: math.Round(ci.LowerBound), CIUpper: math.Round(ci.UpperBound)})
	}
	return t, nil
}

// postProcess clamps a noisy count to be non-negative and optionally rounds
// it. Both are post-processing: they use only the noisy value, so they cost
// no privacy.
func postProcess(v int64, roundTo int) int64 {
	v = max(v, 0)
	if roundTo > 1 {
		r := int64(roundTo)
		v = (v + r/2) / r * r
	}
	return v
}

// noiseStd is the standard deviation of the noise added to each cell when
// a household contributes to at most l0 cells, at most linf to each.
func noiseStd(mechanism string, l0, linf int64, eps, delta float64) float64 {
	if mechanism == MechanismGaussian {
		return noise.SigmaForGaussian(l0, float64(linf), eps, delta)
	}
	return math.Sqrt2 * float64(l0*linf) / eps
}

func (c *cellAgg) add(s *querySpec, h *Household) error {
	if c.sum != nil {
		return c.sum.Add(s.value(h))
	}
	return c.count.Increment()
}

func (c *cellAgg) merge(b *cellAgg) error {
	if c.sum != nil {
		return c.sum.Merge(b.sum)
	}
	return c.count.Merge(b.count)
}

func (c *cellAgg) result(alpha float64) (int64, noise.ConfidenceInterval, error) {
	var v int64
	var ci noise.ConfidenceInterval
	var err error
	if c.sum != nil {
		if v, err = c.sum.Result(); err == nil {
			ci, err = c.sum.ComputeConfidenceInterval(alpha)
		}
	} else if v, err = c.count.Result(); err == nil {
		ci, err = c.count.ComputeConfidenceInterval(alpha)
	}
	return v, ci, err
}
