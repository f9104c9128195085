package testkit

import "syscall"

// ProcessCPU is the CPU time the process has used so far (user and system),
// in nanoseconds; 0 where the system cannot say. Benchmarks report it per
// operation beside ns/op: on a machine shared with other work the wall-clock
// time of a request mostly measures the wait for a core, while the CPU a
// request costs is what bounds requests per second.
func ProcessCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
