package pipeline

import (
	"errors"
	"log/slog"
	"runtime/debug"

	"github.com/welfare-district/swd/internal/base"
)

// ProgressFunc is told how far a long step has come: done units of total
// (-1: unknown) in the named stage. Stages follow one another; within one,
// done only grows.
type ProgressFunc func(stage string, done, total int64)

func (p ProgressFunc) report(stage string, done, total int64) {
	if p != nil {
		p(stage, done, total)
	}
}

// orDiscard is l, or a logger that discards everything when l is nil.
func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// modulePath is swd's module, whose version CodeVersion reports.
const modulePath = "github.com/welfare-district/swd"

// Version is the version of the swd module in the running program: its
// tag, or "(devel)" followed by the VCS revision when swd is the main
// module built from a checkout, or "devel" when unknown.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	mod := &info.Main
	for _, d := range info.Deps {
		if d.Path == modulePath {
			mod = d
		}
	}
	v := mod.Version
	if mod == &info.Main {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	if v == "" {
		v = "devel"
	}
	return v
}

// CodeVersion is what the files the steps write record as the version
// that wrote them, unless their config says otherwise.
func CodeVersion() string { return "swd " + Version() }

// inFile sets the file of an input error that lacks one.
func inFile(err error, path string) error {
	var ie *base.InputError
	if errors.As(err, &ie) && ie.File == "" {
		ie.File = path
	}
	return err
}
