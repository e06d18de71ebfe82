package audit

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/welfare-district/swd/linkage/encoding"
)

// Uniqueness is the joint uniqueness (k-anonymity) of a combination of
// what the linkage unit holds per record.
type Uniqueness struct {
	Columns []string `json:"columns"`
	Records int      `json:"records"`
	Classes int      `json:"classes"` // distinct tuples
	// Unique is the share of records whose tuple no other record shares
	// (k = 1); Below5 the share whose tuple fewer than five records share.
	Unique float64 `json:"unique"`
	Below5 float64 `json:"below_5"`
}

// QIColumn is one quasi-identifier: a value per record ("" = missing,
// which is a value of its own).
type QIColumn struct {
	Name   string
	Values []string
}

// JointUniqueness computes the uniqueness of the tuples formed by cols.
func JointUniqueness(cols []QIColumn) Uniqueness {
	u := Uniqueness{}
	if len(cols) == 0 {
		return u
	}
	n := len(cols[0].Values)
	u.Records = n
	for _, c := range cols {
		u.Columns = append(u.Columns, c.Name)
	}
	count := map[string]int{}
	keys := make([]string, n)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.Reset()
		for _, c := range cols {
			b.WriteString(c.Values[i])
			b.WriteByte(0)
		}
		keys[i] = b.String()
		count[keys[i]]++
	}
	u.Classes = len(count)
	one, below := 0, 0
	for _, k := range keys {
		switch c := count[k]; {
		case c == 1:
			one++
			below++
		case c < 5:
			below++
		}
	}
	if n > 0 {
		u.Unique = float64(one) / float64(n)
		u.Below5 = float64(below) / float64(n)
	}
	return u
}

// UniquenessOptions says which attribute holds the partner's household id.
type UniquenessOptions struct {
	HouseholdAttr string // default "household"
}

// LinkageUnitView reports the joint uniqueness of growing combinations of
// what the linkage unit holds per record: the attributes carried in the
// clear (the household id as the household's size), the field filters with
// few distinct values (sex, postcode: readable by frequency), the
// recovered salt cohorts (the birth date or year), the blocking keys, and
// last everything it holds (every field filter and the CLK as well).
func LinkageUnitView(ds *encoding.Dataset, cohorts []Cohorts, opt UniquenessOptions) []Uniqueness {
	if opt.HouseholdAttr == "" {
		opt.HouseholdAttr = "household"
	}
	n := ds.Len()
	var attrs []QIColumn
	for _, a := range ds.Attrs {
		if a.Name == opt.HouseholdAttr {
			attrs = append(attrs, householdSize(a))
			continue
		}
		attrs = append(attrs, QIColumn{"a_" + a.Name, canonicalSet(a.Values)})
	}
	var readable, rest []QIColumn
	for _, f := range ds.Fields {
		vals := make([]string, n)
		distinct := map[string]bool{}
		for i := 0; i < n; i++ {
			if !f.Present[i] {
				continue
			}
			vals[i] = filterKey(f.Filters.At(i))
			distinct[vals[i]] = true
		}
		if len(distinct) <= max(20, n/100) {
			readable = append(readable, QIColumn{"f_" + f.Name, vals})
		} else {
			rest = append(rest, QIColumn{"f_" + f.Name, vals})
		}
	}
	clk := make([]string, n)
	for i := range clk {
		clk[i] = filterKey(ds.CLK.At(i))
	}
	rest = append(rest, QIColumn{"clk", clk})
	var cohortCols []QIColumn
	for _, c := range cohorts {
		vals := make([]string, n)
		for i, o := range c.Of {
			if o >= 0 {
				vals[i] = strconv.Itoa(o)
			}
		}
		cohortCols = append(cohortCols, QIColumn{"cohort(" + c.Salt + ")", vals})
	}
	var keys []QIColumn
	for _, k := range ds.BlockKeys {
		keys = append(keys, QIColumn{"bk_" + k.Name, k.Values})
	}
	var out []Uniqueness
	cum := []QIColumn{}
	for _, step := range [][]QIColumn{attrs, readable, cohortCols, keys, rest} {
		if len(step) == 0 {
			continue
		}
		cum = append(cum, step...)
		out = append(out, JointUniqueness(cum))
	}
	return out
}

// filterKey is the bytes of a filter as a map key.
func filterKey(v []uint64) string {
	if len(v) == 0 {
		return ""
	}
	return string(unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*8))
}

// householdSize replaces each household id by the number of the file's
// records that carry it ("" stays missing).
func householdSize(a encoding.StringColumn) QIColumn {
	count := map[string]int{}
	for _, v := range a.Values {
		if v != "" {
			count[v]++
		}
	}
	vals := make([]string, len(a.Values))
	for i, v := range a.Values {
		if v != "" {
			vals[i] = fmt.Sprint(count[v])
		}
	}
	return QIColumn{"household_size(a_" + a.Name + ")", vals}
}

// canonicalSet sorts the ;-separated codes of each value, so that the same
// set of needs written in another order is one value.
func canonicalSet(in []string) []string {
	out := make([]string, len(in))
	for i, v := range in {
		if strings.IndexByte(v, ';') < 0 {
			out[i] = v
			continue
		}
		parts := strings.Split(v, ";")
		for j := range parts {
			parts[j] = strings.TrimSpace(parts[j])
		}
		sort.Strings(parts)
		out[i] = strings.Join(parts, ";")
	}
	return out
}
