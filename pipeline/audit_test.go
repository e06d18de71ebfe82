package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/welfare-district/swd/io/encfile"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/linkage/schema"
)

// auditSchema joins two columns into one name field, trims cells and knows
// two missing-value markers: where the audit's own copy of the encoder's
// reading had drifted (issue 12).
const auditSchema = `
version: 1
partner: comune
id_column: id
input: {trim_space: true, missing_values: ["N/D", "-"]}
fields:
  - {name: given_name, kind: name, columns: [nome, secondo_nome]}
  - {name: surname, kind: name, column: cognome}
`

// auditExport has the same names written in every way the encoder reads
// alike: surrounding spaces, a marker in one of the joined columns, an
// empty second column, markers in any case, and a row of markers only.
const auditExport = `id,nome,secondo_nome,cognome
 r1 , Maria ,N/D,Rossi
r2,MARIA,, rossi
r3,maria, grazia,n/d
r4,n/d,-,-
r5,Maria,Grazia  ,D'Angelo
r6,Grazia,Maria,DANGELO
r7, - ,Maria,De Luca
r8,Maria Grazia,,DELUCA
`

// TestAuditSeesEncodedValues encodes an export and checks that the values
// the audit scores against (readTruth) are exactly those the encoder
// encoded: missing where the field filter is empty, and equal for two
// records exactly when their filters are equal.
func TestAuditSeesEncodedValues(t *testing.T) {
	dir := t.TempDir()
	export := filepath.Join(dir, "export.csv")
	if err := os.WriteFile(export, []byte(auditExport), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := schema.Parse([]byte(auditSchema))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "comune.swd.parquet")
	ctx := context.Background()
	if _, err := Encode(ctx, EncodeConfig{Schema: s, Secret: encoding.Secret{1}, In: export, Out: out}); err != nil {
		t.Fatal(err)
	}
	ds, err := encfile.Read(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	n, err := encoding.NewNormaliser(s)
	if err != nil {
		t.Fatal(err)
	}
	truth, err := readTruth(export, n, ds, []int{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Len() != 8 || !slices.Contains(ds.RecordIDs, "r1") {
		t.Fatalf("encoded %d records, ids %v", ds.Len(), ds.RecordIDs)
	}
	for fi, col := range ds.Fields {
		for i := range ds.Len() {
			if (truth[fi][i] != "") != col.Present[i] {
				t.Errorf("%s of %s: audit value present %v, encoded %v", col.Name, ds.RecordIDs[i], truth[fi][i] != "", col.Present[i])
			}
			for j := range ds.Len() {
				same := truth[fi][i] != "" && truth[fi][i] == truth[fi][j]
				encSame := col.Present[i] && col.Present[j] && slices.Equal(col.Filters.At(i), col.Filters.At(j))
				if same != encSame {
					t.Errorf("%s of %s and %s: equal audit values %v, equal filters %v", col.Name, ds.RecordIDs[i], ds.RecordIDs[j], same, encSame)
				}
			}
		}
	}
	// The fixture must exercise the cases: r1 (marker in the second
	// column) reads as r2 (empty second column), r4 holds markers only.
	at := func(id string) int { return slices.Index(ds.RecordIDs, id) }
	if truth[0][at("r1")] != truth[0][at("r2")] || truth[0][at("r1")] == "" || truth[0][at("r4")] != "" || truth[1][at("r3")] != "" {
		t.Fatalf("given names %q, surnames %q", truth[0], truth[1])
	}
}
