package encoding

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/schema"
)

func parseSchema(y string) (*schema.Schema, error) { return schema.Parse([]byte(y)) }

// strictSchema is testSchema with the default missing-share limit (50%)
// on every field but the fiscal code (90%), and phone at 100%.
var strictSchema = strings.NewReplacer(
	"kind: fiscal_code, max_missing: 1", "kind: fiscal_code, max_missing: 0.9",
	"kind: phone, max_missing: 1", "kind: phone, max_missing: 1",
	", max_missing: 1,", ",",
).Replace(testSchema)

// fullRows are rows in which every field is present.
func fullRows(n int) [][]string {
	rows := randomRows(n, 7)
	for i := range rows {
		rows[i][2] = "RSSMRA85T10A562S"
	}
	return rows
}

func TestMissingShare(t *testing.T) {
	blank := func(rows [][]string, col, n int) [][]string {
		for i := range rows[:n] {
			rows[i][col] = ""
		}
		return rows
	}
	tests := []struct {
		name  string
		rows  [][]string
		opts  []Option
		field string // "" when the encoding must succeed
		share string
	}{
		{"all present", fullRows(100), nil, "", ""},
		{"half missing is allowed", blank(fullRows(100), 4, 50), nil, "", ""},
		{"surname missing in 51%", blank(fullRows(100), 4, 51), nil, "surname", "51 of 100 rows (51.0%)"},
		{"surname missing everywhere", blank(fullRows(100), 4, 100), nil, "surname", "100 of 100 rows (100.0%)"},
		{"not collected", blank(fullRows(100), 4, 100), []Option{WithAllowMissing("surname")}, "", ""},
		{"fiscal code at its own limit", blank(fullRows(100), 2, 90), nil, "", ""},
		{"fiscal code above its own limit", blank(fullRows(100), 2, 91), nil, "fiscal_code", "91 of 100 rows (91.0%)"},
		{"invalid counts as missing", func() [][]string {
			r := fullRows(10)
			for i := range r {
				r[i][6] = "31/31/31/31"
			}
			return r
		}(), nil, "birth_date", "10 of 10 rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEncoder(t, strictSchema, testSecret(1), tt.opts...)
			_, _, st, err := e.EncodeDataset(context.Background(), testHeader, tt.rows)
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var me *MissingError
			if !errors.As(err, &me) || me.Field != tt.field || !errors.Is(err, base.ErrInvalidInput) {
				t.Fatalf("want a MissingError for %s, got %v", tt.field, err)
			}
			if !strings.Contains(err.Error(), tt.share) || !strings.Contains(err.Error(), "--allow-missing "+tt.field) {
				t.Errorf("message %q lacks %q or the way out", err, tt.share)
			}
			if st.Encoded != len(tt.rows) {
				t.Errorf("stats not returned with the error: %+v", st)
			}
		})
	}
}

// TestAbsentColumn: a column the header lacks fails at Bind, before any
// row is read, unless the partner does not collect the field.
func TestAbsentColumn(t *testing.T) {
	h := replaceAt(testHeader, 4, "surname_of_the_person")
	e := newTestEncoder(t, strictSchema, testSecret(1))
	_, err := e.Bind(h)
	var me *MissingError
	if !errors.As(err, &me) || me.Field != "surname" || !me.Absent || !strings.Contains(err.Error(), "input.aliases") {
		t.Fatalf("absent surname column: %v", err)
	}
	e = newTestEncoder(t, strictSchema, testSecret(1), WithAllowMissing("surname"))
	b, err := e.Bind(h)
	if err != nil || len(b.Absent) != 1 || b.Absent[0] != "cognome" {
		t.Fatalf("allowed: %v, absent %v", err, b)
	}
	// phone allows 100%: its column may be absent.
	e = newTestEncoder(t, strictSchema, testSecret(1))
	if _, err := e.Bind(replaceAt(testHeader, 10, "cellulare")); err != nil {
		t.Fatalf("phone absent with max_missing 1: %v", err)
	}
	s, _ := parseSchema(strictSchema)
	if _, err := New(s, testSecret(1), "", WithAllowMissing("nonesuch")); !errors.Is(err, base.ErrUsage) {
		t.Fatalf("unknown field allowed missing: %v", err)
	}
}

func TestDuplicateIDs(t *testing.T) {
	e := newTestEncoder(t, testSchema, testSecret(1), WithWorkers(3), WithBatchSize(2))
	rows := sampleRows()
	rows = append(rows, row("2", "", "Anna", "Neri", "F", "01/01/1970", "", "", ""), row("5", "", "Ugo", "Blu", "M", "01/01/1960", "", "", ""),
		row("1", "", "Ada", "Viola", "F", "01/01/1950", "", "", ""))
	d, rej, st := encodeAll(t, e, rows)
	if d.Len() != 5 || st.Encoded != 5 || st.Rejected != 2 || st.Duplicates != 2 || st.Read != 7 {
		t.Fatalf("encoded %d, stats %+v", d.Len(), st)
	}
	want := []Reject{
		{Row: 5, RecordID: "2", Column: "record_id", Reason: "duplicate record id: row 2 has the same id, and only the first is encoded"},
		{Row: 7, RecordID: "1", Column: "record_id", Reason: "duplicate record id: row 1 has the same id, and only the first is encoded"},
	}
	if len(rej) != 2 || rej[0] != want[0] || rej[1] != want[1] {
		t.Fatalf("rejects %+v", rej)
	}
	// The duplicates' values are not counted: only rows 1-4 and 6 are.
	if f := st.Fields[0]; f.Name != "fiscal_code" || f.Missing != 4 || f.Invalid != 1 {
		t.Errorf("fiscal code missing %d (invalid %d), want 4 (rows 2, 3, 6, and 4 invalid)", f.Missing, f.Invalid)
	}
	if d.RecordIDs[4] != "5" {
		t.Errorf("ids %v", d.RecordIDs)
	}
}

// lineSource numbers lines as a CSV reader with a blank line after every
// row would: row n starts on line 2n.
type lineSource struct {
	rows [][]string
	i    int
}

func (s *lineSource) Next() ([]string, int, error) {
	if s.i == len(s.rows) {
		return nil, 0, io.EOF
	}
	s.i++
	return s.rows[s.i-1], s.i, nil
}

func (s *lineSource) Line() int { return 2 * s.i }

func TestRejectLines(t *testing.T) {
	e := newTestEncoder(t, testSchema, testSecret(1), WithWorkers(2), WithBatchSize(1))
	rows := append(sampleRows(), row("", "", "Anna", "Neri", "F", "01/01/1970", "", "", ""), row("3", "", "Ugo", "Blu", "M", "01/01/1960", "", "", ""))
	var rej []Reject
	if _, err := e.Encode(context.Background(), testHeader, &lineSource{rows: rows}, Output{
		Reject: func(r Reject) error { rej = append(rej, r); return nil },
	}); err != nil {
		t.Fatal(err)
	}
	if len(rej) != 2 || rej[0].Row != 5 || rej[0].Line != 10 || rej[1].Row != 6 || rej[1].Line != 12 {
		t.Fatalf("rejects %+v", rej)
	}
}
