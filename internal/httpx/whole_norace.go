//go:build !race

package httpx

// joinWrites is false outside race builds: a whole response leaves in one
// writev(2) of the held bytes and the last write, without copying the last
// (see whole_race.go).
const joinWrites = false
