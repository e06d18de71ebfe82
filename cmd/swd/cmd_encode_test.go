package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/welfare-district/swd/internal/keyserver"
	"github.com/welfare-district/swd/internal/testdirs"
	"github.com/welfare-district/swd/io/encfile"
)

const encodeHeader = "record_id,nucleo_id,codice_fiscale,nome,cognome,sesso,data_nascita,comune_nascita,indirizzo,cap,telefono,quartiere,bisogni"

// canary values: none may appear in any output, log or error.
var encodeCanaries = []string{"Quaxwillow", "QUAXWILLOW", "Zebedeo", "ZEBEDEO", "Xylofonica", "XYLOFONICA", "RSSMRA85T10A562S", "3479876543", "1985-12-10"}

func writeFile(t *testing.T, path, content string, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
}

func repoPath(t *testing.T, rel string) string {
	t.Helper()
	return filepath.Join(testdirs.ModuleRoot(t), rel)
}

// encodeFixture writes a secret, and an export with a canary identity and
// rows that must be rejected, into a temporary directory.
func encodeFixture(t *testing.T) (dir, secret, in string) {
	t.Helper()
	dir = t.TempDir()
	secret = filepath.Join(dir, "k.secret")
	if code, _, stderr := runCLI(t, "keygen", "--out", secret); code != ExitOK {
		t.Fatalf("keygen: %d %s", code, stderr)
	}
	in = filepath.Join(dir, "export.csv")
	writeFile(t, in, "\ufeff"+encodeHeader+"\n"+
		"1,H1,RSSMRA85T10A562S,Zebedeo,Quaxwillow,M,1985-12-10,Padova,Via Xylofonica 7,35121,+39 347 9876543,1,A01\n"+
		"2,H1,,Maria Grazia,D'Angelo,F,02/01/1990,Padova,\"Via Roma, 12\",35121,,1,A01;B02\n"+
		",H2,,Mario,Rossi,M,02/01/1990,Padova,,,,2,\n"+
		"4,H3,,Zebedeo,Quaxwillow,M,Quaxwillow,Padova,,,,2,\n", 0o644)
	return dir, secret, in
}

func TestEncodeCommand(t *testing.T) {
	dir, secret, in := encodeFixture(t)
	schemaPath := filepath.Join(dir, "schema.yaml")
	schemaYAML, err := os.ReadFile(repoPath(t, "docs/examples/synth/schema.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// birth_date required: the row with a non-date is rejected.
	writeFile(t, schemaPath, strings.Replace(string(schemaYAML), "column: data_nascita", "column: data_nascita\n    required: true", 1), 0o644)
	out := filepath.Join(dir, "caritas.swd.parquet")
	code, stdout, stderr := runCLI(t, "encode", "--schema", schemaPath, "--secret", secret, "--partner", "caritas",
		"--in", in, "--out", out, "--pseudonymise-ids")
	if code != ExitOK {
		t.Fatalf("encode: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"4 data lines = 2 encoded + 2 rejected", "fiscal codes:", "key check value"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	meta, layout, err := encfile.ReadMeta(out)
	if err != nil {
		t.Fatal(err)
	}
	if meta.Partner != "caritas" || meta.Rows != 2 || meta.Rejected != 2 || !meta.Pseudonymised || layout.CLKBits != 1024 {
		t.Errorf("meta %+v layout %+v", meta, layout)
	}
	rejects := testdirs.ReadCSV(t, filepath.Join(dir, "caritas.rejects.csv"))
	if len(rejects) != 3 || rejects[1][0] != "3" || rejects[1][2] != "record_id" || rejects[2][0] != "4" || rejects[2][2] != "data_nascita" {
		t.Errorf("rejects file %q", rejects)
	}
	ids := filepath.Join(dir, "caritas.pseudonyms.csv")
	st, err := os.Stat(ids)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("pseudonym mapping: %v %v", err, st)
	}
	if m := testdirs.ReadCSV(t, ids); len(m) != 3 || m[1][0] != "1" || len(m[1][1]) != 32 {
		t.Errorf("mapping %q", m)
	}
	// The household id is pseudonymised too (issue 13): equal ids stay
	// equal, and the partner's own id ("H1") is gone.
	ds, err := encfile.Read(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if h := ds.Attr("household"); h == nil || len(h.Values) != 2 || h.Values[0] != h.Values[1] || len(h.Values[0]) != 32 || h.Values[0] == "H1" {
		t.Errorf("household column %+v", h)
	}
	if got := ds.Meta.PseudonymisedAttrs; len(got) != 1 || got[0] != "household" {
		t.Errorf("pseudonymised attributes %q", got)
	}
	if !strings.Contains(stdout, "attribute household pseudonymised") {
		t.Errorf("summary does not say the household id is pseudonymised:\n%s", stdout)
	}
	// Privacy: no canary in the encoded file, the rejects, stdout or stderr.
	for _, path := range []string{out, filepath.Join(dir, "caritas.rejects.csv")} {
		b, _ := os.ReadFile(path)
		assertNoCanary(t, path, string(b))
	}
	assertNoCanary(t, "stdout", stdout)
	assertNoCanary(t, "stderr", stderr)

	code, stdout, stderr = runCLI(t, "inspect", out)
	if code != ExitOK || !strings.Contains(stdout, "caritas") || !strings.Contains(stdout, "surname_birth_date") {
		t.Errorf("inspect: %d\n%s%s", code, stdout, stderr)
	}
	assertNoCanary(t, "inspect", stdout)
	code, stdout, _ = runCLI(t, "inspect", "--json", out)
	if code != ExitOK || !strings.Contains(stdout, `"empty_share"`) {
		t.Errorf("inspect --json: %d\n%s", code, stdout)
	}
}

func assertNoCanary(t *testing.T, where, s string) {
	t.Helper()
	up := strings.ToUpper(s)
	for _, c := range encodeCanaries {
		if strings.Contains(up, strings.ToUpper(c)) {
			t.Errorf("%s contains the canary %q", where, c)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	dir, secret, in := encodeFixture(t)
	schemaPath := repoPath(t, "docs/examples/synth/schema.yaml")
	out := filepath.Join(dir, "o.swd.parquet")
	open := filepath.Join(dir, "open.secret")
	writeFile(t, open, strings.Repeat("ab", 32)+"\n", 0o644)
	empty := filepath.Join(dir, "empty.csv")
	writeFile(t, empty, "", 0o644)
	headerOnly := filepath.Join(dir, "header.csv")
	writeFile(t, headerOnly, encodeHeader+"\n", 0o644)
	noID := filepath.Join(dir, "noid.csv")
	writeFile(t, noID, "nome,cognome\nZebedeo,Quaxwillow\n", 0o644)
	badSchema := filepath.Join(dir, "bad.yaml")
	writeFile(t, badSchema, "id_column: record_id\nfields:\n  - {name: x, kind: nme, column: nome}\n", 0o644)
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no schema flag", []string{"--secret", secret, "--in", in, "--out", out}, ExitUsage, "--schema"},
		{"bad delimiter", []string{"--schema", schemaPath, "--secret", secret, "--in", in, "--out", out, "--delimiter", ",,"}, ExitUsage, "--delimiter"},
		{"bad partner", []string{"--schema", schemaPath, "--secret", secret, "--in", in, "--out", out, "--partner", "a b"}, ExitUsage, "--partner"},
		{"no partner", []string{"--schema", schemaPath, "--secret", secret, "--in", in, "--out", out}, ExitUsage, "partner"},
		{"open secret", []string{"--schema", schemaPath, "--secret", open, "--in", in, "--out", out, "--partner", "p"}, ExitIntegrity, "chmod 600"},
		{"bad schema", []string{"--schema", badSchema, "--secret", secret, "--in", in, "--out", out, "--partner", "p"}, ExitInput, `field "x": unknown kind`},
		{"empty file", []string{"--schema", schemaPath, "--secret", secret, "--in", empty, "--out", out, "--partner", "p"}, ExitInput, "empty.csv"},
		{"header only", []string{"--schema", schemaPath, "--secret", secret, "--in", headerOnly, "--out", out, "--partner", "p"}, ExitInput, "no data rows"},
		{"missing id column", []string{"--schema", schemaPath, "--secret", secret, "--in", noID, "--out", out, "--partner", "p"}, ExitInput, `noid.csv: column "record_id"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"encode"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d (want %d), stderr %q lacks %q", code, tt.code, stderr, tt.msg)
			}
			assertNoCanary(t, "stderr", stderr+stdout)
			if _, err := os.Stat(out); err == nil {
				t.Error("output written despite the error")
			}
		})
	}
}

func TestEncodeInterrupted(t *testing.T) {
	dir, secret, in := encodeFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(dir, "o.swd.parquet")
	g := &GlobalOptions{Stdout: &strings.Builder{}, Stderr: &strings.Builder{}, Workers: 2, Quiet: true}
	_ = g.validate()
	opts := &EncodeOptions{Schema: repoPath(t, "docs/examples/synth/schema.yaml"), Secret: secret, In: in, Out: out, Partner: "p"}
	if err := opts.validate(); err != nil {
		t.Fatal(err)
	}
	if err := runEncode(ctx, opts, g, nil); err == nil || exitCode(ctx, err) != ExitInterrupted {
		t.Fatalf("err = %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "o.") || strings.HasPrefix(e.Name(), ".o.") {
			t.Errorf("interrupted run left %s", e.Name())
		}
	}
}

// TestEncodeExampleDatasets encodes the public data sets with their example
// schemas (skipped when ../shared/datasets is absent).
func TestEncodeExampleDatasets(t *testing.T) {
	sets := []struct{ schema, data string }{
		{"docs/examples/febrl/schema.yaml", "febrl/dataset4a.csv"},
		{"docs/examples/ncvoter/schema.yaml", "ncvoter-100k/df_A_100000.csv"},
	}
	dir := t.TempDir()
	secret := filepath.Join(dir, "k.secret")
	if code, _, _ := runCLI(t, "keygen", "--out", secret); code != ExitOK {
		t.Fatal("keygen")
	}
	t.Run("synth", func(t *testing.T) {
		synthDir := filepath.Join(dir, "synth")
		if code, _, stderr := runCLI(t, "synth", "-q", "--out", synthDir, "--households", "300", "--corruption", "high"); code != ExitOK {
			t.Fatalf("synth: %s", stderr)
		}
		for _, p := range []string{"comune", "caritas"} {
			out := filepath.Join(dir, p+".swd.parquet")
			code, stdout, stderr := runCLI(t, "encode", "-q", "--schema", repoPath(t, "docs/examples/synth/schema.yaml"),
				"--secret", secret, "--partner", p, "--in", filepath.Join(synthDir, p+".csv"), "--out", out)
			if code != ExitOK {
				t.Fatalf("exit %d: %s%s", code, stdout, stderr)
			}
			meta, _, err := encfile.ReadMeta(out)
			if err != nil || meta.Rows == 0 || meta.Partner != p {
				t.Errorf("meta %+v err %v", meta, err)
			}
		}
	})
	for _, s := range sets {
		t.Run(filepath.Base(s.data), func(t *testing.T) {
			data := testdirs.SharedFile(t, s.data)
			data = headOf(t, data, filepath.Join(dir, filepath.Base(s.data)), 5000)
			out := filepath.Join(dir, filepath.Base(s.data)+".swd.parquet")
			code, stdout, stderr := runCLI(t, "encode", "-q", "--schema", repoPath(t, s.schema), "--secret", secret, "--in", data, "--out", out)
			if code != ExitOK {
				t.Fatalf("exit %d: %s%s", code, stdout, stderr)
			}
			meta, _, err := encfile.ReadMeta(out)
			if err != nil || meta.Rejected != 0 || meta.Rows != 5000 {
				t.Errorf("meta %+v err %v", meta, err)
			}
		})
	}
}

func TestEncodeOPRF(t *testing.T) {
	dir, secret, in := encodeFixture(t)
	keyBytes, err := keyserver.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	key, err := keyserver.ParseKey(keyBytes)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := keyserver.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	toks, err := keyserver.ParseTokens("tokens", []byte("caritas "+tok+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	audit := &lockedBuffer{}
	srv, err := keyserver.NewServer(keyserver.Config{Key: key, Tokens: toks, Audit: audit})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	tokFile := filepath.Join(dir, "caritas.token")
	writeFile(t, tokFile, tok+"\n", 0o600)
	schemaYAML, _ := os.ReadFile(repoPath(t, "docs/examples/synth/schema.yaml"))
	schemaPath := filepath.Join(dir, "oprf.yaml")
	writeFile(t, schemaPath, strings.Replace(string(schemaYAML), "column: codice_fiscale", "column: codice_fiscale\n    oprf: true", 1), 0o644)
	out := filepath.Join(dir, "o.swd.parquet")
	args := []string{"encode", "--schema", schemaPath, "--secret", secret, "--partner", "caritas", "--in", in, "--out", out}
	if code, _, stderr := runCLI(t, args...); code != ExitUsage || !strings.Contains(stderr, "oprf") {
		t.Errorf("oprf schema without --oprf: exit %d %s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, append(args, "--oprf", ts.URL, "--oprf-token", tokFile)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if audit.String() == "" {
		t.Error("the keyserver saw no request")
	}
	assertNoCanary(t, "output", stdout+stderr+audit.String())
}

// lockedBuffer is a strings.Builder safe for the keyserver's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// headOf copies the header and the first n data lines of a CSV file (no
// quoted newlines in these data sets), to keep the test fast.
func headOf(t *testing.T, src, dst string, n int) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfterN(string(b), "\n", n+2)
	if len(lines) > n+1 {
		lines = lines[:n+1]
	}
	writeFile(t, dst, strings.Join(lines, ""), 0o644)
	return dst
}
