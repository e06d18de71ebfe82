package identity

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/welfare-district/swd/internal/base"
)

// Keyring is a set of trusted public keys, looked up by key id.
type Keyring struct {
	keys map[KeyID]*Public
}

// NewKeyring returns a keyring holding pubs.
func NewKeyring(pubs ...*Public) *Keyring {
	r := &Keyring{keys: make(map[KeyID]*Public, len(pubs))}
	for _, p := range pubs {
		r.keys[p.ID()] = p
	}
	return r
}

// LoadKeyring reads every *.pub file of dir (not recursively). A file that
// does not parse is an error (base.ErrInvalidInput) naming the file: a trust
// directory must not silently ignore a key its owner thinks is trusted.
func LoadKeyring(dir string) (*Keyring, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, base.Usagef("trust directory: %v", err)
	}
	if !st.IsDir() {
		return nil, base.Usagef("trust directory %s is not a directory", dir)
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.pub"))
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", dir, err)
	}
	sort.Strings(paths)
	r := NewKeyring()
	for _, p := range paths {
		pub, err := LoadPublic(p)
		if err != nil {
			return nil, err
		}
		r.keys[pub.ID()] = pub
	}
	return r, nil
}

// Lookup returns the trusted key with the given id.
func (r *Keyring) Lookup(id KeyID) (*Public, bool) {
	p, ok := r.keys[id]
	return p, ok
}

// Len is the number of keys.
func (r *Keyring) Len() int { return len(r.keys) }

// Keys returns the keys sorted by name, then key id.
func (r *Keyring) Keys() []*Public {
	out := make([]*Public, 0, len(r.keys))
	for _, p := range r.keys {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].id.String() < out[j].id.String()
	})
	return out
}
