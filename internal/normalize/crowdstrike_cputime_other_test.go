//go:build !unix

package normalize

import "time"

// crowdstrikeCPUTime is unknown here; benchmarks then report no CPU rate.
func crowdstrikeCPUTime() time.Duration { return 0 }
