package encfile

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"slices"
	"sync"
	"unsafe"

	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding/delta"
	"github.com/parquet-go/parquet-go/encoding/rle"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"github.com/welfare-district/swd/internal/bitvec"
)

// The writer builds the Parquet file itself, page by page, from the
// records' bytes: parquet-go's generic writer spent ~5 µs of CPU per synth
// record turning them into parquet.Value rows, computing page bounds,
// histograms and column indexes nobody reads. The file is the same Parquet
// the format documents: data pages v2, filter columns PLAIN, string columns
// DELTA_LENGTH_BYTE_ARRAY, definition levels RLE, a CRC per page, no page
// index or bloom filter. The footer structures and the encoders of levels,
// lengths and Thrift are parquet-go's.

// pageBytes is the size of encoded values at which a page is closed
// (parquet-go's default page buffer size, which the first files used).
var pageBytes = 256 << 10

// A keyed column (filter or blocking key) whose compressed pages so far
// (at least two pages' worth of values: the first pages are always
// compressed) have shrunk by less than 1/incompressible stores its pages
// uncompressed (data pages v2 say so per page), but one in skipPages+1, whose
// compression keeps the figure up to date. Most filter bytes of a synth
// export are keyed bits Snappy cannot shrink (clk, given name, surname,
// birth date, phone), and so are unique blocking keys (fiscal code, birth
// date with postcode); the others (sex, postcode, birth place, address,
// soundex and year) repeat and compress well. The decision is on the
// column's whole history: single pages vary (s2's fast mode stops looking
// for matches in stretches without any), from 0 to 30% on the same column.
const (
	incompressible = 50 // 2%
	skipPages      = 7
)

// chunk accumulates one column: the open page's values, then the encoded
// pages of the open row group.
type chunk struct {
	name     string
	length   int // bytes of a FIXED_LEN_BYTE_ARRAY value; 0 for strings
	optional bool
	codec    compress.Codec
	minMax   bool // keep min/max statistics
	probe    bool // skip compression of incompressible pages (keyed columns)

	// The open page.
	values  []byte   // filters: the values back to back; strings: their bytes
	offs    []uint32 // strings: offsets into values, starting with 0
	levels  []byte   // optional columns: one definition level (0/1) per row
	rows    int
	nulls   int
	skipped int   // pages stored uncompressed since the last compressed one
	in, out int64 // bytes before and after compression of the compressed pages

	// The open row group.
	pages    [][]byte // pages[:numPages]: headers and bodies, ready to copy to the file; reused
	numPages int
	numVals  int64
	numNulls int64
	unc, cmp int64 // sizes with headers, uncompressed and compressed
	min, max []byte
	hasMin   bool
}

// newChunk starts column c's chunk, compressed with filterCodec or
// stringCodec.
func newChunk(c column) *chunk {
	ch := &chunk{name: c.name, length: c.bytes, optional: c.kind >= kindField, codec: stringCodec}
	ch.values = getBuf()
	switch c.kind {
	case kindCLK, kindField:
		ch.codec = filterCodec
		ch.values = slices.Grow(ch.values, pageBytes+8*c.words)
		ch.probe = true
	case kindBlock:
		// Keyed hex: min/max select nothing, and only keys that repeat
		// (soundex and year) compress.
		ch.offs = append(make([]uint32, 0, 4096), 0)
		ch.probe = true
	default:
		ch.offs = append(make([]uint32, 0, 4096), 0)
		ch.minMax = true
	}
	return ch
}

// bufs recycles the byte buffers of pages between writers: a row group's
// pages (~30 MB for synth records) are otherwise garbage at every file.
var bufs sync.Pool

func getBuf() []byte {
	if b, ok := bufs.Get().(*[]byte); ok {
		return (*b)[:0]
	}
	return nil
}

func putBuf(b []byte) {
	if cap(b) > 0 {
		bufs.Put(&b)
	}
}

// release hands the chunk's buffers back for other writers.
func (ch *chunk) release() {
	putBuf(ch.values)
	for _, p := range ch.pages {
		putBuf(p)
	}
	ch.values, ch.pages = nil, nil
}

// appendFilter appends a filter of at least length bytes' worth of words.
func (ch *chunk) appendFilter(v []uint64) {
	n := len(ch.values)
	if 8*len(v) < ch.length {
		panic("encfile: filter shorter than its column") // check() prevents it
	}
	if cap(ch.values)-n < 8*len(v) {
		ch.values = slices.Grow(ch.values, 8*len(v))
	}
	if littleEndian {
		// In memory the words are already the file's bytes.
		copy(ch.values[n:n+ch.length], unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), ch.length))
	} else {
		bitvec.PutBytes(ch.values[n:n+8*len(v)], v)
	}
	ch.values = ch.values[:n+ch.length]
	ch.rows++
	if ch.optional {
		ch.levels = append(ch.levels, 1)
	}
}

func (ch *chunk) appendString(s string) {
	ch.values = append(ch.values, s...)
	ch.offs = append(ch.offs, uint32(len(ch.values)))
	ch.rows++
	if ch.optional {
		ch.levels = append(ch.levels, 1)
	}
}

func (ch *chunk) appendNull() {
	ch.levels = append(ch.levels, 0)
	ch.rows++
	ch.nulls++
}

// compress reports whether to compress the open page.
func (ch *chunk) compress() bool {
	return !ch.probe || ch.in < 2*int64(pageBytes) || ch.out < ch.in-ch.in/incompressible || ch.skipped >= skipPages
}

// bounds folds the open page's string values into the chunk's min and max.
func (ch *chunk) bounds() {
	if len(ch.offs) < 2 {
		return
	}
	lo, hi := ch.values[:ch.offs[1]], ch.values[:ch.offs[1]]
	for i := 2; i < len(ch.offs); i++ {
		v := ch.values[ch.offs[i-1]:ch.offs[i]]
		if string(v) < string(lo) {
			lo = v
		} else if string(v) > string(hi) {
			hi = v
		}
	}
	if !ch.hasMin || string(lo) < string(ch.min) {
		ch.min = append(ch.min[:0], lo...)
	}
	if !ch.hasMin || string(hi) > string(ch.max) {
		ch.max = append(ch.max[:0], hi...)
	}
	ch.hasMin = true
}

// full reports whether the open page should be closed.
func (ch *chunk) full() bool { return len(ch.values) >= pageBytes }

// pageEncoder holds the scratch buffers of page encoding, shared by the
// chunks of a writer.
type pageEncoder struct {
	levels, body, compressed []byte
	hdr                      bytes.Buffer
	enc                      *thrift.Encoder
}

func newPageEncoder() *pageEncoder {
	e := &pageEncoder{}
	e.enc = thrift.NewEncoder(new(thrift.CompactProtocol).NewWriter(&e.hdr))
	return e
}

// littleEndian: filters can be copied from memory as they are.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

var (
	levelEncoding  = rle.Encoding{BitWidth: 1}
	lengthEncoding delta.LengthByteArrayEncoding
)

// encoding is the encoding of the chunk's values: PLAIN filters,
// DELTA_LENGTH_BYTE_ARRAY strings.
func (ch *chunk) encoding() format.Encoding {
	if ch.length == 0 {
		return format.DeltaLengthByteArray
	}
	return format.Plain
}

// closePage encodes, compresses and appends the open page to the row group.
func (ch *chunk) closePage(e *pageEncoder) error {
	if ch.rows == 0 {
		return nil
	}
	if ch.minMax {
		ch.bounds()
	}
	var err error
	e.levels = e.levels[:0]
	if ch.optional {
		if e.levels, err = levelEncoding.EncodeLevels(e.levels, ch.levels); err != nil {
			return err
		}
	}
	body, enc := ch.values, ch.encoding()
	if enc == format.DeltaLengthByteArray {
		if e.body, err = lengthEncoding.EncodeByteArray(e.body, ch.values, ch.offs); err != nil {
			return err
		}
		body = e.body
	}
	stored, compressed := body, ch.compress()
	if compressed {
		if e.compressed, err = ch.codec.Encode(e.compressed[:0], body); err != nil {
			return err
		}
		stored = e.compressed
		ch.in, ch.out, ch.skipped = ch.in+int64(len(body)), ch.out+int64(len(stored)), 0
	} else {
		ch.skipped++
	}
	crc := crc32.Update(crc32.ChecksumIEEE(e.levels), crc32.IEEETable, stored)
	h := format.PageHeader{
		Type:                 format.DataPageV2,
		UncompressedPageSize: int32(len(e.levels) + len(body)),
		CompressedPageSize:   int32(len(e.levels) + len(stored)),
		CRC:                  int32(crc),
		DataPageHeaderV2: thrift.New(format.DataPageHeaderV2{
			NumValues:                  int32(ch.rows),
			NumNulls:                   int32(ch.nulls),
			NumRows:                    int32(ch.rows),
			Encoding:                   enc,
			DefinitionLevelsByteLength: int32(len(e.levels)),
			IsCompressed:               thrift.New(compressed),
			Statistics:                 format.Statistics{NullCount: int64(ch.nulls)},
		}),
	}
	e.hdr.Reset()
	if err := e.enc.Encode(&h); err != nil {
		return err
	}
	hl := int64(e.hdr.Len())
	if ch.numPages == len(ch.pages) {
		ch.pages = append(ch.pages, getBuf())
	}
	p := append(ch.pages[ch.numPages][:0], e.hdr.Bytes()...)
	p = append(p, e.levels...)
	ch.pages[ch.numPages] = append(p, stored...)
	ch.numPages++
	ch.numVals += int64(ch.rows)
	ch.numNulls += int64(ch.nulls)
	ch.unc += hl + int64(h.UncompressedPageSize)
	ch.cmp += hl + int64(h.CompressedPageSize)

	ch.values, ch.levels = ch.values[:0], ch.levels[:0]
	if ch.offs != nil {
		ch.offs = ch.offs[:1]
	}
	ch.rows, ch.nulls = 0, 0
	return nil
}

// meta is the column chunk's metadata once its pages are written at
// offset; it resets the chunk for the next row group.
func (ch *chunk) meta(offset int64) format.ColumnChunk {
	enc := ch.encoding()
	m := format.ColumnMetaData{
		Type:                  format.FixedLenByteArray,
		Encoding:              []format.Encoding{enc},
		PathInSchema:          []string{ch.name},
		Codec:                 ch.codec.CompressionCodec(),
		NumValues:             ch.numVals,
		TotalUncompressedSize: ch.unc,
		TotalCompressedSize:   ch.cmp,
		DataPageOffset:        offset,
		Statistics:            format.Statistics{NullCount: ch.numNulls},
	}
	if ch.length == 0 {
		m.Type = format.ByteArray
	}
	if ch.optional {
		m.Encoding = append(m.Encoding, format.RLE) // of the definition levels
		slices.Sort(m.Encoding)
	}
	if ch.hasMin {
		m.Statistics.MinValue, m.Statistics.MaxValue = slices.Clone(ch.min), slices.Clone(ch.max)
	}
	if ch.numPages > 0 {
		m.EncodingStats = []format.PageEncodingStats{{PageType: format.DataPageV2, Encoding: enc, Count: int32(ch.numPages)}}
	}
	ch.numPages = 0
	ch.numVals, ch.numNulls, ch.unc, ch.cmp = 0, 0, 0, 0
	ch.hasMin = false
	return format.ColumnChunk{FileOffset: offset, MetaData: m}
}

// schemaElements is the Parquet schema of the columns, as the footer holds
// it.
func schemaElements(cols []column) []format.SchemaElement {
	els := []format.SchemaElement{{Name: "swd_encoded", NumChildren: thrift.New(int32(len(cols)))}}
	for _, c := range cols {
		rep := format.Required
		if c.kind >= kindField {
			rep = format.Optional
		}
		el := format.SchemaElement{Name: c.name, RepetitionType: thrift.New(rep)}
		switch c.kind {
		case kindCLK, kindField:
			el.Type, el.TypeLength = thrift.New(format.FixedLenByteArray), thrift.New(int32(c.bytes))
		default:
			el.Type = thrift.New(format.ByteArray)
			el.ConvertedType = thrift.New(deprecated.UTF8)
			el.LogicalType = format.LogicalType{Value: &format.StringType{}}
		}
		els = append(els, el)
	}
	return els
}
