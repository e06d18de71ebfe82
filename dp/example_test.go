package dp_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/welfare-district/swd/dp"
)

func ExampleParams() {
	p := dp.Params{Epsilon: 1}
	p.EnsureDefaults()
	fmt.Println(p.String())
	q, _ := dp.Parse(p.String())
	fmt.Println(q.QueryEpsilon(dp.QueryDistrictNeed), q.Validate())
	// Output:
	// epsilon=1 delta=0 mechanism=laplace max_needs=3 confidence=0.95 round_to=0 bounding_key=swd-2026 split=district:0.15,district_need:0.4,missing_middle:0.15,partners:0.15,totals:0.15
	// 0.4 <nil>
}

func ExampleLedger() {
	dir, _ := os.MkdirTemp("", "ledger")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "padova.ledger")
	_ = dp.InitLedger(path, "padova-2026", dp.Budget{Epsilon: 2, Delta: 1e-6}, nil) // nil: not signed

	// What the encoded files of the releases share: the ledger is bound to it.
	dataset := dp.NewBinding("9b1f0c77e2a4", "5d2e8a10c3b6", []string{"acli", "caritas", "comune"})
	l, _ := dp.OpenLedger(context.Background(), path, nil)
	id, _ := l.Reserve(dp.Reservation{Cost: dp.Budget{Epsilon: 1.5}, Queries: []string{dp.QueryTotals}, Binding: dataset})
	_ = l.Commit(id)
	_, err := l.Reserve(dp.Reservation{Cost: dp.Budget{Epsilon: 1}, Binding: dataset})
	fmt.Println(errors.Is(err, dp.ErrBudgetExhausted))
	s := l.Status()
	fmt.Printf("spent ε=%g, left ε=%g, %d release(s): %s\n", s.Spent.Epsilon, s.Left.Epsilon, len(s.Releases), s.Releases[0].State)
	_ = l.Close()
	// Output:
	// true
	// spent ε=1.5, left ε=0.5, 1 release(s): committed
}

func ExamplePublish() {
	dir, _ := os.MkdirTemp("", "release")
	defer os.RemoveAll(dir)
	households := []dp.Household{
		{ID: "h1", District: "1", Needs: []string{"casa", "lavoro"}, Partners: []string{"caritas", "comune"}},
		{ID: "h2", District: "3", Needs: []string{"anziani"}, Partners: []string{"acli"}},
	}
	partners := []string{"comune", "ulss6", "caritas", "acli", "cgil"}
	ledger := filepath.Join(dir, "padova.ledger")
	if err := dp.InitLedger(ledger, "padova", dp.Budget{Epsilon: 3, Delta: 1e-6}, nil); err != nil {
		fmt.Println(err)
		return
	}
	pub, err := dp.Publish(context.Background(), households, dp.PublishConfig{
		Params: dp.Params{Epsilon: 1},
		Domain: dp.DefaultDomain(partners),
		Ledger: ledger,
		// The key check value and schema fingerprint of the encoded files.
		Binding: dp.NewBinding("9b1f0c77e2a4", "5d2e8a10c3b6", partners),
		OutDir:  filepath.Join(dir, "release-2026-11"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range pub.Result.Tables {
		fmt.Printf("%s: %d cells, noise std %.2f\n", t.Query, len(t.Cells), t.NoiseStd)
	}
	// Output:
	// district_need: 77 cells, noise std 10.61
	// district: 7 cells, noise std 9.43
	// partners: 5 cells, noise std 9.43
	// missing_middle: 7 cells, noise std 9.43
	// totals: 3 cells, noise std 18.86
}
