package state

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// saveSteps are the failpoints of Save, in order.
var saveSteps = []string{recordsFile, edgesFile, eventsFile, modelFile, "enc-00.swd.parquet", "enc-04.swd.parquet", "manifest", "cleanup"}

// TestSaveFailureLeavesPreviousState: a Save failing at any step leaves
// the previous state readable and unchanged (or, failing after the
// manifest, the new one), and the next Save succeeds.
func TestSaveFailureLeavesPreviousState(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "state")
	m1 := writeMonth(t, filepath.Join(tmp, "m1"), synthFixture(t), 0.2, 5)
	if _, err := Link(ctx, LinkConfig{Dir: dir, Period: "2026-01", Inputs: m1, Out: filepath.Join(tmp, "l.parquet"), Linkage: testLinkage}); err != nil {
		t.Fatal(err)
	}
	before, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("injected failure")
	for _, step := range saveSteps {
		t.Run(step, func(t *testing.T) {
			failpoint = func(s string) error {
				if s == step {
					return boom
				}
				return nil
			}
			defer func() { failpoint = nil }()
			next, err := Open(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			gen := next.Manifest.Generation
			next.State.Period = fmt.Sprintf("2026-%02d", gen+1)
			if err := Save(dir, next); !errors.Is(err, boom) {
				t.Fatalf("Save: %v, want the injected failure", err)
			}
			got, err := Open(ctx, dir)
			if err != nil {
				t.Fatalf("state unreadable after a failure at %s: %v", step, err)
			}
			want := gen
			if step == "cleanup" {
				want = gen + 1 // the manifest was replaced: the new state holds
			}
			if got.Manifest.Generation != want {
				t.Fatalf("generation %d after a failure at %s, want %d", got.Manifest.Generation, step, want)
			}
			if !reflect.DeepEqual(got.State.Records, before.State.Records) || !reflect.DeepEqual(got.State.Edges, before.State.Edges) {
				t.Fatal("the state's records or links changed")
			}
		})
	}
	failpoint = nil
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	s.State.Period = "2026-12"
	if err := Save(dir, s); err != nil {
		t.Fatalf("Save after failures: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%d entries in the state directory after a good Save, want 2", len(entries))
	}
}

// TestKilledSave kills a process saving the state in a loop (SIGKILL at
// random moments) and checks each time that the state opens and checks.
func TestKilledSave(t *testing.T) {
	if dir := os.Getenv("SWD_STATE_SAVE_LOOP"); dir != "" {
		saveLoop(dir)
		return
	}
	if testing.Short() {
		t.Skip("kills subprocesses")
	}
	ctx := context.Background()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "state")
	m1 := writeMonth(t, filepath.Join(tmp, "m1"), synthFixture(t), 0, 0)
	if _, err := Link(ctx, LinkConfig{Dir: dir, Period: "2026-01", Inputs: m1, Out: filepath.Join(tmp, "l.parquet"), Linkage: testLinkage}); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(42, 0))
	for round := range 8 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledSave$")
		cmd.Env = append(os.Environ(), "SWD_STATE_SAVE_LOOP="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(50+r.IntN(400)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		s, err := Open(ctx, dir)
		if err != nil {
			t.Fatalf("round %d: the state does not open after kill -9: %v", round, err)
		}
		t.Logf("round %d: generation %d", round, s.Manifest.Generation)
	}
}

// TestKilledLink kills a process linking period after period against a
// state (SIGKILL at random moments of whole runs: reading, linking,
// writing the links file, saving) and checks each time that the state
// opens, checks, and takes the next period.
func TestKilledLink(t *testing.T) {
	if dir := os.Getenv("SWD_STATE_LINK_LOOP"); dir != "" {
		linkLoop(dir, strings.Split(os.Getenv("SWD_STATE_LINK_INPUTS"), ","))
		return
	}
	if testing.Short() {
		t.Skip("kills subprocesses")
	}
	ctx := context.Background()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "state")
	m1 := writeMonth(t, filepath.Join(tmp, "m1"), synthFixture(t), 0.3, 8)
	m2 := writeMonth(t, filepath.Join(tmp, "m2"), synthFixture(t), 0, 0)
	if _, err := Link(ctx, LinkConfig{Dir: dir, Period: "2026-01", Inputs: m1, Out: filepath.Join(tmp, "l.parquet"), Linkage: testLinkage}); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(43, 0))
	for round := range 6 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledLink$")
		cmd.Env = append(os.Environ(), "SWD_STATE_LINK_LOOP="+dir, "SWD_STATE_LINK_INPUTS="+strings.Join(m2, ","))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(100+r.IntN(1500)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		s, err := Open(ctx, dir)
		if err != nil {
			t.Fatalf("round %d: the state does not open after kill -9: %v", round, err)
		}
		t.Logf("round %d: generation %d, period %s", round, s.Manifest.Generation, s.Manifest.Period)
	}
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Link(ctx, LinkConfig{Dir: dir, Period: nextPeriod(s.Manifest.Period), Inputs: m2, Out: filepath.Join(tmp, "l.parquet"), Linkage: testLinkage}); err != nil {
		t.Fatalf("a run after the kills: %v", err)
	}
}

// linkLoop links the inputs against the state in dir, period after
// period, until killed.
func linkLoop(dir string, inputs []string) {
	ctx := context.Background()
	for {
		s, err := Open(ctx, dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		out := filepath.Join(filepath.Dir(dir), "loop.parquet")
		if _, err := Link(ctx, LinkConfig{Dir: dir, Period: nextPeriod(s.Manifest.Period), Inputs: inputs, Out: out, Linkage: testLinkage}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
	}
}

// nextPeriod is the month after period (YYYY-MM).
func nextPeriod(period string) string {
	t, err := time.Parse("2006-01", period)
	if err != nil {
		panic(err)
	}
	return t.AddDate(0, 1, 0).Format("2006-01")
}

// saveLoop saves the state in dir again and again, until killed.
func saveLoop(dir string) {
	ctx := context.Background()
	for i := 0; ; i++ {
		s, err := Open(ctx, dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		s.State.Period = "2027-" + strconv.Itoa(i)
		if err := Save(dir, s); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
	}
}
