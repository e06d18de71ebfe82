package encoding

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time: on a shared machine it
// measures the encoder's cost better than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkEncode(b *testing.B) {
	rows := randomRows(20000, 11)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			e := newTestEncoder(b, testSchema, testSecret(1), WithWorkers(workers))
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				st, err := e.Encode(context.Background(), testHeader, NewRows(rows), Output{})
				if err != nil {
					b.Fatal(err)
				}
				n += st.Encoded
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(n)/(cpuTime()-cpu0).Seconds(), "records/cpu-s")
		})
	}
}
