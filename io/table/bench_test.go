package table

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/internal/rusage"
)

const benchRows = 100_000

// synthRow is a row shaped like the synth partner export (13 columns).
type synthRow struct {
	RecordID      string `parquet:"record_id"`
	NucleoID      string `parquet:"nucleo_id"`
	CodiceFiscale string `parquet:"codice_fiscale"`
	Nome          string `parquet:"nome"`
	Cognome       string `parquet:"cognome"`
	Sesso         string `parquet:"sesso"`
	DataNascita   string `parquet:"data_nascita"`
	ComuneNascita string `parquet:"comune_nascita"`
	Indirizzo     string `parquet:"indirizzo"`
	CAP           string `parquet:"cap"`
	Telefono      string `parquet:"telefono"`
	Quartiere     string `parquet:"quartiere"`
	Bisogni       string `parquet:"bisogni"`
}

func synthRows(n int) []synthRow {
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"Maria Grazia", "Nicolò", "Giuseppe", "Anna", "Mohamed", "Lucia"}
	surnames := []string{"D'Angelo", "De Luca", "Lo Presti", "Rossi", "Bianchi", "Esposito"}
	rows := make([]synthRow, n)
	for i := range rows {
		rows[i] = synthRow{
			RecordID: fmt.Sprintf("CAR-%07d", i), NucleoID: fmt.Sprintf("N%06d", i/3),
			CodiceFiscale: "RSSMRA80A01G224X", Nome: names[rng.IntN(len(names))], Cognome: surnames[rng.IntN(len(surnames))],
			Sesso: "F", DataNascita: fmt.Sprintf("%02d/%02d/19%02d", 1+rng.IntN(28), 1+rng.IntN(12), rng.IntN(100)),
			ComuneNascita: "Padova", Indirizzo: fmt.Sprintf("Via Roma %d", rng.IntN(200)), CAP: "35121",
			Telefono: "049 1234567", Quartiere: fmt.Sprint(1 + rng.IntN(6)), Bisogni: "ABIT;LAV",
		}
	}
	return rows
}

func synthCSV(rows []synthRow) string {
	var b strings.Builder
	b.WriteString("record_id,nucleo_id,codice_fiscale,nome,cognome,sesso,data_nascita,comune_nascita,indirizzo,cap,telefono,quartiere,bisogni\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", r.RecordID, r.NucleoID, r.CodiceFiscale, r.Nome, r.Cognome,
			r.Sesso, r.DataNascita, r.ComuneNascita, r.Indirizzo, r.CAP, r.Telefono, r.Quartiere, r.Bisogni)
	}
	return b.String()
}

func benchRead(b *testing.B, path string, opts Options) {
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := rusage.CPU()
	for b.Loop() {
		r, err := Open(path, opts)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, _, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		r.Close()
		if n != benchRows {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
	if cpu := rusage.CPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(benchRows*b.N)/cpu.Seconds(), "rows/cpu-s")
	}
}

func BenchmarkReadCSV(b *testing.B) {
	p := writeTemp(b, "synth.csv", []byte(synthCSV(synthRows(benchRows))))
	benchRead(b, p, Options{})
}

func BenchmarkReadCSVLatin1(b *testing.B) {
	p := writeTemp(b, "synth.csv", []byte(synthCSV(synthRows(benchRows))))
	benchRead(b, p, Options{Encoding: "latin-1"})
}

func BenchmarkReadParquet(b *testing.B) {
	data := writeParquet(b, synthRows(benchRows), parquet.Compression(&parquet.Zstd))
	benchRead(b, writeTemp(b, "synth.parquet", data), Options{})
}

func BenchmarkReadArrow(b *testing.B) {
	rows := synthRows(benchRows)
	mem := memory.NewGoAllocator()
	fields := make([]arrow.Field, 13)
	for i, name := range strings.Split("record_id,nucleo_id,codice_fiscale,nome,cognome,sesso,data_nascita,comune_nascita,indirizzo,cap,telefono,quartiere,bisogni", ",") {
		fields[i] = arrow.Field{Name: name, Type: arrow.BinaryTypes.String}
	}
	schema := arrow.NewSchema(fields, nil)
	var buf bytes.Buffer
	w, err := ipc.NewFileWriter(&buf, ipc.WithSchema(schema))
	if err != nil {
		b.Fatal(err)
	}
	for start := 0; start < len(rows); start += 10_000 {
		rb := array.NewRecordBuilder(mem, schema)
		for _, r := range rows[start:min(len(rows), start+10_000)] {
			for i, v := range []string{r.RecordID, r.NucleoID, r.CodiceFiscale, r.Nome, r.Cognome, r.Sesso, r.DataNascita,
				r.ComuneNascita, r.Indirizzo, r.CAP, r.Telefono, r.Quartiere, r.Bisogni} {
				rb.Field(i).(*array.StringBuilder).Append(v)
			}
		}
		rec := rb.NewRecordBatch()
		if err := w.Write(rec); err != nil {
			b.Fatal(err)
		}
		rec.Release()
		rb.Release()
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	benchRead(b, writeTemp(b, "synth.arrow", buf.Bytes()), Options{})
}
