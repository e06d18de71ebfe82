package encoding

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"math/bits"
	"time"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/internal/codicefiscale"
	"github.com/welfare-district/swd/linkage/schema"
)

// Reject is a row that could not be encoded. It never holds a cell value:
// only the row number, the partner's own record id (which stays at the
// partner, in the rejects file), the column and a reason.
type Reject struct {
	Row int
	// Line is the line of a text file where the row starts, and Char the
	// character at fault; 0 when not known.
	Line     int
	Char     int
	RecordID string
	Column   string
	Reason   string
}

// worker holds the mutable state of one encoding goroutine.
type worker struct {
	e       *Encoder
	b       *Binding
	hashers []*tokenHasher
	vcache  []*valueCache
	hit     []int32  // per field: value-cache entry of this row, or -1
	fclk    []uint64 // one field's CLK contribution
	vals    []value
	toks    tokenBuf
	prefix  []byte // a salted field's salt ‖ 0x1F
	keyMsg  []byte // one blocking key's parts, joined by 0x1F: its MAC input
	hexBuf  []byte // blocking keys of a record, in hex
	keyEnds []int
	salts   []string   // per salted field: this row's salt
	filters [][]uint64 // per field, before hardening
	clk     []uint64   // CLK before hardening
	tmp     []uint64   // hardening scratch
	blkMAC  []*cmac
	blipMAC hash.Hash
	idMAC   hash.Hash
	attrMAC []hash.Hash // per attribute: pseudonym MAC, nil when carried as is
	sum     []byte
	oprf    map[string]string
	idSeeds idSeeds // of the run's duplicate check
}

func (e *Encoder) newWorker(b *Binding) *worker {
	w := &worker{e: e, b: b, vals: make([]value, len(e.plans)),
		clk: make([]uint64, bitvec.WordsFor(e.clkBits)), blipMAC: hmac.New(sha256.New, e.blipKey)}
	maxWords := len(w.clk)
	for _, p := range e.plans {
		w.hashers = append(w.hashers, newTokenHasher(p.key, p.Bits, p.K, e.clkBits, p.CLKK, e.cacheEntries))
		fw, cw := bitvec.WordsFor(p.Bits), len(w.clk)
		if p.salt >= 0 {
			fw, cw = 0, 0 // values only: see normaliseField
		}
		w.vcache = append(w.vcache, newValueCache(fw, cw, e.cacheEntries/2))
		w.filters = append(w.filters, make([]uint64, bitvec.WordsFor(p.Bits)))
		maxWords = max(maxWords, bitvec.WordsFor(p.Bits))
	}
	w.tmp = make([]uint64, 2*maxWords)
	w.hit = make([]int32, len(e.plans))
	w.salts = make([]string, len(e.plans))
	w.fclk = make([]uint64, len(w.clk))
	for _, bp := range e.blocks {
		w.blkMAC = append(w.blkMAC, newCMAC(bp.key))
	}
	if e.pseudoKey != nil {
		w.idMAC = hmac.New(sha256.New, e.pseudoKey)
	}
	w.attrMAC = make([]hash.Hash, len(e.attrKeys))
	for i, k := range e.attrKeys {
		if k != nil {
			w.attrMAC[i] = hmac.New(sha256.New, k)
		}
	}
	return w
}

// encode fills rec (whose Fields, BlockKeys and Attrs have the layout's
// lengths, and whose filters point into words) and t from one row. It
// returns the partner's record id and, for a row that cannot be encoded, a
// Reject.
func (w *worker) encode(row []string, rowNum int, rec *Record, words []uint64, t *tally) (string, *Reject) {
	e, b := w.e, w.b
	if len(row) < b.needCols {
		return "", &Reject{Row: rowNum, Reason: fmt.Sprintf("the row has %d columns, fewer than the header", len(row))}
	}
	id := w.e.cell(row, b.idCol)
	if id == "" {
		return "", &Reject{Row: rowNum, Column: e.schema.IDColumn, Reason: "record id missing"}
	}
	// Salted fields last: the salt comes from another field's normalised
	// value.
	for _, i := range e.order {
		w.normaliseField(i, row)
	}
	for i := range e.plans {
		p := &e.plans[i]
		if p.Required && w.vals[i].st != stPresent {
			reason := "required value missing"
			if w.vals[i].st == stInvalid {
				reason = p.invalidReason()
			}
			return id, &Reject{Row: rowNum, RecordID: id, Column: p.Columns[0], Reason: reason}
		}
	}
	w.tally(t)
	clear(words)
	clear(w.clk)
	off := bitvec.WordsFor(e.clkOutBits)
	for i := range e.plans {
		p := &e.plans[i]
		n := bitvec.WordsFor(p.outBits)
		if w.vals[i].st != stPresent {
			rec.Fields[i] = nil
			off += n
			continue
		}
		filter := w.filters[i]
		if h := w.hit[i]; h >= 0 {
			filter = w.vcache[i].filter(h)
			orInto(w.clk, w.vcache[i].clk(h))
		} else {
			w.hashField(i)
			orInto(w.clk, w.fclk)
		}
		dst := words[off : off+n : off+n]
		w.harden(dst, filter, p.Hardening, id, p.Name)
		rec.Fields[i] = dst
		off += n
	}
	rec.CLK = words[:bitvec.WordsFor(e.clkOutBits):bitvec.WordsFor(e.clkOutBits)]
	w.harden(rec.CLK, w.clk, e.schema.CLK.Hardening, id, "\x00clk")
	w.blockKeys(rec)
	for i, c := range b.attrs {
		rec.Attrs[i] = w.e.cell(row, c)
		if w.attrMAC[i] != nil && rec.Attrs[i] != "" {
			rec.Attrs[i] = w.keyedPseudonym(w.attrMAC[i], rec.Attrs[i])
		}
	}
	rec.RecordID = id
	if w.idMAC != nil {
		rec.RecordID = w.pseudonym(id)
	}
	return id, nil
}

// normaliseField sets w.vals[i] (and, for salted fields, w.salts[i]) from
// the row, and w.hit[i] to its value-cache entry, filling the entry on a
// miss. Salt fields must be done before the fields they salt. The cache of
// a salted field holds only normalised values: its filter depends on the
// salt too (the year of birth, say), so encode hashes its tokens every
// time. A (salt, value) cache hit 72–77% of (year, name) pairs on 900k
// synth rows but saved no cycle: fetching 24 words from a table of
// megabytes costs what rehashing eight bigrams does (docs/encoding.md).
func (w *worker) normaliseField(i int, row []string) {
	p := &w.e.plans[i]
	raw := w.e.raw(w.b.fields[i], row)
	w.hit[i] = -1
	if p.salt >= 0 {
		w.salts[i] = saltOf(&w.e.plans[p.salt], &w.vals[p.salt], p.SaltPart)
	}
	if raw == "" {
		w.vals[i] = value{}
		return
	}
	vc := w.vcache[i]
	if h := vc.get(raw); h >= 0 {
		w.vals[i] = vc.vals[h]
		if p.salt < 0 {
			w.hit[i] = h
		}
		return
	}
	w.vals[i] = p.normalise(raw)
	if p.OPRF && w.vals[i].st == stPresent {
		w.vals[i].oprf = w.oprf[w.vals[i].norm]
		if w.vals[i].oprf == "" {
			panic("encoding: a value of an oprf field has no keyserver pseudonym")
		}
	}
	if w.vals[i].st != stPresent || vc.off {
		return
	}
	if p.salt >= 0 {
		vc.put(raw, w.vals[i], nil, nil)
		return
	}
	w.hashField(i)
	w.hit[i] = vc.put(raw, w.vals[i], w.filters[i], w.fclk)
}

func orInto(dst, src []uint64) {
	for i, v := range src[:len(dst)] {
		dst[i] |= v
	}
}

// hashField computes field i's filter (w.filters[i]) and its contribution
// to the CLK (w.fclk) from its tokens.
func (w *worker) hashField(i int) {
	p := &w.e.plans[i]
	f := w.filters[i]
	clear(f)
	clear(w.fclk)
	var prefix []byte
	if p.salt >= 0 {
		prefix = append(append(w.prefix[:0], w.salts[i]...), 0x1f)
		w.prefix = prefix
	}
	t := &w.toks
	t.reset()
	p.appendTokens(t, prefix, &w.vals[i])
	w.hashers[i].setTokens(t, f, w.fclk)
	if p.clkPerm != nil {
		permuteBits(w.fclk, w.tmp[:len(w.fclk)], p.clkPerm)
	}
}

// permuteBits moves bit b of v to bit perm[b], using tmp (as long as v)
// as scratch.
func permuteBits(v, tmp []uint64, perm []uint32) {
	clear(tmp)
	for wi, word := range v {
		for word != 0 {
			b := wi<<6 | bits.TrailingZeros64(word)
			word &= word - 1
			q := perm[b]
			tmp[q>>6] |= 1 << (q & 63)
		}
	}
	copy(v, tmp)
}

// harden writes src, hardened as h says, into dst. BLIP noise is seeded by
// a MAC of the partner, the record id and the filter's name, so re-encoding
// the same export gives the same output.
func (w *worker) harden(dst, src []uint64, h schema.Hardening, id, name string) {
	a := src
	if h.Balance {
		n := len(src)
		t := w.tmp[:2*n]
		copy(t, src)
		for i, v := range src {
			t[n+i] = ^v
		}
		a = t
	}
	if h.XORFold {
		half := len(a) / 2
		for i := 0; i < half; i++ {
			dst[i] = a[i] ^ a[half+i]
		}
	} else {
		copy(dst, a)
	}
	if h.BLIP > 0 {
		m := w.blipMAC
		m.Reset()
		m.Write([]byte(w.e.partner))
		m.Write([]byte{0})
		m.Write([]byte(id))
		m.Write([]byte{0})
		m.Write([]byte(name))
		w.sum = m.Sum(w.sum[:0])
		blip(dst, h.BLIP, w.sum)
	}
}

// blip flips each bit of v with probability f (randomised response), with
// integer thresholds so the result is the same on every platform.
func blip(v []uint64, f float64, seed []byte) {
	rng := newXoshiro(seed)
	thr := uint64(f * (1 << 63) * 2)
	for i := range v {
		var flip uint64
		for b := 0; b < 64; b++ {
			if rng.next() < thr {
				flip |= 1 << b
			}
		}
		v[i] ^= flip
	}
}

// blockKeys sets the record's blocking keys: the hex of the truncated MAC
// of each key's parts joined by 0x1F, "" when a part is missing. The keys
// of a record share one string allocation.
func (w *worker) blockKeys(rec *Record) {
	buf, hx := w.keyMsg, w.hexBuf[:0]
	ends := w.keyEnds[:0]
	for k, bp := range w.e.blocks {
		buf = buf[:0]
		ok := true
		for j, part := range bp.parts {
			if j > 0 {
				buf = append(buf, 0x1f)
			}
			if buf, ok = appendBlockPart(buf, part, &w.vals[bp.fields[j]]); !ok {
				break
			}
		}
		if ok {
			hx = hex.AppendEncode(hx, w.blkMAC[k].sum(buf)[:bp.Bytes])
		}
		ends = append(ends, len(hx))
	}
	all, start := string(hx), 0
	for k, end := range ends {
		rec.BlockKeys[k] = all[start:end]
		start = end
	}
	w.keyMsg, w.hexBuf, w.keyEnds = buf, hx, ends
}

func (w *worker) pseudonym(id string) string { return w.keyedPseudonym(w.idMAC, id) }

// keyedPseudonym is the hex of the first 16 bytes of m(partner ‖ 0 ‖ v).
func (w *worker) keyedPseudonym(m hash.Hash, id string) string {
	m.Reset()
	m.Write([]byte(w.e.partner))
	m.Write([]byte{0})
	m.Write([]byte(id))
	w.sum = m.Sum(w.sum[:0])
	return hex.EncodeToString(w.sum[:16])
}

// tally records the state of the row's values in t, for the statistics,
// and checks fiscal codes against sex and birth date.
func (w *worker) tally(t *tally) {
	for i := range w.vals {
		t.states[i] = w.vals[i].st
	}
	t.cfInvalid, t.cfInconsistent = 0, 0
	for _, ci := range w.e.cfFields {
		v := &w.vals[ci]
		switch v.st {
		case stInvalid:
			t.cfInvalid++
		case stPresent:
			if !w.cfConsistent(v.norm) {
				t.cfInconsistent++
			}
		}
	}
}

func (w *worker) cfConsistent(cf string) bool {
	sx, dt := w.e.sexField, w.e.dateField
	if sx < 0 || dt < 0 || w.vals[sx].st != stPresent || w.vals[dt].st != stPresent {
		return true // nothing to compare with
	}
	info, err := codicefiscale.Decode(cf)
	if err != nil {
		return false
	}
	d := w.vals[dt].date
	return info.Consistent(w.vals[sx].norm == "F", time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC))
}
