package table

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/welfare-district/swd/internal/base"
)

// arrowWrite writes recs in the IPC file and stream formats.
func arrowWrite(t testing.TB, schema *arrow.Schema, recs []arrow.RecordBatch, opts ...ipc.Option) (file, stream []byte) {
	t.Helper()
	var fb, sb bytes.Buffer
	opts = append(opts, ipc.WithSchema(schema))
	fw, err := ipc.NewFileWriter(&fb, opts...)
	if err != nil {
		t.Fatal(err)
	}
	sw := ipc.NewWriter(&sb, opts...)
	for _, r := range recs {
		if err := fw.Write(r); err != nil {
			t.Fatal(err)
		}
		if err := sw.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	return fb.Bytes(), sb.Bytes()
}

// arrowNested is a batch with list, struct and map columns.
func arrowNested(t testing.TB) (*arrow.Schema, arrow.RecordBatch) {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "s", Type: arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int32}, arrow.Field{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true})},
		{Name: "m", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), Nullable: true},
	}, nil)
	rec, _, err := array.RecordFromJSON(memory.NewGoAllocator(), schema, strings.NewReader(
		`[{"id":"1","tags":["a","b"],"s":{"a":1,"b":"x"},"m":[{"key":"k","value":2}]},{"id":"2","tags":null,"s":{"a":2,"b":null},"m":null}]`))
	if err != nil {
		t.Fatal(err)
	}
	return schema, rec
}

// arrowSeeds are small valid files and streams: the flat test table
// (plain, zstd, lz4) and a nested one.
func arrowSeeds(t testing.TB) [][]byte {
	t.Helper()
	batches, _ := arrowBatches(12)
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	var seeds [][]byte
	file, stream := arrowWrite(t, arrowSchema(), batches)
	seeds = append(seeds, file, stream)
	file, _ = arrowWrite(t, arrowSchema(), batches, ipc.WithZstd())
	_, stream = arrowWrite(t, arrowSchema(), batches, ipc.WithLZ4())
	seeds = append(seeds, file, stream)
	schema, rec := arrowNested(t)
	defer rec.Release()
	file, stream = arrowWrite(t, schema, []arrow.RecordBatch{rec})
	return append(seeds, file, stream)
}

// arrowAllTypes is a batch with a column of most types arrow-go writes,
// to check that checkArrow counts the nodes and buffers the loader reads.
func arrowAllTypes(t testing.TB) (*arrow.Schema, arrow.RecordBatch) {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "null", Type: arrow.Null, Nullable: true},
		{Name: "view", Type: arrow.BinaryTypes.StringView, Nullable: true},
		{Name: "bview", Type: arrow.BinaryTypes.BinaryView, Nullable: true},
		{Name: "large", Type: arrow.BinaryTypes.LargeString, Nullable: true},
		{Name: "fsb", Type: &arrow.FixedSizeBinaryType{ByteWidth: 3}, Nullable: true},
		{Name: "dec", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}, Nullable: true},
		{Name: "bool", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "fsl", Type: arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Int16), Nullable: true},
		{Name: "llist", Type: arrow.LargeListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "lview", Type: arrow.ListViewOf(arrow.PrimitiveTypes.Int32), Nullable: true},
		{Name: "sparse", Type: arrow.SparseUnionOf([]arrow.Field{{Name: "i", Type: arrow.PrimitiveTypes.Int32, Nullable: true}, {Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}}, []arrow.UnionTypeCode{0, 1}), Nullable: true},
		{Name: "dense", Type: arrow.DenseUnionOf([]arrow.Field{{Name: "i", Type: arrow.PrimitiveTypes.Int32, Nullable: true}, {Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}}, []arrow.UnionTypeCode{0, 1}), Nullable: true},
		{Name: "ree", Type: arrow.RunEndEncodedOf(arrow.PrimitiveTypes.Int32, arrow.BinaryTypes.String), Nullable: true},
		{Name: "dict", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.NewGoAllocator(), schema)
	defer b.Release()
	long := "a string longer than twelve bytes"
	b.Field(1).(*array.StringViewBuilder).Append(long)
	b.Field(2).(*array.BinaryViewBuilder).Append([]byte(long))
	if err := b.Field(13).(*array.BinaryDictionaryBuilder).AppendString(long); err != nil {
		t.Fatal(err)
	}
	for i, f := range b.Fields() {
		if i != 1 && i != 2 && i != 13 {
			f.AppendNull()
		}
		f.AppendNull()
	}
	return schema, b.NewRecordBatch()
}

func TestCheckArrowValid(t *testing.T) {
	seeds := arrowSeeds(t)
	names := []string{"file", "stream", "zstd file", "lz4 stream", "nested file", "nested stream"}
	types, typesRec := arrowAllTypes(t)
	defer typesRec.Release()
	typesFile, typesStream := arrowWrite(t, types, []arrow.RecordBatch{typesRec})
	seeds = append(seeds, typesFile, typesStream)
	names = append(names, "many types file", "many types stream")
	empty, emptyStream := arrowWrite(t, arrowSchema(), nil)
	seeds = append(seeds, empty, emptyStream)
	names = append(names, "file without batches", "stream without batches")
	for i, data := range seeds {
		t.Run(names[i], func(t *testing.T) {
			isFile := bytes.HasPrefix(data, arrowMagic)
			if err := checkArrow(bytes.NewReader(data), int64(len(data)), isFile); err != nil {
				t.Fatal(err)
			}
		})
	}
	// The hand-built schema of TestCheckArrowCorrupt is valid when small.
	if shared := arrowSharedFields(3); checkArrow(bytes.NewReader(shared), int64(len(shared)), false) != nil {
		t.Fatal(checkArrow(bytes.NewReader(shared), int64(len(shared)), false))
	}
	// The flat ones also read through Open (nested columns are refused by
	// the reader, not by the check).
	for i, data := range seeds[:4] {
		r, err := Open(writeTemp(t, "ok.arrow", data), Options{})
		if err != nil {
			t.Fatalf("%s: %v", names[i], err)
		}
		n, err := readAllTolerant(r)
		r.Close()
		if err != nil || n != 12 {
			t.Fatalf("%s: read %d rows, %v", names[i], n, err)
		}
	}
}

// fbPatch returns a copy of data with the uint32 at p set to v.
func fbPatch(data []byte, p int64, v uint32) []byte {
	out := bytes.Clone(data)
	binary.LittleEndian.PutUint32(out[p:], v)
	return out
}

// arrowSchemaAt returns the position of the footer (file) or first message
// metadata (stream) in data, and its schema table.
func arrowSchemaAt(t *testing.T, data []byte, isFile bool) (int64, fbTable) {
	t.Helper()
	if isFile {
		flen := int64(binary.LittleEndian.Uint32(data[len(data)-10:]))
		start := int64(len(data)) - 10 - flen
		footer, err := fbRoot(data[start:len(data)-10], "footer")
		if err != nil {
			t.Fatal(err)
		}
		schema, _, err := footer.table(1, "schema")
		if err != nil {
			t.Fatal(err)
		}
		return start, schema
	}
	n := int64(binary.LittleEndian.Uint32(data[4:]))
	msg, err := fbRoot(data[8:8+n], "message")
	if err != nil {
		t.Fatal(err)
	}
	schema, _, err := msg.table(2, "schema")
	if err != nil {
		t.Fatal(err)
	}
	return 8, schema
}

// arrowDeep is a schema of lists nested depth deep.
func arrowDeep(depth int) *arrow.Schema {
	var typ arrow.DataType = arrow.BinaryTypes.String
	for range depth {
		typ = arrow.ListOf(typ)
	}
	return arrow.NewSchema([]arrow.Field{{Name: "deep", Type: typ}}, nil)
}

// TestCheckArrowCorrupt crafts the corruptions that made arrow-go allocate
// without bound or recurse without end, and checks each gives a clear
// invalid-input error naming the file and no value.
func TestCheckArrowCorrupt(t *testing.T) {
	seeds := arrowSeeds(t)
	file, stream, zstdFile := seeds[0], seeds[1], seeds[2]
	at := func(data []byte, isFile bool, slot int) int64 {
		base, schema := arrowSchemaAt(t, data, isFile)
		p, _, err := schema.ref(slot, "vector")
		if err != nil {
			t.Fatal(err)
		}
		return base + p
	}
	deep, _ := arrowWrite(t, arrowDeep(arrowMaxDepth+2), nil)
	wideStream := arrowSharedFields(arrowMaxFields + 1)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"file footer length", fbPatch(file, int64(len(file))-10, 0x7fffffff), "footer length"},
		{"file schema fields length", fbPatch(file, at(file, true, 1), 0x7fffffff), "does not fit"},
		{"stream schema fields length", fbPatch(stream, at(stream, false, 1), 0x7fffffff), "does not fit"},
		{"stream metadata length", fbPatch(stream, 4, 0x7ffffff0), "runs past the end"},
		{"stream first message not a schema", fbPatch(stream, 4, 0), "before its schema"},
		{"file truncated", file[:len(file)-20], "no ARROW1 magic"},
		{"stream truncated", stream[:len(stream)-100], "runs past the end"},
		{"nested too deep", deep, "nested more than"},
		{"too many fields", wideStream, "more than 100000 fields"},
		{"compressed size", arrowPatchCompressed(t, zstdFile), "decompress to more than"},
		{"batch buffers fewer than the schema needs", fbPatch(stream, arrowStreamBatch(t, stream, 2), 1), "the schema needs"},
		{"batch field nodes fewer than the schema needs", fbPatch(stream, arrowStreamBatch(t, stream, 1), 0), "the schema needs"},
		{"batch rows", fbPatch(stream, arrowStreamBatch(t, stream, 0)+4, 1<<20), "rows in a body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeTemp(t, "bad.arrow", tt.data)
			_, err := Open(p, Options{})
			var ie *base.InputError
			if !errors.As(err, &ie) || !errors.Is(err, base.ErrInvalidInput) {
				t.Fatalf("want an InputError, got %v", err)
			}
			msg := err.Error()
			if ie.File != p || !strings.Contains(msg, "corrupt Arrow file") || !strings.Contains(msg, tt.want) {
				t.Fatalf("got %q, want the file, \"corrupt Arrow file\" and %q", msg, tt.want)
			}
			for _, v := range []string{"Nicolò", "testo", "r1", "Q1"} {
				if strings.Contains(msg, v) {
					t.Fatalf("error %q shows the value %q", msg, v)
				}
			}
		})
	}
}

// arrowSharedFields is a stream whose schema lists n times the same Field
// table: a few hundred kilobytes that arrow-go would turn into n fields.
func arrowSharedFields(n int) []byte {
	b := flatbuffers.NewBuilder(0)
	name := b.CreateString("c")
	b.StartObject(0)
	null := b.EndObject()
	b.StartObject(7) // Field
	b.PrependUOffsetTSlot(0, name, 0)
	b.PrependByteSlot(2, 1, 0) // type_type Null
	b.PrependUOffsetTSlot(3, null, 0)
	field := b.EndObject()
	b.StartVector(4, n, 4)
	for range n {
		b.PrependUOffsetT(field)
	}
	fields := b.EndVector(n)
	b.StartObject(4) // Schema
	b.PrependUOffsetTSlot(1, fields, 0)
	schema := b.EndObject()
	b.StartObject(5)            // Message
	b.PrependInt16Slot(0, 4, 0) // V5
	b.PrependByteSlot(1, fbHeaderSchema, 0)
	b.PrependUOffsetTSlot(2, schema, 0)
	b.Finish(b.EndObject())
	meta := b.FinishedBytes()
	out := binary.LittleEndian.AppendUint32(nil, 0xFFFFFFFF)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(meta)))
	out = append(out, meta...)
	return binary.LittleEndian.AppendUint64(out, 0xFFFFFFFF)
}

// arrowStreamBatch returns the position in stream of field slot of the
// first record batch (0 length; 1 nodes, 2 buffers: their vector length).
func arrowStreamBatch(t *testing.T, stream []byte, slot int) int64 {
	t.Helper()
	pos := int64(0)
	for pos+8 <= int64(len(stream)) {
		n := int64(binary.LittleEndian.Uint32(stream[pos+4:]))
		msg, err := fbRoot(stream[pos+8:pos+8+n], "message")
		if err != nil {
			t.Fatal(err)
		}
		kind, _, _ := msg.scalar(1, 1, "type")
		body, _, _ := msg.scalar(3, 8, "body")
		if kind == fbHeaderRecordBatch {
			batch, _, err := msg.table(2, "batch")
			if err != nil {
				t.Fatal(err)
			}
			p := batch.at(slot)
			if slot > 0 {
				if p, _, err = batch.ref(slot, "vector"); err != nil {
					t.Fatal(err)
				}
			}
			return pos + 8 + p
		}
		pos += 8 + n + body
	}
	t.Fatal("no record batch")
	return 0
}

// arrowPatchCompressed sets the uncompressed size of the first non-empty
// buffer of the first record batch of a compressed file to 1 TiB.
func arrowPatchCompressed(t *testing.T, data []byte) []byte {
	t.Helper()
	flen := int64(binary.LittleEndian.Uint32(data[len(data)-10:]))
	fbuf := data[int64(len(data))-10-flen : len(data)-10]
	footer, err := fbRoot(fbuf, "footer")
	if err != nil {
		t.Fatal(err)
	}
	start, n, err := footer.vector(3, 24, "blocks")
	if err != nil || n == 0 {
		t.Fatal(n, err)
	}
	off := int64(binary.LittleEndian.Uint64(fbuf[start:]))
	meta := int64(binary.LittleEndian.Uint32(fbuf[start+8:]))
	msg, err := fbRoot(data[off+8:off+meta], "message")
	if err != nil {
		t.Fatal(err)
	}
	batch, _, err := msg.table(2, "batch")
	if err != nil {
		t.Fatal(err)
	}
	bstart, nbuf, err := batch.vector(2, 16, "buffers")
	if err != nil {
		t.Fatal(err)
	}
	for i := range nbuf {
		p := bstart + 16*i
		if binary.LittleEndian.Uint64(batch.buf[p+8:]) > 0 {
			out := bytes.Clone(data)
			binary.LittleEndian.PutUint64(out[off+meta+int64(binary.LittleEndian.Uint64(batch.buf[p:])):], 1<<40)
			return out
		}
	}
	t.Fatal("no buffer")
	return nil
}

// TestArrowFlippedBytes flips every byte of the metadata of a small file
// and stream, and cuts them at every length: the reader must report an
// invalid-input error or read them, never panic.
func TestArrowFlippedBytes(t *testing.T) {
	seeds := arrowSeeds(t)
	for i, data := range seeds[:2] {
		isFile := i == 0
		from, to := int64(0), int64(len(data))
		if isFile {
			from = int64(len(data)) - 10 - int64(binary.LittleEndian.Uint32(data[len(data)-10:]))
		} else {
			to = 8 + int64(binary.LittleEndian.Uint32(data[4:]))
		}
		step := int64(2)
		if testing.Short() {
			step = 7
		}
		var cases [][]byte
		for p := from; p < to; p += step {
			b := bytes.Clone(data)
			b[p] ^= []byte{0xff, 0x80, 0x01}[p/step%3]
			cases = append(cases, b)
		}
		for n := 0; n < len(data); n += 16 * int(step) {
			cases = append(cases, data[:n])
		}
		p := writeTemp(t, "flip.arrow", nil)
		for _, c := range cases {
			readsOrRejects(t, p, c)
		}
	}
}
