package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/welfare-district/swd/dp"
)

func TestBudgetInitShow(t *testing.T) {
	dir := t.TempDir()
	ledger := filepath.Join(dir, "padova.ledger")
	if code, _, errOut := runCLI(t, "budget", "init", "--ledger", ledger, "--total", "2", "--delta", "1e-7"); code != ExitOK {
		t.Fatalf("init: %d %s", code, errOut)
	}
	if code, _, _ := runCLI(t, "budget", "init", "--ledger", ledger, "--total", "5"); code != ExitUsage {
		t.Fatalf("re-init must be refused with a usage error, got %d", code)
	}
	l, err := dp.OpenLedger(context.Background(), ledger, nil)
	if err != nil {
		t.Fatal(err)
	}
	dataset := dp.NewBinding("0a1b2c3d", "4e5f6a7b", publishPartners)
	id, _ := l.Reserve(dp.Reservation{Cost: dp.Budget{Epsilon: 0.5}, Queries: []string{dp.QueryTotals}, Binding: dataset})
	_ = l.Commit(id)
	_, _ = l.Reserve(dp.Reservation{Cost: dp.Budget{Epsilon: 0.25}, Queries: []string{dp.QueryDistrict}, Binding: dataset})
	_ = l.Close()

	code, out, errOut := runCLI(t, "budget", "show", "--ledger", ledger, "--json")
	if code != ExitOK {
		t.Fatalf("show: %d %s", code, errOut)
	}
	var s dp.Status
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if s.Total.Epsilon != 2 || s.Spent.Epsilon != 0.75 || s.Left.Epsilon != 1.25 || len(s.Releases) != 2 || len(s.Uncommitted) != 1 {
		t.Fatalf("status %+v", s)
	}
	code, out, _ = runCLI(t, "budget", "show", "--ledger", ledger)
	for _, want := range []string{"total", "1.25", id, "committed", "pending", "interrupted", "not signed", "entries, head", "partners acli,caritas,cgil,comune,ulss6"} {
		if code != ExitOK || !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}

func TestBudgetErrors(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.ledger")
	_ = os.WriteFile(corrupt, []byte("{\"entry\":{},\"sha256\":\"00\"}\n{}\n"), 0o644)
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"budget", "init", "--total", "1"}, ExitUsage},
		{[]string{"budget", "init", "--ledger", filepath.Join(dir, "x"), "--total", "0"}, ExitUsage},
		{[]string{"budget", "init", "--ledger", filepath.Join(dir, "x"), "--delta", "2"}, ExitUsage},
		{[]string{"budget", "show"}, ExitUsage},
		{[]string{"budget", "show", "--ledger", filepath.Join(dir, "missing")}, ExitUsage},
		{[]string{"budget", "verify", "--ledger", filepath.Join(dir, "missing")}, ExitUsage},
		{[]string{"budget", "verify"}, ExitUsage},
		{[]string{"budget", "verify", "--ledger", corrupt}, ExitIntegrity},
		{[]string{"budget", "init", "--ledger", filepath.Join(dir, "y"), "--key", filepath.Join(dir, "no.key")}, ExitUsage},
		{[]string{"budget", "show", "--ledger", corrupt}, ExitIntegrity},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			if code, _, errOut := runCLI(t, tt.args...); code != tt.want {
				t.Fatalf("exit %d, want %d: %s", code, tt.want, errOut)
			}
		})
	}
}
