package linkage

import (
	"fmt"
	"sort"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/encoding"
)

// CheckCompatible verifies that the datasets can be linked together: the same
// schema fingerprint and key check value (the same schema and the same
// secret), the same filter layout, and distinct partner names. When one
// partner differs, the error names it and says what differs; the majority is
// taken as the reference.
func CheckCompatible(ds []*encoding.Dataset) error {
	if len(ds) == 0 {
		return base.Usagef("no encoded files to link")
	}
	seen := map[string]bool{}
	for _, d := range ds {
		if d.Meta.Partner == "" {
			return base.Invalidf("an encoded file has no partner name in its metadata")
		}
		if seen[d.Meta.Partner] {
			return base.Invalidf("partner %q appears in two input files: give each partner's file once (or re-encode with distinct --partner names)", d.Meta.Partner)
		}
		seen[d.Meta.Partner] = true
		if err := checkIdentifying(d); err != nil {
			return err
		}
	}
	if err := checkSame(ds, "schema fingerprint", func(d *encoding.Dataset) string { return d.Meta.SchemaFingerprint },
		"it was encoded with a different schema; every partner must use the same schema file"); err != nil {
		return err
	}
	if err := checkSame(ds, "key check value", func(d *encoding.Dataset) string { return d.Meta.KeyCheck },
		"it was encoded with a different secret; every partner must use the shared linkage secret"); err != nil {
		return err
	}
	return checkSame(ds, "filter layout", func(d *encoding.Dataset) string { return layoutString(d.Layout()) },
		"its filter columns differ from the others'")
}

// checkSame reports the partners whose value of what differs from the
// majority value.
func checkSame(ds []*encoding.Dataset, what string, value func(*encoding.Dataset) string, hint string) error {
	count := map[string]int{}
	for _, d := range ds {
		count[value(d)]++
	}
	if len(count) <= 1 {
		return nil
	}
	ref, best := "", -1
	for v, n := range count {
		if n > best || (n == best && v < ref) {
			ref, best = v, n
		}
	}
	var odd []string
	for _, d := range ds {
		if value(d) != ref {
			odd = append(odd, d.Meta.Partner)
		}
	}
	sort.Strings(odd)
	return base.Invalidf("partner %q differs from the others in its %s: %s", odd[0], what, hint)
}

func layoutString(l encoding.Layout) string {
	s := fmt.Sprintf("clk=%d", l.CLKBits)
	for _, f := range l.Fields {
		s += fmt.Sprintf(";%s=%d", f.Name, f.Bits)
	}
	return s
}

// checkIdentifying refuses a dataset in which no record has any
// identifying field: it cannot link to anything, and linking it would
// report every one of its records as a household of its own (the mark of
// an export whose header the schema did not match).
func checkIdentifying(d *encoding.Dataset) error {
	if d.Len() == 0 || len(d.Fields) == 0 {
		return nil
	}
	for _, f := range d.Fields {
		for _, p := range f.Present {
			if p {
				return nil
			}
		}
	}
	return base.Invalidf("partner %q: none of its %d records has any identifying field (every field filter is empty): "+
		"its export's columns were not found, or it was encoded by an swd that did not check; re-encode it", d.Meta.Partner, d.Len())
}
