package keyserver

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/circl/oprf"

	"github.com/welfare-district/swd/internal/base"
)

// DefaultBatchSize is the number of inputs per request.
const DefaultBatchSize = 1000

// PseudonymSize is the length of a pseudonym (the SHA-512 OPRF output).
const PseudonymSize = 64

// Client obtains pseudonyms from a keyserver.
type Client struct {
	// URL is the server's base URL, e.g. "https://keys.example:8787".
	// Plain http is accepted only for loopback hosts.
	URL string
	// Token is the partner's bearer token.
	Token string
	// HTTPClient is used for requests (nil: a client with a 60 s timeout).
	HTTPClient *http.Client
	// BatchSize is the number of inputs per request (0: DefaultBatchSize).
	BatchSize int
	// Parallel is the number of requests in flight (0: 2).
	Parallel int
	// MaxWait bounds the total time spent waiting on 429 responses
	// (0: 10 minutes).
	MaxWait time.Duration
}

// Pseudonyms returns, for each input, the 64-byte OPRF output
// F(k, input) under the server's key: Blind → batched Evaluate →
// Finalize. Equal inputs give equal pseudonyms for every partner; the
// server never sees the inputs. Errors never contain an input.
func (c Client) Pseudonyms(ctx context.Context, inputs [][]byte) ([][]byte, error) {
	endpoint, err := c.endpoint()
	if err != nil {
		return nil, err
	}
	bs, par := c.BatchSize, c.Parallel
	if bs <= 0 {
		bs = DefaultBatchSize
	}
	if par <= 0 {
		par = 2
	}
	out := make([][]byte, len(inputs))
	var (
		wg       sync.WaitGroup
		sem      = make(chan struct{}, par)
		errOnce  sync.Once
		firstErr error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for lo := 0; lo < len(inputs); lo += bs {
		hi := min(lo+bs, len(inputs))
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := c.batch(ctx, endpoint, inputs[lo:hi], out[lo:hi]); err != nil {
				errOnce.Do(func() { firstErr = err; cancel() })
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func (c Client) endpoint() (string, error) {
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", base.Usagef("keyserver URL %q: want http(s)://host:port", c.URL)
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		return "", base.Mark(fmt.Errorf("keyserver URL %s: plain http to a non-loopback host would expose the token; use https", c.URL), base.ErrInsecure)
	}
	if c.Token == "" {
		return "", base.Usagef("keyserver token is empty")
	}
	return strings.TrimSuffix(u.String(), "/") + "/v1/evaluate", nil
}

// IsLoopback reports whether host (a name or an IP address, without a
// port) is localhost or a loopback address, where a bearer token may travel
// over plain HTTP.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c Client) batch(ctx context.Context, endpoint string, inputs, out [][]byte) error {
	cl := oprf.NewClient(Suite)
	fin, req, err := cl.Blind(inputs)
	if err != nil {
		return fmt.Errorf("keyserver: blinding failed")
	}
	body := evalRequest{Elements: make([]string, len(req.Elements))}
	for i, e := range req.Elements {
		b, err := e.MarshalBinaryCompress()
		if err != nil {
			return fmt.Errorf("keyserver: %w", err)
		}
		body.Elements[i] = base64.StdEncoding.EncodeToString(b)
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("keyserver: %w", err)
	}
	resp, err := c.post(ctx, endpoint, payload)
	if err != nil {
		return err
	}
	if len(resp.Elements) != len(inputs) {
		return base.Mark(fmt.Errorf("keyserver returned %d elements for %d inputs", len(resp.Elements), len(inputs)), base.ErrIntegrity)
	}
	ev := &oprf.Evaluation{Elements: make([]oprf.Evaluated, len(resp.Elements))}
	g := Suite.Group()
	for i, s := range resp.Elements {
		raw, err := base64.StdEncoding.DecodeString(s)
		e := g.NewElement()
		if err != nil || e.UnmarshalBinary(raw) != nil || e.IsIdentity() {
			return base.Mark(fmt.Errorf("keyserver returned an invalid element at position %d", i), base.ErrIntegrity)
		}
		ev.Elements[i] = e
	}
	res, err := cl.Finalize(fin, ev)
	if err != nil {
		return base.Mark(fmt.Errorf("keyserver: finalizing failed"), base.ErrIntegrity)
	}
	copy(out, res)
	return nil
}

// post sends one batch, waiting and retrying on 429.
func (c Client) post(ctx context.Context, endpoint string, payload []byte) (*evalResponse, error) {
	hc := c.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	maxWait := c.MaxWait
	if maxWait <= 0 {
		maxWait = 10 * time.Minute
	}
	var waited time.Duration
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(payload))
		if err != nil {
			return nil, fmt.Errorf("keyserver: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+c.Token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return nil, fmt.Errorf("keyserver: %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("keyserver: reading response: %w", err)
		}
		switch resp.StatusCode {
		case http.StatusOK:
			var out evalResponse
			if err := json.Unmarshal(data, &out); err != nil {
				return nil, base.Mark(errors.New("keyserver: malformed response"), base.ErrIntegrity)
			}
			return &out, nil
		case http.StatusTooManyRequests:
			d := retryAfter(resp.Header.Get("Retry-After"))
			if waited+d > maxWait {
				return nil, fmt.Errorf("keyserver: rate limited for more than %v; lower the load or raise the partner's rate", maxWait)
			}
			waited += d
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		case http.StatusUnauthorized:
			return nil, base.Mark(errors.New("keyserver refused the token (401): check --oprf-token"), base.ErrInsecure)
		default:
			var e errorResponse
			_ = json.Unmarshal(data, &e)
			return nil, fmt.Errorf("keyserver: %s: %s", resp.Status, e.Error)
		}
	}
}

func retryAfter(h string) time.Duration {
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s)*time.Second + 50*time.Millisecond
	}
	return time.Second
}
