package vault

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/salvehealth/salve/internal/clock"
)

// KeyFileName is the default KEK file's name in the data directory.
const KeyFileName = "kek.json"

// KeyFileEnv names the environment variable that overrides the KEK file path.
const KeyFileEnv = "SALVE_KEK_FILE"

// keyFile is the KEK provider backed by a JSON file of AES-256 keys.
type keyFile struct {
	path  string
	clock clock.Clock

	mu      sync.Mutex
	doc     keyDoc
	modTime time.Time
	size    int64
}

type keyDoc struct {
	Primary  string       `json:"primary"`
	Versions []keyVersion `json:"versions"`
}

type keyVersion struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	// Key is the base64 AES-256 key; empty once retired.
	Key     string    `json:"key,omitempty"`
	Retired time.Time `json:"retired,omitzero"`
}

// OpenKeyFile returns the KEK provider kept in the file at path, creating the
// file with a first version (mode 0600) when it does not exist.
//
// Why a file and not the PHI store: whoever steals the database must not also
// get the key that unwraps it. The file lives in the data directory by
// default; in production it can sit on another volume (SALVE_KEK_FILE), or a
// KMS provider replaces it.
func OpenKeyFile(path string) (KEKProvider, error) {
	return openKeyFile(path, clock.System{})
}

func openKeyFile(path string, c clock.Clock) (*keyFile, error) {
	k := &keyFile{path: path, clock: c}
	if err := k.load(); errors.Is(err, fs.ErrNotExist) {
		k.doc = keyDoc{}
		if _, err := k.addLocked(); err != nil {
			return nil, err
		}
		if err := k.write(true); err != nil {
			if errors.Is(err, fs.ErrExist) {
				// Another process created it first: use theirs.
				return k, k.load()
			}
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	return k, nil
}

// load reads the file. Callers hold mu, or own k exclusively.
func (k *keyFile) load() error {
	f, err := os.Open(k.path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("KEK file: %w", err)
	}
	// Why refuse a loose mode: a key file that other users can read is a key
	// that has leaked; saying so now beats finding out in an incident.
	if st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("KEK file %s is readable by other users (mode %v); chmod 600 it", k.path, st.Mode().Perm())
	}
	var doc keyDoc
	if err := json.NewDecoder(f).Decode(&doc); err != nil {
		return fmt.Errorf("KEK file %s: not valid JSON", k.path)
	}
	if doc.find(doc.Primary) == nil {
		return fmt.Errorf("KEK file %s: no primary version", k.path)
	}
	k.doc, k.modTime, k.size = doc, st.ModTime(), st.Size()
	return nil
}

// refresh reloads the file if another process (salve keys rotate) changed it.
func (k *keyFile) refresh() error {
	st, err := os.Stat(k.path)
	if err != nil {
		return fmt.Errorf("KEK file: %w", err)
	}
	if st.ModTime().Equal(k.modTime) && st.Size() == k.size {
		return nil
	}
	return k.load()
}

// write replaces the file atomically (temp file, sync, rename), or creates it
// only if absent when excl is set.
func (k *keyFile) write(excl bool) error {
	b, err := json.MarshalIndent(k.doc, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(k.path), ".kek-*")
	if err != nil {
		return fmt.Errorf("KEK file: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(append(b, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("KEK file: %w", err)
	}
	// CreateTemp makes the file 0600, which the key file keeps.
	if excl {
		err = os.Link(tmp.Name(), k.path)
	} else {
		err = os.Rename(tmp.Name(), k.path)
	}
	if err != nil {
		return fmt.Errorf("KEK file: %w", err)
	}
	if st, err := os.Stat(k.path); err == nil {
		k.modTime, k.size = st.ModTime(), st.Size()
	}
	return nil
}

func (d *keyDoc) find(id string) *keyVersion {
	for i := range d.Versions {
		if d.Versions[i].ID == id {
			return &d.Versions[i]
		}
	}
	return nil
}

func (k *keyFile) addLocked() (KEKVersion, error) {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails on supported platforms (Go 1.24+)
	v := keyVersion{ID: "kek-" + strconv.Itoa(len(k.doc.Versions)+1), Created: k.clock.Now(), Key: base64.StdEncoding.EncodeToString(key)}
	k.doc.Versions = append(k.doc.Versions, v)
	k.doc.Primary = v.ID
	return KEKVersion{ID: v.ID, Created: v.Created, Primary: true}, nil
}

func (k *keyFile) gcm(id string) (cipher.AEAD, error) {
	v := k.doc.find(id)
	if v == nil {
		return nil, fmt.Errorf("KEK version %q is unknown", id)
	}
	if v.Key == "" {
		return nil, fmt.Errorf("KEK version %q is retired", id)
	}
	key, err := base64.StdEncoding.DecodeString(v.Key)
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("KEK version %q is malformed", id)
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// kekAAD binds a wrap to its version as well as the caller's associated data,
// so a ciphertext relabelled with another version id cannot be unwrapped.
func kekAAD(version string, aad []byte) []byte {
	return lp(nil, "salve.vault.kek.v1", version, string(aad))
}

// Wrap implements KEKProvider with AES-256-GCM and a random nonce.
func (k *keyFile) Wrap(_ context.Context, plaintext, aad []byte) (string, []byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.refresh(); err != nil {
		return "", nil, err
	}
	id := k.doc.Primary
	g, err := k.gcm(id)
	if err != nil {
		return "", nil, err
	}
	nonce := make([]byte, g.NonceSize(), g.NonceSize()+len(plaintext)+g.Overhead())
	_, _ = rand.Read(nonce)
	return id, g.Seal(nonce, nonce, plaintext, kekAAD(id, aad)), nil
}

// Unwrap implements KEKProvider.
func (k *keyFile) Unwrap(_ context.Context, version string, ciphertext, aad []byte) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.doc.find(version) == nil {
		// A version added by another process since we loaded the file.
		if err := k.refresh(); err != nil {
			return nil, err
		}
	}
	g, err := k.gcm(version)
	if err != nil {
		return nil, err
	}
	if len(ciphertext) < g.NonceSize() {
		return nil, errors.New("wrapped key is too short")
	}
	pt, err := g.Open(nil, ciphertext[:g.NonceSize()], ciphertext[g.NonceSize():], kekAAD(version, aad))
	if err != nil {
		return nil, errors.New("wrapped key does not open with its KEK version")
	}
	return pt, nil
}

// Versions implements KEKProvider.
func (k *keyFile) Versions(context.Context) ([]KEKVersion, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.refresh(); err != nil {
		return nil, err
	}
	out := make([]KEKVersion, 0, len(k.doc.Versions))
	for _, v := range k.doc.Versions {
		out = append(out, KEKVersion{ID: v.ID, Created: v.Created, Primary: v.ID == k.doc.Primary, Retired: v.Retired})
	}
	return out, nil
}

// AddVersion implements KEKProvider.
func (k *keyFile) AddVersion(context.Context) (KEKVersion, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.refresh(); err != nil {
		return KEKVersion{}, err
	}
	old := k.doc
	old.Versions = append([]keyVersion(nil), k.doc.Versions...)
	v, err := k.addLocked()
	if err == nil {
		err = k.write(false)
	}
	if err != nil {
		k.doc = old
		return KEKVersion{}, err
	}
	return v, nil
}

// Retire implements KEKProvider: it erases the version's key from the file.
func (k *keyFile) Retire(_ context.Context, version string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.refresh(); err != nil {
		return err
	}
	if version == k.doc.Primary {
		return errors.New("the primary KEK version cannot be retired")
	}
	v := k.doc.find(version)
	if v == nil {
		return fmt.Errorf("KEK version %q is unknown", version)
	}
	if v.Key == "" {
		return nil
	}
	v.Key, v.Retired = "", k.clock.Now()
	return k.write(false)
}
