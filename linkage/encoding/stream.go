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
	inErr      *base.InputError
}

type batch struct {
	seq     int
	err     error // fatal error while encoding the batch
	cells   []string
	items   []item
	recs    []Record
	ids     []string
	rejects []*Reject
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
		readErr = e.read(ctx, src, free, work)
	}()
	workers := make([]*worker, e.workers)
	var wg sync.WaitGroup
	for i := range workers {
		workers[i] = e.newWorker(bind)
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

	stats := newStats(e)
	outErr := e.emit(ctx, done, free, out, &stats)
	if outErr != nil {
		cancel()
		for range done { // let the reader and the workers finish
		}
	}
	for _, w := range workers {
		stats.add(&w.stats)
	}
	switch {
	case outErr != nil:
		return stats, outErr
	case readErr != nil:
		return stats, readErr
	case ctx.Err() != nil:
		return stats, ctx.Err()
	}
	return stats, nil
}

func (e *Encoder) newBatch() *batch {
	n := e.batchSize
	b := &batch{recs: make([]Record, n), ids: make([]string, n), rejects: make([]*Reject, n),
		words: make([]uint64, n*e.recordWords())}
	for i := range b.recs {
		b.recs[i] = Record{Fields: make([][]uint64, len(e.plans)),
			BlockKeys: make([]string, len(e.blocks)), Attrs: make([]string, len(e.schema.Attributes))}
	}
	return b
}

// read fills batches from src until EOF, an error or cancellation.
func (e *Encoder) read(ctx context.Context, src Source, free <-chan *batch, work chan<- *batch) error {
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
					b.items = append(b.items, item{rowNum: max(ie.Row, rowNum), inErr: ie})
					continue
				}
				end = err
				break
			}
			start := len(b.cells)
			b.cells = append(b.cells, row...)
			b.items = append(b.items, item{start: start, end: len(b.cells), rowNum: rowNum})
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
			b.rejects[i] = &Reject{Row: it.rowNum, Column: it.inErr.Column, Reason: it.inErr.Reason}
			continue
		}
		id, rej := w.encode(b.cells[it.start:it.end], it.rowNum, &b.recs[i], b.words[i*rw:(i+1)*rw])
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

// emit hands finished batches to out in sequence order and recycles them.
func (e *Encoder) emit(ctx context.Context, done <-chan *batch, free chan<- *batch, out Output, st *Stats) error {
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
			if err := emitBatch(nb, out, st); err != nil {
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

func emitBatch(b *batch, out Output, st *Stats) error {
	if b.err != nil {
		return b.err
	}
	for i := range b.items {
		st.Read++
		if r := b.rejects[i]; r != nil {
			st.Rejected++
			if out.Reject != nil {
				if err := out.Reject(*r); err != nil {
					return err
				}
			}
			continue
		}
		st.Encoded++
		if out.Record != nil {
			if err := out.Record(b.ids[i], &b.recs[i]); err != nil {
				return err
			}
		}
	}
	if out.Progress != nil {
		out.Progress(len(b.items))
	}
	return nil
}
