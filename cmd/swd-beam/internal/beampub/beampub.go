// Package beampub is swd publish as an Apache Beam pipeline: the links
// joined to the encoded files' attributes by record, households grouped by
// id and derived as swd publish derives them (pipeline.HouseholdOf), each
// household's contributions bounded by dp.Bounder, and the tables counted
// with privacy-on-beam (pbeam.Count over the public partitions, the same
// secure noise of Google's DP library). The ledger stays with the launcher
// (dp.PublishExternal): the budget is reserved before the noisy pipeline is
// launched and committed after it succeeded.
//
// Confidence intervals: pbeam.Count returns noisy counts only;
// dp.Bounder.NoisyTable computes the intervals from them with the DP
// library's noise package (post-processing), as dp does in process.
package beampub

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/google/differential-privacy/privacy-on-beam/v3/pbeam"
	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/dp"
	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/pipeline"
	"github.com/welfare-district/swd/taxonomy"

	"github.com/welfare-district/swd/cmd/swd-beam/internal/beamlink"
)

// Plan is what the workers need to know about a release.
type Plan struct {
	Links        string   `json:"links"`
	LinkGroups   int      `json:"link_groups"`
	Files        []File   `json:"files"`
	DistrictAttr string   `json:"district_attr"`
	NeedsAttr    string   `json:"needs_attr"`
	Public       []string `json:"public_services"`
	// Maps are the partners' code maps from the district file; a partner
	// not in it uses the map embedded for its name (taxonomy.MapFor).
	Maps   map[string]*taxonomy.CodeMap `json:"maps,omitempty"`
	Params dp.Params                    `json:"params"`
	Domain dp.Domain                    `json:"domain"`
	OutDir string                       `json:"out_dir"` // where the pipeline writes its results
}

// File is one encoded file with its row groups.
type File struct {
	Partner string `json:"partner"`
	Path    string `json:"path"`
	Groups  int    `json:"groups"`
}

func (p *Plan) encode() string {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func decodePlan(s string) (*Plan, error) {
	var p Plan
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, fmt.Errorf("beampub: plan: %w", err)
	}
	return &p, nil
}

func (p *Plan) public() taxonomy.PublicServices { return taxonomy.PublicServices{Partners: p.Public} }

// codeMap is the code map of partner, as swd publish chooses it.
func (p *Plan) codeMap(partner string) *taxonomy.CodeMap {
	if m, ok := p.Maps[partner]; ok {
		return m
	}
	return taxonomy.MapFor(partner)
}

// Task is one row group: of the links file (File −1) or of an encoded
// file.
type Task struct {
	File  int
	Group int
}

// Attrs is a record's district and canonical needs, or a link's household
// (Link set).
type Attrs struct {
	Link      bool
	Household int64
	Partner   string
	District  string
	Needs     []string
	Unknown   []string // need codes no map knows
}

// Member is one record of a household.
type Member struct {
	Partner  string
	RecordID string
	District string
	Needs    []string
}

// Stat counts what the join and the households found (no record's data).
type Stat struct {
	Records, Households, NoDistrict, DistrictTies, NoNeeds int64
	Unlinked, LinksWithoutRecord, Repeated                 int64
}

func addStat(a, b Stat) Stat {
	return Stat{a.Records + b.Records, a.Households + b.Households, a.NoDistrict + b.NoDistrict, a.DistrictTies + b.DistrictTies,
		a.NoNeeds + b.NoNeeds, a.Unlinked + b.Unlinked, a.LinksWithoutRecord + b.LinksWithoutRecord, a.Repeated + b.Repeated}
}

// Cell is one bounded contribution of a household to table Table.
type Cell struct {
	Table int
	Key   string
}

func init() {
	for _, t := range []any{Task{}, Attrs{}, Member{}, Stat{}, Cell{}} {
		beam.RegisterType(reflect.TypeOf(t))
	}
	register.DoFn4x1[context.Context, Task, func(string, Attrs), func(string, int64), error](&readFn{})
	register.Function3x0(joinFn)
	register.DoFn4x1[int64, func(*Member) bool, func(string, Cell), func(Stat), error](&householdFn{})
	register.Function2x1(addStat)
	register.Function2x1(sumInt64)
	register.Function2x1(cellTable)
	register.Function2x2(cellKey)
	register.DoFn4x1[context.Context, []byte, func(*Stat) bool, func(*string, *int64) bool, error](&writeStatsFn{})
	register.DoFn3x1[context.Context, []byte, func(*string, *int64) bool, error](&writeTableFn{})
	register.Emitter2[string, Attrs]()
	register.Emitter2[string, int64]()
	register.Emitter2[int64, Member]()
	register.Emitter2[string, Cell]()
	register.Emitter1[Stat]()
	register.Iter1[Attrs]()
	register.Iter1[Member]()
	register.Iter1[Stat]()
	register.Iter2[string, int64]()
}

// readFn reads one row group of the links file (links keyed by record) or
// of an encoded file (attributes keyed by record, need codes mapped by the
// partner's code map; unknown codes counted per partner).
type readFn struct {
	Plan string
}

func (f *readFn) ProcessElement(ctx context.Context, t Task, emit func(string, Attrs), emitUnknown func(string, int64)) error {
	p, err := decodePlan(f.Plan)
	if err != nil {
		return err
	}
	path := p.Links
	if t.File >= 0 {
		path = p.Files[t.File].Path
	}
	local, done, err := beamlink.Localize(ctx, path)
	if err != nil {
		return err
	}
	defer done()
	if t.File < 0 {
		return readLinks(local, t.Group, emit)
	}
	file := p.Files[t.File]
	d, err := encfile.ReadRowGroup(ctx, local, t.Group)
	if err != nil {
		return err
	}
	dist, needs := d.Attr(p.DistrictAttr), d.Attr(p.NeedsAttr)
	if dist == nil || needs == nil {
		return fmt.Errorf("partner %s: the encoded file has no attribute %q or %q", file.Partner, p.DistrictAttr, p.NeedsAttr)
	}
	cmap := p.codeMap(file.Partner)
	for i, id := range d.RecordIDs {
		var unknown taxonomy.UnknownStats
		ns, _ := taxonomy.MapNeeds(cmap, needs.Values[i], taxonomy.UnknownUnclassified, &unknown)
		if n := unknown.Total(); n > 0 {
			emitUnknown(file.Partner, int64(n))
		}
		emit(recordKey(file.Partner, id), Attrs{Partner: file.Partner, District: strings.TrimSpace(dist.Values[i]), Needs: ns})
	}
	return nil
}

func recordKey(partner, id string) string { return partner + "\x00" + id }

func readLinks(path string, g int, emit func(string, Attrs)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return fmt.Errorf("%s: not a links file: %w", path, err)
	}
	rg := pf.RowGroups()[g]
	r := parquet.NewGenericRowGroupReader[cluster.Link](rg)
	defer r.Close()
	buf := make([]cluster.Link, 4096)
	for {
		n, err := r.Read(buf)
		for _, l := range buf[:n] {
			emit(recordKey(l.Partner, l.RecordID), Attrs{Link: true, Household: l.HouseholdID})
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
}

// joinFn joins a record with its link and sends it to its household.
// Records without a link, links without a record and repeated links are
// counted (the launcher refuses the release), never shown.
func joinFn(key string, vs func(*Attrs) bool, emit func(int64, Member)) {
	var rec, link *Attrs
	var a Attrs
	bad := false
	for vs(&a) {
		a := a
		switch {
		case a.Link && link == nil:
			link = &a
		case !a.Link && rec == nil:
			rec = &a
		default:
			bad = true
		}
	}
	switch {
	case bad:
		emit(-1, Member{Partner: "repeated"})
	case link == nil:
		emit(-1, Member{Partner: "unlinked"})
	case rec == nil:
		emit(-1, Member{Partner: "no-record"})
	default:
		_, id, _ := strings.Cut(key, "\x00")
		emit(link.Household, Member{Partner: rec.Partner, RecordID: id, District: rec.District, Needs: rec.Needs})
	}
}

// householdFn derives a household from its members and emits its bounded
// contributions to the tables, keyed by household id (the privacy unit).
type householdFn struct {
	Plan string
	DP   bool

	plan    *Plan
	bounder *dp.Bounder
}

func (f *householdFn) Setup() error {
	var err error
	if f.plan, err = decodePlan(f.Plan); err != nil {
		return err
	}
	f.bounder, err = dp.NewBounder(f.plan.Params, f.plan.Domain)
	return err
}

func (f *householdFn) ProcessElement(id int64, ms func(*Member) bool, emit func(string, Cell), emitStat func(Stat)) error {
	var members []pipeline.Member
	var m Member
	var st Stat
	for ms(&m) {
		if id < 0 {
			switch m.Partner {
			case "repeated":
				st.Repeated++
			case "unlinked":
				st.Unlinked++
			default:
				st.LinksWithoutRecord++
			}
			continue
		}
		members = append(members, pipeline.Member{Partner: m.Partner, RecordID: m.RecordID, District: m.District, Needs: m.Needs})
	}
	if id < 0 {
		emitStat(st)
		return nil
	}
	h, tie := pipeline.HouseholdOf(id, members, f.plan.public())
	st = Stat{Records: int64(len(members)), Households: 1}
	if h.District == "" {
		st.NoDistrict = 1
	}
	if tie {
		st.DistrictTies = 1
	}
	if len(h.Needs) == 0 {
		st.NoNeeds = 1
	}
	emitStat(st)
	if !f.DP {
		return nil
	}
	hid := strconv.FormatInt(id, 10)
	for t, cells := range f.bounder.Contributions(&h) {
		for _, keys := range cells {
			emit(hid, Cell{Table: t, Key: strings.Join(keys, "\x1f")})
		}
	}
	return nil
}

func sumInt64(a, b int64) int64 { return a + b }

func cellTable(_ string, c Cell) int { return c.Table }

func cellKey(id string, c Cell) (string, string) { return id, c.Key }

// Tasks lists the row groups to read.
func (p *Plan) Tasks() []Task {
	out := []Task{}
	for g := range p.LinkGroups {
		out = append(out, Task{File: -1, Group: g})
	}
	for i, f := range p.Files {
		for g := range f.Groups {
			out = append(out, Task{File: i, Group: g})
		}
	}
	return out
}

// NewPlan fills in the row groups of the inputs.
func NewPlan(links string, files []File, p *Plan) error {
	local, done, err := beamlink.Localize(context.Background(), links)
	if err != nil {
		return err
	}
	defer done()
	f, err := os.Open(local)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return fmt.Errorf("%s: not a links file (swd-beam publish reads Parquet links): %w", links, err)
	}
	p.Links, p.LinkGroups = links, len(pf.RowGroups())
	for i := range files {
		local, done, err := beamlink.Localize(context.Background(), files[i].Path)
		if err != nil {
			return err
		}
		groups, err := encfile.RowGroups(local)
		done()
		if err != nil {
			return err
		}
		files[i].Groups = len(groups)
	}
	p.Files = files
	return nil
}

// Summary is what the check pipeline tells the launcher.
type Summary struct {
	Stat    Stat             `json:"stat"`
	Unknown map[string]int64 `json:"unknown"` // unknown need codes per partner
}

// writeStatsFn writes the Summary.
type writeStatsFn struct {
	Plan string
}

func (f *writeStatsFn) ProcessElement(ctx context.Context, _ []byte, stats func(*Stat) bool, unknown func(*string, *int64) bool) error {
	p, err := decodePlan(f.Plan)
	if err != nil {
		return err
	}
	var s Summary
	s.Unknown = map[string]int64{}
	var st Stat
	for stats(&st) {
		s.Stat = addStat(s.Stat, st)
	}
	var k string
	var n int64
	for unknown(&k, &n) {
		s.Unknown[k] += n
	}
	return writeJSON(ctx, p.OutDir+"/summary.json", s)
}

// writeTableFn writes the noisy counts of table Table.
type writeTableFn struct {
	Plan  string
	Table int
}

func (f *writeTableFn) ProcessElement(ctx context.Context, _ []byte, counts func(*string, *int64) bool) error {
	p, err := decodePlan(f.Plan)
	if err != nil {
		return err
	}
	out := map[string]int64{}
	var k string
	var n int64
	for counts(&k, &n) {
		out[k] = n
	}
	return writeJSON(ctx, TablePath(p.OutDir, f.Table), out)
}

// TablePath is where the noisy counts of table t go.
func TablePath(dir string, t int) string { return fmt.Sprintf("%s/table-%d.json", dir, t) }

func writeJSON(ctx context.Context, path string, v any) error {
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return err
	}
	defer fs.Close()
	w, err := fs.OpenWrite(ctx, path)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(w).Encode(v); err != nil {
		_ = w.Close()
		return err
	}
	return w.Close()
}

// Build adds the publish pipeline: with withDP the noisy tables (one JSON
// file per table in plan.OutDir), always the Summary of the join and the
// households.
func Build(s beam.Scope, plan *Plan, withDP bool) error {
	ps := plan.encode()
	s = s.Scope("swd.publish")
	read := beam.ParDoN(s, &readFn{Plan: ps}, beam.CreateList(s, plan.Tasks()))
	attrs, unknown := read[0], read[1]
	members := beam.ParDo(s, joinFn, beam.GroupByKey(s, attrs))
	cells, stats := beam.ParDo2(s, &householdFn{Plan: ps, DP: withDP}, beam.GroupByKey(s, members))
	beam.ParDo0(s, &writeStatsFn{Plan: ps}, beam.Impulse(s),
		beam.SideInput{Input: beam.Combine(s, addStat, stats)},
		beam.SideInput{Input: beam.CombinePerKey(s, sumInt64, unknown)})
	if !withDP {
		return nil
	}
	b, err := dp.NewBounder(plan.Params, plan.Domain)
	if err != nil {
		return err
	}
	p := b.Params()
	spec, err := pbeam.NewPrivacySpec(pbeam.PrivacySpecParams{AggregationEpsilon: p.Epsilon, AggregationDelta: p.Delta})
	if err != nil {
		return err
	}
	tables := b.Tables()
	parts := beam.Partition(s, len(tables), cellTable, cells)
	for t, tp := range tables {
		ts := s.Scope(tp.Query)
		private := pbeam.MakePrivate(ts, beam.ParDo(ts, cellKey, parts[t]), spec)
		var public []string
		for _, k := range tp.Partitions {
			public = append(public, strings.Join(k, "\x1f"))
		}
		sort.Strings(public)
		params := pbeam.CountParams{AggregationEpsilon: tp.Epsilon, AggregationDelta: tp.Delta,
			MaxPartitionsContributed: tp.MaxPartitions, MaxValue: tp.MaxPerPartition,
			PublicPartitions: public, AllowNegativeOutputs: true, NoiseKind: pbeam.LaplaceNoise{}}
		if tp.Mechanism == dp.MechanismGaussian {
			params.NoiseKind = pbeam.GaussianNoise{}
		}
		counts := pbeam.Count(ts, private, params)
		beam.ParDo0(ts, &writeTableFn{Plan: ps, Table: t}, beam.Impulse(ts), beam.SideInput{Input: counts})
	}
	return nil
}
