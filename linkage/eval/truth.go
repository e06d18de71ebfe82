package eval

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/cluster"
)

// Label is a record's true person and, when known, household.
type Label struct {
	Person    string
	Household string // "" when the truth has no households
}

// Truth maps records to their true labels. Labels are looked up by
// (partner, record id) first, then by record id alone, then derived from
// the record id itself (FEBRL, NCVR).
type Truth struct {
	// Households reports whether the truth knows households.
	Households bool

	records   []trueRecord              // records named with their partner
	byKey     map[cluster.RecordKey]int // index into records
	byID      map[string]Label
	ambiguous map[string]bool // record ids with different labels in different sources
	fromID    func(id string) (Label, bool)
}

// Lookup returns the label of a record.
func (t *Truth) Lookup(k cluster.RecordKey) (Label, bool) {
	if i, ok := t.byKey[k]; ok {
		return t.records[i].label, true
	}
	if l, ok := t.byID[k.RecordID]; ok && !t.ambiguous[k.RecordID] {
		return l, true
	}
	if t.fromID != nil {
		return t.fromID(k.RecordID)
	}
	return Label{}, false
}

// trueRecord is one record the truth names with its partner, under one
// or more keys (a record id and its row number).
type trueRecord struct {
	keys  []cluster.RecordKey
	label Label
}

func (t *Truth) addKeyed(l Label, keys ...cluster.RecordKey) {
	if t.byKey == nil {
		t.byKey = map[cluster.RecordKey]int{}
	}
	for _, k := range keys {
		t.byKey[k] = len(t.records)
	}
	t.records = append(t.records, trueRecord{keys, l})
}

func (t *Truth) addID(id string, l Label) {
	if t.byID == nil {
		t.byID, t.ambiguous = map[string]Label{}, map[string]bool{}
	}
	if old, ok := t.byID[id]; ok && old != l {
		t.ambiguous[id] = true
	}
	t.byID[id] = l
}

var febrlID = regexp.MustCompile(`^rec-(\d+)-(org|dup-\d+)$`)

// FEBRL is the truth of the FEBRL data sets, derived from the record ids:
// rec-N-org and rec-N-dup-K are entity N.
func FEBRL() *Truth {
	return &Truth{fromID: func(id string) (Label, bool) {
		m := febrlID.FindStringSubmatch(strings.TrimSpace(id))
		if m == nil {
			return Label{}, false
		}
		return Label{Person: m[1]}, true
	}}
}

// SameID is the truth "records with the same record id are the same
// entity", across partners: the NCVR 5-party sets (recid), and NC voter
// when the record id is the ncid.
func SameID() *Truth {
	return &Truth{fromID: func(id string) (Label, bool) { return Label{Person: id}, id != "" }}
}

// ReadCSV reads a truth table with a header naming record_id and one of
// person_id, entity_id or cluster, and optionally partner and household_id
// — the synthetic generator's truth.csv (partner,record_id,person_id,
// household_id) is one. Without a partner column, record ids are matched
// whatever the partner.
func ReadCSV(r io.Reader, name string) (*Truth, error) {
	t := &Truth{}
	err := scanCSV(r, name, func(row int, col map[string]int, rec []string) error {
		if row == 0 {
			if _, ok := col["record_id"]; !ok {
				return &base.InputError{File: name, Column: "record_id", Reason: "column missing"}
			}
			if pickColumn(col, "person_id", "entity_id", "cluster") < 0 {
				return &base.InputError{File: name, Column: "person_id", Reason: "column missing"}
			}
			_, t.Households = col["household_id"]
			return nil
		}
		l := Label{Person: rec[pickColumn(col, "person_id", "entity_id", "cluster")]}
		if t.Households {
			l.Household = rec[col["household_id"]]
		}
		id := rec[col["record_id"]]
		if p, ok := col["partner"]; ok {
			t.addKeyed(l, cluster.RecordKey{Partner: rec[p], RecordID: id})
		} else {
			t.addID(id, l)
		}
		return nil
	})
	return t, err
}

// Source is a partner's original data file, for truths kept in a column of
// the data (NC voter ncid, NCVR recid). Partner may be empty.
type Source struct {
	Partner string
	Path    string
}

// ParseSources parses "A.csv,B.csv" or "partnerA=A.csv,partnerB=B.csv".
func ParseSources(s string) []Source {
	var out []Source
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		if p, path, ok := strings.Cut(part, "="); ok {
			out = append(out, Source{p, path})
		} else {
			out = append(out, Source{Path: part})
		}
	}
	return out
}

// ReadSources builds a truth from the partners' original CSV files, whose
// column entityColumn holds the entity (ncid for NC voter, recid for
// NCVR). A record is found by the entity value itself (when it is the
// record id) or by its 1-based data row number. Sources given as
// partner=path are matched with that partner only; otherwise any partner,
// and record ids that mean different entities in different files (row
// numbers) are not matched — name the partners then. When the header lacks
// entityColumn, the first column is used (the NCVR ocp_0 files carry a
// wrong header over rows whose first field is the recid).
func ReadSources(srcs []Source, entityColumn string) (*Truth, error) {
	t := &Truth{}
	for _, src := range srcs {
		f, err := os.Open(src.Path)
		if err != nil {
			return nil, fmt.Errorf("eval: %w", err)
		}
		idx := 0
		err = scanCSV(f, src.Path, func(row int, col map[string]int, rec []string) error {
			if row == 0 {
				if c, ok := col[entityColumn]; ok {
					idx = c
				}
				return nil
			}
			if idx >= len(rec) {
				return &base.InputError{File: src.Path, Row: row, Column: entityColumn, Reason: "missing field"}
			}
			l := Label{Person: rec[idx]}
			if src.Partner != "" {
				t.addKeyed(l, cluster.RecordKey{Partner: src.Partner, RecordID: rec[idx]}, cluster.RecordKey{Partner: src.Partner, RecordID: strconv.Itoa(row)})
				return nil
			}
			t.addID(rec[idx], l)
			t.addID(strconv.Itoa(row), l)
			return nil
		})
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

// ReadIdentity reads an RLdata identity file: data row i (1-based) is the
// entity of the record whose id is i, whatever the partner.
func ReadIdentity(r io.Reader, name string) (*Truth, error) {
	t := &Truth{}
	err := scanCSV(r, name, func(row int, col map[string]int, rec []string) error {
		if row == 0 {
			return nil
		}
		c := pickColumn(col, "identity")
		if c < 0 {
			c = 0
		}
		t.addID(strconv.Itoa(row), Label{Person: rec[c]})
		return nil
	})
	return t, err
}

// ReadSplink reads a Splink data set with its unique_id and cluster columns.
func ReadSplink(r io.Reader, name string) (*Truth, error) {
	t := &Truth{}
	err := scanCSV(r, name, func(row int, col map[string]int, rec []string) error {
		if row == 0 {
			for _, c := range []string{"unique_id", "cluster"} {
				if _, ok := col[c]; !ok {
					return &base.InputError{File: name, Column: c, Reason: "column missing"}
				}
			}
			return nil
		}
		t.addID(rec[col["unique_id"]], Label{Person: rec[col["cluster"]]})
		return nil
	})
	return t, err
}

func pickColumn(col map[string]int, names ...string) int {
	for _, n := range names {
		if c, ok := col[n]; ok {
			return c
		}
	}
	return -1
}

// scanCSV calls fn with row 0 for the header and 1.. for data rows; the
// column map holds trimmed, lower-case header names. Errors name the file,
// row and column, never a value.
func scanCSV(r io.Reader, name string, fn func(row int, col map[string]int, rec []string) error) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	col := map[string]int{}
	for row := 0; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			if row == 0 {
				return fmt.Errorf("eval: %w", &base.InputError{File: name, Reason: "empty file"})
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("eval: %w", &base.InputError{File: name, Row: row, Reason: "malformed CSV"})
		}
		if row == 0 {
			for i, h := range rec {
				col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
			}
		}
		if err := fn(row, col, rec); err != nil {
			var ie *base.InputError
			if errors.As(err, &ie) {
				return fmt.Errorf("eval: %w", err)
			}
			return err
		}
	}
}
