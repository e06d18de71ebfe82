package encfile

import (
	"fmt"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"

	"github.com/welfare-district/swd/internal/bitvec"
	"github.com/welfare-district/swd/io/table"
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
	KeySchema            = "swd.schema"
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

// schemaOf is the Parquet schema of a layout.
func schemaOf(cols []column) (*parquet.Schema, error) {
	names := make([]string, len(cols))
	nodes := make([]parquet.Node, len(cols))
	for i, c := range cols {
		names[i] = c.name
		switch c.kind {
		case kindPartner, kindRecordID:
			nodes[i] = parquet.String()
		case kindCLK:
			nodes[i] = filterLeaf(c.bytes)
		case kindField:
			nodes[i] = parquet.Optional(filterLeaf(c.bytes))
		default:
			nodes[i] = parquet.Optional(parquet.String())
		}
	}
	g, err := table.NewOrderedGroup(names, nodes)
	if err != nil {
		return nil, err
	}
	return parquet.NewSchema("swd_encoded", g), nil
}

// filterLeaf is the node of a filter column. Filters are keyed bit
// vectors, sparse enough to compress somewhat but not worth zstd's CPU
// time: Snappy in s2's fastest mode (fastSnappy). Measured with swd encode
// on a 129,083-row synth export: zstd on the filters cost ~8% of the run's
// CPU time; files are 6.5% bigger than with zstd everywhere (NC voters:
// 0.1%), where no compression made them 12–27% bigger. The other columns
// use the writer's default, zstd. Readers take the codec from each column
// chunk, so files written before (zstd everywhere) read alike.
func filterLeaf(bytes int) parquet.Node {
	return parquet.Compressed(parquet.Leaf(parquet.FixedLenByteArrayType(bytes)), filterCodec)
}

// filterCodec is the codec of filter columns; tests set it to zstd to
// write files as older versions of swd did.
var filterCodec compress.Codec = fastSnappy{}
