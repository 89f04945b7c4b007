//go:build !unix

package ioc

import "time"

// processCPU is unavailable here; cpu_MB/s is then not reported.
func processCPU() time.Duration { return 0 }
