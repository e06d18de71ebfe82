package linksfile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/welfare-district/swd/internal/leaktest"
)

// TestErrorsQuoteNoInput plants a marker in the partner and record ids of
// a Parquet and a CSV links file, corrupts them (cut at many lengths,
// bytes flipped or overwritten with the marker, malformed CSV) and checks
// that no error of ReadAny quotes it.
func TestErrorsQuoteNoInput(t *testing.T) {
	n := 80 // corruptions of each kind
	if testing.Short() {
		n = 30
	}
	links := sample(60)
	for i := range links {
		links[i].Partner, links[i].RecordID = leaktest.Marker, leaktest.Marker+leaktest.Marker
	}
	dir := t.TempDir()
	pq := filepath.Join(dir, "links.parquet")
	if err := Write(pq, links, &Run{CodeVersion: "swd test"}); err != nil {
		t.Fatal(err)
	}
	var csv bytes.Buffer
	if err := WriteCSV(&csv, links); err != nil {
		t.Fatal(err)
	}
	pqData, err := os.ReadFile(pq)
	if err != nil {
		t.Fatal(err)
	}
	m := leaktest.Marker
	csvData := csv.Bytes()
	head := bytes.IndexByte(csvData, '\n') + 1
	csvCases := [][]byte{
		append(bytes.Clone(csvData[:head]), "1,1,"+m+`,"`+m+"\n"...),        // unclosed quote
		append(bytes.Clone(csvData[:head]), "1,1,"+m+`,`+m+`"`+m+",0\n"...), // bare quote
		append(bytes.Clone(csvData[:head]), m+",1,"+m+","+m+",0\n"...),      // not a number
		append(bytes.Clone(csvData[:head]), "1,1,"+m+"\n"...),               // too few fields
		[]byte(`"` + m + `,` + m + "\n"),                                    // malformed header
	}
	for _, c := range leaktest.Corruptions(csvData[head:], n, 0, 0) {
		csvCases = append(csvCases, append(bytes.Clone(csvData[:head]), c...))
	}
	tests := []struct {
		name, file string
		cases      [][]byte
	}{
		{"parquet", "links.parquet", leaktest.Corruptions(pqData, n, 4, 0)},
		{"csv", "links.csv", csvCases},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "corrupt-"+tt.file)
			failed := 0
			for i, c := range tt.cases {
				if err := os.WriteFile(path, c, 0o644); err != nil {
					t.Fatal(err)
				}
				if _, _, err := ReadAny(path); err != nil {
					failed++
					leaktest.AssertNoMarker(t, fmt.Sprintf("%s case %d", tt.name, i), err.Error())
				}
			}
			if failed < len(tt.cases)/4 {
				t.Fatalf("only %d errors from %d corrupt files: the test proves little", failed, len(tt.cases))
			}
		})
	}
}
