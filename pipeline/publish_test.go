package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"testing"

	"github.com/welfare-district/swd/linkage/cluster"
	"github.com/welfare-district/swd/linkage/encoding"
	"github.com/welfare-district/swd/taxonomy"
)

// Publish reports the unknown codes of the joined files (log and JSON
// summary) under the same rule as swd taxonomy check.
func TestPublishUnknownCodesHideRareValues(t *testing.T) {
	ds := encoding.NewDataset(encoding.Meta{Partner: "caritas"}, encoding.Layout{CLKBits: 64, Attrs: []string{"district", "needs"}})
	var links []cluster.Link
	for i, needs := range []string{"POV;NUOVOCOD", "NUOVOCOD", "NUOVOCOD", "NUOVOCOD", "NUOVOCOD", "NUOVOCOD", "ALIM;BRAMBILLASCO"} {
		id := fmt.Sprint("K-", i)
		ds.Append(&encoding.Record{RecordID: id, CLK: []uint64{1}, Attrs: []string{"1", needs}})
		links = append(links, cluster.Link{HouseholdID: int64(i), Partner: "caritas", RecordID: id})
	}
	for _, policy := range []taxonomy.UnknownPolicy{taxonomy.UnknownUnclassified, taxonomy.UnknownFail} {
		t.Run(policy.String(), func(t *testing.T) {
			_, st, err := BuildHouseholds(links, []*encoding.Dataset{ds}, HouseholdConfig{Unknown: policy})
			if (err != nil) != (policy == taxonomy.UnknownFail) {
				t.Fatal(err)
			}
			var log bytes.Buffer
			logUnknown(slog.New(slog.NewTextHandler(&log, nil)), st)
			summary, _ := json.Marshal(&PublishResult{Households: &st})
			all := append(append(log.Bytes(), summary...), fmt.Sprint(err)...)
			if bytes.Contains(all, []byte("BRAMBILLASCO")) {
				t.Fatalf("the surname reached the log or the summary:\n%s", all)
			}
			if !bytes.Contains(log.Bytes(), []byte("code=NUOVOCOD count=6")) ||
				!regexp.MustCompile(`code="<rare values>" count=1 map=\S+ distinct=1\n`).Match(log.Bytes()) {
				t.Fatalf("log:\n%s", log.Bytes())
			}
		})
	}
}
