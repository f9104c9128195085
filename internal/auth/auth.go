// Package auth holds the mechanics of authentication: password hashing and
// policy, one-time passwords, recovery codes, session tokens, single sign-on,
// throttling. It decides nothing about who may see what; that is package access.
package auth
