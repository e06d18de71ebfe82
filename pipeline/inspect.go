package pipeline

import (
	"context"
	"time"

	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/linkage/encoding"
)

// Inspection describes an encoded file without opening any encoding: its
// metadata and the summary of its fields (fill rates, filter densities),
// which is what swd inspect prints. It is also the JSON document of
// swd inspect --json.
type Inspection struct {
	File              string            `json:"file"`
	FormatVersion     int               `json:"format_version"`
	Partner           string            `json:"partner"`
	Rows              int               `json:"rows"`
	Rejected          int               `json:"rejected"`
	Created           time.Time         `json:"created"`
	CodeVersion       string            `json:"code_version"`
	SchemaFingerprint string            `json:"schema_fingerprint"`
	KeyCheck          string            `json:"key_check"`
	Pseudonymised     bool              `json:"pseudonymised_ids"`
	Summary           *encoding.Summary `json:"summary"`
}

// Inspect reads the metadata of an encoded file and summarises its records.
func Inspect(ctx context.Context, path string) (*Inspection, error) {
	meta, layout, err := encfile.ReadMeta(path)
	if err != nil {
		return nil, err
	}
	sum := encoding.NewSummary(layout)
	if err := encfile.Scan(ctx, path, func(r *encoding.Record) error { sum.Add(r); return nil }); err != nil {
		return nil, err
	}
	sum.Finish()
	return &Inspection{File: path, FormatVersion: meta.FormatVersion, Partner: meta.Partner, Rows: meta.Rows,
		Rejected: meta.Rejected, Created: meta.Created, CodeVersion: meta.CodeVersion,
		SchemaFingerprint: meta.SchemaFingerprint, KeyCheck: meta.KeyCheck, Pseudonymised: meta.Pseudonymised,
		Summary: sum}, nil
}
