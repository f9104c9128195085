package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strings"
)

// Loader binds the settings of some groups to a flag set and turns flags and
// environment into a Config.
type Loader struct {
	groups Group
	values map[string]*string
	fs     *flag.FlagSet
	// Defaults overrides the default of a setting by flag name (demo logs as text).
	defaults map[string]string
}

// NewLoader declares the flags of the given groups on fs.
func NewLoader(fs *flag.FlagSet, groups Group, overrides map[string]string) *Loader {
	l := &Loader{groups: groups, values: make(map[string]*string), fs: fs, defaults: overrides}
	for _, s := range settings {
		if s.group&groups == 0 {
			continue
		}
		def := s.def
		if o, ok := overrides[s.name]; ok {
			def = o
		}
		usage := s.usage + " (env " + EnvName(s.name)
		if s.secret {
			usage += ", or " + EnvName(s.name) + "_FILE"
		}
		usage += ")"
		if s.boolean {
			b := &boolFlag{s: def}
			fs.Var(b, s.name, usage)
			l.values[s.name] = &b.s
			continue
		}
		l.values[s.name] = fs.String(s.name, def, usage)
	}
	return l
}

// boolFlag is a setting that is on or off: given alone (--name) it means
// true, and its value is kept as text for the setting's set to check.
type boolFlag struct{ s string }

func (b *boolFlag) String() string { return b.s }

func (b *boolFlag) Set(v string) error { b.s = v; return nil }

// IsBoolFlag lets the flag stand alone: --allow-test-payments.
func (b *boolFlag) IsBoolFlag() bool { return true }

// Error is an invalid setting. Its message is one line naming the setting.
type Error struct {
	Setting string // the flag name
	Msg     string
}

func (e *Error) Error() string { return "invalid --" + e.Setting + ": " + e.Msg }

// Load builds the Config after fs.Parse: flags first, then SALVE_NAME, then
// SALVE_NAME_FILE for secrets, then defaults; then it validates the whole.
// getenv is os.Getenv outside tests; readFile is os.ReadFile.
func (l *Loader) Load(getenv func(string) string, readFile func(string) ([]byte, error)) (*Config, error) {
	set := make(map[string]bool)
	l.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	c := &Config{sources: make(map[string]Source)}
	// Settings outside the loader's groups keep their defaults, so the Config is
	// always complete.
	for _, s := range settings {
		v, src := s.def, FromDefault
		if o, ok := l.defaults[s.name]; ok {
			v = o
		}
		if p, ok := l.values[s.name]; ok {
			switch env, file := getenv(EnvName(s.name)), getenv(EnvName(s.name)+"_FILE"); {
			case set[s.name]:
				v, src = *p, FromFlag
			case env != "" && s.secret && file != "":
				return nil, &Error{s.name, "both " + EnvName(s.name) + " and " + EnvName(s.name) + "_FILE are set; use one"}
			case env != "":
				v, src = env, FromEnv
			case s.secret && file != "":
				b, err := readFile(file)
				if err != nil {
					var pe *fs.PathError
					if errors.As(err, &pe) {
						err = pe.Err
					}
					return nil, &Error{s.name, "cannot read " + EnvName(s.name) + "_FILE: " + err.Error()}
				}
				// Files written by editors and secret managers end in a newline.
				v, src = strings.TrimRight(string(b), "\r\n"), FromFile
			}
		}
		if err := s.set(c, v); err != nil {
			if s.secret {
				return nil, &Error{s.name, err.Error()}
			}
			return nil, &Error{s.name, fmt.Sprintf("%q: %v", v, err)}
		}
		c.sources[s.name] = src
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// validate checks rules that span settings.
func (c *Config) validate() error {
	switch {
	case (c.TLSCert == "") != (c.TLSKey == ""):
		return &Error{"tls-cert", "--tls-cert and --tls-key go together; set both or neither"}
	case c.TLSCert != "" && len(c.ACMEDomains) > 0:
		return &Error{"acme-domain", "use either --tls-cert/--tls-key or --acme-domain, not both"}
	case c.TLSCert != "" && c.ACMETenantHosts:
		return &Error{"acme-tenant-hosts", "use either --tls-cert/--tls-key or --acme-tenant-hosts, not both"}
	case c.TLSCertDir != "" && !isDir(c.TLSCertDir):
		return &Error{"tls-cert-dir", fmt.Sprintf("%q is not a directory: create it and put HOST.crt with HOST.key (or HOST.pem) in it", c.TLSCertDir)}
	case !c.TLS() && !IsLoopback(c.Addr):
		// Why: PHI must be encrypted in transit (DESIGN §2.3). Plain HTTP is only
		// acceptable on loopback, where it never crosses a network.
		return &Error{"addr", fmt.Sprintf("%q is not a loopback address, and serving beyond loopback requires TLS: set --tls-cert and --tls-key, --tls-cert-dir, or --acme-domain", c.Addr)}
	case c.RedirectAddr != "" && !c.TLS():
		return &Error{"redirect-addr", "redirecting to HTTPS needs TLS: set --tls-cert and --tls-key, --tls-cert-dir, or --acme-domain"}
	case c.SMTPAddr != "" && c.SMTPFrom == "":
		return &Error{"smtp-from", "sending email needs a sender address: set --smtp-from"}
	case c.SMTPAddr != "" && c.SMTPTLS == "none" && !IsLoopback(c.SMTPAddr):
		// Why: an email carries an address (PHI) and one-time links; it must
		// not cross a network in the clear.
		return &Error{"smtp-tls", "a mail relay beyond loopback needs TLS: use --smtp-tls starttls or tls"}
	case slices.Contains(c.PaymentGateways, "test") && !c.AllowTestPayments:
		// Why: the test gateway marks every order paid and moves no money; a
		// shop that offers it by a slip of configuration gives its stock away.
		// It takes a second, explicit setting that says so.
		return &Error{"payment-gateways", "the test gateway marks orders paid and no money moves, so it is for demos and trials only: add --allow-test-payments to offer it anyway"}
	case len(c.BackupTo) > 0 && len(c.BackupRecipients) == 0:
		// Why: backups are only ever written encrypted; there is no
		// unencrypted mode to fall back to.
		return &Error{"backup-recipients", "scheduled backups are always encrypted: set --backup-recipients to one or more age public keys"}
	case len(c.BackupRecipients) > 0 && len(c.BackupTo) == 0:
		return &Error{"backup-to", "--backup-recipients is set but no --backup-to target: say where scheduled backups go"}
	case slices.Contains(c.PaymentGateways, "stripe") && (c.StripeSecretKey == "" || c.StripeWebhookSecret == ""):
		return &Error{"payment-gateways", "the stripe gateway needs --stripe-secret-key and --stripe-webhook-secret"}
	}
	return nil
}

// Dump writes the effective configuration of the loader's groups, one setting a
// line, with every secret masked.
func (l *Loader) Dump(w io.Writer, c *Config) error {
	for _, s := range settings {
		if s.group&l.groups == 0 {
			continue
		}
		v := s.get(c)
		if s.secret {
			v = Mask(v)
		}
		if v == "" {
			v = `""`
		}
		if _, err := fmt.Fprintf(w, "%-17s %-44s (%s)\n", s.name, v, c.SourceOf(s.name)); err != nil {
			return err
		}
	}
	return nil
}

// Mask hides the secret parts of a value: the password of a URL, or all of
// anything else.
func Mask(v string) string {
	if v == "" {
		return ""
	}
	if u, err := url.Parse(v); err == nil && u.Scheme != "" && u.Host != "" {
		if u.User != nil {
			if _, ok := u.User.Password(); ok {
				u.User = url.UserPassword(u.User.Username(), "xxxxx")
			}
		}
		q := u.Query()
		for k := range q {
			if strings.Contains(strings.ToLower(k), "password") || strings.Contains(strings.ToLower(k), "secret") {
				q.Set(k, "xxxxx")
			}
		}
		u.RawQuery = q.Encode()
		return strings.ReplaceAll(u.String(), "xxxxx", "*****")
	}
	return "*****"
}

// Defaults returns the configuration with every setting at its default, for
// tests and tools that fill in the rest themselves.
func Defaults() *Config {
	fs := flag.NewFlagSet("defaults", flag.ContinueOnError)
	c, err := NewLoader(fs, Stores|Server|Logging, nil).Load(func(string) string { return "" }, nil)
	if err != nil {
		panic("config: the defaults do not validate: " + err.Error())
	}
	return c
}

// isDir reports whether path is a directory.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
