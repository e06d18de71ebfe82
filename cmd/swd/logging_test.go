package main

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

func TestNewLogger(t *testing.T) {
	for _, tt := range []struct {
		name          string
		g             GlobalOptions
		info, warning bool
		json          bool
	}{
		{"pipe: info", GlobalOptions{LogFormat: "text"}, true, true, false},
		{"json", GlobalOptions{LogFormat: "json"}, true, true, true},
		{"warn", GlobalOptions{LogFormat: "text", LogLevel: "warn"}, false, true, false},
		{"quiet", GlobalOptions{LogFormat: "text", LogLevel: "info", Quiet: true}, false, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.g.Stderr = &buf
			l, err := newLogger(&tt.g)
			if err != nil {
				t.Fatal(err)
			}
			l.Info("read", "records", 3)
			l.Warn("odd", "partner", "acli")
			out := buf.String()
			if strings.Contains(out, "read") != tt.info || strings.Contains(out, "odd") != tt.warning {
				t.Fatalf("info %v warning %v: %q", tt.info, tt.warning, out)
			}
			if tt.json && out != "" && !strings.HasPrefix(out, "{") {
				t.Fatalf("not JSON: %q", out)
			}
		})
	}
	if _, err := newLogger(&GlobalOptions{LogLevel: "loud"}); err == nil {
		t.Fatal("unknown level accepted")
	}
}

func TestHumanHandler(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(&humanHandler{w: &buf, level: slog.LevelInfo, mu: &sync.Mutex{}})
	l.With("file", "a b.csv").Warn("column not in the input", "column", "telefono")
	l.Info("read", "records", 12)
	l.Error("failed")
	want := "warning: column not in the input file=\"a b.csv\" column=telefono\nread records=12\nerror: failed\n"
	if buf.String() != want {
		t.Fatalf("got %q want %q", buf.String(), want)
	}
}

func TestStageUnits(t *testing.T) {
	for stage, want := range map[string]string{"encoding": "records", "reading encoded files": "files", "scoring": "pairs",
		"EM fitting": "iterations", "clustering": "links", "blocking": "partner pairs"} {
		if got := stageUnit(stage); got != want {
			t.Errorf("stage %q counts %q, want %q", stage, got, want)
		}
	}
}
