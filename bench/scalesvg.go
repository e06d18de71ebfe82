//go:build unix

package bench

import (
	"fmt"
	"io"
	"math"
	"slices"
)

// WriteScaleSVG draws wall time (seconds, left axis) and peak RSS (GB,
// right axis) of swd link against records (millions), one point per
// result, as a small self-contained SVG.
func WriteScaleSVG(w io.Writer, rs []ScaleResult) error {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b ScaleResult) int { return a.Records - b.Records })
	const (
		width, height = 640, 360
		left, right   = 70, 70
		top, bottom   = 30, 50
	)
	maxX, maxT, maxM := 0.0, 0.0, 0.0
	for _, r := range rs {
		maxX = math.Max(maxX, float64(r.Records)/1e6)
		maxT = math.Max(maxT, r.WallSeconds)
		maxM = math.Max(maxM, float64(r.PeakRSS)/1e9)
	}
	maxX, maxT, maxM = nice(maxX), nice(maxT), nice(maxM)
	px := func(x float64) float64 { return left + x/maxX*(width-left-right) }
	py := func(v, max float64) float64 { return height - bottom - v/max*(height-top-bottom) }
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	p(`<rect width="100%%" height="100%%" fill="white"/>` + "\n")
	p(`<text x="%d" y="18" font-weight="bold">swd link: wall time and peak RSS against records</text>`+"\n", left)
	p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", left, height-bottom, width-right, height-bottom)
	p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#1f77b4"/>`+"\n", left, top, left, height-bottom)
	p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#d62728"/>`+"\n", width-right, top, width-right, height-bottom)
	for k := 0; k <= 4; k++ {
		f := float64(k) / 4
		x := px(f * maxX)
		p(`<text x="%.1f" y="%d" text-anchor="middle">%g</text>`+"\n", x, height-bottom+16, f*maxX)
		y := py(f, 1)
		p(`<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/>`+"\n", left, y, width-right, y)
		p(`<text x="%d" y="%.1f" text-anchor="end" fill="#1f77b4">%g</text>`+"\n", left-6, y+4, f*maxT)
		p(`<text x="%d" y="%.1f" fill="#d62728">%g</text>`+"\n", width-right+6, y+4, f*maxM)
	}
	p(`<text x="%d" y="%d" text-anchor="middle">records (millions)</text>`+"\n", (width+left-right)/2, height-12)
	p(`<text x="16" y="%d" fill="#1f77b4" transform="rotate(-90 16 %d)" text-anchor="middle">wall time (s)</text>`+"\n", height/2, height/2)
	p(`<text x="%d" y="%d" fill="#d62728" transform="rotate(90 %d %d)" text-anchor="middle">peak RSS (GB)</text>`+"\n", width-16, height/2, width-16, height/2)
	series := func(color string, v func(ScaleResult) float64, max float64) {
		pts := ""
		for _, r := range rs {
			pts += fmt.Sprintf("%.1f,%.1f ", px(float64(r.Records)/1e6), py(v(r), max))
		}
		p(`<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", pts, color)
		for _, r := range rs {
			p(`<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>`+"\n", px(float64(r.Records)/1e6), py(v(r), max), color)
		}
	}
	series("#1f77b4", func(r ScaleResult) float64 { return r.WallSeconds }, maxT)
	series("#d62728", func(r ScaleResult) float64 { return float64(r.PeakRSS) / 1e9 }, maxM)
	_, err := fmt.Fprintln(w, "</svg>")
	return err
}

// nice rounds v up to 1, 2 or 5 times a power of ten (1 for v <= 0).
func nice(v float64) float64 {
	if v <= 0 {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*e {
			return m * e
		}
	}
	return 10 * e
}
