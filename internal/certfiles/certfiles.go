// Package certfiles serves TLS certificates from a directory of files, one
// per host name: HOST.crt with HOST.key, or HOST.pem holding the chain and
// the key together. The certificate for a connection is picked by the name
// the client asks for (SNI). The directory is read again when its files
// change (looked at, at most once per Interval, by the next handshake) and
// when Reload is called (salve serve calls it on SIGHUP).
//
// A file that cannot be loaded keeps the certificate loaded before it (and
// is reported through the log): replacing a certificate must never take a
// working host offline halfway through a copy.
package certfiles

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Interval is how often, at most, a handshake looks for changed files.
const Interval = 2 * time.Second

// Dir is a certificate directory.
type Dir struct {
	path string
	log  *slog.Logger
	// Interval overrides the package's Interval (tests).
	Interval time.Duration

	mu      sync.RWMutex
	certs   map[string]*tls.Certificate
	stamp   string
	checked time.Time
}

// Open reads the directory. Every file must load: a certificate that
// cannot be used is a mistake to report before serving, not at a client's
// handshake.
func Open(path string, log *slog.Logger) (*Dir, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Dir{path: path, log: log, Interval: Interval}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", path)
	}
	certs, stamp, errs := d.load(nil)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	d.certs, d.stamp, d.checked = certs, stamp, time.Now()
	return d, nil
}

// Hosts lists the host names with a certificate, sorted.
func (d *Dir) Hosts() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	hosts := make([]string, 0, len(d.certs))
	for h := range d.certs {
		hosts = append(hosts, h)
	}
	slices.Sort(hosts)
	return hosts
}

// Certificate returns the certificate for host, or nil if the directory
// has none for it. It reads the directory again first when Interval has
// passed and a file changed.
func (d *Dir) Certificate(host string) *tls.Certificate {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	d.mu.RLock()
	stale := time.Since(d.checked) >= d.Interval
	d.mu.RUnlock()
	if stale {
		d.refresh(false)
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.certs[host]
}

// Reload reads the directory again now, whether or not a file seems to
// have changed (SIGHUP).
func (d *Dir) Reload() { d.refresh(true) }

func (d *Dir) refresh(force bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.checked = time.Now()
	stamp, err := d.scanStamp()
	if err != nil {
		d.log.Warn("certificate directory unreadable; serving the certificates loaded before", "dir", d.path, "err", err)
		return
	}
	if !force && stamp == d.stamp {
		return
	}
	certs, stamp, errs := d.load(d.certs)
	for _, err := range errs {
		d.log.Warn("certificate file not loaded; the host keeps the certificate loaded before, if any", "err", err)
	}
	d.certs, d.stamp = certs, stamp
	d.log.Info("certificate directory loaded", "dir", d.path, "hosts", len(certs))
}

// pair is one host's files.
type pair struct{ cert, key string }

// scan lists each host's files; a name that is not a host name is skipped.
func (d *Dir) scan() (map[string]pair, error) {
	entries, err := os.ReadDir(d.path)
	if err != nil {
		return nil, err
	}
	hosts := map[string]pair{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		ext := filepath.Ext(name)
		host := strings.ToLower(strings.TrimSuffix(name, ext))
		if !validHost(host) {
			continue
		}
		p := hosts[host]
		full := filepath.Join(d.path, name)
		switch ext {
		case ".crt":
			p.cert = full
		case ".key":
			p.key = full
		case ".pem":
			// HOST.pem holds both; HOST.crt/HOST.key win if both are there.
			if p.cert == "" {
				p.cert = full
			}
			if p.key == "" {
				p.key = full
			}
		default:
			continue
		}
		hosts[host] = p
	}
	return hosts, nil
}

// scanStamp is a fingerprint of the files' names, sizes and times.
func (d *Dir) scanStamp() (string, error) {
	entries, err := os.ReadDir(d.path)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			continue // removed meanwhile; the next look sees it gone
		}
		fmt.Fprintf(&b, "%s %d %d\n", e.Name(), fi.Size(), fi.ModTime().UnixNano())
	}
	return b.String(), nil
}

// load reads every host's files; a host whose files fail keeps its
// certificate from before (if any) and its error is returned.
func (d *Dir) load(before map[string]*tls.Certificate) (map[string]*tls.Certificate, string, []error) {
	stamp, err := d.scanStamp()
	if err != nil {
		return before, "", []error{err}
	}
	hosts, err := d.scan()
	if err != nil {
		return before, "", []error{err}
	}
	certs := map[string]*tls.Certificate{}
	var errs []error
	for host, p := range hosts {
		if p.cert == "" || p.key == "" {
			errs = append(errs, fmt.Errorf("%s: %s.crt needs %s.key beside it (or put both in %s.pem)", d.path, host, host, host))
		} else if c, err := tls.LoadX509KeyPair(p.cert, p.key); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.cert, err))
		} else {
			certs[host] = &c
			continue
		}
		if old, ok := before[host]; ok {
			certs[host] = old
		}
	}
	return certs, stamp, errs
}

// validHost reports whether name is a host name (letters, digits, hyphens
// and dots), so that other files in the directory are left alone.
func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return false
			}
		}
	}
	return true
}
