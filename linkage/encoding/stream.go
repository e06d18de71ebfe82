package encoding

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/welfare-district/swd/internal/base"
)

// Source yields the data rows of a partner export, as io/table readers do:
// a row-level *swd.InputError rejects that row and reading goes on; io.EOF
// ends the input; any other error aborts.
type Source interface {
	Next() (row []string, rowNum int, err error)
}

// Output receives the results of Encode, in input order, on the calling
// goroutine.
type Output struct {
	// Record receives an encoded record; id is the partner's record id
	// (equal to rec.RecordID unless ids are pseudonymised). rec and its
	// slices are reused once Record returns: writers copy them.
	Record func(id string, rec *Record) error
	// Reject receives a row that could not be encoded.
	Reject func(Reject) error
	// Progress, when set, receives the number of rows finished since its
	// last call.
	Progress func(rows int)
}

type item struct {
	start, end int // cells[start:end] is the row
	rowNum     int
	line       int // line of a text file where the row starts, or 0
	inErr      *base.InputError
	// inID is the record id of a row the source rejected (inErr), when
	// the source could still read it (salvager); else "".
	inID string
}

// liner is a Source that knows the line of a text file where the row it
// returned last starts (io/table's CSV reader).
type liner interface{ Line() int }

// salvager is a Source that can still read some cells of the row it last
// rejected (io/table's CSV reader, for a stray quote): the record id, for
// the rejects file, so that the partner finds the row in its own system.
type salvager interface {
	RejectedCell(i int) (string, bool)
}

type batch struct {
	seq     int
	err     error // fatal error while encoding the batch
	cells   []string
	items   []item
	recs    []Record
	ids     []string
	idKeys  []idKey // hash of ids[i], for the duplicate check
	rejects []*Reject
	tallies []tally
	words   []uint64
}

// Encode reads every row of src (whose header is header), encodes rows in
// parallel on the configured workers and hands records and rejects to out
// in input order. Memory stays bounded: a fixed pool of batches circulates
// between the reader, the workers and the caller. Cancelling ctx stops the
// run with ctx's error; the caller discards partial output.
func (e *Encoder) Encode(ctx context.Context, header []string, src Source, out Output) (Stats, error) {
	bind, err := e.Bind(header)
	if err != nil {
		return Stats{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	nb := 2*e.workers + 2
	free := make(chan *batch, nb)
	for i := 0; i < nb; i++ {
		free <- e.newBatch()
	}
	work := make(chan *batch, nb)
	done := make(chan *batch, nb)

	var readErr error
	go func() {
		defer close(work)
		readErr = e.read(ctx, src, bind.idCol, free, work)
	}()
	seen := newIDSet()
	workers := make([]*worker, e.workers)
	var wg sync.WaitGroup
	for i := range workers {
		workers[i] = e.newWorker(bind)
		workers[i].idSeeds = seen.seeds
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			for b := range work {
				b.err = w.run(ctx, b)
				done <- b
			}
		}(workers[i])
	}
	go func() { wg.Wait(); close(done) }()

	em := &emitter{out: out, stats: newStats(e), seen: seen, idColumn: e.schema.IDColumn}
	outErr := e.emit(ctx, done, free, em)
	if outErr != nil {
		cancel()
		for range done { // let the reader and the workers finish
		}
	}
	switch {
	case outErr != nil:
		return em.stats, outErr
	case readErr != nil:
		return em.stats, readErr
	case ctx.Err() != nil:
		return em.stats, ctx.Err()
	}
	return em.stats, e.checkMissing(em.stats)
}

func (e *Encoder) newBatch() *batch {
	n := e.batchSize
	b := &batch{recs: make([]Record, n), ids: make([]string, n), idKeys: make([]idKey, n), rejects: make([]*Reject, n),
		tallies: make([]tally, n), words: make([]uint64, n*e.recordWords())}
	states := make([]status, n*len(e.plans))
	for i := range b.recs {
		b.recs[i] = Record{Fields: make([][]uint64, len(e.plans)),
			BlockKeys: make([]string, len(e.blocks)), Attrs: make([]string, len(e.schema.Attributes))}
		b.tallies[i].states = states[i*len(e.plans) : (i+1)*len(e.plans)]
	}
	return b
}

// read fills batches from src until EOF, an error or cancellation. idCol
// is the record id's column, for the rows src rejects.
func (e *Encoder) read(ctx context.Context, src Source, idCol int, free <-chan *batch, work chan<- *batch) error {
	lines, _ := src.(liner)
	salvage, _ := src.(salvager)
	rejectedID := func() string {
		if salvage == nil || idCol < 0 {
			return ""
		}
		v, ok := salvage.RejectedCell(idCol)
		if !ok {
			return ""
		}
		return e.cell([]string{v}, 0) // as the id of a row read whole
	}
	lineOf := func() int {
		if lines == nil {
			return 0
		}
		return lines.Line()
	}
	for seq := 0; ; seq++ {
		var b *batch
		select {
		case b = <-free:
		case <-ctx.Done():
			return nil
		}
		b.seq, b.cells, b.items = seq, b.cells[:0], b.items[:0]
		var end error
		for len(b.items) < e.batchSize {
			row, rowNum, err := src.Next()
			if err != nil {
				var ie *base.InputError
				if errors.As(err, &ie) {
					b.items = append(b.items, item{rowNum: max(ie.Row, rowNum), line: ie.Line, inErr: ie, inID: rejectedID()})
					continue
				}
				end = err
				break
			}
			start := len(b.cells)
			b.cells = append(b.cells, row...)
			b.items = append(b.items, item{start: start, end: len(b.cells), rowNum: rowNum, line: lineOf()})
		}
		if len(b.items) > 0 {
			select {
			case work <- b:
			case <-ctx.Done():
				return nil
			}
		}
		if errors.Is(end, io.EOF) {
			return nil
		}
		if end != nil {
			return end
		}
	}
}

// run encodes one batch.
func (w *worker) run(ctx context.Context, b *batch) error {
	if err := w.pseudonymise(ctx, b); err != nil {
		return err
	}
	rw := w.e.recordWords()
	for i, it := range b.items {
		b.rejects[i] = nil
		if it.inErr != nil {
			b.rejects[i] = &Reject{Row: it.rowNum, Line: it.line, Char: it.inErr.Char, RecordID: it.inID, Column: it.inErr.Column, Reason: it.inErr.Reason}
			continue
		}
		id, rej := w.encode(b.cells[it.start:it.end], it.rowNum, &b.recs[i], b.words[i*rw:(i+1)*rw], &b.tallies[i])
		if rej != nil {
			rej.Line = it.line
		} else {
			b.idKeys[i] = w.idSeeds.key(id)
		}
		b.ids[i] = id
		b.rejects[i] = rej
	}
	return nil
}

// pseudonymise fetches the keyserver pseudonyms of the batch's distinct
// values of oprf fields, in one call.
func (w *worker) pseudonymise(ctx context.Context, b *batch) error {
	e := w.e
	if len(e.oprfFields) == 0 {
		return nil
	}
	if w.oprf == nil {
		w.oprf = map[string]string{}
	}
	clear(w.oprf)
	var inputs [][]byte
	var keys []string
	for _, it := range b.items {
		if it.inErr != nil {
			continue
		}
		row := b.cells[it.start:it.end]
		for _, fi := range e.oprfFields {
			raw := w.e.raw(w.b.fields[fi], row)
			if raw == "" {
				continue
			}
			v := e.plans[fi].normalise(raw)
			if _, seen := w.oprf[v.norm]; v.st != stPresent || seen {
				continue
			}
			w.oprf[v.norm] = ""
			keys = append(keys, v.norm)
			inputs = append(inputs, []byte(v.norm))
		}
	}
	if len(inputs) == 0 {
		return nil
	}
	out, err := e.oprf(ctx, inputs)
	if err != nil {
		return fmt.Errorf("pseudonymising through the keyserver: %w", err)
	}
	if len(out) != len(inputs) {
		return fmt.Errorf("pseudonymising through the keyserver: %d pseudonyms for %d values", len(out), len(inputs))
	}
	for i, k := range keys {
		w.oprf[k] = hex.EncodeToString(out[i])
	}
	return nil
}

// emitter hands records and rejects to the output in input order, catches
// duplicate record ids and keeps the statistics.
type emitter struct {
	out      Output
	stats    Stats
	seen     *idSet
	idColumn string
}

// emit hands finished batches to em in sequence order and recycles them.
func (e *Encoder) emit(ctx context.Context, done <-chan *batch, free chan<- *batch, em *emitter) error {
	pending := map[int]*batch{}
	next := 0
	for b := range done {
		pending[b.seq] = b
		for {
			nb, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if err := em.batch(nb); err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			free <- nb
		}
	}
	return nil
}

func (em *emitter) batch(b *batch) error {
	if b.err != nil {
		return b.err
	}
	st := &em.stats
	for i := range b.items {
		st.Read++
		r := b.rejects[i]
		if r == nil {
			r = em.duplicate(b.ids[i], b.idKeys[i], b.items[i])
		}
		if r != nil {
			st.Rejected++
			if em.out.Reject != nil {
				if err := em.out.Reject(*r); err != nil {
					return err
				}
			}
			continue
		}
		st.Encoded++
		st.count(&b.tallies[i], b.items[i].rowNum)
		if em.out.Record != nil {
			if err := em.out.Record(b.ids[i], &b.recs[i]); err != nil {
				return err
			}
		}
	}
	if em.out.Progress != nil {
		em.out.Progress(len(b.items))
	}
	return nil
}

// duplicate rejects a row whose record id an earlier row already has: a
// record id must identify one record of the partner, and the linkage would
// otherwise refuse the whole file with a message naming no row.
func (em *emitter) duplicate(id string, k idKey, it item) *Reject {
	first, dup := em.seen.add(k, it.rowNum)
	if !dup {
		return nil
	}
	em.stats.Duplicates++
	return &Reject{Row: it.rowNum, Line: it.line, RecordID: id, Column: em.idColumn,
		Reason: fmt.Sprintf("duplicate record id: row %d has the same id, and only the first is encoded", first)}
}
