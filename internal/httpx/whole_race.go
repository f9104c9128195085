//go:build race

package httpx

// joinWrites makes a whole response leave in one write(2) of the joined
// bytes instead of one writev(2) in race builds. Why: the race detector
// counts a write(2) on a socket and the read(2) of what it wrote as
// synchronization (package syscall marks them), but not writev(2); under
// writev a test that changes the server's state after reading a response
// would be reported as racing with the handler that wrote it. The bytes
// on the wire are the same either way; the copy costs only race builds.
const joinWrites = true
