package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/keyfile"
	"github.com/welfare-district/swd/internal/keyserver"
)

// KeyserverOptions are the flags of swd keyserver.
type KeyserverOptions struct {
	Addr           string
	Key            string
	Tokens         string
	Rate           string
	Burst          int
	MaxBatch       int
	Audit          string
	TLSCert        string
	TLSKey         string
	AllowPlainHTTP bool

	rate float64
}

// AddFlags binds the options to fs.
func (o *KeyserverOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8787", "listen address")
	fs.StringVar(&o.Key, "key", "", "OPRF key file (0600), from 'swd keyserver keygen'")
	fs.StringVar(&o.Tokens, "tokens", "", "tokens file (0600): one 'PARTNER TOKEN' per line, from 'swd keyserver token'")
	fs.StringVar(&o.Rate, "rate", "500/s", "evaluations allowed per partner: N/s, N/m, N/h or N/d (0: unlimited); e.g. --rate 100000/d --burst 100000 caps a partner near 10^5 a day")
	fs.IntVar(&o.Burst, "burst", 0, "token-bucket size per partner (default: max(rate per second, --max-batch))")
	fs.IntVar(&o.MaxBatch, "max-batch", keyserver.DefaultMaxBatch, "largest batch accepted in one request")
	fs.StringVar(&o.Audit, "audit", "", "audit log (JSON lines, appended, 0600): time, partner, batch size, status")
	fs.StringVar(&o.TLSCert, "tls-cert", "", "TLS certificate (PEM) to serve HTTPS")
	fs.StringVar(&o.TLSKey, "tls-key", "", "TLS private key (PEM, 0600)")
	fs.BoolVar(&o.AllowPlainHTTP, "allow-plain-http", false, "serve plain HTTP on a non-loopback address (only behind a TLS proxy)")
}

func (o *KeyserverOptions) validate() error {
	if o.Key == "" || o.Tokens == "" || o.Audit == "" {
		return base.Usagef("--key, --tokens and --audit are required")
	}
	r, err := parseRate(o.Rate)
	if err != nil {
		return err
	}
	o.rate = r
	if o.MaxBatch < 1 {
		return base.Usagef("--max-batch must be at least 1")
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return base.Usagef("--tls-cert and --tls-key go together")
	}
	host, _, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return base.Usagef("--addr %q: %v", o.Addr, err)
	}
	if !keyserver.IsLoopback(host) && o.TLSCert == "" && !o.AllowPlainHTTP {
		return base.Mark(fmt.Errorf("--addr %s is not a loopback address: bearer tokens would cross the network in clear; give --tls-cert/--tls-key (or --allow-plain-http behind a TLS proxy)", o.Addr), base.ErrInsecure)
	}
	return nil
}

// parseRate reads "N/s", "N/m", "N/h", "N/d" or "N" (per second).
func parseRate(s string) (float64, error) {
	num, unit, _ := strings.Cut(strings.TrimSpace(s), "/")
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 {
		return 0, base.Usagef("--rate %q: want N/s, N/m, N/h or N/d", s)
	}
	switch unit {
	case "", "s":
		return v, nil
	case "m":
		return v / 60, nil
	case "h":
		return v / 3600, nil
	case "d":
		return v / 86400, nil
	}
	return 0, base.Usagef("--rate %q: unit must be s, m, h or d", s)
}

func newKeyserverCommand(g *GlobalOptions) *cobra.Command {
	opts := &KeyserverOptions{}
	cmd := &cobra.Command{
		Use:   "keyserver --key FILE --tokens FILE --audit FILE [--addr HOST:PORT] [--rate N/s]",
		Short: "Serve oblivious pseudonyms (OPRF, RFC 9497) for exact identifiers",
		Long: `Run the oblivious pseudonym service. Partners send blinded fiscal codes
('swd encode --oprf URL --oprf-token FILE') and get back blinded
evaluations of an OPRF (ristretto255-SHA512) under the server's key, from
which they compute pseudonyms: equal fiscal codes give equal pseudonyms at
every partner, the server never sees a fiscal code, and no partner holds a
key with which to test guesses offline.

Each partner authenticates with its own bearer token; each is limited to
--rate evaluations (token bucket, refused with 429); every request is
appended to --audit as one JSON line (time, partner, batch size, status),
never with any element. Stops cleanly on SIGINT/SIGTERM.

  swd keyserver keygen --out oprf.key
  swd keyserver token --tokens tokens --partner caritas --out caritas.token
  swd keyserver --key oprf.key --tokens tokens --audit audit.jsonl --rate 500/s

API: POST /v1/evaluate {"elements":[base64...]} with 'Authorization:
Bearer TOKEN'; GET /v1/health. See docs/threat-model.md.

` + exitStatusHelp,
		Args:    cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error { return opts.validate() },
		RunE:    func(cmd *cobra.Command, args []string) error { return runKeyserver(cmd.Context(), opts, g, args) },
	}
	opts.AddFlags(cmd.Flags())
	cmd.AddCommand(newKeyserverKeygenCommand(g), newKeyserverTokenCommand(g))
	return cmd
}

func runKeyserver(ctx context.Context, opts *KeyserverOptions, g *GlobalOptions, _ []string) error {
	key, err := keyserver.LoadKey(opts.Key)
	if err != nil {
		return err
	}
	toks, err := keyserver.LoadTokens(opts.Tokens)
	if err != nil {
		return err
	}
	if opts.TLSKey != "" {
		if _, err := keyfile.Read(opts.TLSKey); err != nil {
			return err
		}
	}
	audit, err := os.OpenFile(opts.Audit, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return base.Usagef("--audit: %v", err)
	}
	defer audit.Close()
	srv, err := keyserver.NewServer(keyserver.Config{Key: key, Tokens: toks, Rate: opts.rate, Burst: opts.Burst,
		MaxBatch: opts.MaxBatch, Audit: audit, Logger: g.Logger})
	if err != nil {
		return base.Usagef("%v", err)
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("keyserver: %w", err)
	}
	scheme := "http"
	if opts.TLSCert != "" {
		scheme = "https"
	}
	g.Logger.Info("keyserver listening", "url", scheme+"://"+ln.Addr().String(), "partners_tokens", toks.Len(),
		"rate_per_s", opts.rate, "max_batch", opts.MaxBatch, "audit", opts.Audit)
	if err := keyserver.Serve(ctx, ln, srv.Handler(), opts.TLSCert, opts.TLSKey); err != nil {
		return err
	}
	g.Logger.Info("keyserver stopped")
	if err := audit.Sync(); err != nil {
		return fmt.Errorf("syncing the audit log: %w", err)
	}
	return nil
}

// KeyserverKeygenOptions are the flags of swd keyserver keygen.
type KeyserverKeygenOptions struct {
	Out   string
	Force bool
}

// AddFlags binds the options to fs.
func (o *KeyserverKeygenOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Out, "out", "", "key file to create (mode 0600)")
	fs.BoolVar(&o.Force, "force", false, "overwrite an existing key (every pseudonym changes)")
}

func newKeyserverKeygenCommand(g *GlobalOptions) *cobra.Command {
	opts := &KeyserverKeygenOptions{}
	cmd := &cobra.Command{
		Use:   "keygen --out FILE",
		Short: "Create the keyserver's OPRF key (0600)",
		Long:  "Create a random OPRF key (ristretto255 scalar) for 'swd keyserver'. Losing or\nreplacing it changes every pseudonym: back it up like the linkage secret.\n\n" + exitStatusHelp,
		Args:  cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error {
			if opts.Out == "" {
				return base.Usagef("--out is required")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runKeyserverKeygen(cmd.Context(), opts, g, args) },
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runKeyserverKeygen(_ context.Context, opts *KeyserverKeygenOptions, g *GlobalOptions, _ []string) error {
	k, err := keyserver.GenerateKey()
	if err != nil {
		return err
	}
	if err := keyfile.Write(opts.Out, k, opts.Force); err != nil {
		return err
	}
	g.Logger.Info("OPRF key created", "file", opts.Out)
	return nil
}

// KeyserverTokenOptions are the flags of swd keyserver token.
type KeyserverTokenOptions struct {
	Tokens  string
	Partner string
	Out     string
}

// AddFlags binds the options to fs.
func (o *KeyserverTokenOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Tokens, "tokens", "", "the server's tokens file (created 0600 if missing; the new token is appended)")
	fs.StringVar(&o.Partner, "partner", "", "partner name")
	fs.StringVar(&o.Out, "out", "", "file to write the partner's token to (0600), to hand to the partner")
}

func newKeyserverTokenCommand(g *GlobalOptions) *cobra.Command {
	opts := &KeyserverTokenOptions{}
	cmd := &cobra.Command{
		Use:   "token --tokens FILE --partner NAME --out FILE",
		Short: "Issue a bearer token to a partner",
		Long:  "Create a random bearer token for a partner, append it to the server's tokens\nfile and write it alone to --out (0600) for the partner's --oprf-token.\nRestart the server to load it.\n\n" + exitStatusHelp,
		Args:  cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error {
			if opts.Tokens == "" || opts.Partner == "" || opts.Out == "" {
				return base.Usagef("--tokens, --partner and --out are required")
			}
			if _, err := os.Lstat(opts.Out); err == nil {
				return base.Usagef("%s already exists", opts.Out)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runKeyserverToken(cmd.Context(), opts, g, args) },
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func runKeyserverToken(_ context.Context, opts *KeyserverTokenOptions, g *GlobalOptions, _ []string) error {
	tok, err := keyserver.AddToken(opts.Tokens, opts.Partner)
	if err != nil {
		return err
	}
	if err := keyfile.Write(opts.Out, []byte(tok+"\n"), false); err != nil {
		return err
	}
	g.Logger.Info("token issued", "partner", opts.Partner, "tokens", opts.Tokens, "token_file", opts.Out)
	return nil
}
