package keyserver

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudflare/circl/oprf"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/rusage"
)

const (
	tokCaritas = "caritas-token-0123456789abcdef0123456789"
	tokACLI    = "acli-token-0123456789abcdef0123456789abcd"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type fixture struct {
	key   *oprf.PrivateKey
	srv   *httptest.Server
	audit *syncBuffer
	now   atomic.Int64 // unix nanos
}

func newFixture(t *testing.T, rate float64, maxBatch int) *fixture {
	t.Helper()
	pemKey, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	key, err := ParseKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	toks, err := ParseTokens("tokens", []byte("# partners\ncaritas "+tokCaritas+"\nacli "+tokACLI+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{key: key, audit: &syncBuffer{}}
	f.now.Store(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC).UnixNano())
	s, err := NewServer(Config{Key: key, Tokens: toks, Rate: rate, MaxBatch: maxBatch, Audit: f.audit,
		Now: func() time.Time { return time.Unix(0, f.now.Load()) }})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(s.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) client(tok string) Client {
	return Client{URL: f.srv.URL, Token: tok, BatchSize: 7, HTTPClient: f.srv.Client()}
}

// direct computes F(k, x) without HTTP, as the reference.
func (f *fixture) direct(t *testing.T, inputs [][]byte) [][]byte {
	t.Helper()
	c := oprf.NewClient(Suite)
	fin, req, err := c.Blind(inputs)
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := oprf.NewServer(Suite, f.key).Evaluate(req)
	out, err := c.Finalize(fin, ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func inputs(n int, prefix string) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = fmt.Appendf(nil, "%sRSSMRA80A01G224%c", prefix, 'A'+byte(i%26))
		out[i] = fmt.Appendf(out[i], "%d", i)
	}
	return out
}

func TestPseudonymsDeterministic(t *testing.T) {
	f := newFixture(t, 0, 100)
	in := inputs(50, "")
	ctx := context.Background()
	a, err := f.client(tokCaritas).Pseudonyms(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.client(tokACLI).Pseudonyms(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	want := f.direct(t, in)
	seen := map[string]bool{}
	for i := range in {
		if len(a[i]) != PseudonymSize || !bytes.Equal(a[i], b[i]) || !bytes.Equal(a[i], want[i]) {
			t.Fatalf("pseudonym %d differs between clients or from the reference", i)
		}
		seen[string(a[i])] = true
	}
	if len(seen) != len(in) {
		t.Fatal("distinct inputs collided")
	}
	// Another key gives unrelated pseudonyms.
	g := newFixture(t, 0, 100)
	c, _ := g.client(tokCaritas).Pseudonyms(ctx, in[:3])
	if bytes.Equal(c[0], a[0]) {
		t.Fatal("pseudonyms do not depend on the server key")
	}
}

func TestConcurrentClients(t *testing.T) {
	f := newFixture(t, 0, 100)
	in := inputs(30, "x")
	want := f.direct(t, in)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok := tokCaritas
			if g%2 == 1 {
				tok = tokACLI
			}
			c := f.client(tok)
			c.Parallel = 3
			got, err := c.Pseudonyms(context.Background(), in)
			if err != nil {
				errs <- err
				return
			}
			for i := range got {
				if !bytes.Equal(got[i], want[i]) {
					errs <- fmt.Errorf("client %d: pseudonym %d differs", g, i)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := strings.Count(f.audit.String(), `"status":200`); n != 8*5 {
		t.Fatalf("audit has %d successful requests, want %d", n, 8*5)
	}
}

func post(t *testing.T, f *fixture, auth, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/v1/evaluate", strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp, buf.String()
}

func blinded(t *testing.T, n int) (string, []string) {
	t.Helper()
	_, req, err := oprf.NewClient(Suite).Blind(inputs(n, "b"))
	if err != nil {
		t.Fatal(err)
	}
	els := make([]string, n)
	for i, e := range req.Elements {
		b, _ := e.MarshalBinaryCompress()
		els[i] = base64.StdEncoding.EncodeToString(b)
	}
	body, _ := json.Marshal(evalRequest{Elements: els})
	return string(body), els
}

func TestRequests(t *testing.T) {
	f := newFixture(t, 0, 10)
	good, _ := blinded(t, 3)
	tooMany, _ := blinded(t, 11)
	zero := base64.StdEncoding.EncodeToString(make([]byte, 32))
	ff := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xff}, 32))
	short := base64.StdEncoding.EncodeToString(make([]byte, 31))
	huge := `{"elements":["` + strings.Repeat("A", 1<<20) + `"]}`
	bearer := "Bearer " + tokCaritas
	for _, tc := range []struct {
		name, auth, body string
		status           int
	}{
		{"ok", bearer, good, 200},
		{"no token", "", good, 401},
		{"unknown token", "Bearer " + strings.Repeat("z", 40), good, 401},
		{"basic auth", "Basic " + tokCaritas, good, 401},
		{"empty bearer", "Bearer ", good, 401},
		{"not json", bearer, "elements=1", 400},
		{"unknown field", bearer, `{"elements":["` + zero + `"],"x":1}`, 400},
		{"trailing data", bearer, good + "{}", 400},
		{"empty batch", bearer, `{"elements":[]}`, 400},
		{"bad base64", bearer, `{"elements":["***"]}`, 400},
		{"short element", bearer, `{"elements":["` + short + `"]}`, 400},
		{"identity element", bearer, `{"elements":["` + zero + `"]}`, 400},
		{"non-canonical element", bearer, `{"elements":["` + ff + `"]}`, 400},
		{"batch too large", bearer, tooMany, 413},
		{"body too large", bearer, huge, 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := post(t, f, tc.auth, tc.body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tc.status, body)
			}
			if tc.status == 200 {
				var out evalResponse
				if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Elements) != 3 {
					t.Fatalf("response %s", body)
				}
			}
		})
	}
	resp, err := f.srv.Client().Get(f.srv.URL + "/v1/evaluate")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET evaluate: %d", resp.StatusCode)
	}
	resp, err = f.srv.Client().Get(f.srv.URL + "/v1/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health: %v", err)
	}
	resp.Body.Close()
}

func TestRateLimit(t *testing.T) {
	f := newFixture(t, 100, 100) // 100 evaluations/s, burst 100
	full, _ := blinded(t, 100)
	one, _ := blinded(t, 1)
	for _, step := range []struct {
		name    string
		advance time.Duration
		tok     string
		body    string
		status  int
	}{
		{"burst passes", 0, tokCaritas, full, 200},
		{"bucket empty", 0, tokCaritas, one, 429},
		{"other partner unaffected", 0, tokACLI, full, 200},
		{"refilled 50", 500 * time.Millisecond, tokCaritas, one, 200},
		{"not refilled enough for 100", 0, tokCaritas, full, 429},
		{"refilled fully", 2 * time.Second, tokCaritas, full, 200},
	} {
		f.now.Add(int64(step.advance))
		resp, body := post(t, f, "Bearer "+step.tok, step.body)
		if resp.StatusCode != step.status {
			t.Fatalf("%s: status %d, want %d (%s)", step.name, resp.StatusCode, step.status, body)
		}
		if step.status == 429 && resp.Header.Get("Retry-After") == "" {
			t.Fatalf("%s: no Retry-After", step.name)
		}
	}
	// The client gives up when waiting would exceed MaxWait.
	c := f.client(tokCaritas)
	c.BatchSize, c.MaxWait = 100, time.Millisecond
	_, err := c.Pseudonyms(context.Background(), inputs(100, "r"))
	if err == nil || !strings.Contains(err.Error(), "rate limited") {
		t.Fatalf("client under rate limit: %v", err)
	}
}

// TestClientWaitsOnRateLimit uses the real clock: the client sleeps for
// Retry-After and then succeeds.
func TestClientWaitsOnRateLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("sleeps about a second")
	}
	pemKey, _ := GenerateKey()
	key, _ := ParseKey(pemKey)
	toks, _ := ParseTokens("t", []byte("caritas "+tokCaritas))
	s, err := NewServer(Config{Key: key, Tokens: toks, Rate: 20, MaxBatch: 20})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	c := Client{URL: srv.URL, Token: tokCaritas, BatchSize: 20, Parallel: 1}
	start := time.Now()
	if _, err := c.Pseudonyms(context.Background(), inputs(40, "w")); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 900*time.Millisecond {
		t.Fatal("the second batch was not rate limited")
	}
}

func TestAuditLog(t *testing.T) {
	f := newFixture(t, 0, 10)
	body, els := blinded(t, 5)
	post(t, f, "Bearer "+tokCaritas, body)
	post(t, f, "Bearer nope-nope-nope-nope-nope-nope-nope-nope", body)
	post(t, f, "Bearer "+tokACLI, `{"elements":["`+els[0]+`", "bad"]}`)
	in := inputs(20, "audit")
	out, err := f.client(tokACLI).Pseudonyms(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	log := f.audit.String()
	lines := strings.Split(strings.TrimSpace(log), "\n")
	if len(lines) != 3+3 {
		t.Fatalf("%d audit lines:\n%s", len(lines), log)
	}
	want := []struct {
		partner string
		batch   int
		status  int
	}{{"caritas", 5, 200}, {"", 0, 401}, {"acli", 0, 400}}
	for i, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d is not JSON: %v", i, err)
		}
		if len(m) != 5 {
			t.Fatalf("line %d has fields %v", i, m)
		}
		if i < len(want) && (m["partner"] != want[i].partner || int(m["batch"].(float64)) != want[i].batch || int(m["status"].(float64)) != want[i].status) {
			t.Fatalf("line %d = %s", i, l)
		}
	}
	for _, e := range els {
		if strings.Contains(log, e) || strings.Contains(log, e[:16]) {
			t.Fatal("audit log contains a blinded element")
		}
	}
	for i := range in {
		if strings.Contains(log, string(in[i])) || strings.Contains(log, base64.StdEncoding.EncodeToString(out[i])[:16]) {
			t.Fatal("audit log contains an input or an output")
		}
	}
	if strings.Contains(log, tokCaritas) || strings.Contains(log, tokACLI) {
		t.Fatal("audit log contains a token")
	}
}

// serve runs Serve for a server of one partner (caritas) on a loopback
// port, over HTTPS when certFile and keyFile are given, until ctx is
// cancelled. It returns the address and the channel of Serve's result.
func serve(ctx context.Context, t *testing.T, certFile, keyFile string) (addr string, done <-chan error) {
	t.Helper()
	pemKey, _ := GenerateKey()
	key, _ := ParseKey(pemKey)
	toks, _ := ParseTokens("t", []byte("caritas "+tokCaritas))
	s, _ := NewServer(Config{Key: key, Tokens: toks})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- Serve(ctx, ln, s.Handler(), certFile, keyFile) }()
	return ln.Addr().String(), errc
}

func TestServeGracefulShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addr, done := serve(ctx, t, "", "")
	c := Client{URL: "http://" + addr, Token: tokCaritas}
	if _, err := c.Pseudonyms(context.Background(), inputs(3, "s")); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if _, err := c.Pseudonyms(context.Background(), inputs(1, "s")); err == nil {
		t.Fatal("server still answering after shutdown")
	}
}

func TestClientRefuses(t *testing.T) {
	f := newFixture(t, 0, 10)
	for _, tc := range []struct {
		name string
		c    Client
		mark error
	}{
		{"plain http to remote host", Client{URL: "http://keys.example.org:8787", Token: tokCaritas}, base.ErrInsecure},
		{"bad url", Client{URL: "keys.example.org", Token: tokCaritas}, base.ErrUsage},
		{"no token", Client{URL: f.srv.URL}, base.ErrUsage},
		{"wrong token", Client{URL: f.srv.URL, Token: strings.Repeat("q", 40)}, base.ErrInsecure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.Pseudonyms(context.Background(), inputs(2, "c"))
			if !errors.Is(err, tc.mark) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestTokensFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tokens")
	t1, err := AddToken(path, "caritas")
	if err != nil {
		t.Fatal(err)
	}
	t2, err := AddToken(path, "acli")
	if err != nil {
		t.Fatal(err)
	}
	toks, err := LoadTokens(path)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := toks.Partner(t1); !ok || p != "caritas" {
		t.Fatal("first token lost")
	}
	if p, ok := toks.Partner(t2); !ok || p != "acli" {
		t.Fatal("second token lost")
	}
	if _, ok := toks.Partner(t1 + "x"); ok {
		t.Fatal("accepted a wrong token")
	}
	secret := strings.Repeat("s", 40)
	for _, tc := range []struct{ name, data string }{
		{"one field", "caritas\n"},
		{"three fields", "caritas " + secret + " x\n"},
		{"short token", "caritas short\n"},
		{"bad partner", "car itas " + secret + "\n"},
		{"duplicate", "a " + secret + "\nb " + secret + "\n"},
		{"empty", "# nothing\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseTokens("tokens", []byte(tc.data))
			if !errors.Is(err, base.ErrInvalidInput) {
				t.Fatalf("err = %v", err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatal("error quotes the token")
			}
		})
	}
	tokPath := filepath.Join(dir, "caritas.token")
	if err := os.WriteFile(tokPath, []byte(t1+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadToken(tokPath); !errors.Is(err, base.ErrInsecure) {
		t.Fatalf("0644 token file: %v", err)
	}
	_ = os.Chmod(tokPath, 0o600)
	if got, err := ReadToken(tokPath); err != nil || got != t1 {
		t.Fatalf("ReadToken: %v", err)
	}
}

// BenchmarkPseudonyms measures end-to-end pseudonyms/s over loopback HTTP
// with batches of 1,000 (blind + evaluate + finalize).
func BenchmarkPseudonyms(b *testing.B) {
	pemKey, _ := GenerateKey()
	key, _ := ParseKey(pemKey)
	toks, _ := ParseTokens("t", []byte("caritas "+tokCaritas))
	s, _ := NewServer(Config{Key: key, Tokens: toks})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	in := inputs(10_000, "bench")
	c := Client{URL: srv.URL, Token: tokCaritas, BatchSize: 1000}
	cpu0 := rusage.CPU().Seconds()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Pseudonyms(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	n := float64(b.N * len(in))
	b.ReportMetric(n/b.Elapsed().Seconds(), "pseudonyms/s")
	// The machine is shared: CPU time (client + server, all threads) is
	// the stable measure of cost.
	b.ReportMetric(n/(rusage.CPU().Seconds()-cpu0), "pseudonyms/cpu-s")
}

// BenchmarkServerEvaluate measures the server side alone (decode, one
// scalar multiplication per element, encode) on batches of 1,000.
func BenchmarkServerEvaluate(b *testing.B) {
	pemKey, _ := GenerateKey()
	key, _ := ParseKey(pemKey)
	toks, _ := ParseTokens("t", []byte("caritas "+tokCaritas))
	s, _ := NewServer(Config{Key: key, Tokens: toks})
	h := s.Handler()
	_, req, _ := oprf.NewClient(Suite).Blind(inputs(1000, "bench"))
	els := make([]string, len(req.Elements))
	for i, e := range req.Elements {
		raw, _ := e.MarshalBinaryCompress()
		els[i] = base64.StdEncoding.EncodeToString(raw)
	}
	body, _ := json.Marshal(evalRequest{Elements: els})
	cpu0 := rusage.CPU().Seconds()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/v1/evaluate", bytes.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+tokCaritas)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
	b.ReportMetric(float64(b.N*len(els))/b.Elapsed().Seconds(), "evaluations/s")
	b.ReportMetric(float64(b.N*len(els))/(rusage.CPU().Seconds()-cpu0), "evaluations/cpu-s")
}
