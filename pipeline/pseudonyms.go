package pipeline

import (
	"encoding/csv"
	"fmt"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/linkage/encoding"
)

// pseudonymFile is the record_id → pseudonym mapping kept at the partner.
// Without pseudonymised ids it is a no-op.
type pseudonymFile struct {
	f *atomicfile.File
	w *csv.Writer
}

func newPseudonymFile(path string, enc *encoding.Encoder) (*pseudonymFile, error) {
	if !enc.Pseudonymised() {
		return &pseudonymFile{}, nil
	}
	f, err := atomicfile.Create(path, 0o600)
	if err != nil {
		return nil, err
	}
	p := &pseudonymFile{f: f, w: csv.NewWriter(f)}
	return p, p.w.Write([]string{"record_id", "pseudonym"})
}

func (p *pseudonymFile) write(id, pseudonym string) error {
	if p.w == nil {
		return nil
	}
	return p.w.Write([]string{id, pseudonym})
}

func (p *pseudonymFile) commit() error {
	if p.w == nil {
		return nil
	}
	p.w.Flush()
	if err := p.w.Error(); err != nil {
		return fmt.Errorf("writing %s: %w", p.f.Path(), err)
	}
	return p.f.Commit()
}

func (p *pseudonymFile) abort() {
	if p.f != nil {
		p.f.Abort()
	}
}
