//go:build !unix

package correlate

import "time"

// processCPU is unavailable here; the cpu-ns/alert metric then reads 0.
func processCPU() time.Duration { return 0 }
