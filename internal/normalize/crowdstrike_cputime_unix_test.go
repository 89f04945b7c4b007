//go:build unix

package normalize

import (
	"syscall"
	"time"
)

// crowdstrikeCPUTime returns the CPU time the process has used, user and
// system, so that benchmarks can report records per CPU second: on a
// shared machine wall-clock rates fall with the load of other processes.
func crowdstrikeCPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
