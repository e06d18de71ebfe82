package audit

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/normalize"
	"github.com/welfare-district/swd/linkage/schema"
)

// Input is what the attacks work on: what the linkage unit holds (the
// encoded file and its schema, which travels in the file's metadata), the
// attacker's public reference for each attacked field, and the true values,
// used only to score.
type Input struct {
	Data   *encoding.Dataset
	Schema *schema.Schema
	// Targets are the attacked fields: a record counts as re-identified
	// when an attack recovers the true value of one of them.
	Targets []Target
}

// Target is one attacked field.
type Target struct {
	Field *schema.Field
	// Public is the attacker's reference: normalised values with their
	// frequencies (a name register, a street list, another data set).
	Public []NameCount
	// Truth is the true normalised value of each record ("" = unknown: not
	// scored). It is read only by scoring, never by an attack.
	Truth []string
}

// Validate checks that the input is complete and consistent.
func (in *Input) Validate() error {
	if in.Data == nil || in.Schema == nil {
		return errors.New("audit: no dataset or schema")
	}
	if len(in.Targets) == 0 {
		return errors.New("audit: no field to attack")
	}
	for _, t := range in.Targets {
		if t.Field == nil || in.Data.Field(t.Field.Name) == nil {
			return errors.New("audit: a target field has no filter column in the file")
		}
		if len(t.Truth) != in.Data.Len() {
			return fmt.Errorf("audit: field %s: truth has %d values for %d records", t.Field.Name, len(t.Truth), in.Data.Len())
		}
		if len(t.Public) == 0 {
			return fmt.Errorf("audit: field %s: the public reference is empty", t.Field.Name)
		}
	}
	return nil
}

func (t *Target) column(ds *encoding.Dataset) *encoding.FieldColumn { return ds.Field(t.Field.Name) }

// AttackResult is the outcome of one attack.
type AttackResult struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Records is the number of records the attack was scored on: the whole
	// file, or the sample for sampled attacks.
	Records int `json:"records"`
	// Reidentified is the share of Records for which the attack recovered
	// the true value of at least one target field.
	Reidentified float64 `json:"reidentified"`
	// ReidentifiedRecords is that number of records.
	ReidentifiedRecords int `json:"reidentified_records"`
	// AllFields is the share of Records with every present target field
	// recovered (given name and surname, say).
	AllFields float64 `json:"all_fields"`
	// Guessed is the share of Records given a guess for some target, and
	// Precision the share of all guesses (per field) that are right: an
	// attacker does not know which of its guesses are, so a low precision
	// makes a re-identification worth less.
	Guessed   float64       `json:"guessed"`
	Precision float64       `json:"precision"`
	Fields    []FieldResult `json:"fields"`
	// Partitions is the number of groups the attack ran in (salt cohorts
	// for salted fields; 1 otherwise).
	Partitions int      `json:"partitions,omitempty"`
	Notes      []string `json:"notes,omitempty"`
	// Details are the frequency attack's per-field stages (Attack).
	Details []Result `json:"-"`

	// Hits[i] says whether record i was re-identified (nil for sampled
	// attacks: see Sampled).
	Hits []bool `json:"-"`
	// Sampled[i] says whether record i was in the sample (nil: all).
	Sampled []bool `json:"-"`
}

// FieldResult is an attack's outcome on one target field.
type FieldResult struct {
	Field        string  `json:"field"`
	Column       string  `json:"column"`   // the attacked encodings: f_<field> or clk
	Attacked     int     `json:"attacked"` // scored records with a value
	Guessed      int     `json:"guessed"`  // of which the attack guessed a value
	Reidentified int     `json:"reidentified"`
	Rate         float64 `json:"rate"` // Reidentified / Attacked
}

// score turns per-record guesses (guesses[t][i], "" = no guess; nil = the
// target was not attacked) into a result. sampled == nil scores every
// record.
func score(name, desc string, in *Input, guess [][]string, columns []string, sampled []bool) AttackResult {
	n := in.Data.Len()
	res := AttackResult{Name: name, Description: desc, Hits: make([]bool, n), Sampled: sampled}
	all := make([]int, n) // targets recovered
	want := make([]int, n)
	guessed := make([]bool, n)
	guesses, right := 0, 0
	for ti, t := range in.Targets {
		if guess[ti] == nil {
			continue
		}
		fr := FieldResult{Field: t.Field.Name, Column: columns[ti]}
		for i := 0; i < n; i++ {
			if sampled != nil && !sampled[i] || t.Truth[i] == "" {
				continue
			}
			fr.Attacked++
			want[i]++
			g := guess[ti][i]
			if g != "" {
				fr.Guessed++
				guessed[i] = true
			}
			if g != "" && g == t.Truth[i] {
				fr.Reidentified++
				res.Hits[i] = true
				all[i]++
			}
		}
		if fr.Attacked > 0 {
			fr.Rate = float64(fr.Reidentified) / float64(fr.Attacked)
		}
		guesses += fr.Guessed
		right += fr.Reidentified
		res.Fields = append(res.Fields, fr)
	}
	allHit, anyGuess := 0, 0
	for i := 0; i < n; i++ {
		if sampled != nil && !sampled[i] {
			continue
		}
		res.Records++
		if guessed[i] {
			anyGuess++
		}
		if res.Hits[i] {
			res.ReidentifiedRecords++
		}
		if want[i] > 0 && all[i] == want[i] {
			allHit++
		}
	}
	if res.Records > 0 {
		res.Reidentified = float64(res.ReidentifiedRecords) / float64(res.Records)
		res.AllFields = float64(allHit) / float64(res.Records)
		res.Guessed = float64(anyGuess) / float64(res.Records)
	}
	if guesses > 0 {
		res.Precision = float64(right) / float64(guesses)
	}
	return res
}

// tokensOf returns the distinct tokens the encoder derives from a
// normalised value of field f (q-grams, whole value, name parts), sorted:
// the attacker knows the schema, so it can tokenise its public values as
// the encoder does (without the key, it cannot hash them).
func tokensOf(f *schema.Field, norm string) []string {
	tk := f.Tokens
	s := norm
	var out []string
	if f.Kind == schema.KindName {
		s = normalize.Collapse(norm)
		if tk.Parts && strings.IndexByte(norm, ' ') >= 0 {
			for _, p := range strings.Fields(norm) {
				out = append(out, "p:"+p)
			}
		}
	}
	if tk.Exact {
		out = append(out, "="+s)
	}
	if tk.Q > 0 {
		out = normalize.AppendQGrams(out, s, tk.Q, tk.Padding)
	}
	sort.Strings(out)
	u := out[:0]
	for i, x := range out {
		if i == 0 || x != out[i-1] {
			u = append(u, x)
		}
	}
	return u
}

// estimateItems estimates how many distinct tokens set ones of the bits bits
// of a Bloom filter with k positions per token (Swamidass and Baldi):
// n = ln(1 - ones/bits) / (k ln(1 - 1/bits)).
func estimateItems(ones, bits, k int) float64 {
	if k <= 0 || bits <= 0 {
		return 0
	}
	if ones >= bits {
		ones = bits - 1
	}
	return math.Log(1-float64(ones)/float64(bits)) / (float64(k) * math.Log(1-1/float64(bits)))
}

// denoise undoes, in expectation, the bits BLIP with flip probability f
// sets or clears in a filter of bits bits with ones ones: the attacker
// knows f from the schema.
func denoise(ones, bits int, f float64) int {
	if f <= 0 || f >= 0.5 {
		return ones
	}
	x := (float64(ones) - f*float64(bits)) / (1 - 2*f)
	return max(0, min(bits, int(math.Round(x))))
}

// subArena copies the filters of records idx (first words words of each)
// into a new arena.
func subArena(a bitvec.Arena, idx []int, words int) bitvec.Arena {
	out := bitvec.Arena{Words: words, Data: make([]uint64, 0, len(idx)*words)}
	for _, i := range idx {
		out.Data = append(out.Data, a.At(i)[:words]...)
	}
	return out
}

// attackWords is the part of a field's filters an attack reads: the first
// half of a balanced filter (the second is its complement), all of it
// otherwise.
func attackWords(f *schema.Field, col *encoding.FieldColumn) int {
	w := col.Filters.Words
	if f.Hardening.Balance && !f.Hardening.XORFold {
		w /= 2
	}
	return w
}
