package dp

import (
	"fmt"
	"slices"
	"strings"

	"github.com/welfare-district/swd/internal/base"
)

// Binding identifies the dataset a ledger belongs to by what the encoded
// files of its releases share: the key check value of the linkage secret,
// the schema fingerprint, and the set of partners. The first release
// records it; every later release must match it, or it is refused
// (swd.ErrIntegrity): a ledger cannot be used, by mistake, for the releases
// of another dataset.
type Binding struct {
	KeyCheck          string   `json:"key_check"`
	SchemaFingerprint string   `json:"schema_fingerprint"`
	Partners          []string `json:"partners"` // sorted, distinct
}

// NewBinding returns the binding of files with the given key check value,
// schema fingerprint and partners (sorted and de-duplicated here).
func NewBinding(keyCheck, schemaFingerprint string, partners []string) Binding {
	p := slices.Clone(partners)
	slices.Sort(p)
	return Binding{KeyCheck: keyCheck, SchemaFingerprint: schemaFingerprint, Partners: slices.Compact(p)}
}

func (b Binding) complete() bool {
	return b.KeyCheck != "" && b.SchemaFingerprint != "" && len(b.Partners) > 0 &&
		slices.IsSorted(b.Partners) && len(slices.Compact(slices.Clone(b.Partners))) == len(b.Partners)
}

// diff says how other differs from b ("" when it does not). Key check
// values and fingerprints are shown shortened; they are not secret (every
// encoded file carries them) but need not be shown whole.
func (b Binding) diff(other Binding) string {
	var d []string
	if other.KeyCheck != b.KeyCheck {
		d = append(d, fmt.Sprintf("key check value %s, the ledger's is %s: another linkage secret", short(other.KeyCheck), short(b.KeyCheck)))
	}
	if other.SchemaFingerprint != b.SchemaFingerprint {
		d = append(d, fmt.Sprintf("schema fingerprint %s, the ledger's is %s: another encoding schema", short(other.SchemaFingerprint), short(b.SchemaFingerprint)))
	}
	if !slices.Equal(other.Partners, b.Partners) {
		var extra, missing []string
		for _, p := range other.Partners {
			if !slices.Contains(b.Partners, p) {
				extra = append(extra, p)
			}
		}
		for _, p := range b.Partners {
			if !slices.Contains(other.Partners, p) {
				missing = append(missing, p)
			}
		}
		s := "partners " + strings.Join(other.Partners, ",") + ", the ledger's are " + strings.Join(b.Partners, ",")
		if len(extra) > 0 {
			s += "; not in the ledger: " + strings.Join(extra, ",")
		}
		if len(missing) > 0 {
			s += "; missing: " + strings.Join(missing, ",")
		}
		d = append(d, s)
	}
	return strings.Join(d, "; ")
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

// CheckBinding refuses (swd.ErrIntegrity) files of another dataset than the
// ledger's first release; any binding fits a ledger without releases.
func (l *Ledger) CheckBinding(b Binding) error {
	if !b.complete() {
		return base.Usagef("dp: incomplete dataset binding: the key check value, schema fingerprint and partners of the encoded files are required")
	}
	if l.binding == nil {
		return nil
	}
	if d := l.binding.diff(b); d != "" {
		return l.integrity("it belongs to another dataset: these files have %s. Use this dataset's own ledger", d)
	}
	return nil
}

// Binding is the dataset of the ledger's releases, nil before the first.
func (l *Ledger) Binding() *Binding { return l.binding }
