//go:build !unix

package normalize

import "time"

// elasticCPUTime is unknown here; benchmarks then report wall-clock rates
// only.
func elasticCPUTime() time.Duration { return 0 }
