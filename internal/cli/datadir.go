package cli

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/salvehealth/salve/internal/config"
)

// ensureDataDir creates the data directory 0700: it holds the SQLite files and
// keys, which no other local user may read. An existing directory that others
// can read is tightened, with a warning.
func ensureDataDir(cfg *config.Config, log *slog.Logger) error {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	st, err := os.Stat(cfg.DataDir)
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		log.Warn("the data directory was readable by other users; restricting it to its owner", "dir", cfg.DataDir, "mode", st.Mode().Perm().String())
		if err := os.Chmod(cfg.DataDir, 0o700); err != nil { //nolint:gosec // a directory needs its execute bit to be entered; 0700 is owner-only
			return fmt.Errorf("restrict data directory: %w", err)
		}
	}
	return nil
}
