//go:build ignore

// gen writes the export corpus of this directory: one small partner export
// per way real systems write them (see README.md). Run it from the module
// root:
//
//	go run testdata/exports/gen.go
package main

import (
	"bytes"
	"log"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

const dir = "testdata/exports"

const header = "record_id,nucleo_id,codice_fiscale,nome,cognome,sesso,data_nascita,comune_nascita,indirizzo,cap,telefono,quartiere,bisogni"

// base are 24 records of the synthetic Caritas export of
// swd synth --households 3000 --seed 7 --corruption medium (made-up people),
// with "Nicolò" and "Forlì" put in for the accents.
var base = []string{
	"CAR-000001,CAR-N000001,FRNFNC74M69G224J,Frnacesca,Fiorin,F,29/08/1974,Padova,Via Altichiero n. 32,35135,,6,POV",
	"CAR-000002,CAR-N000002,PPOGRL88L65Z129W,Gabriela,oPp,F,25/07/1988,Romania,Duprè 98/B,35134,324 0885805,2,ABI",
	"CAR-000003,CAR-N000003,SRTLGU96P14G224V,Luigi,Sart0ri,,14/09/1996,,Bernina 17/C,35133,,2,",
	"CAR-000004,CAR-N000003,srtbla20b04g224g,Abele,Sartori,M,04/02/2020,Padova,Via Bernina 17/C,35133,,,ALIM",
	"CAR-000005,CAR-N000004,RSSSTN37P64F839H,SANTINA,Rossi,F,24/09/1937,Napoli,Via Tintoretto 1,35135,+393505522464,2,POV",
	"CAR-000006,CAR-N000005,,Mattia,rommano,M,03/08/1984,Forlì,Via Dante 101,35139,331 2014203,1,POV;OCC",
	"CAR-000007,CAR-N000005,RMNMVT19S62G224F,Maria-Vittoria,romano,F,22/11/2019,Padova,Via Dante 101,35139,,1,POV;OCC",
	"CAR-000008,CAR-N000006,,Eleonora,Schiavon,F,27/04/1961,Padova,Via Chiesanuova 36,35136,333-1579714,6,OCC",
	"CAR-000009,CAR-N000007,,Kevin,Schiavon,M,13/05/1993,Padova,Via Buonarroti 18,35134,320 2543839,2,FAM",
	"CAR-000010,CAR-N000007,CRRGLI98S60G224O,Giulia,Carraro,F,20/11/1998,Padova,Via Buonarroti 18,,339-0262951,2,FAM",
	"CAR-000011,CAR-N000008,KFRLSN95E09Z335Z,Seun,Okafor,M,09/05/1995,Nigeria,,35133,349 8484588,2,IMM",
	"CAR-000012,CAR-N000008,KFRLSN95E09Z335Z,Seun,Okafor,M,09/05/1995,,Via Bernina 39,35133,,2,IMM",
	"CAR-000013,CAR-N000008,,Sunday,Okafor,M,09/08/2019,Padova,Via Bernina 39,35133,,2,IMM",
	"CAR-000014,CAR-N000009,,Edoardo,lago,M,30/04/1990,Padova,Via Altinate 23,35121,,1,",
	"CAR-000015,CAR-N000009,BNTGVR90C68G224D,Ginevra,Benetti,F,28/03/1990,Padova,Via Altinate 23,35121,389-4016174,1,OCC",
	"CAR-000016,CAR-N000009,,Nicolò,Zago,M,21/03/2020,,Via Altinate 23,35121,,,OCC",
	"CAR-000017,CAR-N000010,ZGAFRC92E30G693O,Federico,Zago,M,1992-05-30,Piove di Sacco,Corso Milano 35/A,,,1,OCC",
	"CAR-000018,CAR-N000010,ZGACSR250L2G224Y,Cesare,Zago,M,02/07/2025,Padova,Corso Milano n. 35/A,35137,,1,OCC",
	"CAR-000019,CAR-N000011,KKOSRO76E18Z335H,Osaro,Okeke,M,18/05/1976,Nigeria,Via Chiesanuova 13,35136,049 9861883,6,SAL",
	"CAR-000020,CAR-N000012,ZMPNRM51C59G2241,norma,Zampieri,F,19/03/1951,Padova,,35135,329 2629568,2,ABI",
	"CAR-000021,CAR-N000013,MRTSMN82L51L132R,Simona,Martin,F,11/07/1982,Terrassa Padovana,Via Camijn 3,35127,+39 349 7101195,3,",
	"CAR-000022,CAR-N000014,,Gianmarco,Dainese,M,25/08/1979,Padova,V. Bravi 44,35129,,3,ALIM",
	"CAR-000023,CAR-N000014,SCHNLT79B46G224E,Nicoletta,Schiavon,F,06/02/1979,Padova,Via Bravi 44,35129,349 4986660,3,ALIM",
	"CAR-000024,CAR-N000014,DNSLRD04E23G224N,Leonardo,Dainese,M,23/05/2004,,Via Bravi 44,35129,338 3646241,,ALIM",
}

func main() {
	lines := func(h string) []string { return append([]string{h}, base...) }
	upper := strings.Split(header, ",")
	for i := 1; i < len(upper); i++ {
		upper[i] = strings.ToUpper(upper[i])
	}
	italian := "ID,ID nucleo,Codice Fiscale,Nome,Cognome,Sesso,Data di nascita,Comune di nascita,Indirizzo,CAP,Telefono,Quartiere,Bisogni"

	write("upper_headers.csv", join(lines(strings.Join(upper, ",")), ",", "\n"))
	write("italian_headers.csv", join(lines(italian), ",", "\n"))
	excel := join(lines(header), ";", "\r\n")
	write("excel_utf8_bom.csv", append([]byte("\ufeff"), excel...))
	cp, err := charmap.Windows1252.NewEncoder().Bytes(excel)
	if err != nil {
		log.Fatal(err)
	}
	write("excel_cp1252.csv", cp)

	stray := lines(header)
	stray[7] = strings.Replace(stray[7], ",Maria-Vittoria,", `,"Maria-Vittoria,`, 1)                 // line 8: an opening quote, never closed
	stray[20] = strings.Replace(stray[20], ",Padova,,", `,Padova,"Via Vittorio Emanuele II, 8",`, 1) // line 21: a well-quoted value with a comma
	write("stray_quote.csv", join(stray, ",", "\n"))

	dup := lines(header)
	dup[10] = strings.Replace(dup[10], "CAR-000010", "CAR-000003", 1) // line 11 repeats the id of line 4
	dup[17] = strings.Replace(dup[17], "CAR-000017", "CAR-000005", 1) // line 18 repeats the id of line 6
	write("duplicate_ids.csv", join(dup, ",", "\n"))

	empty := lines(header)
	for i := 1; i < len(empty); i++ {
		f := strings.Split(empty[i], ",")
		f[4] = "" // cognome
		empty[i] = strings.Join(f, ",")
	}
	write("empty_column.csv", join(empty, ",", "\n"))
}

// join writes CSV lines with the delimiter delim and the line ending eol.
// The lines are comma-separated: with another delimiter each value is
// split off and quoted when it holds the delimiter (the needs POV;OCC
// under semicolons), as spreadsheets do. A line with a quote stays as it
// is.
func join(lines []string, delim, eol string) []byte {
	var b bytes.Buffer
	for _, l := range lines {
		if delim != "," && !strings.Contains(l, `"`) {
			f := strings.Split(l, ",")
			for i, v := range f {
				if strings.Contains(v, delim) {
					f[i] = `"` + v + `"`
				}
			}
			l = strings.Join(f, delim)
		}
		b.WriteString(l)
		b.WriteString(eol)
	}
	return b.Bytes()
}

func write(name string, data []byte) {
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		log.Fatal(err)
	}
}
