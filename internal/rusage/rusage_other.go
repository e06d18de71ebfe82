//go:build !unix

package rusage

import "time"

// CPU is unknown here: 0.
func CPU() time.Duration { return 0 }

// MaxRSS is unknown here: 0.
func MaxRSS() int64 { return 0 }
