package dp

// Result is a released set of tables. Every number in it is noisy or
// derived from noisy numbers only.
type Result struct {
	Params Params
	Tables []Table
}

// Table is one released table.
type Table struct {
	Query   string   // query name, e.g. "district_need"
	Columns []string // grouping columns, e.g. district, need
	Cells   []Cell
	// Epsilon and Delta are the budget this table spent (counts and, if
	// any, partition selection).
	Epsilon, Delta float64
	// MaxPartitions is the L0 bound: cells a household may count in.
	MaxPartitions int64
	// MaxPerPartition is the L∞ bound: what one household adds to a cell
	// (1 for counts, the clamping bound for sums).
	MaxPerPartition int64
	// Sum is true for a clamped sum, false for a count of households.
	Sum       bool
	Mechanism string
	// NoiseStd is the standard deviation of each cell's noise.
	NoiseStd float64
	// PartitionSelection is true when the cells were chosen by DP partition
	// selection rather than taken from the public domain.
	PartitionSelection bool
	Confidence         float64
}

// Cell is one noisy count with its confidence interval.
type Cell struct {
	Keys    []string // values of Table.Columns
	Value   int64    // noisy count, clamped to ≥ 0 (and rounded if asked)
	CILower float64  // lower bound of the confidence interval (≥ 0)
	CIUpper float64
}

// Table returns the table of query q, if released.
func (r *Result) Table(q string) (*Table, bool) {
	for i := range r.Tables {
		if r.Tables[i].Query == q {
			return &r.Tables[i], true
		}
	}
	return nil, false
}
