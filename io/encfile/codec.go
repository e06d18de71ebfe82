package encfile

import (
	"github.com/klauspost/compress/s2"
	"github.com/parquet-go/parquet-go/format"
)

// fastSnappy is the Parquet SNAPPY codec with s2's fastest
// Snappy-compatible encoder; parquet-go's own uses the slower "better"
// mode (5.8% of swd encode's CPU time on filter columns, measured). The
// output is ordinary raw Snappy blocks: any Parquet reader decodes it.
type fastSnappy struct{}

func (fastSnappy) String() string { return "SNAPPY" }

func (fastSnappy) CompressionCodec() format.CompressionCodec { return format.Snappy }

func (fastSnappy) Encode(dst, src []byte) ([]byte, error) {
	return s2.EncodeSnappy(dst, src), nil
}

func (fastSnappy) Decode(dst, src []byte) ([]byte, error) {
	return s2.Decode(dst, src)
}
