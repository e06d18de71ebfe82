package audit

import (
	"context"
	"strings"
	"testing"

	"github.com/welfare-district/swd/linkage/schema"
)

// withDateKeys replaces year(birth_date) by value(birth_date) in the
// schema's blocking keys.
func withDateKeys(t *testing.T, s *schema.Schema) *schema.Schema {
	t.Helper()
	y := strings.ReplaceAll(string(s.Canonical()), "year(birth_date)", "value(birth_date)")
	out, err := schema.Parse([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBlockingKeys: a key [soundex(surname), year(birth_date)] leaks the
// phonetic code's frequency inside year cohorts (recovered from the date
// filters of records sharing a key), whatever salts the name filters; with
// the whole date in the key, the partitions are too small to align.
func TestBlockingKeys(t *testing.T) {
	ctx := context.Background()
	s := synthSchema(t, "date(birth_date)")
	year := synthInput(t, s, 3000)
	ry, err := BlockingKeys(ctx, year, 300)
	if err != nil {
		t.Fatal(err)
	}
	date := synthInput(t, withDateKeys(t, s), 3000)
	rd, err := BlockingKeys(ctx, date, 300)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("year keys: %.4f (precision %.2f, %d partitions); date keys: %.4f (%d partitions)",
		ry.Reidentified, ry.Precision, ry.Partitions, rd.Reidentified, rd.Partitions)
	if ry.Reidentified < 0.005 || rd.Reidentified > 0.002 || rd.Reidentified >= ry.Reidentified {
		t.Fatalf("year keys %.4f, date keys %.4f", ry.Reidentified, rd.Reidentified)
	}
	if len(ry.Fields) != 2 || !strings.Contains(ry.Fields[1].Column, "bk_surname_year") {
		t.Fatalf("fields %+v", ry.Fields)
	}
}
