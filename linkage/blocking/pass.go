package blocking

import (
	"hash/fnv"
	"math/rand/v2"
	"strings"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/encoding"
)

// Pass is one blocking criterion. It splits into one or more sub-passes
// (LSH bands), each of which gives every record a key or none.
type Pass interface {
	// Name identifies the pass in statistics.
	Name() string
	// keys returns, for each sub-pass, one key per record of d; records
	// without a key are marked false in the validity slice (nil = all valid).
	keys(d *encoding.Dataset) ([]subKeys, error)
}

type subKeys struct {
	keys  []uint64
	valid []bool
}

// LSH is Hamming locality-sensitive hashing by bit sampling on the CLKs
// (or, with Fields, on the concatenation of some per-field filters):
// Bands bands of BitsPerBand bit positions chosen by a PRNG seeded with
// Seed; two records fall in the same block of a band when they agree on all
// its sampled bits. A pair whose filters agree on a fraction s of the bits
// is found with probability about 1-(1-s^BitsPerBand)^Bands.
//
// Fields lets a pass ignore fields that legitimately change between
// sources (an address after a move): an LSH pass on the name and birth
// filters finds pairs whose CLKs differ a lot because of the address.
// Records missing all of the Fields get no key.
type LSH struct {
	Bands       int
	BitsPerBand int // 1..64
	Seed        uint64
	Fields      []string // per-field filters to sample; nil = the CLK
}

// Name implements Pass.
func (l LSH) Name() string {
	if len(l.Fields) == 0 {
		return "lsh"
	}
	return "lsh:" + strings.Join(l.Fields, "+")
}

// Validate reports a usage error for an impossible configuration.
func (l LSH) Validate(bits int) error {
	switch {
	case l.Bands < 1:
		return base.Usagef("blocking: LSH needs at least one band")
	case l.BitsPerBand < 1 || l.BitsPerBand > 64 || l.BitsPerBand > bits:
		return base.Usagef("blocking: LSH bits per band %d, want 1..%d", l.BitsPerBand, min(64, bits))
	}
	return nil
}

// Positions returns the sampled bit positions of every band (distinct
// within a band) for filters of bits bits: deterministic in Seed.
func (l LSH) Positions(bits int) [][]int {
	r := rand.New(rand.NewPCG(l.Seed, 0x15b))
	out := make([][]int, l.Bands)
	for b := range out {
		out[b] = r.Perm(bits)[:l.BitsPerBand]
	}
	return out
}

func (l LSH) keys(d *encoding.Dataset) ([]subKeys, error) {
	bk, err := l.bandKeys(d)
	if err != nil {
		return nil, err
	}
	out := make([]subKeys, bk.bands)
	for b := range out {
		out[b] = bk.at(b)
	}
	return out, nil
}

// bandKeys computes the keys of one band at a time (each call returns a
// new slice).
func (l LSH) bandKeys(d *encoding.Dataset) (bandKeys, error) {
	a, valid := d.CLK, []bool(nil)
	if len(l.Fields) > 0 {
		var err error
		if a, valid, err = l.fieldArena(d); err != nil {
			return bandKeys{}, err
		}
	} else if err := l.Validate(64 * d.CLK.Words); err != nil {
		return bandKeys{}, err
	}
	pos := l.Positions(64 * a.Words)
	return bandKeys{bands: len(pos), at: func(b int) subKeys {
		return subKeys{keys: bandKey(a, pos[b]), valid: valid}
	}}, nil
}

// fieldArena is the concatenation of the named field filters of every
// record, and whether a record has any of them.
func (l LSH) fieldArena(d *encoding.Dataset) (bitvec.Arena, []bool, error) {
	cols := make([]*encoding.FieldColumn, len(l.Fields))
	words := 0
	for k, name := range l.Fields {
		if cols[k] = d.Field(name); cols[k] == nil {
			return bitvec.Arena{}, nil, base.Usagef("blocking: no field filter %q in the encoded data", name)
		}
		words += cols[k].Filters.Words
	}
	if err := l.Validate(64 * words); err != nil {
		return bitvec.Arena{}, nil, err
	}
	n := d.Len()
	cat := bitvec.Arena{Words: words, Data: make([]uint64, 0, n*words)}
	valid := make([]bool, n)
	for i := range n {
		for _, c := range cols {
			cat.Data = append(cat.Data, c.Filters.At(i)...)
			valid[i] = valid[i] || c.Present[i]
		}
	}
	return cat, valid, nil
}

// bandKey packs each filter's bits at positions ps into a key.
func bandKey(a bitvec.Arena, ps []int) []uint64 {
	n := a.Len()
	keys := make([]uint64, n)
	for i := range n {
		v := a.At(i)
		var k uint64
		for _, p := range ps {
			k = k<<1 | v[p>>6]>>(p&63)&1
		}
		keys[i] = k
	}
	return keys
}

// Key is exact blocking on a keyed blocking-key column of the encoded files
// (encoding.Dataset.BlockKeys): records with the same non-empty value are
// in one block. The values are already keyed hashes, never plain text.
type Key struct {
	Column string
}

// Name implements Pass.
func (k Key) Name() string { return "key:" + k.Column }

func (k Key) keys(d *encoding.Dataset) ([]subKeys, error) {
	for _, c := range d.BlockKeys {
		if c.Name != k.Column {
			continue
		}
		keys := make([]uint64, len(c.Values))
		valid := make([]bool, len(c.Values))
		for i, v := range c.Values {
			if v == "" {
				continue
			}
			h := fnv.New64a()
			h.Write([]byte(v))
			keys[i], valid[i] = h.Sum64(), true
		}
		return []subKeys{{keys: keys, valid: valid}}, nil
	}
	return nil, base.Usagef("blocking: no blocking-key column %q in the encoded data", k.Column)
}
