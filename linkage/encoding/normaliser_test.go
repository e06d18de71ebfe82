package encoding

import (
	"context"
	"slices"
	"testing"

	"github.com/welfare-district/swd/linkage/schema"
)

// normaliserSchema joins two columns into one name field, trims cells and
// knows two missing-value markers: the three places where a copy of the
// encoder's reading drifted before (issue 12).
const normaliserSchema = `
partner: test
id_column: id
input: {trim_space: true, missing_values: ["N/D", "-"]}
fields:
  - {name: given_name, kind: name, max_missing: 1, columns: [nome, secondo_nome]}
  - {name: birth_date, kind: date, max_missing: 1, column: nascita}
`

// TestNormaliserSeesEncodedValues checks that the Normaliser gives equal
// values exactly to the records whose field filters are equal, and a
// missing value exactly where the filter is empty.
func TestNormaliserSeesEncodedValues(t *testing.T) {
	header := []string{" id", "nome", "secondo_nome", "nascita"}
	rows := [][]string{
		{"r1", " Maria ", "N/D", "02/01/2006"},
		{"r2", "MARIA", "", "2006-01-02"},
		{"r3", "maria", " grazia", " n/d "},
		{"r4", "n/d", "-", "31/02/2006"},
		{"r5", "Maria", "Grazia  ", ""},
		{"r6", "Grazia", "Maria", "-"},
		{"r7", " - ", "Maria", "1/2/2006"},
	}
	e := newTestEncoder(t, normaliserSchema, testSecret(3))
	var filters [][][]uint64 // per record, per field
	_, err := e.Encode(context.Background(), header, NewRows(rows), Output{Record: func(_ string, r *Record) error {
		fs := make([][]uint64, len(r.Fields))
		for i, f := range r.Fields {
			fs[i] = slices.Clone(f)
		}
		filters = append(filters, fs)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := schema.Parse([]byte(normaliserSchema))
	if err != nil {
		t.Fatal(err)
	}
	n, err := NewNormaliser(s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := n.Bind(header)
	if err != nil {
		t.Fatal(err)
	}
	sourceCols := [][]int{{1, 2}, {3}} // per field: its columns in header
	for field := range s.Fields {
		for i, ri := range rows {
			vi, oki := n.Value(b, ri, field)
			if ok := filters[i][field] != nil; oki != ok {
				t.Errorf("field %d row %d: present %v, encoded %v", field, i, oki, ok)
			}
			var cells []string
			for _, c := range sourceCols[field] {
				cells = append(cells, ri[c])
			}
			if v, ok := n.Normalise(field, cells...); v != vi || ok != oki {
				t.Errorf("field %d row %d: Normalise %q %v, Value %q %v", field, i, v, ok, vi, oki)
			}
			for j, rj := range rows {
				vj, okj := n.Value(b, rj, field)
				same := oki && okj && vi == vj
				if encSame := oki && okj && slices.Equal(filters[i][field], filters[j][field]); same != encSame {
					t.Errorf("field %d rows %d, %d: equal values %v, equal filters %v", field, i, j, same, encSame)
				}
			}
		}
	}
	if id := n.RecordID(b, rows[0]); id != "r1" {
		t.Errorf("record id %q", id)
	}
}
