//go:build !unix

package history

import "time"

// processCPU is unavailable here; cpu_ns/op is then not reported.
func processCPU() time.Duration { return 0 }
