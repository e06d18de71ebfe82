package dp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/differential-privacy/go/v3/noise"
)

const (
	envCrashChild = "SWD_DP_TEST_CRASH_CHILD" // directory of the ledger and releases
	envGlogChild  = "SWD_DP_TEST_GLOG_CHILD"  // "quiet" or "control"
)

// TestHelperChild is not a test: it is the child process of the crash and
// glog tests, run by re-executing the test binary.
func TestHelperChild(t *testing.T) {
	if dir := os.Getenv(envCrashChild); dir != "" {
		crashChild(dir)
	}
	if mode := os.Getenv(envGlogChild); mode != "" {
		if mode == "quiet" {
			quietGlog()
		}
		noise.ToKind(nil) // the DP library logs a glog warning here
		os.Exit(0)
	}
	t.Skip("helper process only")
}

// crashChild makes releases in a loop until it is killed.
func crashChild(dir string) {
	hs := synthHouseholds(60, 11)
	for i := 0; ; i++ {
		out := filepath.Join(dir, fmt.Sprintf("out-%d-%d", os.Getpid(), i))
		_, err := Publish(context.Background(), hs, PublishConfig{Params: Params{Epsilon: 0.001},
			Domain: DefaultDomain(testPartners), Ledger: filepath.Join(dir, "ledger"), OutDir: out})
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(3)
		}
		fmt.Println("released", i)
	}
}

// TestKillDuringRelease SIGKILLs a process that is making releases at a
// random moment, several times over the same ledger, and checks that the
// ledger stays parseable and consistent with the files on disk: every
// committed release is complete, every release directory belongs to a
// ledger entry, and uncommitted (pending) entries are counted as spent.
func TestKillDuringRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	if err := InitLedger(filepath.Join(dir, "ledger"), "", Budget{Epsilon: 1000}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(2026, 11)) // the kill times are seeded
	rounds := 6
	if raceEnabled {
		rounds = 3
	}
	for round := 0; round < rounds; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperChild$")
		cmd.Env = append(os.Environ(), envCrashChild+"="+dir)
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Let it complete a first release, then kill it at a random point of
		// a later one.
		sc := bufio.NewScanner(stdout)
		if !sc.Scan() {
			_ = cmd.Wait()
			t.Fatalf("round %d: child made no release", round)
		}
		time.Sleep(time.Duration(rng.IntN(300_000)) * time.Microsecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		checkLedgerAgainstDisk(t, dir)
	}
}

func checkLedgerAgainstDisk(t *testing.T, dir string) {
	t.Helper()
	s, err := ReadLedger(context.Background(), filepath.Join(dir, "ledger"))
	if err != nil {
		t.Fatalf("ledger unreadable after a kill: %v", err)
	}
	spent, ids := 0.0, map[string]string{}
	for _, r := range s.Releases {
		ids[r.ID] = r.State
		spent += r.Cost.Epsilon
		if r.State == ReleaseCommitted {
			if id := releaseID(t, r.Output); id != r.ID {
				t.Fatalf("committed release %s: directory holds release %q", r.ID, id)
			}
		}
	}
	if diff := spent - s.Spent.Epsilon; diff > 1e-9 || diff < -1e-9 {
		t.Fatalf("spent %v, entries add up to %v", s.Spent.Epsilon, spent)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		switch {
		case strings.HasPrefix(e.Name(), "out-"):
			if id := releaseID(t, filepath.Join(dir, e.Name())); ids[id] == "" {
				t.Fatalf("%s holds release %q, which the ledger does not know", e.Name(), id)
			}
		case strings.HasPrefix(e.Name(), tmpPrefix):
			if st := ids[strings.TrimPrefix(e.Name(), tmpPrefix)]; st != ReleasePending {
				t.Fatalf("temporary directory %s of a release in state %q", e.Name(), st)
			}
		}
	}
	t.Logf("after kill: %d releases, %d uncommitted, torn tail %v", len(s.Releases), len(s.Uncommitted), s.TornTail)
}

func releaseID(t *testing.T, out string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(out, "release.json"))
	if err != nil {
		t.Fatalf("release directory %s without release.json: %v", out, err)
	}
	var m ReleaseMeta
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	return m.LedgerEntryID
}

// TestGlogWritesNoFiles: the DP library logs through glog, which by default
// writes log files into $TMPDIR. After quietGlog it must not; the control
// run without it shows that the check can fail.
func TestGlogWritesNoFiles(t *testing.T) {
	for _, mode := range []string{"quiet", "control"} {
		t.Run(mode, func(t *testing.T) {
			tmp := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperChild$")
			cmd.Env = append(os.Environ(), envGlogChild+"="+mode, "TMPDIR="+tmp)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			files, _ := os.ReadDir(tmp)
			if mode == "quiet" && len(files) > 0 {
				t.Fatalf("glog wrote %d file(s) into TMPDIR, e.g. %s", len(files), files[0].Name())
			}
			if mode == "control" && len(files) == 0 {
				t.Fatal("control run wrote no glog file: the check proves nothing")
			}
		})
	}
}
