package state

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"

	"github.com/welfare-district/swd/pipeline"
)

// TestCopySource: a snapshot's file is stored as it was read, copied from
// its path, only while it still has the size and sum it had then;
// otherwise nothing is written (Save then encodes the dataset again).
func TestCopySource(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.swd.parquet"), filepath.Join(dir, "out.swd.parquet")
	data := bytes.Repeat([]byte("encoded bytes "), 1000)
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	src := pipeline.Source{Path: in, Size: int64(len(data)), SHA256: sha256.Sum256(data)}
	cases := []struct {
		name    string
		content []byte
		copied  bool
	}{
		{"unchanged", data, true},
		{"same size, other bytes", append([]byte("X"), data[1:]...), false},
		{"truncated", data[:len(data)-1], false},
		{"longer", append(append([]byte{}, data...), '!'), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_ = os.Remove(out)
			if err := os.WriteFile(in, c.content, 0o600); err != nil {
				t.Fatal(err)
			}
			sum, err := copySource(src, out)
			if err != nil {
				t.Fatal(err)
			}
			got, readErr := os.ReadFile(out)
			if !c.copied {
				if sum != (FileSum{}) || readErr == nil {
					t.Fatalf("a changed file was copied (sum %+v)", sum)
				}
				return
			}
			if readErr != nil || !bytes.Equal(got, data) {
				t.Fatalf("the copy differs from the file read (%v)", readErr)
			}
			want, err := sumFile(out)
			if err != nil || sum != want {
				t.Fatalf("sum %+v, the file's %+v (%v)", sum, want, err)
			}
		})
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".out*"))
	if len(leftovers) != 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}
}
