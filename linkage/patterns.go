package linkage

import (
	"sync"

	"github.com/welfare-district/swd/linkage/model"
)

// pairPatterns keeps the agreement pattern of every candidate of a job as
// its patterns are counted, two bytes a pair, so that the scoring reads a
// pair's pattern instead of comparing its field filters a second time
// (the comparisons were most of the CPU time of a large run: each is a
// handful of cache misses on the other side's filters). The first
// maxPatternIDs distinct patterns of the job get an id; a pair of any other
// pattern is stored as noPatternID and compared again when scored. (One
// byte was too few: with the synth schema a partner pair's candidates show
// thousands of patterns, and 40–60% of the pairs were outside the first
// 255.)
type pairPatterns struct {
	mu    sync.Mutex
	index map[uint64]uint16
	keys  []uint64    // pattern key of each id
	reps  [][2]uint32 // a pair of each id's pattern: the scorer weighs it once for all
	ids   [][]uint16  // ids of the pairs of each chunk of the job's candidates
}

const (
	maxPatternIDs = 1<<16 - 1
	noPatternID   = 1<<16 - 1
)

func newPairPatterns(chunks int) *pairPatterns {
	return &pairPatterns{index: map[uint64]uint16{}, ids: make([][]uint16, chunks)}
}

// id returns the id of key, assigning the next one (with (i, j) as its
// representative) when key is new and ids are left. local caches ids for
// one worker, so the lock is taken once per pattern and worker.
func (pp *pairPatterns) id(local map[uint64]uint16, key uint64, i, j uint32) uint16 {
	if id, ok := local[key]; ok {
		return id
	}
	pp.mu.Lock()
	id, ok := pp.index[key]
	if !ok {
		id = noPatternID
		if len(pp.keys) < maxPatternIDs {
			id = uint16(len(pp.keys))
			pp.index[key] = id
			pp.keys = append(pp.keys, key)
			pp.reps = append(pp.reps, [2]uint32{i, j})
		}
	}
	pp.mu.Unlock()
	if ok || id != noPatternID {
		local[key] = id
	}
	return id
}

// bytes is the memory the ids hold.
func (pp *pairPatterns) bytes() int64 {
	if pp == nil {
		return 0
	}
	var n int64
	for _, c := range pp.ids {
		n += 2 * int64(cap(c))
	}
	return n
}

// weigher returns the key and weight of each id, from the scorer weighing
// the id's representative pair, or nil when the scorer's weights depend on
// more than the pattern (term-frequency adjustments): then every pair is
// weighed on its own.
func (pp *pairPatterns) weigher(sc *model.Scorer) (keys []uint64, weights []float64) {
	if pp == nil || sc.TermFrequencies() {
		return nil, nil
	}
	keys = pp.keys
	weights = make([]float64, len(pp.reps))
	for id, r := range pp.reps {
		var key uint64
		key, weights[id] = sc.Weigh(int(r[0]), int(r[1]))
		if key != keys[id] {
			return nil, nil // a scorer of other comparisons: weigh every pair
		}
	}
	return keys, weights
}
