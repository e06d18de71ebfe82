package encoding

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/internal/codicefiscale"
	"github.com/welfare-district/swd/linkage/normalize"
	"github.com/welfare-district/swd/linkage/schema"
)

// testSchema allows any share of missing values (max_missing: 1): the
// tests of the missing-share check use their own schema.
const testSchema = `
partner: test
id_column: record_id
fields:
  - {name: fiscal_code, kind: fiscal_code, max_missing: 1, column: codice_fiscale}
  - {name: given_name, kind: name, max_missing: 1, column: nome}
  - {name: surname, kind: name, max_missing: 1, column: cognome}
  - {name: sex, kind: sex, max_missing: 1, column: sesso}
  - {name: birth_date, kind: date, max_missing: 1, column: data_nascita}
  - {name: address, kind: address, max_missing: 1, column: indirizzo}
  - {name: postcode, kind: postcode, max_missing: 1, column: cap, normalize: {length: 5}}
  - {name: phone, kind: phone, max_missing: 1, column: telefono}
blocking:
  - {name: sx_year, parts: [soundex(surname), year(birth_date)]}
  - {name: cf, parts: [value(fiscal_code)]}
attributes:
  - {name: district, column: quartiere}
  - {name: household, column: nucleo_id}
`

var testHeader = strings.Split("record_id,nucleo_id,codice_fiscale,nome,cognome,sesso,data_nascita,comune_nascita,indirizzo,cap,telefono,quartiere,bisogni", ",")

func testSecret(b byte) Secret {
	var s Secret
	for i := range s {
		s[i] = b + byte(i)
	}
	return s
}

func newTestEncoder(t testing.TB, y string, secret Secret, opts ...Option) *Encoder {
	t.Helper()
	s, err := schema.Parse([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(s, secret, "", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// row builds a synth-contract row.
func row(id, cf, nome, cognome, sesso, nascita, indirizzo, cap, tel string) []string {
	return []string{id, "H" + id, cf, nome, cognome, sesso, nascita, "PADOVA", indirizzo, cap, tel, "3", "A01;B02"}
}

func sampleRows() [][]string {
	return [][]string{
		row("1", "RSSMRA85T10A562S", "Mario", "Rossi", "M", "10/12/1985", "Via Roma 12", "35121", "+39 347 1234567"),
		row("2", "", "Maria Grazia", "D'Angelo", "F", "1990-01-02", "P.zza Garibaldi 3", "6100", ""),
		row("3", "", "Mohamed", "Ben Ali", "1", "02.03.1979", "", "", "049 8765432"),
		row("4", "RSSMRA85T10A562T", "Nicolò", "De Luca", "maschio", "31-12-2001", "Corso Milano 5", "35100", ""),
	}
}

func encodeAll(t testing.TB, e *Encoder, rows [][]string) (*Dataset, []Reject, Stats) {
	t.Helper()
	d, rej, st, err := e.EncodeDataset(context.Background(), testHeader, rows)
	if err != nil {
		t.Fatal(err)
	}
	return d, rej, st
}

func randomRows(n int, seed uint64) [][]string {
	r := rand.New(rand.NewPCG(seed, 1))
	names := []string{"Mario", "Maria", "Giuseppe", "Anna", "Luca", "Giulia", "Mohamed", "Fatima", "Maria Grazia", "Nicolò", "Francesca", "Ahmed", "Olena", "Paolo"}
	surnames := []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "D'Angelo", "De Luca", "Lo Presti", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno"}
	streets := []string{"Via Roma", "Via Dante", "Piazza Garibaldi", "Corso Milano", "Via Venezia"}
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = row(fmt.Sprint(i+1), "", names[r.IntN(len(names))], surnames[r.IntN(len(surnames))],
			[]string{"M", "F"}[r.IntN(2)], fmt.Sprintf("%02d/%02d/%d", 1+r.IntN(28), 1+r.IntN(12), 1930+r.IntN(80)),
			fmt.Sprintf("%s %d", streets[r.IntN(len(streets))], 1+r.IntN(200)), fmt.Sprintf("351%02d", r.IntN(40)),
			fmt.Sprintf("34%08d", r.IntN(100000000)))
	}
	return rows
}

func datasetsEqual(a, b *Dataset) bool {
	if a.Len() != b.Len() || !slicesEqual(a.CLK.Data, b.CLK.Data) {
		return false
	}
	for i := range a.Fields {
		if !slicesEqual(a.Fields[i].Filters.Data, b.Fields[i].Filters.Data) {
			return false
		}
	}
	for i := range a.BlockKeys {
		if strings.Join(a.BlockKeys[i].Values, ",") != strings.Join(b.BlockKeys[i].Values, ",") {
			return false
		}
	}
	return strings.Join(a.RecordIDs, ",") == strings.Join(b.RecordIDs, ",")
}

func slicesEqual(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDeterministic(t *testing.T) {
	rows := randomRows(800, 1)
	// salted: the names are salted with a field that comes after them, as
	// in the synth schema, so they are normalised after it and their value
	// cache holds values only, their filters being hashed on every row.
	salted := strings.Replace(testSchema, "column: cognome}", "column: cognome, salt: year(birth_date)}", 1)
	salted = strings.Replace(salted, "column: nome}", "column: nome, salt: birth_date}", 1)
	for sname, y := range map[string]string{"plain": testSchema, "salted": salted} {
		ref, _, _ := encodeAll(t, newTestEncoder(t, y, testSecret(1), WithCacheEntries(0)), rows)
		variants := map[string][]Option{
			"default":          nil,
			"4 workers":        {WithWorkers(4), WithBatchSize(7)},
			"no cache":         {WithCacheEntries(0)},
			"tiny cache":       {WithCacheEntries(3), WithWorkers(2)},
			"batch of one row": {WithBatchSize(1), WithWorkers(3)},
		}
		for name, opts := range variants {
			t.Run(sname+"/"+name, func(t *testing.T) {
				d, _, _ := encodeAll(t, newTestEncoder(t, y, testSecret(1), opts...), rows)
				if !datasetsEqual(ref, d) {
					t.Error("encodings differ")
				}
			})
		}
	}
}

func TestOrderPreserved(t *testing.T) {
	rows := randomRows(1000, 2)
	d, _, _ := encodeAll(t, newTestEncoder(t, testSchema, testSecret(1), WithWorkers(4), WithBatchSize(13)), rows)
	for i, id := range d.RecordIDs {
		if id != rows[i][0] {
			t.Fatalf("record %d has id %s, want %s", i, id, rows[i][0])
		}
	}
}

func dice(a, b []uint64) float64 {
	var ab, na, nb int
	for i := range a {
		ab += bits.OnesCount64(a[i] & b[i])
		na += bits.OnesCount64(a[i])
		nb += bits.OnesCount64(b[i])
	}
	if na+nb == 0 {
		return 0
	}
	return 2 * float64(ab) / float64(na+nb)
}

func pearson(x, y []float64) float64 {
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

// mutate applies a few random edits, so pairs span the whole similarity range.
func mutate(r *rand.Rand, s string) string {
	b := []byte(s)
	for e := r.IntN(4); e > 0 && len(b) > 1; e-- {
		i := r.IntN(len(b))
		switch r.IntN(3) {
		case 0:
			b[i] = byte('A' + r.IntN(26))
		case 1:
			b = append(b[:i], b[i+1:]...)
		default:
			b = append(b[:i], append([]byte{byte('A' + r.IntN(26))}, b[i:]...)...)
		}
	}
	return string(b)
}

func TestDiceTracksQGramDice(t *testing.T) {
	e := newTestEncoder(t, testSchema, testSecret(7))
	r := rand.New(rand.NewPCG(3, 4))
	base := []string{"ROSSI", "BIANCHI", "DANGELO", "ESPOSITO", "FERRARI", "ROMANO", "COLOMBO", "RICCI", "MARINO", "GRECO",
		"BRUNO", "GALLO", "CONTI", "DELUCA", "MANCINI", "COSTA", "GIORDANO", "RIZZO", "LOMBARDI", "MORETTI"}
	var rows [][]string
	var pairs [][2]string
	for i := 0; i < 600; i++ {
		a := base[r.IntN(len(base))]
		var b string
		if r.IntN(3) == 0 {
			b = base[r.IntN(len(base))]
		} else {
			b = mutate(r, a)
		}
		pairs = append(pairs, [2]string{a, b})
		rows = append(rows, row(fmt.Sprint(2*i), "", "", a, "", "", "", "", ""), row(fmt.Sprint(2*i+1), "", "", b, "", "", "", "", ""))
	}
	d, _, _ := encodeAll(t, e, rows)
	f := d.Field("surname")
	var plain, enc []float64
	for i, p := range pairs {
		if !f.Present[2*i] || !f.Present[2*i+1] {
			continue
		}
		plain = append(plain, normalize.QGramDice(normalize.Surname(p[0]), normalize.Surname(p[1]), 2, true))
		enc = append(enc, dice(f.Filters.At(2*i), f.Filters.At(2*i+1)))
	}
	if c := pearson(plain, enc); c < 0.9 {
		t.Errorf("correlation of encoded and plaintext Dice = %.3f, want > 0.9", c)
	} else {
		t.Logf("correlation of encoded and plaintext Dice over %d pairs: %.3f", len(plain), c)
	}
}

func TestOtherSecretUnrelated(t *testing.T) {
	rows := randomRows(500, 5)
	a, _, _ := encodeAll(t, newTestEncoder(t, testSchema, testSecret(1)), rows)
	b, _, _ := encodeAll(t, newTestEncoder(t, testSchema, testSecret(2)), rows)
	var same, cross []float64
	for i := 0; i < a.Len(); i++ {
		same = append(same, dice(a.CLK.At(i), b.CLK.At(i)))
		cross = append(cross, dice(a.CLK.At(i), a.CLK.At((i+1)%a.Len())))
	}
	// The same record under two secrets must look like two unrelated
	// records under one secret: compare the mean Dice with that of
	// different records (names repeat, so these share some tokens).
	ms, mc := mean(same), mean(cross)
	if ms > mc+0.02 {
		t.Errorf("mean Dice of a record with itself under another secret = %.3f, above unrelated records' %.3f", ms, mc)
	}
	// Bit-level correlation between the two encodings of a record.
	var x, y []float64
	for i := 0; i < 50; i++ {
		for k := 0; k < 64*a.CLK.Words; k++ {
			x = append(x, b2f(bitvec.Get(a.CLK.At(i), k)))
			y = append(y, b2f(bitvec.Get(b.CLK.At(i), k)))
		}
	}
	if c := pearson(x, y); math.Abs(c) > 0.02 {
		t.Errorf("bit correlation across secrets = %.4f, want ≈ 0", c)
	}
	for k := range a.BlockKeys {
		for i := range a.BlockKeys[k].Values {
			if v := a.BlockKeys[k].Values[i]; v != "" && v == b.BlockKeys[k].Values[i] {
				t.Fatalf("blocking key equal under two secrets")
			}
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func TestKeyCheckAndFingerprintStable(t *testing.T) {
	// Golden values: changing them breaks every existing encoded file.
	if got := testSecret(0).KeyCheck(); got != goldenKCV {
		t.Errorf("KeyCheck = %s, want %s", got, goldenKCV)
	}
	if testSecret(0).KeyCheck() == testSecret(1).KeyCheck() {
		t.Error("two secrets share a key check value")
	}
	s, _ := schema.Parse([]byte(testSchema))
	if got := s.Fingerprint(); got != goldenFingerprint {
		t.Errorf("Fingerprint = %s, want %s", got, goldenFingerprint)
	}
	if strings.Contains(fmt.Sprintf("%v %#v %s", testSecret(0), testSecret(0), testSecret(0)), "0001020304") {
		t.Error("Secret prints its bytes")
	}
}

const (
	goldenKCV         = "c5027bb20e95c355" // checked independently (Python hmac/hashlib)
	goldenFingerprint = "5c7e7efe75c4227ee0ce973445421c01644492a29825cf4029110aceb8c75ca5"
)

func TestSecretParse(t *testing.T) {
	s := testSecret(9)
	txt, _ := s.MarshalText()
	got, err := ParseSecret(append(append([]byte("  "), txt...), '\n'))
	if err != nil || got != s {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range []string{"", "abc", strings.Repeat("zz", 32), strings.Repeat("00", 31)} {
		_, err := ParseSecret([]byte(bad))
		if err == nil || !errors.Is(err, base.ErrInvalidInput) {
			t.Errorf("ParseSecret(%q) = %v", bad, err)
		}
		if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("error quotes the file content")
		}
	}
}

// TestNoPlaintextInOutput encodes a canary identity and searches every
// output byte, block key, reject and error for its values.
func TestNoPlaintextInOutput(t *testing.T) {
	e := newTestEncoder(t, strings.Replace(testSchema, "column: data_nascita}", "column: data_nascita, required: true}", 1), testSecret(3))
	rows := [][]string{
		row("c1", "RSSMRA85T10A562S", "Zebedeo", "Quaxwillow", "M", "10/12/1985", "Via Xylofonica 77", "35121", "3471234567"),
		row("c2", "RSSMRA85T10A562T", "Zebedeo", "Quaxwillow", "M", "Quaxwillow", "Via Xylofonica 77", "35121", ""),
	}
	var out bytes.Buffer
	var rejects []Reject
	_, err := e.Encode(context.Background(), testHeader, NewRows(rows), Output{
		Record: func(_ string, r *Record) error {
			buf := make([]byte, 8*len(r.CLK))
			out.Write(bitvec.PutBytes(buf, r.CLK))
			for _, f := range r.Fields {
				if f != nil {
					buf := make([]byte, 8*len(f))
					out.Write(bitvec.PutBytes(buf, f))
				}
			}
			out.WriteString(strings.Join(r.BlockKeys, "|"))
			return nil
		},
		Reject: func(r Reject) error { rejects = append(rejects, r); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rejects) != 1 {
		t.Fatalf("rejects = %+v", rejects)
	}
	out.WriteString(fmt.Sprintf("%+v", rejects))
	canaries := []string{"Quaxwillow", "QUAXWILLOW", "Zebedeo", "ZEBEDEO", "XYLOFONICA", "RSSMRA85T10A562", "19851210", "3471234567", "Q251"}
	for _, c := range canaries {
		if bytes.Contains(bytes.ToUpper(out.Bytes()), []byte(strings.ToUpper(c))) {
			t.Errorf("output contains %q", c)
		}
	}
}

func TestRejects(t *testing.T) {
	y := strings.Replace(testSchema, "column: cognome}", "column: cognome, required: true}", 1)
	y = strings.Replace(y, "column: data_nascita}", "column: data_nascita, required: true}", 1)
	e := newTestEncoder(t, y, testSecret(1))
	rows := [][]string{
		row("1", "", "Mario", "Rossi", "M", "10/12/1985", "", "", ""),
		row("2", "", "Mario", "", "M", "10/12/1985", "", "", ""),
		row("3", "", "Mario", "Rossi", "M", "1985/12/10", "", "", ""),
		row("", "", "Mario", "Rossi", "M", "10/12/1985", "", "", ""),
		{"5", "x"},
		row("6", "", "Mario", "NA", "M", "10/12/1985", "", "", ""),
	}
	_, rej, st := encodeAll(t, e, rows)
	want := []Reject{
		{Row: 2, RecordID: "2", Column: "cognome", Reason: "required value missing"},
		{Row: 3, RecordID: "3", Column: "data_nascita", Reason: "unrecognised date format (not one of the schema's formats) or implausible date"},
		{Row: 4, Column: "record_id", Reason: "record id missing"},
		{Row: 5, Reason: "the row has 2 columns, fewer than the header"},
		{Row: 6, RecordID: "6", Column: "cognome", Reason: "required value missing"},
	}
	if fmt.Sprint(rej) != fmt.Sprint(want) {
		t.Errorf("rejects:\n got %+v\nwant %+v", rej, want)
	}
	if st.Read != 6 || st.Encoded != 1 || st.Rejected != 5 {
		t.Errorf("stats %+v", st)
	}
}

type errSource struct {
	rows [][]string
	i    int
}

func (s *errSource) Next() ([]string, int, error) {
	s.i++
	switch {
	case s.i == 2:
		return nil, 2, &base.InputError{File: "in.csv", Row: 2, Column: "nome", Reason: "invalid UTF-8"}
	case s.i == 4:
		return nil, 4, errors.New("disk on fire")
	case s.i > len(s.rows):
		return nil, s.i, io.EOF
	}
	return s.rows[s.i-1], s.i, nil
}

func TestSourceErrors(t *testing.T) {
	e := newTestEncoder(t, testSchema, testSecret(1))
	var rej []Reject
	_, err := e.Encode(context.Background(), testHeader, &errSource{rows: sampleRows()}, Output{
		Reject: func(r Reject) error { rej = append(rej, r); return nil },
	})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("fatal source error not returned: %v", err)
	}
	if len(rej) != 1 || rej[0].Row != 2 || rej[0].Column != "nome" {
		t.Errorf("row-level input error not rejected: %+v", rej)
	}
}

func TestBindErrors(t *testing.T) {
	y := strings.Replace(testSchema, "column: cognome}", "column: cognome, required: true}", 1)
	e := newTestEncoder(t, y, testSecret(1))
	_, err := e.Bind([]string{"record_id", "nome"})
	var ie *base.InputError
	if !errors.As(err, &ie) || ie.Column != "cognome" {
		t.Errorf("missing required column: %v", err)
	}
	if _, err := e.Bind(nil); err == nil || !strings.Contains(err.Error(), "no header") {
		t.Errorf("empty header: %v", err)
	}
	b, err := e.Bind([]string{"\ufeffrecord_id", " cognome "})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Absent) == 0 {
		t.Error("absent optional columns not listed")
	}
}

func TestStats(t *testing.T) {
	e := newTestEncoder(t, testSchema, testSecret(1))
	rows := sampleRows()
	// A valid code that disagrees with the record's sex.
	rows = append(rows, row("5", "RSSMRA85T10A562S", "Maria", "Rossi", "F", "10/12/1985", "", "", ""))
	d, rej, st := encodeAll(t, e, rows)
	if len(rej) != 0 || d.Len() != 5 {
		t.Fatalf("rejects %+v", rej)
	}
	if st.CFInvalid != 1 || st.CFInconsistent != 1 {
		t.Errorf("CF invalid %d inconsistent %d, want 1 and 1", st.CFInvalid, st.CFInconsistent)
	}
	cf := d.Field("fiscal_code")
	if !cf.Present[0] || cf.Present[3] || st.Fields[0].Missing != 3 || st.Fields[0].Invalid != 1 || fmt.Sprint(st.Fields[0].InvalidRows) != "[4]" {
		t.Errorf("fiscal code presence %v stats %+v", cf.Present, st.Fields[0])
	}
	// CLK composition: sex (clk_k 5) alone must set bits.
	if bitvec.Get(d.CLK.At(0), 0) && d.CLK.At(0)[0] == ^uint64(0) {
		t.Error("CLK saturated")
	}
	if d.Attr("district").Values[0] != "3" || d.Attr("household").Values[1] != "H2" {
		t.Error("attributes not carried")
	}
}

func TestBlockingKeys(t *testing.T) {
	e := newTestEncoder(t, testSchema, testSecret(1))
	rows := [][]string{
		row("1", "", "Mario", "Rossi", "M", "10/12/1985", "", "", ""),
		row("2", "", "Mario", "ROSI", "M", "1985-01-01", "", "", ""),
		row("3", "", "Mario", "Bianchi", "M", "10/12/1985", "", "", ""),
		row("4", "", "Mario", "Rossi", "M", "", "", "", ""),
	}
	d, _, _ := encodeAll(t, e, rows)
	k := d.BlockKeys[0].Values
	if k[0] == "" || k[0] != k[1] || k[0] == k[2] || k[3] != "" {
		t.Errorf("soundex+year keys %q", k)
	}
	if len(k[0]) != 2*schema.DefaultBlockKeyBytes {
		t.Errorf("key length %d", len(k[0]))
	}
}

func TestHardening(t *testing.T) {
	y := strings.Replace(testSchema, "id_column: record_id", "id_column: record_id\nclk: {bits: 1024, hardening: {xor_fold: true}}", 1)
	y = strings.Replace(y, "column: cognome}", "column: cognome, hardening: {balance: true}}", 1)
	y = strings.Replace(y, "column: nome}", "column: nome, hardening: {blip: 0.1}}", 1)
	rows := randomRows(300, 9)
	e := newTestEncoder(t, y, testSecret(1))
	d, _, _ := encodeAll(t, e, rows)
	if d.CLK.Words != 8 {
		t.Errorf("folded CLK has %d words, want 8", d.CLK.Words)
	}
	sn := d.Field("surname")
	if sn.Bits != 1024 {
		t.Errorf("balanced surname filter has %d bits", sn.Bits)
	}
	for i := 0; i < d.Len(); i++ {
		if c := popcount(sn.Filters.At(i)); sn.Present[i] && c != 512 {
			t.Fatalf("balanced filter popcount %d, want 512", c)
		}
	}
	plain, _, _ := encodeAll(t, newTestEncoder(t, testSchema, testSecret(1)), rows)
	flipped, total := 0, 0
	for i := 0; i < d.Len(); i++ {
		a, b := d.Field("given_name").Filters.At(i), plain.Field("given_name").Filters.At(i)
		for w := range a {
			flipped += bits.OnesCount64(a[w] ^ b[w])
			total += 64
		}
	}
	if r := float64(flipped) / float64(total); r < 0.09 || r > 0.11 {
		t.Errorf("BLIP flip rate %.4f, want ≈ 0.1", r)
	}
	again, _, _ := encodeAll(t, newTestEncoder(t, y, testSecret(1), WithWorkers(3)), rows)
	if !datasetsEqual(d, again) {
		t.Error("hardened encoding is not deterministic")
	}
}

func TestSalting(t *testing.T) {
	y := strings.Replace(testSchema, "column: cognome}", "column: cognome, salt: birth_date}", 1)
	e := newTestEncoder(t, y, testSecret(1))
	rows := [][]string{
		row("1", "", "", "Rossi", "", "10/12/1985", "", "", ""),
		row("2", "", "", "Rossi", "", "01/01/1985", "", "", ""),
		row("3", "", "", "Rossi", "", "10/12/1986", "", "", ""),
	}
	d, _, _ := encodeAll(t, e, rows)
	f := d.Field("surname").Filters
	if dice(f.At(0), f.At(1)) != 1 {
		t.Error("same name and birth year should give the same salted filter")
	}
	if dice(f.At(0), f.At(2)) > 0.5 {
		t.Error("another birth year should give an unrelated filter")
	}
}

// TestSaltWholeDate: salt: date(f) salts with the whole birth date, so
// two people of one name and one birth year but different birth days get
// unrelated filters; salt: year(f) gives them one. The schema fingerprint
// (and so the file fingerprint the linker compares) tells the two apart.
func TestSaltWholeDate(t *testing.T) {
	rows := [][]string{
		row("1", "", "", "Rossi", "", "10/12/1985", "", "", ""),
		row("2", "", "", "Rossi", "", "01/01/1985", "", "", ""),
		row("3", "", "", "Rossi", "", "1985-12-10", "", "", ""),
	}
	year := strings.Replace(testSchema, "column: cognome}", "column: cognome, salt: year(birth_date)}", 1)
	date := strings.Replace(testSchema, "column: cognome}", "column: cognome, salt: date(birth_date)}", 1)
	fy, _, _ := encodeAll(t, newTestEncoder(t, year, testSecret(1)), rows)
	fd, _, _ := encodeAll(t, newTestEncoder(t, date, testSecret(1)), rows)
	y, d := fy.Field("surname").Filters, fd.Field("surname").Filters
	if dice(y.At(0), y.At(1)) != 1 {
		t.Error("year salt: same name and year should give one filter")
	}
	if dice(d.At(0), d.At(1)) > 0.5 {
		t.Error("date salt: another birth day should give an unrelated filter")
	}
	if !slicesEqual(d.At(0), d.At(2)) {
		t.Error("date salt: the same date written differently should give one filter")
	}
	if fy.Meta.SchemaFingerprint == fd.Meta.SchemaFingerprint {
		t.Error("year and date salts share a fingerprint: the linker would mix them")
	}
	// The explicit salt_part spelling is the same schema.
	long := strings.Replace(testSchema, "column: cognome}", "column: cognome, salt: birth_date, salt_part: date}", 1)
	if got, _, _ := encodeAll(t, newTestEncoder(t, long, testSecret(1)), rows); got.Meta.SchemaFingerprint != fd.Meta.SchemaFingerprint {
		t.Error("salt_part: date and salt: date(f) differ")
	}
}

// TestPseudonymisedAttrs: the household id is replaced by a keyed
// pseudonym that keeps equal ids equal and depends on partner and secret.
func TestPseudonymisedAttrs(t *testing.T) {
	rows := sampleRows()
	rows[1][1] = rows[0][1] // rows 0 and 1: one household
	enc := func(secret byte, partner string, opts ...Option) *Dataset {
		s, err := schema.Parse([]byte(testSchema))
		if err != nil {
			t.Fatal(err)
		}
		e, err := New(s, testSecret(secret), partner, opts...)
		if err != nil {
			t.Fatal(err)
		}
		d, _, _ := encodeAll(t, e, rows)
		return d
	}
	plain := enc(1, "p").Attr("household").Values
	a := enc(1, "p", WithPseudonymisedAttrs("household"))
	h := a.Attr("household").Values
	if h[0] != h[1] || h[0] == h[2] || len(h[0]) != 32 || h[0] == plain[0] {
		t.Errorf("household pseudonyms %q (clear %q)", h, plain)
	}
	if got := a.Meta.PseudonymisedAttrs; len(got) != 1 || got[0] != "household" {
		t.Errorf("meta lists %q", got)
	}
	if d := a.Attr("district").Values; d[0] != plain[0] && d[0] != "3" {
		t.Errorf("district changed: %q", d)
	}
	if enc(2, "p", WithPseudonymisedAttrs("household")).Attr("household").Values[0] == h[0] ||
		enc(1, "q", WithPseudonymisedAttrs("household")).Attr("household").Values[0] == h[0] {
		t.Error("pseudonyms do not depend on the secret and the partner")
	}
	s, _ := schema.Parse([]byte(testSchema))
	if _, err := New(s, testSecret(1), "p", WithPseudonymisedAttrs("nope")); err == nil {
		t.Error("an unknown attribute was accepted")
	}
}

func TestPseudonymisedIDs(t *testing.T) {
	e := newTestEncoder(t, testSchema, testSecret(1), WithPseudonymisedIDs())
	var ids, orig []string
	_, err := e.Encode(context.Background(), testHeader, NewRows(sampleRows()), Output{
		Record: func(id string, r *Record) error { ids = append(ids, r.RecordID); orig = append(orig, id); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	again := newTestEncoder(t, testSchema, testSecret(1), WithPseudonymisedIDs())
	d, _, _ := encodeAll(t, again, sampleRows())
	for i := range ids {
		if ids[i] == orig[i] || len(ids[i]) != 32 || ids[i] != d.RecordIDs[i] {
			t.Errorf("pseudonym %d: %q for %q", i, ids[i], orig[i])
		}
	}
	if !d.Meta.Pseudonymised {
		t.Error("meta does not say pseudonymised")
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	e := newTestEncoder(t, testSchema, testSecret(1), WithWorkers(2), WithBatchSize(16))
	n := 0
	_, err := e.Encode(ctx, testHeader, NewRows(randomRows(5000, 1)), Output{
		Record: func(string, *Record) error {
			if n++; n == 100 {
				cancel()
			}
			return nil
		},
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestSummary(t *testing.T) {
	d, _, _ := encodeAll(t, newTestEncoder(t, testSchema, testSecret(1)), sampleRows())
	s := NewSummary(d.Layout())
	rec := &Record{Fields: make([][]uint64, len(d.Fields)), BlockKeys: make([]string, len(d.BlockKeys)), Attrs: make([]string, len(d.Attrs))}
	for i := 0; i < d.Len(); i++ {
		rec.CLK = d.CLK.At(i)
		for j := range d.Fields {
			rec.Fields[j] = nil
			if d.Fields[j].Present[i] {
				rec.Fields[j] = d.Fields[j].Filters.At(i)
			}
		}
		for j := range d.BlockKeys {
			rec.BlockKeys[j] = d.BlockKeys[j].Values[i]
		}
		for j := range d.Attrs {
			rec.Attrs[j] = d.Attrs[j].Values[i]
		}
		s.Add(rec)
	}
	s.Finish()
	if s.Records != 4 || s.Fields[0].Name != "fiscal_code" || s.Fields[0].Missing != 3 || s.Fields[0].EmptyShare != 0.75 {
		t.Errorf("fiscal code summary %+v", s.Fields[0])
	}
	c := s.CLK
	if !(c.Min > 0 && c.Min <= c.Q1 && c.Q1 <= c.Median && c.Median <= c.Q3 && c.Q3 <= c.Max && c.Max < c.Bits) {
		t.Errorf("CLK distribution %+v", c)
	}
	if s.BlockKeys[1].Filled != 1 || s.Attrs[0].FillRate != 1 || s.Attrs[0].Distinct != 1 {
		t.Errorf("fill rates %+v %+v", s.BlockKeys, s.Attrs)
	}
}

// fakeOPRF stands for the keyserver: a keyed function the encoder's secret
// does not determine.
func fakeOPRF(calls *int, seen *[]string) PseudonymFunc {
	return func(_ context.Context, in [][]byte) ([][]byte, error) {
		*calls++
		out := make([][]byte, len(in))
		for i, v := range in {
			*seen = append(*seen, string(v))
			h := sha256.Sum256(append([]byte("server key|"), v...))
			out[i] = h[:]
		}
		return out, nil
	}
}

func TestOPRF(t *testing.T) {
	y := strings.Replace(testSchema, "column: codice_fiscale}", "column: codice_fiscale, oprf: true}", 1)
	s, _ := schema.Parse([]byte(y))
	if _, err := New(s, testSecret(1), ""); err == nil || !errors.Is(err, base.ErrUsage) {
		t.Fatalf("an oprf schema without a client: %v", err)
	}
	omo, _ := codicefiscale.Omocode("RSSMRA85T10A562S", 1)
	rows := sampleRows()
	rows = append(rows, row("5", omo, "Mario", "Rossi", "M", "10/12/1985", "", "", ""))
	var calls int
	var seen []string
	d, _, _ := encodeAll(t, newTestEncoder(t, y, testSecret(1), WithOPRF(fakeOPRF(&calls, &seen)), WithBatchSize(2)), rows)
	if calls == 0 || len(seen) != 2 || seen[0] != "RSSMRA85T10A562S" || seen[1] != "RSSMRA85T10A562S" {
		t.Errorf("keyserver saw %q in %d calls; want the canonical code once per batch that has it", seen, calls)
	}
	plain, _, _ := encodeAll(t, newTestEncoder(t, testSchema, testSecret(1)), rows)
	cf, pcf := d.Field("fiscal_code"), plain.Field("fiscal_code")
	if !slicesEqual(cf.Filters.At(0), cf.Filters.At(4)) {
		t.Error("omocodic and canonical code differ under oprf")
	}
	if slicesEqual(cf.Filters.At(0), pcf.Filters.At(0)) {
		t.Error("oprf did not change the fiscal-code encoding")
	}
	if k := d.BlockKeys[1].Values; k[0] == "" || k[0] == plain.BlockKeys[1].Values[0] || k[0] != k[4] {
		t.Errorf("oprf fiscal-code blocking keys %q", k)
	}
	failing := func(context.Context, [][]byte) ([][]byte, error) {
		return nil, errors.New("keyserver: 429 rate limited")
	}
	_, _, _, err := newTestEncoder(t, y, testSecret(1), WithOPRF(failing)).EncodeDataset(context.Background(), testHeader, rows)
	if err == nil || !strings.Contains(err.Error(), "rate limited") {
		t.Errorf("keyserver error not returned: %v", err)
	}
}

// TestOPRFSalt checks that a field salted by an oprf field is salted with
// the pseudonym, not the clear value: otherwise the linkage secret alone
// would test guesses of the pseudonymised value.
func TestOPRFSalt(t *testing.T) {
	y := strings.Replace(testSchema, "column: codice_fiscale}", "column: codice_fiscale, oprf: true}", 1)
	y = strings.Replace(y, "column: cognome}", "column: cognome, salt: fiscal_code}", 1)
	server := func(key string) PseudonymFunc {
		return func(_ context.Context, in [][]byte) ([][]byte, error) {
			out := make([][]byte, len(in))
			for i, v := range in {
				h := sha256.Sum256(append([]byte(key), v...))
				out[i] = h[:]
			}
			return out, nil
		}
	}
	rows := sampleRows()
	a, _, _ := encodeAll(t, newTestEncoder(t, y, testSecret(1), WithOPRF(server("key a|"))), rows)
	b, _, _ := encodeAll(t, newTestEncoder(t, y, testSecret(1), WithOPRF(server("key b|"))), rows)
	if slicesEqual(a.Field("surname").Filters.At(0), b.Field("surname").Filters.At(0)) {
		t.Error("the salt of a field salted by an oprf field does not depend on the keyserver's pseudonym")
	}
}
