package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"
)

// counter passes writes through, counting bytes and hashing them.
type counter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func newCounter(w io.Writer) *counter { return &counter{w: w, h: sha256.New()} }

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}

func (c *counter) file(name string) File {
	return File{Name: name, Size: c.n, SHA256: hex.EncodeToString(c.h.Sum(nil))}
}

// sealer encrypts the files of a backup into a scratch folder, recording each
// file's plaintext and ciphertext size and hash.
type sealer struct {
	dir    string
	recips []age.Recipient
	plain  []File // inner manifest
	cipher []File // outer manifest
}

// seal writes name.age with what fill writes, encrypted to the recipients.
// Plaintext never touches the disk here: fill writes into the encryption.
func (s *sealer) seal(name string, fill func(w io.Writer) error) (err error) {
	if err := checkName(name); err != nil {
		return err
	}
	p := filepath.Join(s.dir, filepath.FromSlash(name)+".age")
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) //nolint:gosec // a scratch file named by checkName
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	cw := newCounter(f)
	enc, err := age.Encrypt(cw, s.recips...)
	if err != nil {
		return fmt.Errorf("encrypt %s: %w", name, err)
	}
	pw := newCounter(enc)
	if err := fill(pw); err != nil {
		return fmt.Errorf("back up %s: %w", name, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encrypt %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		return err
	}
	s.plain = append(s.plain, pw.file(name))
	s.cipher = append(s.cipher, cw.file(name+".age"))
	return nil
}

// sealFile seals the file at path as name.
func (s *sealer) sealFile(name, path string) error {
	return s.seal(name, func(w io.Writer) error {
		f, err := os.Open(path) //nolint:gosec // a snapshot this process wrote in its scratch folder
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	})
}
