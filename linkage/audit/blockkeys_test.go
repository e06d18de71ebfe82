package audit

import (
	"context"
	"strings"
	"testing"

	"github.com/welfare-district/swd/linkage/schema"
)

// withNameKeys rewrites the schema's name blocking keys to combine the
// phonetic code with datePart (year or value) of the birth date.
func withNameKeys(t *testing.T, s *schema.Schema, datePart string) *schema.Schema {
	t.Helper()
	c := *s
	c.Blocking = nil
	for _, b := range s.Blocking {
		b.Parts = append([]string(nil), b.Parts...)
		if strings.HasPrefix(b.Parts[0], "soundex(") {
			for i, p := range b.Parts {
				if p == "year(birth_date)" || p == "value(birth_date)" {
					b.Parts[i] = datePart + "(birth_date)"
				}
			}
		}
		c.Blocking = append(c.Blocking, b)
	}
	out, err := schema.Parse(c.Canonical())
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
	year := synthInput(t, withNameKeys(t, s, "year"), 3000)
	ry, err := BlockingKeys(ctx, year, 300)
	if err != nil {
		t.Fatal(err)
	}
	date := synthInput(t, withNameKeys(t, s, "value"), 3000)
	rd, err := BlockingKeys(ctx, date, 300)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("year keys: %.4f (precision %.2f, %d partitions); date keys: %.4f (%d partitions)",
		ry.Reidentified, ry.Precision, ry.Partitions, rd.Reidentified, rd.Partitions)
	if ry.Reidentified < 0.005 || rd.Reidentified > 0.002 || rd.Reidentified >= ry.Reidentified {
		t.Fatalf("year keys %.4f, date keys %.4f", ry.Reidentified, rd.Reidentified)
	}
	if len(ry.Fields) != 2 || !strings.Contains(ry.Fields[1].Column, "bk_surname_") {
		t.Fatalf("fields %+v", ry.Fields)
	}
}
