package testkit

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// PGServer is a PostgreSQL server of the test's own, on loopback, that the
// test may crash and restart (the fault drills). Why not the shared server
// of SALVE_TEST_POSTGRES: restarting that one would break every other test
// using it.
type PGServer struct {
	// URL reaches the server's postgres database as the superuser.
	URL  string
	bin  string
	dir  string // data directory
	port int
	as   []string // runuser prefix when the test runs as root
}

// StartPGServer initialises a fresh cluster in a temporary directory and
// starts it on a free loopback port; it is stopped and removed when the test
// ends. PostgreSQL's server programs come from the Debian package the
// machine has (/usr/lib/postgresql/N/bin). As root (CI) they run as the
// postgres user, since PostgreSQL refuses to run as root.
func StartPGServer(t testing.TB) *PGServer {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Fatal("PostgreSQL server programs not found (/usr/lib/postgresql/*/bin): apt-get install -y postgresql")
	}
	slices.Sort(bins)
	s := &PGServer{bin: filepath.Dir(bins[len(bins)-1])}
	top, err := os.MkdirTemp("", "salve-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(top) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(top, uid, gid); err != nil {
			t.Fatal(err)
		}
		s.as = []string{"runuser", "-u", "postgres", "--"}
	}
	s.dir = filepath.Join(top, "data")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.port = ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	if out, err := s.run("initdb", "-D", s.dir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	s.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Crash() })
	return s
}

// run runs one of PostgreSQL's programs (as the postgres user under root).
func (s *PGServer) run(prog string, args ...string) ([]byte, error) {
	argv := append(append(slices.Clone(s.as), filepath.Join(s.bin, prog)), args...)
	return exec.Command(argv[0], argv[1:]...).CombinedOutput() //nolint:gosec // the test's own PostgreSQL programs and arguments
}

// Start starts the server and waits until it accepts connections.
func (s *PGServer) Start() error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=300", s.port, filepath.Dir(s.dir))
	if out, err := s.run("pg_ctl", "-D", s.dir, "-o", opts, "-l", filepath.Join(filepath.Dir(s.dir), "log"), "-w", "-t", "60", "start"); err != nil {
		return fmt.Errorf("pg_ctl start: %w\n%s", err, out)
	}
	return nil
}

// Crash stops the server the way a crash does (immediate mode: no
// checkpoint, every connection cut; the next start recovers from the WAL).
func (s *PGServer) Crash() error {
	if out, err := s.run("pg_ctl", "-D", s.dir, "-m", "immediate", "-w", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %w\n%s", err, out)
	}
	return nil
}
