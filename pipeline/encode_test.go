package pipeline

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/io/table"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/schema"
)

func synthSchema(t *testing.T) *schema.Schema {
	t.Helper()
	s, err := schema.Load("../docs/examples/synth/schema.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// smallExport writes an export of the synth schema without its telefono
// column: two rows, the second without a record id.
func smallExport(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "caritas.csv")
	data := "record_id,nucleo_id,codice_fiscale,nome,cognome,sesso,data_nascita,comune_nascita,indirizzo,cap,quartiere,bisogni\n" +
		"K1,N1,,Maria,Rossi,F,02/01/1980,Padova,Via Roma 1,35100,1,POV\n" +
		",N2,,Luca,Bianchi,M,1975-03-04,Padova,Via Po 2,35100,2,\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEncodeResult(t *testing.T) {
	dir := t.TempDir()
	in := smallExport(t, dir)
	var log bytes.Buffer
	var stages []string
	var done int64
	res, err := Encode(context.Background(), EncodeConfig{Schema: synthSchema(t), Secret: encoding.Secret{1}, Partner: "caritas",
		In: in, Out: filepath.Join(dir, "caritas.swd.parquet"), PseudonymiseIDs: true, CodeVersion: "swd test",
		AllowMissing: []string{"phone", "fiscal_code"}, // no telefono column, no fiscal codes
		Logger:       slog.New(slog.NewTextHandler(&log, nil)),
		Progress:     func(stage string, d, total int64) { stages, done = append(stages, stage), d },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Read != 2 || res.Stats.Encoded != 1 || res.Stats.Rejected != 1 || res.Meta.Partner != "caritas" {
		t.Fatalf("result %+v", res)
	}
	if res.Rejects != filepath.Join(dir, "caritas.rejects.csv") || res.Pseudonyms != filepath.Join(dir, "caritas.pseudonyms.csv") {
		t.Fatalf("files %q %q", res.Rejects, res.Pseudonyms)
	}
	for _, f := range []string{res.Out, res.Rejects, res.Pseudonyms} {
		if _, err := os.Stat(f); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := os.Stat(res.Pseudonyms); st.Mode().Perm() != 0o600 {
		t.Fatalf("pseudonym mapping has mode %v", st.Mode())
	}
	meta, _, err := encfile.ReadMeta(res.Out)
	if err != nil || meta.CodeVersion != "swd test" || !meta.Pseudonymised || meta.KeyCheck != res.Meta.KeyCheck {
		t.Fatalf("written meta %+v, %v", meta, err)
	}
	if len(stages) == 0 || stages[0] != "encoding" || done != 2 {
		t.Fatalf("progress: stages %v, done %d", stages, done)
	}
	if !strings.Contains(log.String(), "column=telefono") || strings.Contains(log.String(), "Rossi") {
		t.Fatalf("log:\n%s", log.String())
	}
	if res.Text == nil || res.Text.Lines != 2 || res.Text.Charset != table.CharsetASCII || !res.Text.Detected {
		t.Fatalf("text info %+v", res.Text)
	}
	if got := readFile(t, res.Rejects); got != "row,record_id,column,reason,line,character\n2,,record_id,record id missing,3,\n" {
		t.Fatalf("rejects file %q", got)
	}
	if f := res.Stats.Fields[len(res.Stats.Fields)-1]; f.Name != "phone" || !f.NotCollected {
		t.Fatalf("phone stats %+v", f)
	}
	if left := leftIn(t, dir); len(left) != 4 {
		t.Fatalf("files %v: the export and the three outputs, no staging or journal file", left)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEncodeFailsClosed: a field missing in more rows than the schema
// allows, or an output in a directory that does not exist, writes nothing.
func TestEncodeFailsClosed(t *testing.T) {
	dir := t.TempDir()
	in := smallExport(t, dir)
	cfg := EncodeConfig{Schema: synthSchema(t), Secret: encoding.Secret{1}, Partner: "caritas", In: in, Out: filepath.Join(dir, "c.swd.parquet")}
	_, err := Encode(context.Background(), cfg)
	var me *encoding.MissingError
	if !errors.As(err, &me) || me.Field != "phone" || !errors.Is(err, base.ErrInvalidInput) || !strings.HasPrefix(err.Error(), in+": field phone") {
		t.Fatalf("absent phone column: %v", err)
	}
	cfg.AllowMissing = []string{"phone", "fiscal_code"}
	cfg.Out = filepath.Join(dir, "nope", "c.swd.parquet")
	if _, err := Encode(context.Background(), cfg); !errors.Is(err, base.ErrUsage) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("output in a missing directory: %v", err)
	}
	cfg.Out, cfg.Rejects = filepath.Join(dir, "c.swd.parquet"), filepath.Join(dir, "nope", "c.rejects.csv")
	if _, err := Encode(context.Background(), cfg); !errors.Is(err, base.ErrUsage) {
		t.Fatalf("rejects in a missing directory: %v", err)
	}
	if left := leftIn(t, dir); len(left) != 1 {
		t.Fatalf("files %v", left)
	}
}

// TestEncodeConfigChecks: a config Encode cannot run is a usage error, and
// nothing is written.
func TestEncodeConfigChecks(t *testing.T) {
	dir := t.TempDir()
	in := smallExport(t, dir)
	out := filepath.Join(dir, "out.swd.parquet")
	s := synthSchema(t)
	tests := []struct {
		name string
		cfg  EncodeConfig
	}{
		{"no schema", EncodeConfig{In: in, Out: out}},
		{"no output", EncodeConfig{Schema: s, In: in}},
		{"output is the input", EncodeConfig{Schema: s, In: in, Out: in}},
		{"rejects onto the input", EncodeConfig{Schema: s, In: in, Out: out, Rejects: in}},
		{"sealed, not signed", EncodeConfig{Schema: s, In: in, Out: out, Seal: SealConfig{To: "unit.pub"}}},
		{"keyserver without token", EncodeConfig{Schema: s, In: in, Out: out, Keyserver: KeyserverConfig{URL: "https://ks"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Encode(context.Background(), tt.cfg)
			if !errors.Is(err, base.ErrUsage) {
				t.Fatalf("error %v, want a usage error", err)
			}
			if left := leftIn(t, dir); len(left) != 1 {
				t.Fatalf("files %v", left)
			}
		})
	}
}

// TestEncodeWarnsWeakSalt: the example schema (names salted with the whole
// birth date) encodes without a salt warning; the same schema with the
// year salt, or unsalted, warns and names the field, never a value.
func TestEncodeWarnsWeakSalt(t *testing.T) {
	raw, err := os.ReadFile("../docs/examples/synth/schema.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, from, to string
		warn           bool
	}{
		{"date salt", "", "", false},
		{"year salt", "salt: date(birth_date)", "salt: year(birth_date)", true},
		{"unsalted", "salt: date(birth_date)", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			text := string(raw)
			if tc.from != "" {
				text = strings.ReplaceAll(text, tc.from, tc.to)
			}
			s, err := schema.Parse([]byte(text))
			if err != nil {
				t.Fatal(err)
			}
			var log bytes.Buffer
			_, err = Encode(context.Background(), EncodeConfig{Schema: s, Secret: encoding.Secret{1}, Partner: "caritas",
				In: smallExport(t, dir), Out: filepath.Join(dir, "caritas.swd.parquet"),
				AllowMissing: []string{"phone", "fiscal_code"}, // no telefono column, no fiscal codes
				Logger:       slog.New(slog.NewTextHandler(&log, nil))})
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Contains(log.String(), "name field open to")
			if got != tc.warn || tc.warn && !strings.Contains(log.String(), "given_name") || strings.Contains(log.String(), "Rossi") {
				t.Fatalf("warn %v, log:\n%s", got, log.String())
			}
		})
	}
}

// TestEncodeStrayQuoteKeepsID: a line rejected for a stray quote keeps its
// record id in the rejects file when the id can still be read for certain
// (before the field at fault, or after it on a line that splits
// unambiguously), and leaves it empty otherwise; every data line is
// encoded or rejected, and no message holds a value.
func TestEncodeStrayQuoteKeepsID(t *testing.T) {
	dir := t.TempDir()
	const canary = "ZZCANARY"
	head := "record_id,nucleo_id,codice_fiscale,nome,cognome,sesso,data_nascita,comune_nascita,indirizzo,cap,quartiere,bisogni\n"
	good := func(id string) string { return id + ",N1,,Maria,Rossi,F,02/01/1980,Padova,Via Roma 1,35100,1,POV\n" }
	rest := ",Bianchi,M,1975-03-04,Padova,Via Po 2,35100,2,\n"
	var data strings.Builder
	data.WriteString(head)
	data.WriteString(good("K1"))
	data.WriteString("K2,N2,,Lu\"ca" + canary + rest)      // id before a bare quote
	data.WriteString("K3,N3,,\"Luca" + canary + rest)      // id before an unclosed quote
	data.WriteString("K4,N4,,\"Lu\"ca" + canary + rest)    // id before text after a closing quote
	data.WriteString("K\"6" + canary + ",N6,,Luca" + rest) // the id itself broken
	data.WriteString("\"K7" + canary + ",N7,,Luca" + rest) // the id itself unclosed
	in := filepath.Join(dir, "caritas.csv")
	if err := os.WriteFile(in, []byte(data.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	// Rows with the record id last: the broken field comes before it.
	tail := "nucleo_id,codice_fiscale,nome,cognome,sesso,data_nascita,comune_nascita,indirizzo,cap,quartiere,bisogni,record_id\n" +
		"N1,,Maria,Rossi,F,02/01/1980,Padova,Via Roma 1,35100,1,POV,K1\n" +
		"N5,,Lu\"ca" + canary + ",Bianchi,M,1975-03-04,Padova,Via Po 2,35100,2,,K5\n" +
		"N8,,\"Lu,ca" + canary + ",Bianchi,M,1975-03-04,Padova,Via Po 2,35100,2,,K8\n"
	inTail := filepath.Join(dir, "acli.csv")
	if err := os.WriteFile(inTail, []byte(tail), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in      string
		rejects string
		lines   int
	}{
		{in, "row,record_id,column,reason,line,character\n" +
			"2,K2,nome,a quote inside a value that does not start with a quote (a stray quote? quote the whole value and write the quote twice),3,10\n" +
			"3,K3,nome,a quote opens a value that is not closed on this line (a stray quote?); the line is rejected on its own,4,8\n" +
			"4,K4,nome,text after the closing quote of a quoted value (a stray quote? inside a quoted value write a quote twice),5,12\n" +
			"5,,record_id,a quote inside a value that does not start with a quote (a stray quote? quote the whole value and write the quote twice),6,2\n" +
			"6,,record_id,a quote opens a value that is not closed on this line (a stray quote?); the line is rejected on its own,7,1\n", 6},
		{inTail, "row,record_id,column,reason,line,character\n" +
			"2,K5,nome,a quote inside a value that does not start with a quote (a stray quote? quote the whole value and write the quote twice),3,7\n" +
			// "Lu,ca…: the quote may hold a delimiter, so the fields after
			// it cannot be told apart.
			"3,,nome,a quote opens a value that is not closed on this line (a stray quote?); the line is rejected on its own,4,5\n", 3},
	}
	for _, c := range cases {
		var log bytes.Buffer
		out := strings.TrimSuffix(c.in, ".csv") + ".swd.parquet"
		res, err := Encode(context.Background(), EncodeConfig{Schema: synthSchema(t), Secret: encoding.Secret{1}, Partner: "caritas",
			In: c.in, Out: out, CodeVersion: "swd test", AllowMissing: []string{"phone", "fiscal_code"},
			Logger: slog.New(slog.NewTextHandler(&log, nil))})
		if err != nil {
			t.Fatal(err)
		}
		if res.Text == nil || res.Text.Lines != c.lines || res.Stats.Encoded+res.Stats.Rejected != c.lines || res.Stats.Encoded != 1 {
			t.Fatalf("%s: %d data lines, %d encoded, %d rejected", c.in, res.Text.Lines, res.Stats.Encoded, res.Stats.Rejected)
		}
		if got := readFile(t, res.Rejects); got != c.rejects {
			t.Errorf("%s: rejects file\n%s\nwant\n%s", c.in, got, c.rejects)
		}
		if strings.Contains(log.String(), canary) || strings.Contains(log.String(), "K2") {
			t.Fatalf("the log holds a value:\n%s", log.String())
		}
	}
}
