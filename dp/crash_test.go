package dp

import (
	"bufio"
	"bytes"
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

	"github.com/welfare-district/swd/internal/identity"
)

const (
	envCrashChild = "SWD_DP_TEST_CRASH_CHILD" // directory of the ledger and releases
	envCrashAt    = "SWD_DP_TEST_CRASH_AT"    // step (and occurrence) at which the child kills itself
	envCrashKey   = "SWD_DP_TEST_CRASH_KEY"   // "1": the ledger is signed with crashKey
	envGlogChild  = "SWD_DP_TEST_GLOG_CHILD"  // "quiet" or "control"
)

// crashCost is the ε of each release of the crash tests.
const crashCost = 0.001

// crashKey is the signing key of the signed crash tests, the same in the
// test and in its child processes.
func crashKey() *identity.Private {
	k, err := identity.Generate("crash-test", bytes.NewReader(bytes.Repeat([]byte{7}, identity.SeedsSize)))
	if err != nil {
		panic(err)
	}
	return k
}

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

// crashChild makes releases until it is killed: with envCrashAt, one
// release that kills itself at that step (exit status 7 if it never gets
// there); without, releases in a loop until the parent kills it.
func crashChild(dir string) {
	var key *identity.Private
	if os.Getenv(envCrashKey) == "1" {
		key = crashKey()
	}
	at := os.Getenv(envCrashAt)
	if at != "" {
		if step, _, _ := strings.Cut(at, "#"); strings.HasPrefix(step, "torn ") {
			tearType = strings.TrimPrefix(step, "torn ")
		}
		seen := map[string]int{}
		crashHook = func(step string) {
			seen[step]++
			if fmt.Sprintf("%s#%d", step, seen[step]) == at {
				_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // the signal is on its way
			}
		}
	}
	hs := synthHouseholds(60, 11)
	for i := 0; ; i++ {
		out := filepath.Join(dir, fmt.Sprintf("out-%d-%d", os.Getpid(), i))
		_, err := Publish(context.Background(), hs, PublishConfig{Params: Params{Epsilon: crashCost},
			Domain: DefaultDomain(testPartners), Ledger: filepath.Join(dir, "ledger"), Binding: testBinding, Key: key, OutDir: out})
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(3)
		}
		if at != "" {
			os.Exit(7)
		}
		fmt.Println("released", i)
	}
}

// crashSteps are the steps of a release, in order, at which
// TestKillAtEveryStep kills it, with what the ledger must say afterwards:
// whether the release's budget is spent, its state, and whether its output
// directory exists.
var crashSteps = []struct {
	at     string
	spent  bool
	state  string
	output bool
}{
	{"locked#1", false, "", false},
	{"aggregated#1", false, "", false},
	{"append pending#1", false, "", false},
	{"torn pending#1", false, "", false},
	{"appended pending#1", true, ReleasePending, false},
	{"head unrenamed#1", true, ReleasePending, false},
	{"noise drawn#1", true, ReleasePending, false},
	{"release written#1", true, ReleasePending, false},
	{"release renamed#1", true, ReleasePending, true},
	{"append committed#1", true, ReleasePending, true},
	{"torn committed#1", true, ReleasePending, true},
	{"appended committed#1", true, ReleaseCommitted, true},
	{"head unrenamed#2", true, ReleaseCommitted, true},
}

// TestKillAtEveryStep SIGKILLs a release at each of its steps, in an
// unsigned and in a signed ledger that already holds a release, then
// checks that the ledger verifies (chain, head, signatures), says what the
// step implies, agrees with the files on disk, and that the next release
// completes the crash's state and verifies again, with every release.json
// a witness of the chain.
func TestKillAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	ctx := context.Background()
	for _, signed := range []bool{false, true} {
		var key *identity.Private
		if signed {
			key = crashKey()
		}
		for _, step := range crashSteps {
			t.Run(fmt.Sprintf("signed=%v/%s", signed, step.at), func(t *testing.T) {
				dir := t.TempDir()
				ledger := filepath.Join(dir, "ledger")
				initLedger(t, ledger, 1, key)
				first := filepath.Join(dir, "out-first")
				hs := synthHouseholds(60, 11)
				cfg := PublishConfig{Params: Params{Epsilon: crashCost}, Domain: DefaultDomain(testPartners),
					Ledger: ledger, Binding: testBinding, Key: key, OutDir: first}
				if _, err := Publish(ctx, hs, cfg); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command(os.Args[0], "-test.run=^TestHelperChild$")
				cmd.Env = append(os.Environ(), envCrashChild+"="+dir, envCrashAt+"="+step.at, envCrashKey+"="+map[bool]string{true: "1"}[signed])
				out, err := cmd.CombinedOutput()
				if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
					t.Fatalf("the child was not killed at %s: %v\n%s", step.at, err, out)
				}
				s := checkLedgerAgainstDisk(t, dir)
				spent, state := crashCost, ""
				if step.spent {
					spent = 2 * crashCost
				}
				if len(s.Releases) == 2 {
					state = s.Releases[1].State
				}
				if !near(s.Spent.Epsilon, spent) || state != step.state {
					t.Fatalf("after a kill at %s: spent %v (want %v), crashed release %q (want %q)", step.at, s.Spent.Epsilon, spent, state, step.state)
				}
				outs := releaseDirs(t, dir)
				if len(outs) != map[bool]int{false: 1, true: 2}[step.output] {
					t.Fatalf("after a kill at %s: release directories %v", step.at, outs)
				}
				if _, err := VerifyLedger(ctx, ledger, VerifyOptions{Releases: outs}); err != nil {
					t.Fatalf("after a kill at %s: %v", step.at, err)
				}
				// The next release completes what the crash left.
				cfg.OutDir = filepath.Join(dir, "out-next")
				if _, err := Publish(ctx, hs, cfg); err != nil {
					t.Fatalf("release after a kill at %s: %v", step.at, err)
				}
				vopts := VerifyOptions{Releases: releaseDirs(t, dir)}
				if signed {
					vopts.Key = key.Public
				}
				s, err = VerifyLedger(ctx, ledger, vopts)
				if err != nil || s.TornTail || !near(s.Spent.Epsilon, spent+crashCost) {
					t.Fatalf("after the next release: %v, %+v", err, s)
				}
				if h, err := readHead(ledger); err != nil || h.Entries != s.Entries {
					t.Fatalf("head %+v (%v), ledger of %d entries", h, err, s.Entries)
				}
			})
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

// releaseDirs lists the release directories (out-*) in dir.
func releaseDirs(t *testing.T, dir string) []string {
	t.Helper()
	var outs []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "out-") {
			outs = append(outs, filepath.Join(dir, e.Name()))
		}
	}
	return outs
}

// TestKillDuringRelease SIGKILLs a process that is making releases at a
// random moment, several times over the same ledger, and checks that the
// ledger stays valid and consistent with the files on disk: every
// committed release is complete, every release directory belongs to a
// ledger entry, and uncommitted (pending) entries are counted as spent.
func TestKillDuringRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	initLedger(t, filepath.Join(dir, "ledger"), 1000, nil)
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
		if _, err := VerifyLedger(context.Background(), filepath.Join(dir, "ledger"), VerifyOptions{Releases: releaseDirs(t, dir)}); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}

// checkLedgerAgainstDisk reads (and so verifies) the ledger in dir and
// checks it against the release directories there.
func checkLedgerAgainstDisk(t *testing.T, dir string) *Status {
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
	return s
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
