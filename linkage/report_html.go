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
	"g":   func(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) },
	"pct": func(x float64) string { return strconv.FormatFloat(100*x, 'f', 2, 64) + "%" },
}).Parse(reportHTML))

// WriteHTML writes the report as a self-contained HTML page (inline CSS and
// SVG, nothing fetched at view time).
func (r *Report) WriteHTML(w io.Writer) error {
	hist := make([]svgBar, len(r.WeightHistogram))
	for i, b := range r.WeightHistogram {
		hist[i] = svgBar{Label: strconv.FormatFloat(b.Lo, 'f', 0, 64), Value: float64(b.Pairs), Accent: b.Lo >= 0}
	}
	data := struct {
		R                          *Report
		Notice                     string
		Head                       template.HTML // the first line: the notice as a comment
		Hist, Clusters, Households template.HTML
	}{
		R:      r,
		Notice: ConfidentialNotice,
		// html/template drops comments written in the template itself.
		Head:       template.HTML("<!-- " + template.HTMLEscapeString(ConfidentialNotice) + " -->"),
		Hist:       barsSVG("pairs by match weight", hist),
		Clusters:   barsSVG("persons by number of records", sizeBars(r.ClusterSizes)),
		Households: barsSVG("households by number of persons", sizeBars(r.HouseholdSizes)),
	}
	return reportTemplate.Execute(w, data)
}

type svgBar struct {
	Label  string
	Value  float64
	Accent bool
}

func sizeBars(s []SizeCount) []svgBar {
	out := make([]svgBar, len(s))
	for i, c := range s {
		out[i] = svgBar{Label: strconv.Itoa(c.Size), Value: float64(c.Count)}
	}
	return out
}

// barsSVG draws a vertical bar chart on a log scale: the bar heights are
// log10(1+value), so that rare high-weight pairs stay visible.
func barsSVG(title string, bars []svgBar) template.HTML {
	const width, height, top, bottom, left = 940.0, 220.0, 20.0, 30.0, 50.0
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
	bw := (width - left) / float64(len(bars))
	var sb bytes.Buffer
	fmt.Fprintf(&sb, `<svg role="img" aria-label="%s" viewBox="0 0 %g %g" width="100%%">`, template.HTMLEscapeString(title), width, height)
	fmt.Fprintf(&sb, `<text x="%g" y="12">%s (log scale)</text>`, left, template.HTMLEscapeString(title))
	step := max(1, len(bars)/20)
	for i, b := range bars {
		h := plotH * scale(b.Value) / maxV
		x := left + float64(i)*bw
		color := "#7a8ea3"
		if b.Accent {
			color = "#1f6fb2"
		}
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>`,
			x+0.5, top+plotH-h, math.Max(bw-1, 0.5), h, color, template.HTMLEscapeString(b.Label), strconv.FormatFloat(b.Value, 'f', -1, 64))
		if i%step == 0 {
			fmt.Fprintf(&sb, `<text x="%.1f" y="%g" text-anchor="middle">%s</text>`, x+bw/2, height-12, template.HTMLEscapeString(b.Label))
		}
	}
	fmt.Fprintf(&sb, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#1d2733"/>`, left, top+plotH, width, top+plotH)
	sb.WriteString(`</svg>`)
	return template.HTML(strings.TrimSpace(sb.String()))
}
