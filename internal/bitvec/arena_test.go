package bitvec

import "testing"

func TestArenaRoundTrip(t *testing.T) {
	a := NewArena(0, 128)
	v := make([]uint64, 2)
	Set(v, 0)
	Set(v, 65)
	Set(v, 127)
	a.Append(v)
	buf := PutBytes(make([]byte, 16), v)
	if buf[0] != 1 || buf[8] != 2 || buf[15] != 0x80 {
		t.Fatalf("bit order: %x", buf)
	}
	a.AppendBytes(buf)
	if a.Len() != 2 {
		t.Fatalf("len %d", a.Len())
	}
	for i := 0; i < 2; i++ {
		for _, k := range []int{0, 65, 127} {
			if !Get(a.At(i), k) {
				t.Fatalf("vector %d bit %d lost", i, k)
			}
		}
		if Get(a.At(i), 1) {
			t.Fatal("spurious bit")
		}
	}
}
