package encoding

import (
	"strings"
	"unicode/utf8"

	"github.com/welfare-district/swd/linkage/normalize"
	"github.com/welfare-district/swd/linkage/schema"
)

// tokenBuf holds the tokens of one value back to back, each token after
// prefix (a salted field's salt ‖ 0x1F, or nothing), so that a token is
// hashed straight from the buffer: no string per token, no copy per token.
type tokenBuf struct {
	buf    []byte
	starts []int // token i is buf[starts[i]:ends[i]], prefix included
	ends   []int
	runes  []int    // scratch: rune offsets for non-ASCII q-grams
	pad    []byte   // scratch: the padded value
	parts  []string // scratch: date-part tokens
}

func (t *tokenBuf) reset() {
	t.buf, t.starts, t.ends = t.buf[:0], t.starts[:0], t.ends[:0]
}

func (t *tokenBuf) len() int { return len(t.ends) }

func (t *tokenBuf) token(i int) []byte { return t.buf[t.starts[i]:t.ends[i]] }

// begin starts a token with the prefix; end closes it.
func (t *tokenBuf) begin(prefix []byte) {
	t.starts = append(t.starts, len(t.buf))
	t.buf = append(t.buf, prefix...)
}

func (t *tokenBuf) end() { t.ends = append(t.ends, len(t.buf)) }

func (t *tokenBuf) add(prefix []byte, s ...string) {
	t.begin(prefix)
	for _, x := range s {
		t.buf = append(t.buf, x...)
	}
	t.end()
}

// appendTokens puts the tokens of a present value into t, each after
// prefix. Token types live in separate namespaces: q-grams are bare,
// whole-value tokens start with "=", name parts with "p:", date parts
// (normalize.Date.AppendTokens) with "y:", "m:", "d:", "dm:".
// TestTokenBufMatchesTokens checks them against a tokeniser on strings.
func (p *fieldPlan) appendTokens(t *tokenBuf, prefix []byte, v *value) {
	tk := p.Tokens
	if p.Kind == schema.KindDate {
		if tk.Parts {
			t.parts = v.date.AppendTokens(t.parts[:0], tk.Swap)
			for _, part := range t.parts {
				t.add(prefix, part)
			}
		}
		if tk.Exact {
			t.add(prefix, "=", v.norm)
		}
		t.qgrams(prefix, v.norm, tk.Q, tk.Padding)
		return
	}
	s := v.norm
	if v.oprf != "" {
		s = v.oprf
	}
	if p.Kind == schema.KindName {
		s = normalize.Collapse(s)
		if tk.Parts && strings.IndexByte(v.norm, ' ') >= 0 {
			for part := range strings.FieldsSeq(v.norm) {
				t.add(prefix, "p:", part)
			}
		}
	}
	if tk.Exact {
		t.add(prefix, "=", s)
	}
	t.qgrams(prefix, s, tk.Q, tk.Padding)
}

// qgrams adds the q-grams of s as normalize.AppendQGrams defines them.
func (t *tokenBuf) qgrams(prefix []byte, s string, q int, pad bool) {
	if q <= 0 || s == "" {
		return
	}
	b := append(t.pad[:0], s...)
	if pad && q > 1 {
		b = b[:0]
		for range q - 1 {
			b = append(b, normalize.PadChar)
		}
		b = append(b, s...)
		for range q - 1 {
			b = append(b, normalize.PadChar)
		}
	}
	t.pad = b
	if ascii(b) {
		if len(b) <= q {
			t.begin(prefix)
			t.buf = append(t.buf, b...)
			t.end()
			return
		}
		for i := 0; i+q <= len(b); i++ {
			t.begin(prefix)
			t.buf = append(t.buf, b[i:i+q]...)
			t.end()
		}
		return
	}
	r := t.runes[:0]
	for i := 0; i < len(b); {
		r = append(r, i)
		_, w := utf8.DecodeRune(b[i:])
		i += w
	}
	t.runes = r
	n := len(r)
	if n <= q {
		t.begin(prefix)
		t.buf = append(t.buf, b...)
		t.end()
		return
	}
	r = append(r, len(b))
	t.runes = r
	for i := 0; i+q <= n; i++ {
		t.begin(prefix)
		t.buf = append(t.buf, b[r[i]:r[i+q]]...)
		t.end()
	}
}

func ascii(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
