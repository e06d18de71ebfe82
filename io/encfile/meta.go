package encfile

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/linkage/encoding"
)

// parseMeta reads and checks the swd.* key-value metadata of a file.
func parseMeta(pf *parquet.File) (m encoding.Meta, err error) {
	get := func(key string) string {
		if err != nil {
			return ""
		}
		v, ok := pf.Lookup(key)
		if !ok {
			err = fmt.Errorf("metadata key %s missing", key)
		}
		return v
	}
	v := get(KeyFormatVersion)
	if err != nil {
		return m, fmt.Errorf("not an swd encoded file (no %s metadata)", KeyFormatVersion)
	}
	if m.FormatVersion, err = strconv.Atoi(v); err != nil || m.FormatVersion < 1 {
		return m, fmt.Errorf("invalid %s", KeyFormatVersion)
	}
	if m.FormatVersion > encoding.FormatVersion {
		return m, fmt.Errorf("format version %d is newer than this swd reads (%d): upgrade swd", m.FormatVersion, encoding.FormatVersion)
	}
	m.SchemaFingerprint = get(KeySchemaFingerprint)
	m.KeyCheck = get(KeyKeyCheck)
	m.Partner = get(KeyPartner)
	rows, rejected, created := get(KeyRows), get(KeyRejected), get(KeyCreated)
	m.CodeVersion = get(KeyCodeVersion)
	pseudo := get(KeyPseudonymised)
	m.Schema = []byte(get(KeySchema))
	if err != nil {
		return m, err
	}
	var errs []error
	atoi := func(key, s string) int {
		n, e := strconv.Atoi(s)
		if e != nil || n < 0 {
			errs = append(errs, fmt.Errorf("invalid %s", key))
		}
		return n
	}
	m.Rows = atoi(KeyRows, rows)
	m.Rejected = atoi(KeyRejected, rejected)
	if m.Created, err = time.Parse(time.RFC3339, created); err != nil {
		errs = append(errs, fmt.Errorf("invalid %s", KeyCreated))
	}
	if m.Pseudonymised, err = strconv.ParseBool(pseudo); err != nil {
		errs = append(errs, fmt.Errorf("invalid %s", KeyPseudonymised))
	}
	if m.Partner == "" {
		errs = append(errs, fmt.Errorf("empty %s", KeyPartner))
	}
	if v, ok := pf.Lookup(KeyPseudonymisedAttrs); ok && v != "" {
		m.PseudonymisedAttrs = strings.Split(v, ",")
	}
	return m, errors.Join(errs...)
}
