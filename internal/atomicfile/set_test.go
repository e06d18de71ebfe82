package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeSet writes generation gen of a three-file set in dir (the primary
// "enc.parquet" last), as a run of swd encode would.
func writeSet(t testing.TB, dir string, gen int) error {
	s, _, err := NewSet(filepath.Join(dir, "enc.parquet"))
	if err != nil {
		return err
	}
	defer s.Abort()
	for _, name := range []string{"enc.parquet", "enc.rejects.csv", "enc.pseudonyms.csv"} {
		st, err := s.Stage(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := WriteFile(st, []byte(fmt.Sprintf("gen %d %s", gen, name)), 0o644); err != nil {
			return err
		}
	}
	return s.Commit()
}

// generations returns the generation of each file of the set (-1: absent).
func generations(t testing.TB, dir string) []int {
	var out []int
	for _, name := range []string{"enc.parquet", "enc.rejects.csv", "enc.pseudonyms.csv"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			out = append(out, -1)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var g int
		fmt.Sscanf(string(b), "gen %d", &g)
		out = append(out, g)
	}
	return out
}

func same(g []int) bool { return g[0] == g[1] && g[1] == g[2] }

func TestSetCommitAndAbort(t *testing.T) {
	dir := t.TempDir()
	if err := writeSet(t, dir, 1); err != nil {
		t.Fatal(err)
	}
	if g := generations(t, dir); !same(g) || g[0] != 1 {
		t.Fatalf("generations %v", g)
	}
	s, _, err := NewSet(filepath.Join(dir, "enc.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	st, _ := s.Stage(filepath.Join(dir, "enc.parquet"))
	_ = WriteFile(st, []byte("gen 2"), 0o644)
	s.Abort()
	if g := generations(t, dir); !same(g) || g[0] != 1 {
		t.Fatalf("abort changed the set: %v", g)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Fatalf("files left: %v", entries)
	}
}

// TestSetInterruptedRenames stops a commit after each possible number of
// renames: the set is then mismatched and flagged Incomplete, and the next
// run (NewSet) completes it before writing its own.
func TestSetInterruptedRenames(t *testing.T) {
	for stop := 0; stop <= 3; stop++ {
		t.Run(strconv.Itoa(stop), func(t *testing.T) {
			dir := t.TempDir()
			if err := writeSet(t, dir, 1); err != nil {
				t.Fatal(err)
			}
			n := 0
			beforeRename = func() {
				if n == stop {
					panic("killed")
				}
				n++
			}
			func() {
				defer func() { _ = recover() }()
				_ = writeSet(t, dir, 2)
			}()
			beforeRename = nil
			if stop < 3 && !Incomplete(filepath.Join(dir, "enc.parquet")) {
				t.Fatal("an interrupted set is not flagged")
			}
			if g := generations(t, dir); stop > 0 && stop < 3 && same(g) {
				t.Fatalf("expected a mismatched set after %d renames, got %v", stop, g)
			}
			ok, err := Recover(filepath.Join(dir, "enc.parquet"))
			if err != nil || ok != (stop < 3) {
				t.Fatalf("recover: %v %v", ok, err)
			}
			if g := generations(t, dir); !same(g) || g[0] != 2 {
				t.Fatalf("after recovery %v", g)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 3 {
				t.Fatalf("files left: %v", entries)
			}
		})
	}
}

// TestSetStaleFilesRemoved: what a run killed while writing left (staged
// and temporary files) is removed by the next run on the same output.
func TestSetStaleFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{".enc.parquet.swd-set-0badc0ffee00", "..enc.rejects.csv.swd-set-0badc0ffee00.tmp-123", ".enc.pseudonyms.csv.tmp-9", "other.csv", ".other.csv.tmp-1"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeSet(t, dir, 1); err != nil {
		t.Fatal(err)
	}
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != ".other.csv.tmp-1 enc.parquet enc.pseudonyms.csv enc.rejects.csv other.csv" {
		t.Fatalf("files %s", got)
	}
}

func TestSetMissingDirectory(t *testing.T) {
	_, _, err := NewSet(filepath.Join(t.TempDir(), "nope", "enc.parquet"))
	if !errors.Is(err, ErrNoDir) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("got %v", err)
	}
}

// TestSetKilled kills a real process (SIGKILL) at random moments while it
// rewrites the set over and over: after each kill, the set as the next run
// finds it is whole once recovered.
func TestSetKilled(t *testing.T) {
	if dir := os.Getenv("SWD_SET_KILL_DIR"); dir != "" {
		beforeRename = func() { time.Sleep(time.Millisecond) }
		for gen := 2; ; gen++ {
			if err := writeSet(t, dir, gen); err != nil {
				t.Fatal(err)
			}
		}
	}
	if testing.Short() {
		t.Skip("kills subprocesses")
	}
	dir := t.TempDir()
	if err := writeSet(t, dir, 1); err != nil {
		t.Fatal(err)
	}
	recovered := 0
	for i := range 20 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSetKilled$")
		cmd.Env = append(os.Environ(), "SWD_SET_KILL_DIR="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(20+7*i) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		ok, err := Recover(filepath.Join(dir, "enc.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			recovered++
		}
		if g := generations(t, dir); !same(g) {
			t.Fatalf("kill %d: mismatched set after recovery: %v", i, g)
		}
		if err := writeSet(t, dir, 1); err != nil { // the next run cleans up and writes
			t.Fatal(err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 3 {
			t.Fatalf("kill %d: files left %v", i, entries)
		}
	}
	t.Logf("%d of 20 kills fell between the journal and its removal", recovered)
}
