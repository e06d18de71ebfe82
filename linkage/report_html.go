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

	"github.com/welfare-district/swd/linkage/model"
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
		hist[i] = svgBar{Label: strconv.FormatFloat(b.Lo, 'f', 0, 64), Value: float64(b.Pairs),
			NonMatches: b.NonMatches, Matches: b.Expected, Split: true,
			Tip: fmt.Sprintf("weight %g to %g", b.Lo, b.Hi)}
		switch {
		case b.OpenBelow:
			hist[i].Label, hist[i].Tip, hist[i].Always = "<"+formatWeight(b.Hi), "weight below "+formatWeight(b.Hi), true
		case b.OpenAbove:
			hist[i].Label, hist[i].Tip, hist[i].Always = "≥"+formatWeight(b.Lo), "weight "+formatWeight(b.Lo)+" or more", true
		}
	}
	data := struct {
		R                                 *Report
		Notice                            string
		Head                              template.HTML // the first line: the notice as a comment
		Hist, Curve, Clusters, Households template.HTML
		Marks                             []ThresholdPoint
		Floor                             float64
		OpenEnds                          bool
	}{
		R:      r,
		Notice: ConfidentialNotice,
		// html/template drops comments written in the template itself.
		Head:       template.HTML("<!-- " + template.HTMLEscapeString(ConfidentialNotice) + " -->"),
		Hist:       barsSVG("pairs by match weight", "pairs", hist),
		Curve:      curveSVG(r.ThresholdCurve, model.LogOdds(r.Threshold)),
		Clusters:   barsSVG("persons by number of records", "persons", sizeBars(r.ClusterSizes)),
		Households: barsSVG("households by number of persons", "households", sizeBars(r.HouseholdSizes)),
		Marks:      curveMarks(r.ThresholdCurve),
		Floor:      NearMissFloor,
	}
	if n := len(r.WeightHistogram); n > 0 {
		data.OpenEnds = r.WeightHistogram[0].OpenBelow || r.WeightHistogram[n-1].OpenAbove
	}
	return reportTemplate.Execute(w, data)
}

func formatWeight(w float64) string {
	return strings.Replace(strconv.FormatFloat(w, 'f', -1, 64), "-", "−", 1)
}

// curveMarks picks the points of the threshold curve shown in the table:
// every third whole weight from −9 to 18, and 0 (P = 0.5).
func curveMarks(c []ThresholdPoint) []ThresholdPoint {
	var out []ThresholdPoint
	for _, p := range c {
		if int(p.Weight)%3 == 0 {
			out = append(out, p)
		}
	}
	return out
}

const (
	svgWidth, svgHeight          = 940.0, 240.0
	svgTop, svgBottom, svgLeft   = 24.0, 30.0, 50.0
	colourMatch, colourNonMatch  = "#1f6fb2", "#9aa7b4"
	colourRecall, colourAccepted = "#c0632b", "#1d2733"
)

// curveSVG draws the expected precision and recall of the links against the
// threshold (as a match weight), with the run's threshold marked.
func curveSVG(c []ThresholdPoint, threshold float64) template.HTML {
	if len(c) < 2 {
		return template.HTML("<p class=\"muted\">(nothing to show)</p>")
	}
	lo := 1.0
	for _, p := range c {
		lo = min(lo, p.Precision, p.Recall)
	}
	lo = math.Floor(lo*20) / 20 // to 0.05 below
	if lo >= 1 {
		lo = 0.95
	}
	plotH := svgHeight - svgTop - svgBottom
	x0, x1 := c[0].Weight, c[len(c)-1].Weight
	px := func(w float64) float64 { return svgLeft + (w-x0)/(x1-x0)*(svgWidth-svgLeft-10) }
	py := func(v float64) float64 { return svgTop + (1-v)/(1-lo)*plotH }
	var sb bytes.Buffer
	fmt.Fprintf(&sb, `<svg role="img" aria-label="expected precision and recall by threshold" viewBox="0 0 %g %g" width="100%%">`, svgWidth, svgHeight)
	fmt.Fprintf(&sb, `<text x="%g" y="12">expected quality of the links by threshold (match weight; P(match) = 1/(1+2^−weight)): <tspan fill="%s">— precision</tspan> <tspan fill="%s">— recall</tspan></text>`, svgLeft, colourMatch, colourRecall)
	for _, v := range []float64{lo, (lo + 1) / 2, 1} {
		fmt.Fprintf(&sb, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#e3e8ee"/><text x="%g" y="%.1f" text-anchor="end">%s</text>`,
			svgLeft, py(v), svgWidth-10, py(v), svgLeft-4, py(v)+4, strconv.FormatFloat(v, 'f', 3, 64))
	}
	for _, series := range []struct {
		colour string
		value  func(ThresholdPoint) float64
	}{{colourMatch, func(p ThresholdPoint) float64 { return p.Precision }}, {colourRecall, func(p ThresholdPoint) float64 { return p.Recall }}} {
		var pts []string
		for _, p := range c {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(p.Weight), py(series.value(p))))
		}
		fmt.Fprintf(&sb, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, series.colour, strings.Join(pts, " "))
	}
	for _, p := range c {
		fmt.Fprintf(&sb, `<circle cx="%.1f" cy="%.1f" r="6" fill-opacity="0"><title>weight ≥ %g (P ≥ %s): precision %.4f, recall %.4f, %d links</title></circle>`,
			px(p.Weight), py(p.Precision), p.Weight, strconv.FormatFloat(p.Threshold, 'g', 4, 64), p.Precision, p.Recall, p.Accepted)
		if int(p.Weight)%5 == 0 {
			fmt.Fprintf(&sb, `<text x="%.1f" y="%g" text-anchor="middle">%g</text>`, px(p.Weight), svgHeight-12, p.Weight)
		}
	}
	if threshold >= x0 && threshold <= x1 {
		fmt.Fprintf(&sb, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" stroke="%s" stroke-dasharray="4 3"/><text x="%.1f" y="%g">threshold</text>`,
			px(threshold), svgTop, px(threshold), svgTop+plotH, colourAccepted, px(threshold)+4, svgTop+10)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(strings.TrimSpace(sb.String()))
}

type svgBar struct {
	Label  string
	Tip    string // tooltip; Label when empty
	Value  float64
	Accent bool
	Always bool // label the bar even where labels are thinned out
	// Split draws the bar as two side by side, the expected NonMatches
	// and Matches of its Value pairs (the match-weight histogram).
	Split               bool
	NonMatches, Matches float64
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
	maxV, split := 0.0, false
	for _, b := range bars {
		if b.Split {
			maxV, split = max(maxV, scale(b.NonMatches), scale(b.Matches)), true
			continue
		}
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
	if split {
		fmt.Fprintf(&sb, `<text x="%g" y="12">%s (log scale): <tspan fill="%s">■ expected non-matches</tspan> <tspan fill="%s">■ expected matches</tspan></text>`,
			left, template.HTMLEscapeString(title), colourNonMatch, colourMatch)
	} else {
		fmt.Fprintf(&sb, `<text x="%g" y="12">%s (log scale)</text>`, left, template.HTMLEscapeString(title))
	}
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
		if b.Split {
			for k, part := range [2]struct {
				v      float64
				colour string
			}{{b.NonMatches, colourNonMatch}, {b.Matches, colourMatch}} {
				fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s %s, expected %.1f non-matches and %.1f matches</title></rect>`,
					x+0.5+float64(k)*bw/2, y(part.v), math.Max(bw/2-0.5, 0.5), top+plotH-y(part.v), part.colour,
					template.HTMLEscapeString(tip), strconv.FormatFloat(b.Value, 'f', -1, 64), template.HTMLEscapeString(unit),
					b.NonMatches, b.Matches)
			}
		} else {
			fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s %s</title></rect>`,
				x+0.5, y(b.Value), math.Max(bw-1, 0.5), h, color, template.HTMLEscapeString(tip),
				strconv.FormatFloat(b.Value, 'f', -1, 64), template.HTMLEscapeString(unit))
		}
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
