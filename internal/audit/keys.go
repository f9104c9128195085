package audit

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// KeyFileName is the audit key file's name in the data directory.
const KeyFileName = "audit-keys.json"

// Keys are the audit log's secrets: the Ed25519 key that signs checkpoints and
// the HMAC key that turns free text into a comparable, unreadable value.
type Keys struct {
	Signing ed25519.PrivateKey
	HMAC    []byte
}

// Public returns the key that verifies checkpoints.
func (k *Keys) Public() ed25519.PublicKey { return k.Signing.Public().(ed25519.PublicKey) }

type keyFile struct {
	Ed25519Seed string `json:"ed25519_seed"`
	HMACKey     string `json:"hmac_key"`
}

// NewKeys returns fresh random keys.
func NewKeys() *Keys {
	seed := make([]byte, ed25519.SeedSize)
	hk := make([]byte, 32)
	// crypto/rand.Read never fails on supported platforms (Go 1.24+).
	_, _ = rand.Read(seed)
	_, _ = rand.Read(hk)
	return &Keys{Signing: ed25519.NewKeyFromSeed(seed), HMAC: hk}
}

// LoadKeys reads the key file at path, creating it with fresh keys (mode 0600)
// when it does not exist.
//
// Why a file in the data directory and not the audit store: whoever can rewrite
// the audit store must not also be able to re-sign checkpoints, so the signing
// key lives apart from it, readable by the owner only.
func LoadKeys(path string) (*Keys, error) {
	b, err := os.ReadFile(path) //nolint:gosec // the path is the operator's own configuration
	if errors.Is(err, fs.ErrNotExist) {
		k := NewKeys()
		if err := writeKeys(path, k); err != nil {
			return nil, err
		}
		return k, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit key file: %w", err)
	}
	var kf keyFile
	if err := json.Unmarshal(b, &kf); err != nil {
		return nil, fmt.Errorf("audit key file %s: not valid JSON", path)
	}
	seed, err1 := base64.StdEncoding.DecodeString(kf.Ed25519Seed)
	hk, err2 := base64.StdEncoding.DecodeString(kf.HMACKey)
	if err1 != nil || err2 != nil || len(seed) != ed25519.SeedSize || len(hk) < 32 {
		return nil, fmt.Errorf("audit key file %s: malformed keys", path)
	}
	return &Keys{Signing: ed25519.NewKeyFromSeed(seed), HMAC: hk}, nil
}

// LoadPublicKey reads the verification key from the key file at path; it never
// creates one (verifying against a fresh key would prove nothing).
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("audit key file: %w", err)
	}
	k, err := LoadKeys(path)
	if err != nil {
		return nil, err
	}
	return k.Public(), nil
}

func writeKeys(path string, k *Keys) error {
	b, err := json.MarshalIndent(keyFile{
		Ed25519Seed: base64.StdEncoding.EncodeToString(k.Signing.Seed()),
		HMACKey:     base64.StdEncoding.EncodeToString(k.HMAC),
	}, "", "  ")
	if err != nil {
		return err
	}
	// Why O_EXCL and 0600: never overwrite an existing key (that would orphan
	// every checkpoint signed with it), and keep it from other local users.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".audit-keys-*")
	if err != nil {
		return fmt.Errorf("audit key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("audit key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("audit key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("audit key file: %w", err)
	}
	// os.Link fails if path exists, so two processes starting together cannot
	// both create a key and leave one of them orphaned.
	if err := os.Link(tmp.Name(), path); err != nil {
		return fmt.Errorf("audit key file: %w", err)
	}
	return nil
}

// textHMAC is HMAC-SHA256 over a domain and the text.
func textHMAC(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("salve.audit.text.v1\x00"))
	m.Write([]byte(s))
	return m.Sum(nil)
}
