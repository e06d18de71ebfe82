package encfile

import (
	"fmt"
	"strings"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/linkage/encoding"
)

// Column names and prefixes of the encoded file.
const (
	ColPartner  = "partner"
	ColRecordID = "record_id"
	ColCLK      = "clk"
	PrefixField = "f_"
	PrefixBlock = "bk_"
	PrefixAttr  = "a_"
)

// RowGroupRows is the number of rows per row group.
const RowGroupRows = 64 << 10

// Metadata keys.
const (
	KeyFormatVersion     = "swd.format_version"
	KeySchemaFingerprint = "swd.schema_fingerprint"
	KeyKeyCheck          = "swd.key_check"
	KeyPartner           = "swd.partner"
	KeyRows              = "swd.rows"
	KeyRejected          = "swd.rejected"
	KeyCreated           = "swd.created"
	KeyCodeVersion       = "swd.code_version"
	KeyPseudonymised     = "swd.pseudonymised_ids"
	// KeyPseudonymisedAttrs lists, comma-separated, the attributes whose
	// values are keyed pseudonyms; absent when there are none.
	KeyPseudonymisedAttrs = "swd.pseudonymised_attrs"
	KeySchema             = "swd.schema"
)

// kind of a column in an encoded file.
type kind int

const (
	kindPartner kind = iota
	kindRecordID
	kindCLK
	kindField
	kindBlock
	kindAttr
)

// column describes one column of the file; index is the position among
// columns of the same kind (field, block key or attribute).
type column struct {
	name  string
	kind  kind
	index int
	bytes int // fixed length of filter columns
	words int // words per filter in memory
}

// columns lists the columns of a layout in file order, after validating it.
func columns(l encoding.Layout) ([]column, error) {
	if l.CLKBits <= 0 || l.CLKBits%8 != 0 {
		return nil, fmt.Errorf("CLK size %d bits is not a positive multiple of 8", l.CLKBits)
	}
	cols := []column{
		{name: ColPartner, kind: kindPartner},
		{name: ColRecordID, kind: kindRecordID},
		{name: ColCLK, kind: kindCLK, bytes: l.CLKBits / 8, words: bitvec.WordsFor(l.CLKBits)},
	}
	for i, f := range l.Fields {
		if f.Bits <= 0 || f.Bits%8 != 0 {
			return nil, fmt.Errorf("field %q: filter size %d bits is not a positive multiple of 8", f.Name, f.Bits)
		}
		cols = append(cols, column{name: PrefixField + f.Name, kind: kindField, index: i, bytes: f.Bits / 8, words: bitvec.WordsFor(f.Bits)})
	}
	for i, n := range l.BlockKeys {
		cols = append(cols, column{name: PrefixBlock + n, kind: kindBlock, index: i})
	}
	for i, n := range l.Attrs {
		cols = append(cols, column{name: PrefixAttr + n, kind: kindAttr, index: i})
	}
	seen := map[string]bool{}
	for _, c := range cols {
		if c.name == "" || strings.HasSuffix(c.name, "_") || seen[c.name] {
			return nil, fmt.Errorf("empty or duplicate column name %q", c.name)
		}
		seen[c.name] = true
	}
	return cols, nil
}
