package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"golang.org/x/term"

	"github.com/welfare-district/swd/internal/base"
)

// Log levels of --log-level.
var logLevels = map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}

// newLogger is the logger the global options ask for. With --log-format
// json, JSON lines for machines (level info unless --log-level says
// otherwise). Otherwise text on stderr: on a terminal, people read the
// summary on stdout, so only warnings and errors are logged, as plain
// "warning: …" lines; elsewhere (a pipe, a file, CI) the timestamped
// key=value lines of level info. --log-level sets the level in every case,
// --quiet leaves errors only.
func newLogger(g *GlobalOptions) (*slog.Logger, error) {
	level, explicit := slog.LevelInfo, g.LogLevel != ""
	if explicit {
		l, ok := logLevels[strings.ToLower(g.LogLevel)]
		if !ok {
			return nil, base.Usagef("--log-level must be debug, info, warn or error, not %q", g.LogLevel)
		}
		level = l
	}
	tty := isTerminal(g.Stderr)
	if !explicit && tty && g.LogFormat != "json" {
		level = slog.LevelWarn
	}
	if g.Quiet {
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	switch {
	case g.LogFormat == "json":
		return slog.New(slog.NewJSONHandler(g.Stderr, opts)), nil
	case tty:
		return slog.New(&humanHandler{w: g.Stderr, level: level, mu: &sync.Mutex{}}), nil
	}
	return slog.New(slog.NewTextHandler(g.Stderr, opts)), nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// humanHandler writes log records for people at a terminal: no time
// stamp, the level only when it matters ("warning: …", "error: …"), the
// attributes after the message as key=value.
type humanHandler struct {
	w     io.Writer
	level slog.Level
	attrs []slog.Attr
	group string
	mu    *sync.Mutex
}

func (h *humanHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *humanHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	switch {
	case r.Level >= slog.LevelError:
		b.WriteString("error: ")
	case r.Level >= slog.LevelWarn:
		b.WriteString("warning: ")
	}
	b.WriteString(r.Message)
	write := func(a slog.Attr) {
		if a.Equal(slog.Attr{}) {
			return
		}
		key := a.Key
		if h.group != "" {
			key = h.group + "." + key
		}
		v := a.Value.Resolve().String()
		if strings.ContainsAny(v, " \t\"=") || v == "" {
			v = fmt.Sprintf("%q", v)
		}
		fmt.Fprintf(&b, " %s=%s", key, v)
	}
	for _, a := range h.attrs {
		write(a)
	}
	r.Attrs(func(a slog.Attr) bool { write(a); return true })
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *humanHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &c
}

func (h *humanHandler) WithGroup(name string) slog.Handler {
	c := *h
	if c.group != "" {
		name = c.group + "." + name
	}
	c.group = name
	return &c
}
