package normalize

import (
	"encoding/csv"
	"os"
	"sync"
	"testing"
)

// Realistic inputs per function: the spellings Italian registers and the
// synth contract produce (accents, apostrophes, particles, compound names,
// abbreviations, the date formats of DefaultDateLayouts, omocodic and
// invalid fiscal codes, phone prefixes).
var (
	benchNames = []string{
		"Rossi", "ROSSI", "rossi", "D'Angelo", "D’Angelo", "De Luca", "DE  LUCA", "Lo Presti",
		"Maria Grazia", "Mariagrazia", "NICCOLÒ", "Nicolò", "NICOLO'", "José María", "Giuseppe",
		"Dell'Acqua", "De la Cruz", "Müller", "Çağla", "Aïcha", "Muhammad", "Mohamed Ali",
		"Zanon", "Bertin", "Pegoraro", "Fant0 ", "  Shirin  ", "Vittoria", "Sant'Angelo", "Владимир",
	}
	benchAddresses = []string{
		"V. Roma 12", "Via G. Garibaldi, 3/A", "P.zza dei Signori 1", "Via Roma 12", "VIA ROMA 12",
		"Corso Milano 18", "C.so Milano 18", "V.le della Navigazione Interna 38", "Via Fra' Paolo Sarpi 35",
		"V. Montà 6", "Prato della Valle 30", "Via Porta Trento, 60", "Salboro 56/C", "Via Cave n. 32",
		"P.za Cavour nr. 4", "Loc. Ca' Rossa snc", "Via Jacopo Avanzo 48", "V. Sant'Osvaldo 14",
		"Piazza Insurrezione 1", "Via Annibale da Bassano 179",
	}
	benchDates = []string{
		"21/08/1994", "1994-08-21", "21-08-1994", "21.08.1994", "1/2/1985", "9-2-1992", "1985-12-1",
		"29/02/2000", "31/12/1999", " 04-02-2001 ", "29-07-199S", "12/25/1990", "O1/O2/1985",
		"31/02/1985", "10/12/85", "", "18-09-1933", "02.07.1994",
	}
	benchFiscal = []string{
		"RSSMRA85T10A562S", "rss mra 85t10 a562s", "RSSMRA85T10A5S2E", "RSSMRA85T10A562T",
		"RSSMRA85T10A56", "BLLRNN01B44G224Y", "MCH SDR 81M31 G224M", "slvgnn22c22g224j",
		"HSSSRN94M61Z249I", "RSSMRAURTMLARSNL", "", "RSS-MRA-85T10-A562S", "RSSMRA85T10A562SX",
	}
	benchPhones = []string{
		"+39 049 1234567", "0039 3331234567", "340-2427555", "+393667487268", "3331234567",
		"049/8751234", "39 333 1234567", "(049) 875 1234", "", "0039 3895117517",
	}
)

// synthSample is testdata/synth_sample.csv (an extract of `swd synth
// --corruption medium`, fictitious people) by column name.
var synthSample = sync.OnceValues(func() (map[string][]string, error) {
	f, err := os.Open("testdata/synth_sample.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	cols := map[string][]string{}
	for _, r := range rows[1:] {
		for i, name := range rows[0] {
			cols[name] = append(cols[name], r[i])
		}
	}
	return cols, nil
})

func sampleColumn(tb testing.TB, names ...string) []string {
	tb.Helper()
	cols, err := synthSample()
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, n := range names {
		c, ok := cols[n]
		if !ok {
			tb.Fatalf("no column %q in synth_sample.csv", n)
		}
		out = append(out, c...)
	}
	return out
}

// benchInputs runs fn over the hand-written table and over the synth sample
// column(s); one op is one pass over all inputs, and ns/call is reported.
func benchInputs(b *testing.B, hand []string, cols []string, fn func(string)) {
	run := func(name string, in []string) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, s := range in {
					fn(s)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(in)), "ns/call")
		})
	}
	run("hand", hand)
	if len(cols) > 0 {
		run("synth", sampleColumn(b, cols...))
	}
}

var (
	sinkS string
	sinkD Date
	sinkB []byte
)

func BenchmarkAddress(b *testing.B) {
	benchInputs(b, benchAddresses, []string{"indirizzo"}, func(s string) { sinkS = Address(s, true) })
}

func BenchmarkFiscalCode(b *testing.B) {
	benchInputs(b, benchFiscal, []string{"codice_fiscale"}, func(s string) { sinkS, _ = FiscalCode(s) })
}

func BenchmarkName(b *testing.B) {
	b.Run("surname", func(b *testing.B) {
		benchInputs(b, benchNames, []string{"cognome"}, func(s string) { sinkS = Name(s, true, false) })
	})
	b.Run("given", func(b *testing.B) {
		benchInputs(b, benchNames, []string{"nome"}, func(s string) { sinkS = Name(s, false, true) })
	})
}

func BenchmarkText(b *testing.B) {
	benchInputs(b, benchNames, []string{"comune_nascita"}, func(s string) { sinkS = Text(s) })
}

func BenchmarkPhonetic(b *testing.B) {
	// Phonetic is called on normalised names (the encoder's v.norm).
	fold := func(in []string) []string {
		out := make([]string, len(in))
		for i, s := range in {
			out[i] = Name(s, true, true)
		}
		return out
	}
	cols := append(sampleColumn(b, "cognome"), sampleColumn(b, "nome")...)
	b.Run("hand", func(b *testing.B) {
		in := fold(benchNames)
		benchInputs(b, in, nil, func(s string) { sinkS = Phonetic(s) })
	})
	b.Run("synth", func(b *testing.B) {
		in := fold(cols)
		benchInputs(b, in, nil, func(s string) { sinkS = Phonetic(s) })
	})
}

func BenchmarkParseDate(b *testing.B) {
	layouts := ExpandLayouts(DefaultDateLayouts)
	benchInputs(b, benchDates, []string{"data_nascita"}, func(s string) { sinkD, _ = ParseDate(s, layouts, PrecisionDay) })
}

func BenchmarkDateString(b *testing.B) {
	layouts := ExpandLayouts(DefaultDateLayouts)
	var dates, years []string
	for _, s := range sampleColumn(b, "data_nascita") {
		if d, ok := ParseDate(s, layouts, PrecisionDay); ok {
			dates = append(dates, s)
			years = append(years, s)
			_ = d
		}
	}
	b.Run("day", func(b *testing.B) {
		var ds []Date
		for _, s := range dates {
			d, _ := ParseDate(s, layouts, PrecisionDay)
			ds = append(ds, d)
		}
		b.ReportAllocs()
		for b.Loop() {
			for _, d := range ds {
				sinkS = d.String()
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ds)), "ns/call")
	})
	b.Run("year", func(b *testing.B) {
		var ds []Date
		for _, s := range years {
			d, _ := ParseDate(s, layouts, PrecisionDay)
			ds = append(ds, Date{Year: d.Year})
		}
		b.ReportAllocs()
		for b.Loop() {
			for _, d := range ds {
				sinkS = d.String()
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ds)), "ns/call")
	})
}

func BenchmarkPhone(b *testing.B) {
	benchInputs(b, benchPhones, []string{"telefono"}, func(s string) { sinkS = Phone(s) })
}

func BenchmarkPostcode(b *testing.B) {
	benchInputs(b, []string{"35127", "6100", "06100", " 35 100", "I-35100"}, []string{"cap"}, func(s string) { sinkS = Postcode(s, 5) })
}

func BenchmarkSex(b *testing.B) {
	benchInputs(b, []string{"M", "F", "m", "f", "Maschio", "FEMMINA", "2", "donna"}, []string{"sesso"}, func(s string) { _, _ = Sex(s) })
}

func BenchmarkDateLayoutsParse(b *testing.B) {
	layouts := CompileDateLayouts(ExpandLayouts(DefaultDateLayouts))
	benchInputs(b, benchDates, []string{"data_nascita"}, func(s string) { sinkD, _ = layouts.Parse(s, PrecisionDay) })
}

func BenchmarkAppendPhonetic(b *testing.B) {
	var in []string
	for _, s := range append(sampleColumn(b, "cognome"), sampleColumn(b, "nome")...) {
		in = append(in, Name(s, true, true))
	}
	benchInputs(b, in, nil, func(s string) { sinkB = AppendPhonetic(sinkB[:0], s) })
}

func BenchmarkDateAppendString(b *testing.B) {
	d := Date{Year: 1985, Month: 12, Day: 10}
	b.ReportAllocs()
	for b.Loop() {
		sinkB = d.AppendString(sinkB[:0])
	}
}

func BenchmarkDateTokens(b *testing.B) {
	layouts := ExpandLayouts(DefaultDateLayouts)
	var ds []Date
	for _, s := range sampleColumn(b, "data_nascita") {
		if d, ok := ParseDate(s, layouts, PrecisionDay); ok {
			ds = append(ds, d)
		}
	}
	var toks []string
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range ds {
			toks = d.AppendTokens(toks[:0], true)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ds)), "ns/call")
}
