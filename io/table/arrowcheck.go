package table

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Bounds of the Arrow IPC pre-check. arrow-go v18.8.0 trusts the lengths in
// the flatbuffer metadata (vector lengths in the schema, the metadata and
// body lengths of stream messages, the uncompressed size of compressed
// buffers, the number of nodes and buffers of a batch) and allocates or
// indexes from them; a corrupt file could make it allocate hundreds of
// gigabytes, which kills the process (a fatal error, not a panic).
// checkArrow reads the same metadata first, with every offset and length
// bounded by the bytes that hold it, so that arrow-go only ever sees metadata
// whose allocations are bounded by the file size and by these limits.
const (
	arrowMaxFooter       = 16 << 20 // bytes of the file footer
	arrowMaxMetadata     = 64 << 20 // bytes of one message's metadata (arrow-go's own default)
	arrowMaxDepth        = 64       // nesting of fields
	arrowMaxFields       = 100_000  // fields of a schema, nested ones included
	arrowMaxKeyValues    = 1_000_000
	arrowMaxText         = 64 << 20  // bytes of names, keys and values copied out of one schema
	arrowMaxUncompressed = 256 << 20 // bytes of one compressed batch once decompressed, or 16 times its body if more
	arrowMaxType         = 26        // flatbuf.TypeLargeListView, the last type arrow-go knows
	arrowSlackRows       = 1 << 16   // rows a batch may declare beyond 8 per body byte
)

// Message header types and field type ids (arrow/internal/flatbuf).
const (
	fbHeaderSchema          = 1
	fbHeaderDictionaryBatch = 2
	fbHeaderRecordBatch     = 3
	fbTypeUnion             = 14
)

// errArrowCorrupt is wrapped by every error of checkArrow.
var errArrowCorrupt = errors.New("corrupt Arrow file")

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errArrowCorrupt}, args...)...)
}

// arrowCheck walks the metadata of one Arrow IPC file or stream.
type arrowCheck struct {
	r    io.ReaderAt
	size int64

	fields, kvs int
	textBytes   int64

	batch fbLayout           // what a record batch of the schema holds
	dicts map[int64]fbLayout // what a dictionary batch holds, by id
}

// fbLayout counts the field nodes and buffers arrow-go's loader reads from
// a batch. It indexes the nodes and buffers vectors of the batch without
// comparing with their lengths (flatbuffers' Go accessors do not), so the
// vectors must be at least that long.
type fbLayout struct {
	nodes, buffers int64
	views          int64 // binary/string views: one variadic count each, that many more buffers
	validity       int64 // union and run-end-encoded: a validity buffer before metadata V5
	// dense: some column takes body bytes for every row (all but Null,
	// run-end-encoded, and structs and fixed-size lists of those).
	dense bool
}

func (l *fbLayout) add(o fbLayout) {
	l.nodes += o.nodes
	l.buffers += o.buffers
	l.views += o.views
	l.validity += o.validity
	l.dense = l.dense || o.dense
}

// checkArrow checks the Arrow IPC metadata of r, size bytes long, in the file
// format (fileFormat) or the stream format: the footer or the first message
// and its schema, and the metadata of every dictionary and record batch.
// Reasons name positions and lengths, never a value of the file.
func checkArrow(r io.ReaderAt, size int64, fileFormat bool) error {
	c := &arrowCheck{r: r, size: size, dicts: map[int64]fbLayout{}}
	if fileFormat {
		return c.file()
	}
	return c.stream()
}

// read returns n bytes at off, which the caller has bounded by the file size.
func (c *arrowCheck) read(off, n int64, what string) ([]byte, error) {
	if off < 0 || n < 0 || n > c.size-off {
		return nil, corrupt("%s (%d bytes at offset %d) lies outside the file (%d bytes)", what, n, off, c.size)
	}
	b := make([]byte, n)
	if _, err := c.r.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("%w: reading %s: %w", errArrowCorrupt, what, err)
	}
	return b, nil
}

// file checks the file format: magic, footer, schema and every block.
func (c *arrowCheck) file() error {
	const tail = 4 + 6 // footer length + "ARROW1"
	if c.size < int64(2*len(arrowMagic)+4)+1 {
		return corrupt("file too small (%d bytes; truncated?)", c.size)
	}
	end, err := c.read(c.size-tail, tail, "footer trailer")
	if err != nil {
		return err
	}
	if string(end[4:]) != string(arrowMagic) {
		return corrupt("no ARROW1 magic at the end of the file (truncated?)")
	}
	flen := int64(int32(binary.LittleEndian.Uint32(end)))
	if flen <= 0 || flen > c.size-int64(2*len(arrowMagic)+4) {
		return corrupt("footer length %d does not fit in the file (%d bytes; truncated?)", flen, c.size)
	}
	if flen > arrowMaxFooter {
		return corrupt("footer of %d bytes (limit %d)", flen, arrowMaxFooter)
	}
	fstart := c.size - tail - flen
	buf, err := c.read(fstart, flen, "footer")
	if err != nil {
		return err
	}
	footer, err := fbRoot(buf, "footer")
	if err != nil {
		return err
	}
	if _, _, err := footer.scalar(0, 2, "footer version"); err != nil {
		return err
	}
	schema, ok, err := footer.table(1, "footer schema")
	if err != nil {
		return err
	}
	if !ok {
		return corrupt("footer has no schema")
	}
	if err := c.schema(schema); err != nil {
		return err
	}
	if err := c.keyValues(footer, 4, "footer metadata"); err != nil {
		return err
	}
	for _, b := range []struct {
		slot int
		what string
		want uint64
	}{{2, "dictionary", fbHeaderDictionaryBatch}, {3, "record batch", fbHeaderRecordBatch}} {
		start, n, err := footer.vector(b.slot, 24, "footer "+b.what+" blocks")
		if err != nil {
			return err
		}
		for i := int64(0); i < n; i++ {
			at := start + 24*i
			off := int64(binary.LittleEndian.Uint64(buf[at:]))
			meta := int64(int32(binary.LittleEndian.Uint32(buf[at+8:])))
			body := int64(binary.LittleEndian.Uint64(buf[at+16:]))
			what := fmt.Sprintf("%s %d", b.what, i+1)
			if err := c.block(off, meta, body, fstart, b.want, what); err != nil {
				return err
			}
		}
	}
	return nil
}

// block checks the message of a footer block: meta bytes of prefixed
// metadata at off, followed by body bytes, all before the footer at end.
func (c *arrowCheck) block(off, meta, body, end int64, want uint64, what string) error {
	switch {
	case off < 0 || meta < 8 || body < 0:
		return corrupt("%s: invalid block (offset %d, metadata %d bytes, body %d bytes)", what, off, meta, body)
	case off > end || meta > end-off || body > end-off-meta:
		return corrupt("%s: block (offset %d, %d bytes) lies outside the data (%d bytes; truncated?)", what, off, meta+body, end)
	case meta > arrowMaxMetadata:
		return corrupt("%s: metadata of %d bytes (limit %d)", what, meta, arrowMaxMetadata)
	}
	buf, err := c.read(off, meta, what+" metadata")
	if err != nil {
		return err
	}
	prefix := int64(4)
	if binary.LittleEndian.Uint32(buf) == 0xFFFFFFFF {
		prefix = 8
	}
	if n := int64(binary.LittleEndian.Uint32(buf[prefix-4:])); n < 4 || n > meta-prefix {
		return corrupt("%s: metadata length %d does not fit in its block (%d bytes)", what, n, meta-prefix)
	}
	return c.message(buf[prefix:], off+meta, body, want, what)
}

// stream checks the stream format: the schema message, then every message
// up to the end-of-stream marker or the end of the file.
func (c *arrowCheck) stream() error {
	pos := int64(0)
	for i := 1; ; i++ {
		what := fmt.Sprintf("message %d", i)
		if pos == c.size && i > 1 {
			return nil // arrow-go accepts a stream without end-of-stream marker
		}
		if c.size-pos < 4 {
			return corrupt("%s: truncated message header at offset %d", what, pos)
		}
		hdr, err := c.read(pos, min(8, c.size-pos), what+" header")
		if err != nil {
			return err
		}
		prefix := int64(4)
		n := int64(int32(binary.LittleEndian.Uint32(hdr)))
		if uint32(n) == 0xFFFFFFFF {
			if len(hdr) < 8 {
				return corrupt("%s: truncated message header at offset %d", what, pos)
			}
			prefix = 8
			n = int64(int32(binary.LittleEndian.Uint32(hdr[4:])))
		}
		if n == 0 {
			if i == 1 {
				return corrupt("stream ends before its schema")
			}
			return nil // end-of-stream marker
		}
		start := pos + prefix
		switch {
		case n < 4:
			return corrupt("%s: invalid metadata length %d at offset %d", what, n, pos)
		case n > c.size-start:
			return corrupt("%s: metadata of %d bytes at offset %d runs past the end of the file (%d bytes; truncated?)", what, n, start, c.size)
		case n > arrowMaxMetadata:
			return corrupt("%s: metadata of %d bytes (limit %d)", what, n, arrowMaxMetadata)
		}
		buf, err := c.read(start, n, what+" metadata")
		if err != nil {
			return err
		}
		want := uint64(0)
		if i == 1 {
			want = fbHeaderSchema
		}
		body, err := c.messageBody(buf, what)
		if err != nil {
			return err
		}
		if body > c.size-start-n {
			return corrupt("%s: body of %d bytes at offset %d runs past the end of the file (%d bytes; truncated?)", what, body, start+n, c.size)
		}
		if err := c.message(buf, start+n, body, want, what); err != nil {
			return err
		}
		pos = start + n + body
	}
}

// messageBody returns the body length a Message declares.
func (c *arrowCheck) messageBody(buf []byte, what string) (int64, error) {
	msg, err := fbRoot(buf, what)
	if err != nil {
		return 0, err
	}
	body, _, err := msg.scalar(3, 8, what+" body length")
	if err != nil {
		return 0, err
	}
	if body < 0 {
		return 0, corrupt("%s: negative body length %d", what, body)
	}
	return body, nil
}

// message checks a Message flatbuffer whose body of bodyLen bytes starts
// at bodyOff. want is the header type it must have; 0 accepts a dictionary
// or a record batch.
func (c *arrowCheck) message(buf []byte, bodyOff, bodyLen int64, want uint64, what string) error {
	msg, err := fbRoot(buf, what)
	if err != nil {
		return err
	}
	c.kvs, c.textBytes = 0, 0 // budgets of what arrow-go copies out of one message
	version, _, err := msg.scalar(0, 2, what+" version")
	if err != nil {
		return err
	}
	kind, _, err := msg.scalar(1, 1, what+" header type")
	if err != nil {
		return err
	}
	if _, err := c.messageBody(buf, what); err != nil {
		return err
	}
	if err := c.keyValues(msg, 4, what+" metadata"); err != nil {
		return err
	}
	switch {
	case want != 0 && uint64(kind) != want,
		want == 0 && kind != fbHeaderDictionaryBatch && kind != fbHeaderRecordBatch:
		return corrupt("%s: unexpected message type %d", what, kind)
	}
	hdr, ok, err := msg.table(2, what+" header")
	if err != nil {
		return err
	}
	if !ok {
		return corrupt("%s: message without header", what)
	}
	switch kind {
	case fbHeaderSchema:
		return c.schema(hdr)
	case fbHeaderDictionaryBatch:
		id, _, err := hdr.scalar(0, 8, what+" dictionary id")
		if err != nil {
			return err
		}
		layout, ok := c.dicts[id]
		if !ok {
			return corrupt("%s: dictionary id %d is not in the schema", what, id)
		}
		if _, _, err := hdr.scalar(2, 1, what+" delta flag"); err != nil {
			return err
		}
		data, ok, err := hdr.table(1, what+" dictionary data")
		if err != nil {
			return err
		}
		if !ok {
			return corrupt("%s: dictionary batch without data", what)
		}
		// arrow-go loads dictionaries with metadata version V1.
		return c.recordBatch(data, bodyOff, bodyLen, layout, 0, what)
	}
	return c.recordBatch(hdr, bodyOff, bodyLen, c.batch, version, what)
}

// recordBatch checks a RecordBatch: node and buffer vectors in bounds, every
// buffer inside the body, and, when compressed, the uncompressed sizes.
func (c *arrowCheck) recordBatch(t fbTable, bodyOff, bodyLen int64, want fbLayout, version int64, what string) error {
	rows, _, err := t.scalar(0, 8, what+" length")
	if err != nil {
		return err
	}
	if rows < 0 {
		return corrupt("%s: negative row count %d", what, rows)
	}
	start, n, err := t.vector(1, 16, what+" field nodes")
	if err != nil {
		return err
	}
	for i := int64(0); i < n; i++ {
		at := start + 16*i
		length := int64(binary.LittleEndian.Uint64(t.buf[at:]))
		nulls := int64(binary.LittleEndian.Uint64(t.buf[at+8:]))
		if length < 0 || nulls < 0 || nulls > length {
			return corrupt("%s: field node %d has invalid length %d or null count %d", what, i+1, length, nulls)
		}
	}
	if n < want.nodes {
		return corrupt("%s: %d field nodes, the schema needs %d", what, n, want.nodes)
	}
	bstart, nbuf, err := t.vector(2, 16, what+" buffers")
	if err != nil {
		return err
	}
	for i := int64(0); i < nbuf; i++ {
		at := bstart + 16*i
		off := int64(binary.LittleEndian.Uint64(t.buf[at:]))
		length := int64(binary.LittleEndian.Uint64(t.buf[at+8:]))
		if off < 0 || length < 0 || off > bodyLen || length > bodyLen-off {
			return corrupt("%s: buffer %d (offset %d, %d bytes) lies outside the body (%d bytes)", what, i+1, off, length, bodyLen)
		}
	}
	vstart, nv, err := t.vector(4, 8, what+" variadic buffer counts")
	if err != nil {
		return err
	}
	if nv < want.views {
		return corrupt("%s: %d variadic buffer counts, the schema needs %d", what, nv, want.views)
	}
	needed := want.buffers
	if version < 4 { // before V5
		needed += want.validity
	}
	for i := int64(0); i < nv; i++ {
		v := int64(binary.LittleEndian.Uint64(t.buf[vstart+8*i:]))
		if v < 0 || v > nbuf {
			return corrupt("%s: variadic buffer count %d of %d buffers", what, v, nbuf)
		}
		if i < want.views {
			needed += v
		}
	}
	if nbuf < needed {
		return corrupt("%s: %d buffers, the schema needs %d", what, nbuf, needed)
	}
	total, err := c.uncompressed(t, bodyOff, bodyLen, bstart, nbuf, what)
	if err != nil {
		return err
	}
	// A dense column takes at least one bit a row (values, indices or a
	// validity bitmap), so a batch that has one cannot hold more rows; without
	// this a flipped length makes arrow-go hand out rows without end.
	if want.dense && rows > 8*(bodyLen+total)+arrowSlackRows {
		return corrupt("%s: %d rows in a body of %d bytes", what, rows, bodyLen)
	}
	return nil
}

// uncompressed returns the total size the compressed buffers of batch t
// declare once decompressed (0 when t is not compressed): arrow-go
// allocates it before decompressing.
func (c *arrowCheck) uncompressed(t fbTable, bodyOff, bodyLen, bstart, nbuf int64, what string) (int64, error) {
	comp, compressed, err := t.table(3, what+" compression")
	if err != nil || !compressed {
		return 0, err
	}
	codec, _, err := comp.scalar(0, 1, what+" compression codec")
	if err != nil {
		return 0, err
	}
	if _, _, err := comp.scalar(1, 1, what+" compression method"); err != nil {
		return 0, err
	}
	if codec > 1 { // LZ4_FRAME, ZSTD
		return 0, corrupt("%s: unknown compression codec %d", what, codec)
	}
	// arrow-go allocates each buffer at its declared size before
	// decompressing it. zstd can legitimately shrink a buffer a thousand
	// times (a validity bitmap of a column without nulls), so the limit is
	// absolute for small bodies.
	limit := max(arrowMaxUncompressed, 16*bodyLen)
	var total int64
	for i := int64(0); i < nbuf; i++ {
		at := bstart + 16*i
		off := int64(binary.LittleEndian.Uint64(t.buf[at:]))
		length := int64(binary.LittleEndian.Uint64(t.buf[at+8:]))
		if length == 0 {
			continue
		}
		if length < 8 {
			return 0, corrupt("%s: compressed buffer %d of %d bytes has no size prefix", what, i+1, length)
		}
		p, err := c.read(bodyOff+off, 8, what+" compressed buffer size")
		if err != nil {
			return 0, err
		}
		size := int64(binary.LittleEndian.Uint64(p))
		if size == -1 {
			continue // stored uncompressed
		}
		if size < 0 || size > limit-total {
			return 0, corrupt("%s: compressed buffers decompress to more than %d bytes", what, limit)
		}
		total += size
	}
	return total, nil
}

// schema checks a Schema table and its fields.
func (c *arrowCheck) schema(t fbTable) error {
	if _, _, err := t.scalar(0, 2, "schema endianness"); err != nil {
		return err
	}
	layout, err := c.fieldVector(t, 1, 1, "schema")
	if err != nil {
		return err
	}
	c.batch = layout
	if err := c.keyValues(t, 2, "schema metadata"); err != nil {
		return err
	}
	_, _, err = t.vector(3, 8, "schema features")
	return err
}

// fieldVector checks the vector of Field tables in slot of t, and returns
// what a batch holds for them.
func (c *arrowCheck) fieldVector(t fbTable, slot, depth int, what string) (fbLayout, error) {
	var sum fbLayout
	start, n, err := t.vector(slot, 4, what+" fields")
	if err != nil {
		return sum, err
	}
	for i := int64(0); i < n; i++ {
		fw := fmt.Sprintf("%s field %d", what, i+1)
		f, err := t.indirect(start+4*i, fw)
		if err != nil {
			return sum, err
		}
		l, err := c.field(f, depth, fw)
		if err != nil {
			return sum, err
		}
		sum.add(l)
	}
	return sum, nil
}

// field checks a Field table at nesting depth, and its children, and
// returns what a batch holds for it.
func (c *arrowCheck) field(t fbTable, depth int, what string) (fbLayout, error) {
	var l fbLayout
	if c.fields++; c.fields > arrowMaxFields {
		return l, corrupt("more than %d fields in the schema", arrowMaxFields)
	}
	if depth > arrowMaxDepth {
		return l, corrupt("fields nested more than %d deep", arrowMaxDepth)
	}
	if err := c.text(t, 0, what+" name"); err != nil {
		return l, err
	}
	if _, _, err := t.scalar(1, 1, what+" nullable"); err != nil {
		return l, err
	}
	typ, _, err := t.scalar(2, 1, what+" type id")
	if err != nil {
		return l, err
	}
	if typ > arrowMaxType {
		return l, corrupt("%s: unknown type id %d", what, typ)
	}
	tt, hasType, err := t.table(3, what+" type")
	if err != nil {
		return l, err
	}
	dense := false
	if hasType && typ == fbTypeUnion {
		mode, _, err := tt.scalar(0, 2, what+" union mode")
		if err != nil {
			return l, err
		}
		dense = mode == 1
		if _, _, err := tt.vector(1, 4, what+" union type ids"); err != nil {
			return l, err
		}
	}
	children, err := c.fieldVector(t, 5, depth+1, what)
	if err != nil {
		return l, err
	}
	if err := c.keyValues(t, 6, what+" metadata"); err != nil {
		return l, err
	}
	l = typeLayout(typ, dense, children)
	dict, ok, err := t.table(4, what+" dictionary")
	if err != nil || !ok {
		return l, err
	}
	id, _, err := dict.scalar(0, 8, what+" dictionary id")
	if err != nil {
		return l, err
	}
	for slot, width := range []int64{2: 1, 3: 2} { // isOrdered, dictionaryKind
		if width > 0 {
			if _, _, err := dict.scalar(slot, width, what+" dictionary"); err != nil {
				return l, err
			}
		}
	}
	idx, ok, err := dict.table(1, what+" dictionary index type")
	if err != nil {
		return l, err
	}
	if ok {
		if _, _, err := idx.scalar(0, 4, what+" dictionary index width"); err != nil {
			return l, err
		}
		if _, _, err := idx.scalar(1, 1, what+" dictionary index sign"); err != nil {
			return l, err
		}
	}
	// A dictionary batch holds the values; a record batch the indices.
	prev := c.dicts[id]
	c.dicts[id] = fbLayout{
		nodes:    max(prev.nodes, l.nodes),
		buffers:  max(prev.buffers, l.buffers),
		views:    max(prev.views, l.views),
		validity: max(prev.validity, l.validity),
	}
	return fbLayout{nodes: 1, buffers: 2, dense: true}, nil
}

// typeLayout is what arrow-go's loader (arrayLoaderContext.loadArray)
// reads from a batch for a column of flatbuf type typ with children.
func typeLayout(typ int64, dense bool, children fbLayout) fbLayout {
	l := fbLayout{nodes: 1, dense: true}
	switch typ {
	case 0: // NONE: arrow-go refuses the schema
		return fbLayout{}
	case 1: // Null
		l.dense = false
	case 4, 5, 19, 20: // Binary, Utf8, LargeBinary, LargeUtf8
		l.buffers = 3
	case 23, 24: // BinaryView, Utf8View
		l.buffers, l.views = 2, 1
	case 12, 21, 17: // List, LargeList, Map
		l.buffers = 2
		l.add(children)
	case 25, 26: // ListView, LargeListView
		l.buffers = 3
		l.add(children)
	case 13, 16: // Struct, FixedSizeList: a validity bitmap only when there are nulls
		l.buffers, l.dense = 1, false
		l.add(children)
	case fbTypeUnion:
		l.buffers, l.validity = 1, 1
		if dense {
			l.buffers++
		}
		l.add(children)
	case 22: // RunEndEncoded: one run can cover any number of rows
		l.validity = 1
		l.add(children)
		l.dense = false
	default: // fixed width: Int, FloatingPoint, Bool, Decimal, Date, Time, Timestamp, Interval, FixedSizeBinary, Duration
		l.buffers = 2
	}
	return l
}

// keyValues checks the vector of KeyValue tables in slot of t.
func (c *arrowCheck) keyValues(t fbTable, slot int, what string) error {
	start, n, err := t.vector(slot, 4, what)
	if err != nil {
		return err
	}
	for i := int64(0); i < n; i++ {
		if c.kvs++; c.kvs > arrowMaxKeyValues {
			return corrupt("more than %d metadata entries", arrowMaxKeyValues)
		}
		kw := fmt.Sprintf("%s entry %d", what, i+1)
		kv, err := t.indirect(start+4*i, kw)
		if err != nil {
			return err
		}
		if err := c.text(kv, 0, kw+" key"); err != nil {
			return err
		}
		if err := c.text(kv, 1, kw+" value"); err != nil {
			return err
		}
	}
	return nil
}

// text checks the string in slot of t and counts its bytes against the
// budget of text arrow-go copies out of the metadata.
func (c *arrowCheck) text(t fbTable, slot int, what string) error {
	_, n, err := t.vector(slot, 1, what)
	if err != nil {
		return err
	}
	if c.textBytes += n; c.textBytes > arrowMaxText {
		return corrupt("more than %d bytes of names and metadata", arrowMaxText)
	}
	return nil
}

// fbTable is a flatbuffers table whose header and vtable lie in buf.
type fbTable struct {
	buf   []byte
	pos   int64 // table start (its soffset to the vtable)
	vt    int64 // vtable start
	vtLen int64 // vtable bytes
	size  int64 // table bytes
}

// fbRoot returns the root table of buf.
func fbRoot(buf []byte, what string) (fbTable, error) {
	if len(buf) < 4 {
		return fbTable{}, corrupt("%s: flatbuffer of %d bytes", what, len(buf))
	}
	return fbTableAt(buf, int64(binary.LittleEndian.Uint32(buf)), what)
}

// fbTableAt checks the table at pos: its vtable, its size and the offset
// of every field it has lie within buf.
func fbTableAt(buf []byte, pos int64, what string) (fbTable, error) {
	n := int64(len(buf))
	if pos < 0 || pos > n-4 {
		return fbTable{}, corrupt("%s: table offset %d outside its %d bytes of metadata", what, pos, n)
	}
	vt := pos - int64(int32(binary.LittleEndian.Uint32(buf[pos:])))
	if vt < 0 || vt > n-4 {
		return fbTable{}, corrupt("%s: vtable offset %d outside its %d bytes of metadata", what, vt, n)
	}
	t := fbTable{
		buf:   buf,
		pos:   pos,
		vt:    vt,
		vtLen: int64(binary.LittleEndian.Uint16(buf[vt:])),
		size:  int64(binary.LittleEndian.Uint16(buf[vt+2:])),
	}
	if t.vtLen < 4 || t.vtLen%2 != 0 || t.vtLen > n-vt || t.size < 4 || t.size > n-pos {
		return fbTable{}, corrupt("%s: invalid vtable (%d bytes, table of %d bytes)", what, t.vtLen, t.size)
	}
	for s := int64(4); s < t.vtLen; s += 2 {
		if off := int64(binary.LittleEndian.Uint16(buf[vt+s:])); off != 0 && (off < 4 || off >= t.size) {
			return fbTable{}, corrupt("%s: field offset %d outside its table of %d bytes", what, off, t.size)
		}
	}
	return t, nil
}

// at returns the position of field slot in the buffer, 0 when absent.
func (t fbTable) at(slot int) int64 {
	o := int64(4 + 2*slot)
	if o >= t.vtLen {
		return 0
	}
	if off := int64(binary.LittleEndian.Uint16(t.buf[t.vt+o:])); off != 0 {
		return t.pos + off
	}
	return 0
}

// scalar reads the little-endian scalar of width bytes in slot; bytes are
// unsigned, wider scalars signed.
func (t fbTable) scalar(slot int, width int64, what string) (int64, bool, error) {
	p := t.at(slot)
	if p == 0 {
		return 0, false, nil
	}
	if width > t.pos+t.size-p {
		return 0, false, corrupt("%s: %d-byte field runs past its table", what, width)
	}
	switch width {
	case 1:
		return int64(t.buf[p]), true, nil
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(t.buf[p:]))), true, nil
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(t.buf[p:]))), true, nil
	}
	return int64(binary.LittleEndian.Uint64(t.buf[p:])), true, nil
}

// ref returns the position an offset field in slot points to.
func (t fbTable) ref(slot int, what string) (int64, bool, error) {
	p := t.at(slot)
	if p == 0 {
		return 0, false, nil
	}
	if 4 > t.pos+t.size-p {
		return 0, false, corrupt("%s: offset field runs past its table", what)
	}
	return p + int64(binary.LittleEndian.Uint32(t.buf[p:])), true, nil
}

// indirect returns the table an offset at position p points to.
func (t fbTable) indirect(p int64, what string) (fbTable, error) {
	return fbTableAt(t.buf, p+int64(binary.LittleEndian.Uint32(t.buf[p:])), what)
}

// table returns the table in slot.
func (t fbTable) table(slot int, what string) (fbTable, bool, error) {
	p, ok, err := t.ref(slot, what)
	if !ok || err != nil {
		return fbTable{}, false, err
	}
	sub, err := fbTableAt(t.buf, p, what)
	return sub, err == nil, err
}

// vector returns the start and length of the vector (or string) in slot,
// elem bytes an element, after checking that all of it lies in the buffer.
func (t fbTable) vector(slot int, elem int64, what string) (start, n int64, err error) {
	p, ok, err := t.ref(slot, what)
	if !ok || err != nil {
		return 0, 0, err
	}
	size := int64(len(t.buf))
	if p > size-4 {
		return 0, 0, corrupt("%s: vector offset %d outside its %d bytes of metadata", what, p, size)
	}
	n = int64(binary.LittleEndian.Uint32(t.buf[p:]))
	if n > (size-p-4)/elem {
		return 0, 0, corrupt("%s: vector of %d elements does not fit in its %d bytes of metadata", what, n, size)
	}
	return p + 4, n, nil
}
