package keyserver

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/circl/group"
	"github.com/cloudflare/circl/oprf"
)

// Defaults of Config.
const (
	DefaultMaxBatch = 10_000
	elementSize     = 32
)

// Config configures a Server.
type Config struct {
	Key    *oprf.PrivateKey
	Tokens *Tokens
	// Rate is the sustained number of evaluations per second allowed to
	// each partner (<= 0: unlimited); Burst is the bucket size, at least
	// MaxBatch (default: max(Rate, MaxBatch)).
	Rate  float64
	Burst int
	// MaxBatch is the largest number of elements in one request.
	MaxBatch int
	// Audit receives one JSON line per request (nil: none).
	Audit io.Writer
	// Logger receives operational messages (nil: discarded). It never
	// receives an element.
	Logger *slog.Logger
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Server evaluates the OPRF for authenticated partners.
type Server struct {
	cfg     Config
	eval    oprf.Server
	limit   *limiter
	maxBody int64

	auditMu sync.Mutex
}

// NewServer checks cfg and returns a server.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Key == nil || cfg.Tokens == nil {
		return nil, errors.New("keyserver: a key and tokens are required")
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}
	if cfg.Burst <= 0 {
		cfg.Burst = int(math.Max(math.Ceil(cfg.Rate), float64(cfg.MaxBatch)))
	}
	if cfg.Rate > 0 && cfg.Burst < cfg.MaxBatch {
		return nil, fmt.Errorf("keyserver: burst %d is below the maximum batch %d: full batches could never pass", cfg.Burst, cfg.MaxBatch)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Server{
		cfg:     cfg,
		eval:    oprf.NewServer(Suite, cfg.Key),
		limit:   newLimiter(cfg.Rate, cfg.Burst),
		maxBody: int64(cfg.MaxBatch*(base64.StdEncoding.EncodedLen(elementSize)+3) + 1024),
	}, nil
}

// Handler is the HTTP API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/evaluate", s.evaluate)
	mux.HandleFunc("GET /v1/health", s.health)
	return mux
}

type evalRequest struct {
	Elements []string `json:"elements"`
}

type evalResponse struct {
	Elements []string `json:"elements"`
}

type errorResponse struct {
	Error string `json:"error"`
}

func (s *Server) health(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "suite": Suite.Identifier(), "max_batch": s.cfg.MaxBatch})
}

func (s *Server) evaluate(w http.ResponseWriter, r *http.Request) {
	start := s.cfg.Now()
	partner, ok := s.authenticate(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="swd-keyserver"`)
		s.fail(w, start, "", 0, http.StatusUnauthorized, "missing or unknown bearer token")
		return
	}
	elems, status, msg := s.decode(w, r)
	if status != http.StatusOK {
		s.fail(w, start, partner, len(elems), status, msg)
		return
	}
	if ok, wait := s.limit.take(partner, len(elems), start); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		s.fail(w, start, partner, len(elems), http.StatusTooManyRequests, "rate limit exceeded")
		return
	}
	ev, err := s.eval.Evaluate(&oprf.EvaluationRequest{Elements: elems})
	if err != nil {
		s.fail(w, start, partner, len(elems), http.StatusInternalServerError, "evaluation failed")
		return
	}
	out := evalResponse{Elements: make([]string, len(ev.Elements))}
	for i, e := range ev.Elements {
		b, err := e.MarshalBinaryCompress()
		if err != nil {
			s.fail(w, start, partner, len(elems), http.StatusInternalServerError, "evaluation failed")
			return
		}
		out.Elements[i] = base64.StdEncoding.EncodeToString(b)
	}
	writeJSON(w, http.StatusOK, out)
	s.audit(start, partner, len(elems), http.StatusOK)
}

func (s *Server) authenticate(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		return "", false
	}
	return s.cfg.Tokens.Partner(tok)
}

// decode parses the request body; it returns the elements, or a status
// other than 200 and a message that never quotes the request.
func (s *Server) decode(w http.ResponseWriter, r *http.Request) ([]group.Element, int, string) {
	body := http.MaxBytesReader(w, r.Body, s.maxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	var req evalRequest
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", s.maxBody)
		}
		return nil, http.StatusBadRequest, "malformed JSON request"
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, http.StatusBadRequest, "trailing data after the JSON request"
	}
	n := len(req.Elements)
	switch {
	case n == 0:
		return nil, http.StatusBadRequest, "empty batch"
	case n > s.cfg.MaxBatch:
		return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("batch of %d elements, at most %d", n, s.cfg.MaxBatch)
	}
	elems := make([]group.Element, n)
	g := Suite.Group()
	for i, str := range req.Elements {
		raw, err := base64.StdEncoding.DecodeString(str)
		e := g.NewElement()
		if err != nil || len(raw) != elementSize || e.UnmarshalBinary(raw) != nil || e.IsIdentity() {
			return nil, http.StatusBadRequest, fmt.Sprintf("element %d is not a valid ristretto255 element", i)
		}
		elems[i] = e
	}
	return elems, http.StatusOK, ""
}

func (s *Server) fail(w http.ResponseWriter, start time.Time, partner string, n, status int, msg string) {
	writeJSON(w, status, errorResponse{Error: msg})
	s.audit(start, partner, n, status)
}

type auditEntry struct {
	Time       string  `json:"time"`
	Partner    string  `json:"partner"`
	Batch      int     `json:"batch"`
	Status     int     `json:"status"`
	DurationMS float64 `json:"duration_ms"`
}

// audit writes one line; it holds no element, by construction.
func (s *Server) audit(start time.Time, partner string, n, status int) {
	if status != http.StatusOK {
		s.cfg.Logger.Warn("keyserver request refused", "partner", partner, "batch", n, "status", status)
	}
	if s.cfg.Audit == nil {
		return
	}
	line, _ := json.Marshal(auditEntry{
		Time:       start.UTC().Format(time.RFC3339Nano),
		Partner:    partner,
		Batch:      n,
		Status:     status,
		DurationMS: float64(s.cfg.Now().Sub(start).Microseconds()) / 1000,
	})
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	if _, err := s.cfg.Audit.Write(append(line, '\n')); err != nil {
		s.cfg.Logger.Error("writing the audit log failed", "error", err)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Serve serves h on ln until ctx is cancelled, then shuts down gracefully
// (in-flight requests get up to 10 seconds) and returns nil. With a
// certificate and key file it serves HTTPS; bearer tokens must not cross
// a network in clear, so plain HTTP is for loopback or behind a TLS proxy.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, certFile, keyFile string) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	errc := make(chan error, 1)
	go func() {
		if certFile != "" {
			errc <- srv.ServeTLS(ln, certFile, keyFile)
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("keyserver: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("keyserver: shutdown: %w", err)
	}
	<-errc
	return nil
}
