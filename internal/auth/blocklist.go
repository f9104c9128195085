package auth

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed" // the common-password list
	"strings"
	"sync"
)

//go:embed blocklist/common-passwords.txt.gz
var commonPasswordsGz []byte

// commonPasswords is loaded on first use: 18k entries, about 1 MiB in memory.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		panic("auth: embedded password blocklist: " + err.Error())
	}
	set := make(map[string]struct{}, 18000)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		set[sc.Text()] = struct{}{}
	}
	if err := sc.Err(); err != nil || len(set) < 10000 {
		panic("auth: embedded password blocklist is damaged")
	}
	return set
})

// IsCommonPassword reports whether the password, ignoring case, is on the list
// of common passwords (see blocklist/README.md for its source).
func IsCommonPassword(pw string) bool {
	_, ok := commonPasswords()[strings.ToLower(NormalizePassword(pw))]
	return ok
}
