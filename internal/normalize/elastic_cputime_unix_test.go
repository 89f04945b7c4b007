//go:build unix

package normalize

import (
	"syscall"
	"time"
)

// elasticCPUTime returns the CPU time, user and system, the process has
// used, so that the elastic, ocsf and generic benchmarks can report records
// per CPU second: on a shared machine wall-clock rates fall with the load
// of other processes.
func elasticCPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
