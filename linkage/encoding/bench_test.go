package encoding

import (
	"context"
	"fmt"
	"testing"

	"github.com/welfare-district/swd/internal/rusage"
)

func BenchmarkEncode(b *testing.B) {
	rows := randomRows(20000, 11)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			e := newTestEncoder(b, testSchema, testSecret(1), WithWorkers(workers))
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			cpu0 := rusage.CPU()
			for i := 0; i < b.N; i++ {
				st, err := e.Encode(context.Background(), testHeader, NewRows(rows), Output{})
				if err != nil {
					b.Fatal(err)
				}
				n += st.Encoded
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(n)/(rusage.CPU()-cpu0).Seconds(), "records/cpu-s")
		})
	}
}
