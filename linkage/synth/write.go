package synth

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/welfare-district/swd/internal/atomicfile"
)

// Stats summarises a run.
type Stats struct {
	Households int64
	Persons    int64
	Records    []int64 // per partner, in Config.Partners order
	// KnownTo counts households per partner.
	KnownTo []int64
	// OnlyThirdSector counts households known to third-sector partners
	// only (the "missing middle").
	OnlyThirdSector int64
}

// TotalRecords is the number of rows over all partner files.
func (s Stats) TotalRecords() int64 {
	var n int64
	for _, r := range s.Records {
		n += r
	}
	return n
}

// Write generates cfg.Households households into dir: one <partner>.csv per
// partner and truth.csv. Files appear only when complete (atomic rename);
// on error or cancellation none of them is left behind. progress, when not
// nil, is called with the number of households done since the last call.
func Write(ctx context.Context, cfg Config, dir string, progress func(int)) (Stats, error) {
	g, err := NewGenerator(cfg)
	if err != nil {
		return Stats{}, err
	}
	cfg = g.Config()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Stats{}, fmt.Errorf("synth: %w", err)
	}
	out := make([]*csvOut, 0, len(cfg.Partners)+1)
	defer func() {
		for _, o := range out {
			o.f.Abort()
		}
	}()
	for _, p := range cfg.Partners {
		o, err := newCSVOut(filepath.Join(dir, p.Name+".csv"), Columns)
		if err != nil {
			return Stats{}, err
		}
		out = append(out, o)
	}
	truth, err := newCSVOut(filepath.Join(dir, "truth.csv"), TruthColumns)
	if err != nil {
		return Stats{}, err
	}
	out = append(out, truth)

	st := Stats{Records: make([]int64, len(cfg.Partners)), KnownTo: make([]int64, len(cfg.Partners))}
	truthRec := make([]string, 4)
	known := make([]bool, len(cfg.Partners))
	done := 0
	err = g.stream(ctx, cfg.Households, cfg.Workers, func(h *Household, rows []Row) error {
		st.Households++
		st.Persons += int64(len(h.Members))
		clear(known)
		for k := range rows {
			row := &rows[k]
			known[row.Partner] = true
			st.Records[row.Partner]++
			if err := out[row.Partner].w.Write(row.Fields()); err != nil {
				return err
			}
			truthRec[0], truthRec[1] = cfg.Partners[row.Partner].Name, row.RecordID
			truthRec[2], truthRec[3] = strconv.FormatInt(row.PersonID, 10), strconv.FormatInt(row.HouseholdID, 10)
			if err := truth.w.Write(truthRec); err != nil {
				return err
			}
		}
		st.count(cfg.Partners, known)
		if done++; done == batchSize && progress != nil {
			progress(done)
			done = 0
		}
		return nil
	})
	if err != nil {
		return Stats{}, err
	}
	if progress != nil && done > 0 {
		progress(done)
	}
	for i, o := range out {
		if err := o.commit(); err != nil {
			for _, done := range out[:i] {
				_ = os.Remove(done.f.Path()) // leave no partial set of files
			}
			return Stats{}, err
		}
	}
	return st, nil
}

func (st *Stats) count(partners []Partner, known []bool) {
	public, third := false, false
	for i, k := range known {
		if !k {
			continue
		}
		st.KnownTo[i]++
		if partners[i].ThirdSector {
			third = true
		} else {
			public = true
		}
	}
	if third && !public {
		st.OnlyThirdSector++
	}
}

// csvOut is one output file being written.
type csvOut struct {
	f  *atomicfile.File
	bw *bufio.Writer
	w  *csv.Writer
}

func newCSVOut(path string, header []string) (*csvOut, error) {
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	o := &csvOut{f: f, bw: bufio.NewWriterSize(f, 256<<10)}
	o.w = csv.NewWriter(o.bw)
	if err := o.w.Write(header); err != nil {
		f.Abort()
		return nil, err
	}
	return o, nil
}

func (o *csvOut) commit() error {
	o.w.Flush()
	if err := o.w.Error(); err != nil {
		return fmt.Errorf("synth: writing %s: %w", o.f.Path(), err)
	}
	if err := o.bw.Flush(); err != nil {
		return fmt.Errorf("synth: writing %s: %w", o.f.Path(), err)
	}
	return o.f.Commit()
}
