package dp

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"strconv"

	"github.com/welfare-district/swd/taxonomy"
)

//go:embed report.html.tmpl
var reportTemplateText string

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"num":    func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) },
	"g":      func(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) },
	"pct":    func(x float64) string { return strconv.FormatFloat(100*x, 'f', 2, 64) + "%" },
	"plural": plural,
}).Parse(reportTemplateText))

// plural is "1 cella" or "3 celle": n with the singular or the plural
// form. It takes any integer type the template hands it.
func plural(n any, one, many string) string {
	var k int64
	switch v := n.(type) {
	case int:
		k = int64(v)
	case int64:
		k = v
	default:
		return fmt.Sprint(n) + " " + many
	}
	if k == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(k, 10) + " " + many
}

type reportData struct {
	Title    string
	Meta     ReleaseMeta
	Tables   []reportTable
	Maps     []tileMap
	MuniMaps []muniMap
	GeoNote  string
	// Unknown is the noisy "district unknown" cell of the district table,
	// when released: the maps cannot place it.
	Unknown *Cell
	// Trend is every series over the periods released, for a release
	// over time.
	Trend []trendSeries
}

type reportTable struct {
	Query, TitleIT, TitleEN string
	Headers                 []string
	Rows                    []reportRow
	Charts                  []barChart
	// SharedScale is true when the table has several charts: they share
	// one axis, and the report says so.
	SharedScale bool
	Meta        TableMeta
}

type reportRow struct {
	Labels []string
	Value  int64
	Lo, Hi int64
}

// barChart is a horizontal bar chart with error bars, laid out in Go so
// that the template only places numbers.
type barChart struct {
	Title         string
	Width, Height float64
	LabelW, PlotW float64
	Bars          []bar
	Ticks         []tick
}

type bar struct {
	Label          string
	LabelX, X      float64
	Y, H, W        float64
	CapTop, CapBot float64
	ELo, EHi, EMid float64
	Text           string
	TextX          float64
}

type tick struct {
	X, Y2 float64
	Label string
}

const (
	chartLabelW = 330.0
	chartPlotW  = 420.0
	chartRowH   = 22.0
	chartTop    = 8.0
)

func labelFor(column, key string) string {
	tax := taxonomy.Default()
	switch column {
	case "district":
		if key == taxonomy.DistrictUnknown {
			return "Quartiere non indicato / District unknown"
		}
		if q, ok := tax.Territories().Quartiere(key); ok {
			return key + " " + q.Name
		}
		if m, ok := tax.Territories().Municipality(key); ok {
			return m.Name
		}
	case "need":
		if n, ok := tax.Need(key); ok {
			return n.LabelIT + " / " + n.LabelEN
		}
	case "n_partners":
		if key == "1" {
			return "1 partner"
		}
		return key + " partner / " + key + " partners"
	case "measure":
		switch key {
		case MeasureHouseholds:
			return "Nuclei / Households"
		case MeasurePublic:
			return "Noti ai servizi pubblici / Known to public services"
		case MeasureThirdOnly:
			return "Solo terzo settore / Third sector only"
		}
	}
	return key
}

var tableTitles = map[string][2]string{
	QueryDistrictNeed:    {"Nuclei per quartiere e bisogno", "Households by district and need"},
	QueryDistrict:        {"Nuclei per quartiere", "Households by district"},
	QueryPartners:        {"Nuclei per numero di partner che li conoscono", "Households by number of partners that know them"},
	QueryMissingMiddle:   {"«Missing middle»: nuclei noti solo al terzo settore, per quartiere", "Missing middle: households known only to the third sector, by district"},
	QueryTotals:          {"Totali", "Totals"},
	QueryFlowNew:         {"Nuclei nuovi nel periodo, per quartiere", "Households new this period, by district"},
	QueryFlowClosed:      {"Nuclei chiusi nel periodo, per quartiere", "Households closed this period, by district"},
	QueryFlowIntercepted: {"«Missing middle» intercettato: nuclei noti solo al terzo settore nel periodo precedente, ora noti a un servizio pubblico, per quartiere", "Missing middle intercepted: households known only to the third sector last period and to a public service now, by district"},
	QueryNeedsSum:        {"Somma dei bisogni dei nuclei, per quartiere (diviso per i nuclei: bisogni medi per nucleo)", "Sum of the households' needs, by district (divided by households: mean needs per household)"},
}

func newReportTable(t *Table, tm TableMeta) reportTable {
	rt := reportTable{Query: t.Query, TitleIT: tableTitles[t.Query][0], TitleEN: tableTitles[t.Query][1], Meta: tm}
	rt.Headers = append(append([]string(nil), t.Columns...), "valore / value", "intervallo / interval")
	groups := map[string][]int{}
	var order []string
	top := 1.0 // one scale for every chart of the table, so that they compare
	for i, c := range t.Cells {
		top = math.Max(top, math.Max(c.CIUpper, float64(c.Value)))
		r := reportRow{Value: c.Value, Lo: int64(c.CILower), Hi: int64(c.CIUpper)}
		for j, k := range c.Keys {
			r.Labels = append(r.Labels, labelFor(t.Columns[j], k))
		}
		rt.Rows = append(rt.Rows, r)
		g := ""
		if len(c.Keys) > 1 {
			g = r.Labels[0]
		}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], i)
	}
	rt.SharedScale = len(order) > 1
	for _, g := range order {
		rt.Charts = append(rt.Charts, newBarChart(g, rt.Rows, groups[g], niceCeil(top)))
	}
	return rt
}

// newBarChart draws rows idx on an axis from 0 to top.
func newBarChart(title string, rows []reportRow, idx []int, top float64) barChart {
	c := barChart{Title: title, LabelW: chartLabelW, PlotW: chartPlotW, Width: chartLabelW + chartPlotW + 60}
	x := func(v float64) float64 { return chartLabelW + chartPlotW*math.Max(0, v)/top }
	for n, i := range idx {
		r := rows[i]
		y := chartTop + float64(n)*chartRowH
		c.Bars = append(c.Bars, bar{Label: r.Labels[len(r.Labels)-1], LabelX: chartLabelW - 6, X: chartLabelW,
			Y: y, H: chartRowH - 6, CapTop: y + 2, CapBot: y + chartRowH - 8,
			W: x(float64(r.Value)) - chartLabelW, ELo: x(float64(r.Lo)), EHi: x(float64(r.Hi)), EMid: y + (chartRowH-6)/2,
			Text: strconv.FormatInt(r.Value, 10), TextX: x(float64(r.Hi)) + 4})
	}
	axisY := chartTop + float64(len(idx))*chartRowH
	c.Height = axisY + 20
	for k := 0; k <= 4; k++ {
		v := top * float64(k) / 4
		c.Ticks = append(c.Ticks, tick{X: x(v), Y2: axisY, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	return c
}

// niceCeil rounds x up to a round number (1, 1.2, 1.5, 2, … 8, 10 times a
// power of ten), so that the axis has readable ticks at its quarters.
func niceCeil(x float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

// tileMap draws Padova's quartieri as labelled tiles coloured by a table's
// noisy values.
type tileMap struct {
	Title         string
	Width, Height float64
	Tiles         []tile
}

type tile struct {
	X, Y, W, H   float64
	Fill, Ink    string
	Name, Value  string
	Interval     string
	TX, TY1, TY2 float64
	TY3          float64
}

func newTileMap(title string, t *Table) (tileMap, bool) {
	const tw, th, gap = 150.0, 90.0, 6.0
	tr := taxonomy.Default().Territories()
	vals, top := cellsByKey(t)
	m := tileMap{Title: title}
	for _, q := range tr.Quartieri() {
		c, ok := vals[q.Key()]
		if !ok {
			continue
		}
		x, y := float64(q.Col)*(tw+gap), float64(q.Row)*(th+gap)
		fill, ink := ramp(float64(c.Value) / top)
		m.Tiles = append(m.Tiles, tile{X: x, Y: y, W: tw, H: th, Fill: fill, Ink: ink,
			Name: fmt.Sprintf("%d %s", q.Code, q.Name), Value: strconv.FormatInt(c.Value, 10),
			Interval: fmt.Sprintf("[%d – %d]", int64(c.CILower), int64(c.CIUpper)),
			TX:       x + tw/2, TY1: y + 26, TY2: y + 54, TY3: y + 76})
		m.Width, m.Height = math.Max(m.Width, x+tw), math.Max(m.Height, y+th)
	}
	return m, len(m.Tiles) > 0
}

// cellsByKey indexes the cells of a one-column table by key, and returns
// the largest value (at least 1), the top of the colour scale of maps.
func cellsByKey(t *Table) (map[string]Cell, float64) {
	vals := make(map[string]Cell, len(t.Cells))
	top := 1.0
	for _, c := range t.Cells {
		vals[c.Keys[0]] = c
		if c.Keys[0] != taxonomy.DistrictUnknown { // not on the map
			top = math.Max(top, float64(c.Value))
		}
	}
	return vals, top
}

// ramp maps [0,1] to a sequential blue scale and a readable text colour.
func ramp(f float64) (fill, ink string) {
	f = math.Min(1, math.Max(0, f))
	lo, hi := [3]float64{0xea, 0xf2, 0xfb}, [3]float64{0x08, 0x45, 0x94}
	var c [3]int
	for i := range c {
		c[i] = int(math.Round(lo[i] + (hi[i]-lo[i])*f))
	}
	ink = "#10243e"
	if f > 0.5 {
		ink = "#ffffff"
	}
	return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2]), ink
}

func renderReport(res *Result, meta ReleaseMeta, title string) ([]byte, error) {
	d := reportData{Title: title, Meta: meta, GeoNote: taxonomy.GeoAttribution, Trend: trends(res, meta.Period, meta.Trend)}
	if d.Title == "" {
		d.Title = "Statistiche DP sui bisogni / DP statistics on needs"
	}
	for i := range res.Tables {
		d.Tables = append(d.Tables, newReportTable(&res.Tables[i], meta.Tables[i]))
	}
	if t, ok := res.Table(QueryDistrict); ok {
		for _, c := range t.Cells {
			if c.Keys[0] == taxonomy.DistrictUnknown {
				d.Unknown = &c
			}
		}
	}
	for _, q := range []string{QueryDistrict, QueryMissingMiddle} {
		t, ok := res.Table(q)
		if !ok {
			continue
		}
		title := tableTitles[q][0] + " / " + tableTitles[q][1]
		if m, ok := newTileMap(title, t); ok {
			d.Maps = append(d.Maps, m)
		} else if mm, ok := newMuniMap(title, t); ok {
			d.MuniMaps = append(d.MuniMaps, mm)
		}
	}
	var buf bytes.Buffer
	if err := reportTemplate.Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("dp: rendering report: %w", err)
	}
	return buf.Bytes(), nil
}
