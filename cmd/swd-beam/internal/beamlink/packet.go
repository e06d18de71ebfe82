package beamlink

import (
	"encoding/binary"
	"hash/fnv"
	"math"
)

// Packets. A runner pays for every element and every key it holds, above
// the element's bytes: Prism, Beam's local runner, keeps each pending
// element with ~140 bytes of bookkeeping and a set entry per key. So the
// pipeline does not shuffle one element per record, block key or pair:
// every shuffle moves packets, KV<bucket, []byte>, each holding many
// entries of one kind bound for one bucket, and each grouping stage
// regroups the entries of its bucket by their exact key in memory. A
// bucket is a hash of the exact key modulo Plan.Buckets (or a cell of the
// comparison grid, see Plan.Grid), so the work stays partitioned by key and
// every group is bounded by the bucket count.
//
// A packet is its kind (one byte), then its entries, each a uvarint length
// and the entry's bytes.

// kind tells what a packet's entries are.
type kind byte

const (
	kindRec       kind = iota + 1 // appendRec
	kindBlock                     // sub-pass, blocking key, record
	kindTF                        // comparison, filter hash, record
	kindTFItem                    // record, comparison, counts per partner
	kindPair                      // a run of pairs of one record a (runs.go): b, source (candidate) or 8+job (random pair for u)
	kindCompared                  // a run of compared candidates of one record a (runs.go): b, pattern, frequencies
	kindEdge                      // a, b, weight, probability
	kindNodes                     // u, v: an edge of the connected components
	kindLabel                     // node, its component's label
	kindCompRec                   // label, record
	kindCompEdge                  // label, edge
	kindPerson                    // appendPerson
	kindHousehold                 // partner household key, record
	kindRow                       // appendRow
	kindClk                       // side, row, CLK (appendClk)
	kindHit                       // job, query row, candidate row, Dice score (appendHit)
	kindCoRes                     // co-residence key, appendHouse
	kindCoPair                    // appendHouse twice: two households alone holding a co-residence key
	kindCompPair                  // label, then kindCoPair's entry
)

// maxPacket is the size at which a packet is sent before the DoFn ends, so
// that no element grows without bound.
const maxPacket = 4 << 20

// packer gathers entries by bucket and emits one packet per bucket.
type packer struct {
	kind    kind
	emit    func(int, []byte)
	bufs    map[int][]byte
	scratch []byte
}

func newPacker(k kind, emit func(int, []byte)) *packer {
	return &packer{kind: k, emit: emit, bufs: map[int][]byte{}}
}

// add appends the entry enc writes to bucket's packet.
func (p *packer) add(bucket int, enc func([]byte) []byte) {
	p.scratch = enc(p.scratch[:0])
	b, ok := p.bufs[bucket]
	if !ok {
		b = []byte{byte(p.kind)}
	}
	b = binary.AppendUvarint(b, uint64(len(p.scratch)))
	b = append(b, p.scratch...)
	if len(b) >= maxPacket {
		p.emit(bucket, b)
		delete(p.bufs, bucket)
		return
	}
	p.bufs[bucket] = b
}

// flush emits every non-empty packet.
func (p *packer) flush() {
	for k, b := range p.bufs {
		p.emit(k, b)
	}
	clear(p.bufs)
}

// listPacker is a packer of unkeyed packets.
type listPacker struct {
	*packer
}

func newListPacker(k kind, emit func([]byte)) listPacker {
	return listPacker{newPacker(k, func(_ int, b []byte) { emit(b) })}
}

// readPacket calls fn with each entry of a packet.
func readPacket(b []byte, fn func(kind, []byte) error) error {
	if len(b) == 0 {
		return errCorrupt
	}
	k := kind(b[0])
	b = b[1:]
	for len(b) > 0 {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return errCorrupt
		}
		if err := fn(k, b[w:w+int(n)]); err != nil {
			return err
		}
		b = b[w+int(n):]
	}
	return nil
}

// readPackets reads every packet of a group.
// collectPackets decodes every packet of the iterable with dec, in order;
// each must be of kind want.
func collectPackets[T any](packets func(*[]byte) bool, want kind, dec func(*decoder, *T)) ([]T, error) {
	var all []T
	err := readPackets(packets, func(kd kind, b []byte) error {
		if kd != want {
			return errCorrupt
		}
		var v T
		d := decoder{b: b}
		dec(&d, &v)
		all = append(all, v)
		return d.done()
	})
	return all, err
}

func readPackets(packets func(*[]byte) bool, fn func(kind, []byte) error) error {
	var b []byte
	for packets(&b) {
		if err := readPacket(b, fn); err != nil {
			return err
		}
	}
	return nil
}

// mix is the finaliser of splitmix64: the buckets of nearby references are
// unrelated.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// bucketOf is the bucket of key x among n.
func bucketOf(x uint64, n int) int { return int(mix(x) % uint64(max(n, 1))) }

func stringHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// Plan's partitions.

// bucket is the bucket of key x.
func (p *Plan) bucket(x uint64) int { return bucketOf(x, p.Buckets) }

// group is the group of record ref in the comparison grid.
func (p *Plan) group(ref uint64) int { return bucketOf(ref^0x67726964, p.Grid) }

// cell is the cell of the grid that compares the records of groups g and h.
func (p *Plan) cell(g, h int) int {
	g, h = min(g, h), max(g, h)
	idx := g*p.Grid - g*(g-1)/2 + h - g // the cells (g ≤ h) in order
	return p.cellStage(idx)<<cellBits | idx
}

// cellBits are the bits of a cell's key that number it; the bits above
// name its grouping (see cellStage).
const cellBits = 24

// maxCellStages bounds the groupings the cells are split among.
const maxCellStages = 64

// cellStages is the number of groupings of the cells: one per cell, up to
// maxCellStages. Prism hands a grouping's whole output to one bundle, sent
// to the worker as one gRPC message of at most 2 GiB, so a grouping must
// hold no more than a cell (see DefaultGrid); on other runners the split
// costs nothing but more stages.
func (p *Plan) cellStages() int { return max(1, min(maxCellStages, p.Grid*(p.Grid+1)/2)) }

// cellStage is the grouping of the cell numbered idx.
func (p *Plan) cellStage(idx int) int { return idx % p.cellStages() }

// stageOfCell is the grouping of a cell's packet (its key's high bits).
func stageOfCell(cell int, _ []byte) int { return cell >> cellBits }

// pairCell is the cell of the pair (a, b).
func (p *Plan) pairCell(a, b uint64) int { return p.cell(p.group(a), p.group(b)) }

// Entry encodings.

func appendNodes(b []byte, u, v uint64) []byte {
	b = binary.AppendUvarint(b, u)
	return binary.AppendUvarint(b, v)
}

func appendEdge(b []byte, e *Edge) []byte {
	b = appendNodes(b, e.A, e.B)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(e.Weight))
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(e.Probability))
}

func (d *decoder) float() float64 {
	if d.err != nil || len(d.b) < 8 {
		d.err = errCorrupt
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

func (d *decoder) fixed64() uint64 {
	if d.err != nil || len(d.b) < 8 {
		d.err = errCorrupt
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *decoder) edge(e *Edge) {
	e.A, e.B = d.uvarint(), d.uvarint()
	e.Weight, e.Probability = d.float(), d.float()
}

func appendPerson(b []byte, p *Person) []byte {
	b = binary.AppendUvarint(b, p.Ref)
	b = appendString(b, p.ID)
	b = binary.AppendUvarint(b, p.House)
	b = binary.AppendUvarint(b, p.Person)
	b = appendString(b, p.PersonKey)
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(p.Probability))
}

func (d *decoder) person(p *Person) {
	p.Ref = d.uvarint()
	p.ID = d.string()
	p.House = d.uvarint()
	p.Person = d.uvarint()
	p.PersonKey = d.string()
	p.Probability = d.float()
}

// done reports the decoder's error, or errCorrupt when bytes are left.
func (d *decoder) done() error {
	if d.err == nil && len(d.b) != 0 {
		return errCorrupt
	}
	return d.err
}
