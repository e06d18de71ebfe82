package taxonomy

import (
	"slices"
	"sort"
	"strings"
)

// PublicServices says which partners are public services (the Comune's
// social services, the health authority). A household known to partners but
// to none of these is in the "missing middle".
type PublicServices struct {
	Partners []string
}

// DefaultPublicServices returns the default: comune and ulss6.
func DefaultPublicServices() PublicServices {
	return PublicServices{Partners: []string{"comune", "ulss6"}}
}

// ParsePublicServices parses a comma-separated list of partner names.
func ParsePublicServices(s string) PublicServices {
	var p PublicServices
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			p.Partners = append(p.Partners, f)
		}
	}
	sort.Strings(p.Partners)
	return p
}

// IsPublic reports whether partner is a public service.
func (p PublicServices) IsPublic(partner string) bool { return slices.Contains(p.Partners, partner) }

// String is the comma-separated list, the inverse of ParsePublicServices.
func (p PublicServices) String() string { return strings.Join(p.Partners, ",") }
