//go:build unix

package correlate

import (
	"syscall"
	"time"
)

// processCPU returns the user and system CPU time the process has used. On
// a shared machine, CPU time per alert is steadier than wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
