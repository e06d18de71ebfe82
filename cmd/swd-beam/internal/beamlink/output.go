package beamlink

import (
	"bufio"
	"cmp"
	"container/heap"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"slices"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"

	"github.com/welfare-district/swd/linkage/cluster"
)

// householdEdgesFn links the records sharing one partner household id, for
// every id of its bucket (kindHousehold: the id, a record), in a star
// around the first. The edges go to one of 4,096 buckets by their first
// record: the components' first step regroups them by node anyway.
func householdEdgesFn(_ int, packets func(*[]byte) bool, emit func(int, []byte)) error {
	type entry struct {
		key    string
		person uint64 // a record
	}
	var es []entry
	err := readPackets(packets, func(k kind, b []byte) error {
		if k != kindHousehold {
			return errCorrupt
		}
		d := decoder{b: b}
		es = append(es, entry{d.string(), d.uvarint()})
		return d.done()
	})
	if err != nil {
		return err
	}
	slices.SortFunc(es, func(x, y entry) int { return cmp.Or(cmp.Compare(x.key, y.key), cmp.Compare(x.person, y.person)) })
	p := newPacker(kindNodes, emit)
	for lo := 0; lo < len(es); {
		hi := lo + 1
		for hi < len(es) && es[hi].key == es[lo].key {
			if es[hi].person != es[hi-1].person {
				u, v := es[lo].person, es[hi].person
				p.add(int(mix(u)>>52), func(b []byte) []byte { return appendNodes(b, u, v) })
			}
			hi++
		}
		lo = hi
	}
	p.flush()
	return nil
}

// Row is one output row before the final numbering: the person's key
// orders the output (swd link numbers persons by their smallest member),
// Household is the household's label.
type Row struct {
	PersonKey   string
	Partner     string
	RecordID    string
	Household   uint64
	Probability float64
}

// rowFn gives each record its household label: its household's (Person.House),
// or the label of the household it was joined to by co-residence
// (kindLabel entries from joinFn).
type rowFn struct {
	Plan string

	plan *Plan
}

func (f *rowFn) Setup() error {
	var err error
	f.plan, err = DecodePlan(f.Plan)
	return err
}

func (f *rowFn) ProcessElement(_ int, packets func(*[]byte) bool, emit func(int, []byte)) error {
	p := f.plan
	labels := map[uint64]uint64{}
	var persons []Person
	err := readPackets(packets, func(k kind, b []byte) error {
		d := decoder{b: b}
		switch k {
		case kindLabel:
			u := d.uvarint()
			labels[u] = d.uvarint()
		case kindPerson:
			persons = append(persons, Person{})
			d.person(&persons[len(persons)-1])
		default:
			return errCorrupt
		}
		return d.done()
	})
	if err != nil {
		return err
	}
	rows := newPacker(kindRow, emit)
	for i := range persons {
		ps := &persons[i]
		hh := ps.House
		if l, ok := labels[ps.House]; ok {
			hh = l
		}
		r := Row{PersonKey: ps.PersonKey, Partner: p.Partners[partnerOf(ps.Ref)].Name, RecordID: ps.ID, Household: hh, Probability: ps.Probability}
		h := fnv.New32a()
		h.Write([]byte(ps.PersonKey))
		rows.add(int(h.Sum32()%uint32(p.Shards)), func(b []byte) []byte { return appendRow(b, &r) })
	}
	rows.flush()
	return nil
}

func compareRows(x, y Row) int {
	return cmp.Or(cmp.Compare(x.PersonKey, y.PersonKey), cmp.Compare(x.Partner, y.Partner), cmp.Compare(x.RecordID, y.RecordID))
}

// ShardPath is the path of output shard k.
func ShardPath(dir string, k int) string { return fmt.Sprintf("%s/links-%05d.bin", dir, k) }

// writeShardFn sorts one shard's rows and writes them (any Beam
// filesystem). Every shard is written, empty ones too (the shard numbers
// are joined in), so the merge finds all of them.
type writeShardFn struct {
	Plan string
}

func (f *writeShardFn) ProcessElement(ctx context.Context, k int, packets func(*[]byte) bool) error {
	p, err := DecodePlan(f.Plan)
	if err != nil {
		return err
	}
	all, err := collectPackets(packets, kindRow, (*decoder).row)
	if err != nil {
		return err
	}
	slices.SortFunc(all, compareRows)
	return writeFile(ctx, ShardPath(p.ShardDir, k), func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		var b, n []byte
		for _, r := range all {
			b = appendRow(b[:0], &r)
			n = binary.AppendUvarint(n[:0], uint64(len(b)))
			if _, err := bw.Write(n); err != nil {
				return err
			}
			if _, err := bw.Write(b); err != nil {
				return err
			}
		}
		return bw.Flush()
	})
}

func appendRow(b []byte, r *Row) []byte {
	b = appendString(b, r.PersonKey)
	b = appendString(b, r.Partner)
	b = appendString(b, r.RecordID)
	b = binary.AppendUvarint(b, r.Household)
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(r.Probability))
}

func (d *decoder) row(r *Row) {
	r.PersonKey = d.string()
	r.Partner = d.string()
	r.RecordID = d.string()
	r.Household = d.uvarint()
	r.Probability = d.float()
}

func writeFile(ctx context.Context, path string, fn func(io.Writer) error) error {
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return err
	}
	defer fs.Close()
	w, err := fs.OpenWrite(ctx, path)
	if err != nil {
		return err
	}
	if err := fn(w); err != nil {
		_ = w.Close()
		return err
	}
	return w.Close()
}

// shardReader streams the rows of one shard.
type shardReader struct {
	r   *bufio.Reader
	c   io.Closer
	row Row
	buf []byte
}

func (s *shardReader) next() (bool, error) {
	n, err := binary.ReadUvarint(s.r)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if n > 1<<24 {
		return false, errCorrupt
	}
	s.buf = slices.Grow(s.buf[:0], int(n))[:n]
	if _, err := io.ReadFull(s.r, s.buf); err != nil {
		return false, err
	}
	d := decoder{b: s.buf}
	d.row(&s.row)
	if err := d.done(); err != nil {
		return false, err
	}
	return true, nil
}

type rowHeap []*shardReader

func (h rowHeap) Len() int           { return len(h) }
func (h rowHeap) Less(i, j int) bool { return compareRows(h[i].row, h[j].row) < 0 }
func (h rowHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *rowHeap) Push(x any)        { *h = append(*h, x.(*shardReader)) }
func (h *rowHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// MergeShards reads the shards of a finished run in order and calls put
// with every link, numbered as swd link numbers them: persons in the order
// of their smallest (partner, record id) member, households in the order of
// their first person. It holds one row per shard and one entry per
// household.
func MergeShards(ctx context.Context, dir string, shards int, put func(cluster.Link) error) error {
	var h rowHeap
	defer func() {
		for _, s := range h {
			_ = s.c.Close()
		}
	}()
	for k := range shards {
		path := ShardPath(dir, k)
		rc, err := openRead(ctx, path)
		if err != nil {
			return err
		}
		s := &shardReader{r: bufio.NewReaderSize(rc, 1<<16), c: rc}
		ok, err := s.next()
		if err != nil {
			_ = rc.Close()
			return fmt.Errorf("%s: %w", path, err)
		}
		if !ok {
			_ = rc.Close()
			continue
		}
		h = append(h, s)
	}
	heap.Init(&h)
	households := map[uint64]int64{}
	person := int64(-1)
	last := ""
	for h.Len() > 0 {
		s := h[0]
		r := s.row
		if person < 0 || r.PersonKey != last {
			person++
			last = r.PersonKey
		}
		hh, ok := households[r.Household]
		if !ok {
			hh = int64(len(households))
			households[r.Household] = hh
		}
		if err := put(cluster.Link{ClusterID: person, HouseholdID: hh, Partner: r.Partner, RecordID: r.RecordID, MatchProbability: r.Probability}); err != nil {
			return err
		}
		ok, err := s.next()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			_ = s.c.Close()
			heap.Pop(&h)
		}
	}
	return nil
}

// Summary is what the pipeline tells the launcher besides the links: the
// model and the statistics of the linkage report.
type Summary struct {
	Model    json.RawMessage        `json:"model"`
	Blocking map[string]BlockStat   `json:"blocking"` // "job/pass"
	Scores   map[int]ScoreStat      `json:"scores"`   // per job
	Clusters ClusterStat            `json:"clusters"`
	Blocked  map[int]int64          `json:"blocked"` // distinct pairs from blocking, per job
	Extra    map[string]json.Number `json:"extra,omitempty"`
}

// SummaryPath is where the pipeline writes its Summary.
func SummaryPath(dir string) string { return dir + "/summary.json" }

// summaryFn writes the Summary from the small side inputs.
type summaryFn struct {
	Plan string
}

func (f *summaryFn) ProcessElement(ctx context.Context, _ []byte, modelJSON string, blocks func(*string, *BlockStat) bool,
	scores func(*int, *ScoreStat) bool, clusters func(*ClusterStat) bool, blocked func(*int, *int64) bool) error {
	p, err := DecodePlan(f.Plan)
	if err != nil {
		return err
	}
	s := Summary{Model: json.RawMessage(modelJSON), Blocking: map[string]BlockStat{}, Scores: map[int]ScoreStat{}}
	var k string
	var b BlockStat
	for blocks(&k, &b) {
		s.Blocking[k] = addBlockStat(s.Blocking[k], b)
	}
	var j int
	var sc ScoreStat
	for scores(&j, &sc) {
		s.Scores[j] = addScoreStat(s.Scores[j], sc)
	}
	s.Blocked = map[int]int64{}
	var n int64
	for blocked(&j, &n) {
		s.Blocked[j] += n
	}
	var c ClusterStat
	for clusters(&c) {
		s.Clusters = addClusterStat(s.Clusters, c)
	}
	return writeFile(ctx, SummaryPath(p.ShardDir), func(w io.Writer) error {
		return json.NewEncoder(w).Encode(s)
	})
}

// openRead opens a file of any Beam filesystem.
func openRead(ctx context.Context, path string) (io.ReadCloser, error) {
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return nil, err
	}
	defer fs.Close()
	return fs.OpenRead(ctx, path)
}

// ReadFile reads a whole (small) file of any Beam filesystem.
func ReadFile(ctx context.Context, path string) ([]byte, error) {
	rc, err := openRead(ctx, path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// shardMarker is an empty packet of shard k, so that every shard is
// written.
func shardMarker(k int) (int, []byte) { return k, []byte{byte(kindRow)} }
