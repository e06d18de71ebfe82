package envelope

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/internal/identity"
)

// FuzzOpen: any modification of a valid envelope is refused with
// ErrIntegrity, and nothing panics.
func FuzzOpen(f *testing.F) {
	p, l, _ := keys(f)
	env := sealBytes(f, payload(300), 64)
	f.Add(uint(0), byte(1), uint(0))
	f.Add(uint(20), byte(0x80), uint(0))
	f.Add(uint(len(env)-1), byte(1), uint(0))
	f.Add(uint(0), byte(0), uint(7))
	trust := identity.NewKeyring(p.Public)
	f.Fuzz(func(t *testing.T, pos uint, flip byte, cut uint) {
		bad := bytes.Clone(env)
		if flip != 0 {
			bad[pos%uint(len(bad))] ^= flip
		}
		if cut > 0 {
			bad = bad[:len(bad)-int(cut%uint(len(bad)))]
		}
		_, err := Open(io.Discard, bytes.NewReader(bad), l, trust)
		if bytes.Equal(bad, env) {
			if err != nil {
				t.Fatalf("unmodified envelope refused: %v", err)
			}
			return
		}
		if !errors.Is(err, base.ErrIntegrity) {
			t.Fatalf("modified envelope (flip %#x at %d, cut %d): err = %v", flip, pos%uint(len(env)), cut, err)
		}
	})
}
