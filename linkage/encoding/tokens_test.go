package encoding

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/welfare-district/swd/linkage/normalize"
	"github.com/welfare-district/swd/linkage/schema"
)

// refTokens is the reference tokeniser that appendTokens must match: it
// appends the tokens of a present value as strings. Token types live in
// separate namespaces: q-grams are bare, whole-value tokens start with "=",
// name parts with "p:", date parts with "y:", "m:", "d:", "dm:".
func (p *fieldPlan) refTokens(dst []string, v *value) []string {
	t := p.Tokens
	if p.Kind == schema.KindDate {
		if t.Parts {
			dst = v.date.AppendTokens(dst, t.Swap)
		}
		if t.Exact {
			dst = append(dst, "="+v.norm)
		}
		return normalize.AppendQGrams(dst, v.norm, t.Q, t.Padding)
	}
	s := v.norm
	if v.oprf != "" {
		s = v.oprf
	}
	if p.Kind == schema.KindName {
		s = normalize.Collapse(s)
		if t.Parts && strings.IndexByte(v.norm, ' ') >= 0 {
			for _, part := range strings.Fields(v.norm) {
				dst = append(dst, "p:"+part)
			}
		}
	}
	if t.Exact {
		dst = append(dst, "="+s)
	}
	return normalize.AppendQGrams(dst, s, t.Q, t.Padding)
}

// TestTokenBufMatchesTokens checks the byte tokeniser against the string
// reference on every field kind, with and without a salt prefix, for
// several token options (q 1–3, padding, exact, parts, swap) and values
// with accents, blanks and invalid UTF-8.
func TestTokenBufMatchesTokens(t *testing.T) {
	variants := []string{
		"{q: 2, padding: true}",
		"{q: 3, padding: false, exact: true, parts: true}",
		"{q: 1, padding: true, exact: true, parts: true, swap: true}",
		"{q: 4, padding: true, parts: true, swap: false}",
		"{q: 0, exact: true, parts: true, swap: true}",
	}
	raws := append(randomRows(300, 5), sampleRows()...)
	raws = append(raws, strings.Split("Niccolò,D'Angelo,Maria  Grazia,Ñ,É,\xff\xfeAB,A,AB,Çà va,1985-12-10,10/12/1985,1985,  ,Via Roma 12,+39 049 1234567,RSSMRA85T10A562S,F", ","))
	for vi, toks := range variants {
		noSwap := strings.NewReplacer(", swap: true", "", ", swap: false", "").Replace(toks)
		y := strings.ReplaceAll(testSchema, "column: nome}", "column: nome, tokens: "+noSwap+"}")
		y = strings.ReplaceAll(y, "column: data_nascita}", "column: data_nascita, tokens: "+toks+"}")
		y = strings.ReplaceAll(y, "column: indirizzo}", "column: indirizzo, tokens: "+noSwap+"}")
		e := newTestEncoder(t, y, testSecret(1))
		for pi := range e.plans {
			p := &e.plans[pi]
			t.Run(fmt.Sprintf("%d/%s", vi, p.Name), func(t *testing.T) {
				var tb tokenBuf
				n := 0
				for _, row := range raws {
					for _, raw := range row {
						v := p.normalise(raw)
						if v.st != stPresent {
							continue
						}
						for _, prefix := range []string{"", "1985\x1f"} {
							want := p.refTokens(nil, &v)
							for i := range want {
								want[i] = prefix + want[i]
							}
							tb.reset()
							p.appendTokens(&tb, []byte(prefix), &v)
							got := make([]string, tb.len())
							for i := range got {
								got[i] = string(tb.token(i))
							}
							if !slices.Equal(got, want) {
								t.Fatalf("value %d: tokens differ (%d vs %d)", n, len(got), len(want))
							}
							n++
						}
					}
				}
				if n == 0 {
					t.Fatal("no present value")
				}
			})
		}
	}
}
