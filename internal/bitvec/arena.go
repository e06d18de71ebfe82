package bitvec

import "encoding/binary"

// Arena holds n bit vectors of the same size in one contiguous slice, so the
// similarity kernels stream through memory without pointer chasing.
// Filter i occupies Data[i*Words : (i+1)*Words]. Bit k of a filter is bit
// k%64 of word k/64; serialised, words are little-endian, so bit k is bit
// k%8 of byte k/8.
type Arena struct {
	Words int      // 64-bit words per vector
	Data  []uint64 // len(Data) == Len()*Words
}

// NewArena returns an arena with room for n vectors of bits bits (rounded up
// to whole words), all zero.
func NewArena(n, bits int) Arena {
	w := WordsFor(bits)
	return Arena{Words: w, Data: make([]uint64, n*w)}
}

// WordsFor is the number of 64-bit words that hold bits bits.
func WordsFor(bits int) int { return (bits + 63) / 64 }

// Len is the number of vectors.
func (a Arena) Len() int {
	if a.Words == 0 {
		return 0
	}
	return len(a.Data) / a.Words
}

// At returns vector i, sharing memory with the arena.
func (a Arena) At(i int) []uint64 { return a.Data[i*a.Words : (i+1)*a.Words : (i+1)*a.Words] }

// Append adds a copy of v, which must have a.Words words.
func (a *Arena) Append(v []uint64) {
	if len(v) != a.Words {
		panic("bitvec: Append of a vector of the wrong size")
	}
	a.Data = append(a.Data, v...)
}

// AppendBytes adds a vector given in its serialised form (len(b) == 8*a.Words).
func (a *Arena) AppendBytes(b []byte) {
	if len(b) != 8*a.Words {
		panic("bitvec: AppendBytes of a vector of the wrong size")
	}
	for i := 0; i < a.Words; i++ {
		a.Data = append(a.Data, binary.LittleEndian.Uint64(b[8*i:]))
	}
}

// PutBytes serialises v into dst (len(dst) >= 8*len(v)) and returns the
// bytes written.
func PutBytes(dst []byte, v []uint64) []byte {
	for i, w := range v {
		binary.LittleEndian.PutUint64(dst[8*i:], w)
	}
	return dst[:8*len(v)]
}

// Set sets bit k of v.
func Set(v []uint64, k int) { v[k>>6] |= 1 << (uint(k) & 63) }

// Get reports whether bit k of v is set.
func Get(v []uint64, k int) bool { return v[k>>6]&(1<<(uint(k)&63)) != 0 }
