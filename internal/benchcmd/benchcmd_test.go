package benchcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
)

type result struct {
	Rate float64 `json:"rate"`
}

func (r result) WriteTable(w io.Writer) error {
	_, err := fmt.Fprintf(w, "rate %.1f\n", r.Rate)
	return err
}

func TestRun(t *testing.T) {
	ok := func(context.Context) (result, error) { return result{Rate: 2.5}, nil }
	fail := func(context.Context) (result, error) { return result{}, errors.New("no data") }
	tests := []struct {
		name             string
		asJSON           bool
		measure          func(context.Context) (result, error)
		code             int
		stdout, stderrOK string
	}{
		{"table", false, ok, 0, "rate 2.5\n", ""},
		{"json", true, ok, 0, "{\"rate\":2.5}\n", ""},
		{"error", true, fail, 1, "", "dice: no data\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), &out, &errb, "dice", tt.asJSON, tt.measure)
			if code != tt.code || out.String() != tt.stdout || errb.String() != tt.stderrOK {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
			}
		})
	}
}
