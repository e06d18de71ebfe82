package linkage

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
)

//go:embed report.html.tmpl
var reportHTML string

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"g":      func(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) },
	"pct":    func(x float64) string { return strconv.FormatFloat(100*x, 'f', 2, 64) + "%" },
	"plural": plural,
}).Parse(reportHTML))

// plural is "1 pair" or "3 pairs".
func plural(n any, one, many string) string {
	s := fmt.Sprint(n)
	if s == "1" {
		return "1 " + one
	}
	return s + " " + many
}

// WriteHTML writes the report as a self-contained HTML page (inline CSS and
// SVG, nothing fetched at view time).
func (r *Report) WriteHTML(w io.Writer) error {
	hist := make([]svgBar, len(r.WeightHistogram))
	for i, b := range r.WeightHistogram {
		hist[i] = svgBar{Label: strconv.FormatFloat(b.Lo, 'f', 0, 64), Value: float64(b.Pairs), Accent: b.Lo >= 0,
			Tip: fmt.Sprintf("weight %g to %g", b.Lo, b.Hi)}
		switch {
		case b.OpenBelow:
			hist[i].Label, hist[i].Tip, hist[i].Always = "<"+formatWeight(b.Hi), "weight below "+formatWeight(b.Hi), true
		case b.OpenAbove:
			hist[i].Label, hist[i].Tip, hist[i].Always = "≥"+formatWeight(b.Lo), "weight "+formatWeight(b.Lo)+" or more", true
		}
	}
	data := struct {
		R                          *Report
		Hist, Clusters, Households template.HTML
		OpenEnds                   bool
	}{
		R:          r,
		Hist:       barsSVG("pairs by match weight", "pairs", hist),
		Clusters:   barsSVG("persons by number of records", "persons", sizeBars(r.ClusterSizes)),
		Households: barsSVG("households by number of persons", "households", sizeBars(r.HouseholdSizes)),
	}
	if n := len(r.WeightHistogram); n > 0 {
		data.OpenEnds = r.WeightHistogram[0].OpenBelow || r.WeightHistogram[n-1].OpenAbove
	}
	return reportTemplate.Execute(w, data)
}

func formatWeight(w float64) string {
	return strings.Replace(strconv.FormatFloat(w, 'f', -1, 64), "-", "−", 1)
}

type svgBar struct {
	Label  string
	Tip    string // tooltip; Label when empty
	Value  float64
	Accent bool
	Always bool // label the bar even where labels are thinned out
}

func sizeBars(s []SizeCount) []svgBar {
	out := make([]svgBar, len(s))
	for i, c := range s {
		out[i] = svgBar{Label: strconv.Itoa(c.Size), Value: float64(c.Count)}
	}
	return out
}

// barsSVG draws a vertical bar chart on a log scale: the bar heights are
// log10(1+value), so that rare high-weight pairs stay visible. The y axis is
// labelled at 0 and at every power of ten up to the largest value.
func barsSVG(title, unit string, bars []svgBar) template.HTML {
	const width, height, top, bottom, left, right = 940.0, 230.0, 24.0, 30.0, 64.0, 28.0
	if len(bars) == 0 {
		return template.HTML("<p class=\"muted\">(nothing to show)</p>")
	}
	scale := func(v float64) float64 { return math.Log10(1 + v) }
	maxV := 0.0
	for _, b := range bars {
		maxV = max(maxV, scale(b.Value))
	}
	if maxV == 0 {
		maxV = 1
	}
	plotH := height - top - bottom
	y := func(v float64) float64 { return top + plotH - plotH*scale(v)/maxV }
	bw := (width - left - right) / float64(len(bars))
	var sb bytes.Buffer
	fmt.Fprintf(&sb, `<svg role="img" aria-label="%s" viewBox="0 0 %g %g" width="100%%">`, template.HTMLEscapeString(title), width, height)
	fmt.Fprintf(&sb, `<text x="%g" y="12">%s (log scale)</text>`, left, template.HTMLEscapeString(title))
	// The y axis: 0, 1, 10, 100, … up to the largest bar.
	fmt.Fprintf(&sb, `<text x="14" y="%g" transform="rotate(-90 14 %g)" text-anchor="middle">%s</text>`, top+plotH/2, top+plotH/2, template.HTMLEscapeString(unit))
	fmt.Fprintf(&sb, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#1d2733"/>`, left, top, left, top+plotH)
	last := math.Inf(1)
	for v := 0.0; scale(v) <= maxV*1.0001; v = max(1, v*10) {
		if last-y(v) < 12 { // too close to the tick below (1 just above 0)
			continue
		}
		last = y(v)
		fmt.Fprintf(&sb, `<line class="grid" x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#e3e8ee"/><text x="%g" y="%.1f" dy="4" text-anchor="end">%s</text>`,
			left, y(v), width-right, y(v), left-4, y(v), axisLabel(v))
	}
	step := max(1, len(bars)/20)
	for i, b := range bars {
		h := top + plotH - y(b.Value)
		x := left + float64(i)*bw
		color := "#7a8ea3"
		if b.Accent {
			color = "#1f6fb2"
		}
		tip := b.Tip
		if tip == "" {
			tip = b.Label
		}
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s %s</title></rect>`,
			x+0.5, y(b.Value), math.Max(bw-1, 0.5), h, color, template.HTMLEscapeString(tip),
			strconv.FormatFloat(b.Value, 'f', -1, 64), template.HTMLEscapeString(unit))
		if i%step == 0 || b.Always {
			fmt.Fprintf(&sb, `<text x="%.1f" y="%g" text-anchor="middle">%s</text>`, x+bw/2, height-12, template.HTMLEscapeString(b.Label))
		}
	}
	fmt.Fprintf(&sb, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#1d2733"/>`, left, top+plotH, width-right, top+plotH)
	sb.WriteString(`</svg>`)
	return template.HTML(strings.TrimSpace(sb.String()))
}

// axisLabel writes 1000000 as 1M, 10000 as 10k.
func axisLabel(v float64) string {
	switch {
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', -1, 64) + "M"
	case v >= 1e4:
		return strconv.FormatFloat(v/1e3, 'f', -1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
