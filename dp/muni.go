package dp

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/welfare-district/swd/taxonomy"
)

// muniMap draws municipalities (for districts made of several comuni,
// identified by ISTAT code) from the embedded GeoJSON.
type muniMap struct {
	Title         string
	Width, Height float64
	Areas         []muniArea
}

type muniArea struct {
	Path, Fill, Title string
}

type muniShape struct {
	code  string
	name  string
	rings [][][2]float64
}

var (
	muniOnce   sync.Once
	muniShapes []muniShape
)

func loadMuniShapes() []muniShape {
	muniOnce.Do(func() {
		var fc struct {
			Features []struct {
				Properties struct {
					Name string `json:"name"`
					Code string `json:"com_istat_code"`
				} `json:"properties"`
				Geometry struct {
					Type        string          `json:"type"`
					Coordinates json.RawMessage `json:"coordinates"`
				} `json:"geometry"`
			} `json:"features"`
		}
		if err := json.Unmarshal(taxonomy.Default().Territories().MunicipalitiesGeoJSON(), &fc); err != nil {
			return
		}
		for _, f := range fc.Features {
			s := muniShape{code: f.Properties.Code, name: f.Properties.Name}
			switch f.Geometry.Type {
			case "Polygon":
				_ = json.Unmarshal(f.Geometry.Coordinates, &s.rings)
			case "MultiPolygon":
				var polys [][][][2]float64
				_ = json.Unmarshal(f.Geometry.Coordinates, &polys)
				for _, p := range polys {
					s.rings = append(s.rings, p...)
				}
			}
			muniShapes = append(muniShapes, s)
		}
	})
	return muniShapes
}

func newMuniMap(title string, t *Table) (muniMap, bool) {
	vals, top := cellsByKey(t)
	shapes := loadMuniShapes()
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	found := false
	for _, s := range shapes {
		if _, ok := vals[s.code]; ok {
			found = true
		}
		for _, r := range s.rings {
			for _, p := range r {
				minX, maxX = math.Min(minX, p[0]), math.Max(maxX, p[0])
				minY, maxY = math.Min(minY, p[1]), math.Max(maxY, p[1])
			}
		}
	}
	if !found {
		return muniMap{}, false
	}
	const width = 640.0
	kx := math.Cos((minY + maxY) / 2 * math.Pi / 180)
	scale := width / ((maxX - minX) * kx)
	m := muniMap{Title: title, Width: width, Height: math.Ceil((maxY - minY) * scale)}
	for _, s := range shapes {
		var b strings.Builder
		for _, r := range s.rings {
			for i, p := range r {
				cmd := "L"
				if i == 0 {
					cmd = "M"
				}
				fmt.Fprintf(&b, "%s%s %s", cmd, strconv.FormatFloat((p[0]-minX)*kx*scale, 'f', 1, 64),
					strconv.FormatFloat((maxY-p[1])*scale, 'f', 1, 64))
			}
			b.WriteString("Z")
		}
		a := muniArea{Path: b.String(), Fill: "#f2f2f2", Title: s.name}
		if c, ok := vals[s.code]; ok {
			a.Fill, _ = ramp(float64(c.Value) / top)
			a.Title = fmt.Sprintf("%s: %d [%d – %d]", s.name, c.Value, int64(c.CILower), int64(c.CIUpper))
		}
		m.Areas = append(m.Areas, a)
	}
	return m, true
}
