// Package auth holds the mechanics of authentication: password hashing and
// policy, one-time passwords, recovery codes, session tokens and their
// lifetimes, throttling. It decides nothing about who may see what; that is
// package access. (Single sign-on's OpenID Connect client is the adapter in
// internal/oidc.)
package auth
