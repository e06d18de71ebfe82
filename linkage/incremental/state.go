package incremental

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"slices"

	"github.com/welfare-district/swd/linkage"
	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/model"
)

// Record is what the state remembers about one record of a partner.
type Record struct {
	Partner  string `parquet:"partner" json:"partner"`
	RecordID string `parquet:"record_id" json:"record_id"`
	// Person and Household are the record's stable ids when it was last
	// seen.
	Person    int64 `parquet:"person_id" json:"person_id"`
	Household int64 `parquet:"household_id" json:"household_id"`
	// FirstPeriod and LastPeriod are the first and the last period whose
	// snapshot held the record.
	FirstPeriod string `parquet:"first_period" json:"first_period"`
	LastPeriod  string `parquet:"last_period" json:"last_period"`
	// Open: the record was in the last period's snapshot.
	Open bool `parquet:"open" json:"open"`
	// Seq is the record's order of arrival (0, 1, …, never reused).
	Seq int64 `parquet:"seq" json:"seq"`
	// Hash identifies the record's encoding (Hash), to tell a changed one.
	Hash int64 `parquet:"encoding_hash" json:"encoding_hash"`
	// MatchProbability is as in the links file.
	MatchProbability float64 `parquet:"match_probability" json:"match_probability"`
}

// Key is the record's key.
func (r *Record) Key() cluster.RecordKey {
	return cluster.RecordKey{Partner: r.Partner, RecordID: r.RecordID}
}

// Edge is an accepted link between two open records, by key.
type Edge struct {
	PartnerA    string  `parquet:"partner_a"`
	RecordA     string  `parquet:"record_a"`
	PartnerB    string  `parquet:"partner_b"`
	RecordB     string  `parquet:"record_b"`
	Weight      float64 `parquet:"weight"`
	Probability float64 `parquet:"probability"`
}

// State is what the linkage unit keeps between periods.
type State struct {
	// Period is the last period linked ("" before the first).
	Period string
	// Records holds every record ever seen and not erased, sorted by
	// (partner, record id).
	Records []Record
	// Edges are the accepted links between open records.
	Edges []Edge
	// Model scores the candidates.
	Model *model.Model
	// Priors are the prior weights of the pairs of partners, as
	// linkage.Link gave them when it fitted Model (linkage.Result.Priors):
	// a candidate's posterior is its match weight plus its pair's prior, as
	// in Link. A pair without one (a partner that joined since; a state
	// from before the priors) takes Model's prior.
	Priors []linkage.PairPrior
	// NextPerson, NextHousehold and NextSeq are the next free ids.
	NextPerson, NextHousehold, NextSeq int64
}

// SortRecords puts s.Records in (partner, record id) order.
func (s *State) SortRecords() {
	slices.SortFunc(s.Records, func(a, b Record) int { return a.Key().Compare(b.Key()) })
}

// Erase removes the records of partner whose ids are in ids, and every
// link that touches one of them, for good; it returns how many records it
// removed. Their persons and households keep their ids (the events name
// ids, never records); the next Update treats whatever is left of them as
// it treats any record that left.
func (s *State) Erase(partner string, ids map[string]bool) int {
	n := len(s.Records)
	s.Records = slices.DeleteFunc(s.Records, func(r Record) bool { return r.Partner == partner && ids[r.RecordID] })
	s.Edges = slices.DeleteFunc(s.Edges, func(e Edge) bool {
		return e.PartnerA == partner && ids[e.RecordA] || e.PartnerB == partner && ids[e.RecordB]
	})
	return n - len(s.Records)
}

// Hash is the hash of row i's encoding: the CLK, every field filter with
// its presence, and the blocking keys (attributes are not part of it: a
// changed district or need does not call for a new linkage).
func Hash(d *encoding.Dataset, i int) int64 {
	h, _ := hashRow(d, i, nil)
	return h
}

// hashRow is Hash, the bytes hashed built in buf's memory (returned for
// reuse): one SHA-256 over them, not one write per word.
func hashRow(d *encoding.Dataset, i int, buf []byte) (int64, []byte) {
	b := buf[:0]
	words := func(v []uint64) {
		for _, w := range v {
			b = binary.LittleEndian.AppendUint64(b, w)
		}
	}
	words(d.CLK.Data[i*d.CLK.Words : (i+1)*d.CLK.Words])
	for _, f := range d.Fields {
		if f.Present[i] {
			b = append(b, 1)
			words(f.Filters.Data[i*f.Filters.Words : (i+1)*f.Filters.Words])
		} else {
			b = append(b, 0)
		}
	}
	for _, k := range d.BlockKeys {
		b = append(b, k.Values[i]...)
		b = append(b, 0)
	}
	sum := sha256.Sum256(b)
	return int64(binary.LittleEndian.Uint64(sum[:])), b
}

// subset returns a dataset of rows of d, in that order.
func subset(d *encoding.Dataset, rows []int) *encoding.Dataset {
	out := encoding.NewDataset(d.Meta, d.Layout())
	rec := encoding.Record{Fields: make([][]uint64, len(d.Fields)), BlockKeys: make([]string, len(d.BlockKeys)), Attrs: make([]string, len(d.Attrs))}
	for _, i := range rows {
		rec.RecordID = d.RecordIDs[i]
		rec.CLK = d.CLK.Data[i*d.CLK.Words : (i+1)*d.CLK.Words]
		for f, c := range d.Fields {
			rec.Fields[f] = nil
			if c.Present[i] {
				rec.Fields[f] = c.Filters.Data[i*c.Filters.Words : (i+1)*c.Filters.Words]
			}
		}
		for k, c := range d.BlockKeys {
			rec.BlockKeys[k] = c.Values[i]
		}
		for k, c := range d.Attrs {
			rec.Attrs[k] = c.Values[i]
		}
		out.Append(&rec)
	}
	return out
}

// periodAfter reports whether period p comes after q ("" comes before
// everything). Periods are compared as strings: YYYY-MM sorts in time.
func periodAfter(p, q string) bool { return cmp.Compare(p, q) > 0 }
