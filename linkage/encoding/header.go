package encoding

import (
	"fmt"
	"strings"

	"github.com/welfare-district/swd/internal/base"
	"github.com/welfare-district/swd/linkage/schema"
)

// headerMatcher finds the schema's columns in a header. Header names are
// not personal data: they may appear in errors.
type headerMatcher struct {
	header  []string
	exact   map[string]int   // name (trimmed) → first index
	folded  map[string][]int // schema.FoldHeader(name) → indexes
	aliases map[string][]string
}

func newHeaderMatcher(header []string, trim bool, aliases map[string][]string) *headerMatcher {
	m := &headerMatcher{exact: make(map[string]int, len(header)), folded: make(map[string][]int, len(header)), aliases: aliases}
	for i, h := range header {
		h = strings.TrimPrefix(h, "\ufeff")
		if trim {
			h = strings.TrimSpace(h)
		}
		m.header = append(m.header, h)
		if _, dup := m.exact[h]; !dup {
			m.exact[h] = i
		}
		k := schema.FoldHeader(h)
		m.folded[k] = append(m.folded[k], i)
	}
	return m
}

// find returns the index and header name of column col, or -1 when the
// header has neither it nor an alias of it. Two header columns that both
// match (NOME and Nome, or a name and an alias) are an error: which one
// holds the data cannot be guessed.
func (m *headerMatcher) find(col string) (int, string, error) {
	if i, ok := m.exact[col]; ok {
		return i, m.header[i], nil
	}
	var hits []int
	for _, name := range append([]string{col}, m.aliases[col]...) {
		for _, i := range m.folded[schema.FoldHeader(name)] {
			if !containsInt(hits, i) {
				hits = append(hits, i)
			}
		}
	}
	switch len(hits) {
	case 0:
		return -1, "", nil
	case 1:
		return hits[0], m.header[hits[0]], nil
	}
	names := make([]string, len(hits))
	for j, i := range hits {
		names[j] = fmt.Sprintf("%q (column %d)", m.header[i], i+1)
	}
	return -1, "", &base.InputError{Column: col, Reason: fmt.Sprintf(
		"the header has several columns that could be %q: %s; rename one, or list the right one in the schema's input.aliases under its exact name",
		col, strings.Join(names, " and "))}
}

// list is the header as a comma-separated list, for error messages.
func (m *headerMatcher) list() string {
	q := make([]string, len(m.header))
	for i, h := range m.header {
		q[i] = fmt.Sprintf("%q", h)
	}
	return strings.Join(q, ", ")
}

func containsInt(s []int, x int) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
