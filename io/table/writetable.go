package table

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/welfare-district/swd/internal/atomicfile"
	"github.com/welfare-district/swd/internal/base"
)

// Column is one column of a table written by WriteTable. Exactly one of
// Strings, Ints and Floats is set, and all columns have the same length.
type Column struct {
	Name    string
	Strings []string
	Ints    []int64
	Floats  []float64
}

func (c *Column) len() (int, error) {
	n, set := 0, 0
	if c.Strings != nil {
		n, set = len(c.Strings), set+1
	}
	if c.Ints != nil {
		n, set = len(c.Ints), set+1
	}
	if c.Floats != nil {
		n, set = len(c.Floats), set+1
	}
	if set > 1 {
		return 0, fmt.Errorf("column %q has more than one kind of values", c.Name)
	}
	return n, nil
}

func (c *Column) cell(i int) string {
	switch {
	case c.Ints != nil:
		return strconv.FormatInt(c.Ints[i], 10)
	case c.Floats != nil:
		return strconv.FormatFloat(c.Floats[i], 'f', -1, 64)
	}
	return c.Strings[i]
}

func (c *Column) node() parquet.Node {
	switch {
	case c.Ints != nil:
		return parquet.Int(64)
	case c.Floats != nil:
		return parquet.Leaf(parquet.DoubleType)
	}
	return parquet.String()
}

func (c *Column) value(i, col int) parquet.Value {
	switch {
	case c.Ints != nil:
		return parquet.Int64Value(c.Ints[i]).Level(0, 0, col)
	case c.Floats != nil:
		return parquet.DoubleValue(c.Floats[i]).Level(0, 0, col)
	}
	return parquet.ByteArrayValue([]byte(c.Strings[i])).Level(0, 0, col)
}

// WriteTable writes cols as a table at path, atomically: CSV when the
// extension is .csv, Parquet (zstd, columns in the given order, all
// required) when it is .parquet.
func WriteTable(path string, cols []Column) error {
	n := -1
	for i := range cols {
		m, err := cols[i].len()
		if err != nil {
			return base.Usagef("writing %s: %v", path, err)
		}
		if n >= 0 && m != n {
			return base.Usagef("writing %s: column %q has %d values, %q has %d", path, cols[i].Name, m, cols[0].Name, n)
		}
		n = m
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return writeTableCSV(path, cols, max(n, 0))
	case ".parquet":
		return writeTableParquet(path, cols, max(n, 0))
	}
	return base.Usagef("writing %s: unknown table format (want .csv or .parquet)", path)
}

func writeTableCSV(path string, cols []Column, n int) error {
	header := make([]string, len(cols))
	for i := range cols {
		header[i] = cols[i].Name
	}
	w, err := NewCSVWriter(path, header)
	if err != nil {
		return err
	}
	defer w.Abort()
	row := make([]string, len(cols))
	for i := 0; i < n; i++ {
		for c := range cols {
			row[c] = cols[c].cell(i)
		}
		if err := w.Write(row); err != nil {
			return err
		}
	}
	return w.Commit()
}

func writeTableParquet(path string, cols []Column, n int) error {
	names := make([]string, len(cols))
	nodes := make([]parquet.Node, len(cols))
	for i := range cols {
		names[i], nodes[i] = cols[i].Name, cols[i].node()
	}
	g, err := NewOrderedGroup(names, nodes)
	if err != nil {
		return base.Usagef("writing %s: %v", path, err)
	}
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return err
	}
	defer f.Abort()
	w := parquet.NewGenericWriter[any](f, parquet.NewSchema("table", g), parquet.Compression(&parquet.Zstd))
	rows := make([]parquet.Row, 1)
	for i := 0; i < n; i++ {
		rows[0] = rows[0][:0]
		for c := range cols {
			rows[0] = append(rows[0], cols[c].value(i, c))
		}
		if _, err := w.WriteRows(rows); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Commit()
}

// OrderedGroup is a Parquet group node whose columns keep the order they
// were given in (parquet.Group sorts them by name), so that tables and
// encoded files list their columns in a meaningful order.
type OrderedGroup struct {
	parquet.Group
	fields []parquet.Field
}

// NewOrderedGroup returns a group of the named nodes, in order.
func NewOrderedGroup(names []string, nodes []parquet.Node) (*OrderedGroup, error) {
	g := &OrderedGroup{Group: make(parquet.Group, len(names))}
	for i, name := range names {
		if _, dup := g.Group[name]; dup || name == "" {
			return nil, fmt.Errorf("duplicate or empty column name %q", name)
		}
		g.Group[name] = nodes[i]
		g.fields = append(g.fields, parquet.Group{name: nodes[i]}.Fields()[0])
	}
	return g, nil
}

// Fields returns the columns in their given order.
func (g *OrderedGroup) Fields() []parquet.Field { return g.fields }
