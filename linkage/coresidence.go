package linkage

import (
	"fmt"

	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/schema"
)

// CoResidenceKeys returns, per dataset, the co-residence evidence of
// each record for cluster.Partner: its phone filter hashed (contact, for
// Partner.CoResidence) and its address filter hashed (place, for
// Partner.CoResidenceAt), 0 where the record lacks the field. A household
// then holds the pair of any phone and any address of its records: two
// households of disjoint partners that are the only ones to hold a pair
// are one (cluster.Build). Identical filters mean identical normalised
// values under the shared secret. It returns nils when the schema has no
// field of kind address or no field of kind phone, or when the files
// carry no schema.
//
// Why a phone number and an address together, measured with ground truth
// on the synth data (medium corruption; docs/linkage.md, section 5): at
// 20,000 households two linked households of disjoint partners that are
// the only ones to share an address were one household 61 times out of
// 798 (the synth city puts a dozen households on some house numbers);
// the same phone number 23 out of 23, but at 400,000 households 372 pairs
// of different households share a number by chance (69 of them in one
// district, 21 at one postcode, none at one address). A phone and an
// address held by the same record joined 15 households at 20,000, all
// right; taken from any records of each household, 18.
func CoResidenceKeys(ds []*encoding.Dataset) (contact, place [][]uint64, err error) {
	if len(ds) == 0 || len(ds[0].Meta.Schema) == 0 {
		return nil, nil, nil
	}
	s, err := schema.Parse(ds[0].Meta.Schema)
	if err != nil {
		return nil, nil, fmt.Errorf("partner %q: the schema in the file's metadata: %w", ds[0].Meta.Partner, err)
	}
	var address, phone string
	for _, f := range s.Fields {
		switch {
		case f.Kind == schema.KindAddress && address == "":
			address = f.Name
		case f.Kind == schema.KindPhone && phone == "":
			phone = f.Name
		}
	}
	if address == "" || phone == "" {
		return nil, nil, nil
	}
	contact, place = make([][]uint64, len(ds)), make([][]uint64, len(ds))
	for k, d := range ds {
		a, p := d.Field(address), d.Field(phone)
		if a == nil || p == nil {
			continue
		}
		contact[k], place[k] = filterKeys(p), filterKeys(a)
	}
	return contact, place, nil
}

// filterKeys hashes each present filter of c (0 where missing).
func filterKeys(c *encoding.FieldColumn) []uint64 {
	keys := make([]uint64, len(c.Present))
	for row, ok := range c.Present {
		if ok {
			keys[row] = filterHash(fnvOffset, c.Filters.At(row))
		}
	}
	return keys
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// filterHash folds the words of a filter into h (FNV-1a over words),
// never returning 0 (which means no key).
func filterHash(h uint64, words []uint64) uint64 {
	for _, w := range words {
		h = (h ^ w) * fnvPrime
	}
	h = (h ^ uint64(len(words))) * fnvPrime
	if h == 0 {
		h = 1
	}
	return h
}
