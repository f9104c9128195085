package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
)

// Group is a set of settings that a command takes.
type Group uint8

// The groups.
const (
	// Stores: where the data lives (every command that opens a store).
	Stores Group = 1 << iota
	// Server: listening, TLS, limits (serve, demo).
	Server
	// Logging: log format and level.
	Logging
)

// setting is one configurable value.
type setting struct {
	name    string // flag name; the environment variable is SALVE_ + upper snake case
	group   Group
	def     string
	usage   string
	secret  bool // also read from SALVE_NAME_FILE; masked when printed
	boolean bool // a switch: --name alone means true
	set     func(c *Config, v string) error
	get     func(c *Config) string
}

// settings is the single declaration of every setting.
var settings = []setting{
	{name: "addr", group: Server, def: "127.0.0.1:8080",
		usage: "address to listen on; anything but loopback needs TLS",
		set:   func(c *Config, v string) error { c.Addr = v; return checkHostPort(v) },
		get:   func(c *Config) string { return c.Addr }},
	{name: "data", group: Stores, def: "./salve-data",
		usage: "data directory: SQLite files, keys, checkpoints (created 0700)",
		set: func(c *Config, v string) error {
			if v == "" {
				return errors.New("must not be empty")
			}
			c.DataDir = v
			return nil
		},
		get: func(c *Config) string { return c.DataDir }},
	{name: "catalog-db", group: Stores, secret: true,
		usage: "catalog store: a PostgreSQL URL, or empty for catalog.db in the data directory",
		set:   func(c *Config, v string) error { c.CatalogDB = v; return checkDSN(v) },
		get:   func(c *Config) string { return c.CatalogDB }},
	{name: "phi-db", group: Stores, secret: true,
		usage: "PHI store: a PostgreSQL URL, or empty for phi.db in the data directory",
		set:   func(c *Config, v string) error { c.PHIDB = v; return checkDSN(v) },
		get:   func(c *Config) string { return c.PHIDB }},
	{name: "audit-db", group: Stores, secret: true,
		usage: "audit store: a PostgreSQL URL, or empty for audit.db in the data directory",
		set:   func(c *Config, v string) error { c.AuditDB = v; return checkDSN(v) },
		get:   func(c *Config) string { return c.AuditDB }},
	{name: "kek-file", group: Stores,
		usage: "key-encryption key file (created 0600 on first start); empty for kek.json in the data directory",
		set:   func(c *Config, v string) error { c.KEKFile = v; return nil },
		get:   func(c *Config) string { return c.KEKFile }},
	{name: "shred-ledger-file", group: Stores,
		usage: "shred ledger, replayed on restore; empty for shred-ledger.jsonl beside the KEK file (must be writable, outside the stores' backups)",
		set:   func(c *Config, v string) error { c.ShredLedgerFile = v; return nil },
		get:   func(c *Config) string { return c.ShredLedgerFile }},
	{name: "audit-key-file", group: Stores,
		usage: "audit checkpoint signing key file (created 0600); empty for audit-keys.json in the data directory",
		set:   func(c *Config, v string) error { c.AuditKeyFile = v; return nil },
		get:   func(c *Config) string { return c.AuditKeyFile }},
	{name: "audit-checkpoint-file", group: Stores,
		usage: "signed audit checkpoints, kept outside the audit store; empty for audit-checkpoints.jsonl in the data directory",
		set:   func(c *Config, v string) error { c.AuditCheckpointFile = v; return nil },
		get:   func(c *Config) string { return c.AuditCheckpointFile }},
	{name: "audit-checkpoint-every", group: Server, def: "5m",
		usage: "how often a signed audit checkpoint is written while events arrive (and always at shutdown)",
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Second || d > 24*time.Hour {
				return errors.New("must be a duration from 1s to 24h, such as 5m")
			}
			c.AuditCheckpointEvery = d
			return nil
		},
		get: func(c *Config) string { return c.AuditCheckpointEvery.String() }},
	{name: "tls-cert", group: Server,
		usage: "TLS certificate chain (PEM file)",
		set:   func(c *Config, v string) error { c.TLSCert = v; return nil },
		get:   func(c *Config) string { return c.TLSCert }},
	{name: "tls-key", group: Server,
		usage: "TLS private key (PEM file)",
		set:   func(c *Config, v string) error { c.TLSKey = v; return nil },
		get:   func(c *Config) string { return c.TLSKey }},
	{name: "tls-cert-dir", group: Server,
		usage: "directory of certificates per host name: HOST.crt with HOST.key, or HOST.pem (chain and key), picked by the name the client asks for, read again when the files change or on SIGHUP; a host without a file gets ACME (with --acme-tenant-hosts or --acme-domain) or else --tls-cert",
		set:   func(c *Config, v string) error { c.TLSCertDir = v; return nil },
		get:   func(c *Config) string { return c.TLSCertDir }},
	{name: "acme-domain", group: Server,
		usage: "comma-separated domains to get certificates for automatically (ACME, Let's Encrypt)",
		set: func(c *Config, v string) error {
			c.ACMEDomains = nil
			for d := range strings.SplitSeq(v, ",") {
				d = strings.ToLower(strings.TrimSpace(d))
				if d == "" {
					continue
				}
				if !validHostname(d) {
					return fmt.Errorf("%q is not a domain name", d)
				}
				c.ACMEDomains = append(c.ACMEDomains, d)
			}
			return nil
		},
		get: func(c *Config) string { return strings.Join(c.ACMEDomains, ",") }},
	{name: "acme-tenant-hosts", group: Server, def: "false", boolean: true,
		usage: "get certificates automatically (ACME) for every host name a tenant claims, as tenants are created and changed, besides --acme-domain",
		set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("must be true or false")
			}
			c.ACMETenantHosts = b
			return nil
		},
		get: func(c *Config) string { return strconv.FormatBool(c.ACMETenantHosts) }},
	{name: "acme-email", group: Server,
		usage: "contact email given to the ACME certificate authority",
		set:   func(c *Config, v string) error { c.ACMEEmail = v; return nil },
		get:   func(c *Config) string { return c.ACMEEmail }},
	{name: "acme-directory", group: Server, def: "https://acme-v02.api.letsencrypt.org/directory",
		usage: "ACME directory URL of the certificate authority (e.g. Let's Encrypt staging)",
		set: func(c *Config, v string) error {
			c.ACMEDirectory = v
			u, err := url.Parse(v)
			if err != nil || u.Scheme != "https" || u.Host == "" {
				return errors.New("must be an https:// URL")
			}
			return nil
		},
		get: func(c *Config) string { return c.ACMEDirectory }},
	{name: "redirect-addr", group: Server,
		usage: "if set, plain-HTTP address that redirects to HTTPS and answers ACME challenges",
		set:   func(c *Config, v string) error { c.RedirectAddr = v; return checkHostPortOrEmpty(v) },
		get:   func(c *Config) string { return c.RedirectAddr }},
	{name: "metrics-addr", group: Server,
		usage: "if set, loopback address of the admin listener serving Prometheus /metrics",
		set: func(c *Config, v string) error {
			c.MetricsAddr = v
			if v == "" {
				return nil
			}
			if err := checkHostPort(v); err != nil {
				return err
			}
			if !IsLoopback(v) {
				return errors.New("the metrics listener may only listen on loopback (127.0.0.1 or [::1])")
			}
			return nil
		},
		get: func(c *Config) string { return c.MetricsAddr }},
	{name: "role", group: Server, def: string(RoleAll),
		usage: "what this process serves: all, storefront (catalog only, no PHI, no keys) or portal",
		set: func(c *Config, v string) error {
			switch Role(v) {
			case RoleAll, RoleStorefront, RolePortal:
				c.Role = Role(v)
				return nil
			}
			return errors.New("must be all, storefront or portal")
		},
		get: func(c *Config) string { return string(c.Role) }},
	{name: "max-body", group: Server, def: "1048576",
		usage: "default request body limit in bytes",
		set: func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1024 || n > 1<<30 {
				return errors.New("must be a number of bytes from 1024 to 1073741824")
			}
			c.MaxBody = n
			return nil
		},
		get: func(c *Config) string { return strconv.FormatInt(c.MaxBody, 10) }},
	{name: "session-absolute", group: Server, def: "12h",
		usage: "the longest a sign-in lasts however active (at most 12h)",
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 15*time.Minute || d > 12*time.Hour {
				return errors.New("must be a duration from 15m to 12h")
			}
			c.SessionAbsolute = d
			return nil
		},
		get: func(c *Config) string { return c.SessionAbsolute.String() }},
	{name: "staff-inactivity", group: Server, def: "2160h",
		usage: "disable staff accounts not used for this long (default 90 days)",
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 24*time.Hour || d > 3650*24*time.Hour {
				return errors.New("must be a duration of at least 24h, such as 2160h")
			}
			c.StaffInactivity = d
			return nil
		},
		get: func(c *Config) string { return c.StaffInactivity.String() }},
	{name: "smtp-addr", group: Server,
		usage: "mail relay host:port; empty keeps email in the outbox (/admin/outbox: admins see counts and masked recipients, and open one message only with a reason, audited)",
		set: func(c *Config, v string) error {
			if v != "" {
				if err := checkHostPort(v); err != nil {
					return err
				}
			}
			c.SMTPAddr = v
			return nil
		},
		get: func(c *Config) string { return c.SMTPAddr }},
	{name: "smtp-user", group: Server, usage: "mail relay user name (empty: no authentication)",
		set: func(c *Config, v string) error { c.SMTPUser = v; return nil },
		get: func(c *Config) string { return c.SMTPUser }},
	{name: "smtp-password", group: Server, secret: true, usage: "mail relay password",
		set: func(c *Config, v string) error { c.SMTPPassword = v; return nil },
		get: func(c *Config) string { return c.SMTPPassword }},
	{name: "smtp-from", group: Server, usage: "sender address of Salve's email",
		set: func(c *Config, v string) error { c.SMTPFrom = v; return nil },
		get: func(c *Config) string { return c.SMTPFrom }},
	{name: "smtp-tls", group: Server, def: "starttls", usage: "mail relay TLS: starttls, tls, or none (loopback relays only)",
		set: func(c *Config, v string) error {
			if v != "starttls" && v != "tls" && v != "none" {
				return errors.New("must be starttls, tls or none")
			}
			c.SMTPTLS = v
			return nil
		},
		get: func(c *Config) string { return c.SMTPTLS }},
	{name: "payment-gateways", group: Server, def: "invoice",
		usage: "ways to pay at checkout, comma-separated: invoice, stripe, test (the demo's: no money moves)",
		set: func(c *Config, v string) error {
			c.PaymentGateways = nil
			for g := range strings.SplitSeq(v, ",") {
				g = strings.TrimSpace(g)
				switch {
				case g != "invoice" && g != "stripe" && g != "test":
					return fmt.Errorf("unknown gateway %q: use invoice, stripe or test", g)
				case slices.Contains(c.PaymentGateways, g):
					return fmt.Errorf("%q is listed twice", g)
				}
				c.PaymentGateways = append(c.PaymentGateways, g)
			}
			return nil
		},
		get: func(c *Config) string { return strings.Join(c.PaymentGateways, ",") }},
	{name: "allow-test-payments", group: Server, def: "false", boolean: true,
		usage: "allow the test gateway in --payment-gateways: it marks orders paid and moves no money, so only for demos and trials (every page then says so)",
		set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("must be true or false")
			}
			c.AllowTestPayments = b
			return nil
		},
		get: func(c *Config) string { return strconv.FormatBool(c.AllowTestPayments) }},
	{name: "webhook-loopback-http", group: Server, def: "false", boolean: true,
		usage: "let outgoing webhooks use http:// to a loopback host (development and tests); otherwise only https:// addresses are accepted",
		set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("must be true or false")
			}
			c.WebhookLoopbackHTTP = b
			return nil
		},
		get: func(c *Config) string { return strconv.FormatBool(c.WebhookLoopbackHTTP) }},
	{name: "webhook-private-networks", group: Server, def: "false", boolean: true,
		usage: "let outgoing webhooks connect to private network addresses (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7); otherwise only public addresses (link-local, such as cloud metadata, never)",
		set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("must be true or false")
			}
			c.WebhookPrivateNetworks = b
			return nil
		},
		get: func(c *Config) string { return strconv.FormatBool(c.WebhookPrivateNetworks) }},
	{name: "stripe-secret-key", group: Server, secret: true, usage: "Stripe secret API key (sk_live_… or sk_test_…), for the stripe gateway",
		set: func(c *Config, v string) error { c.StripeSecretKey = v; return nil },
		get: func(c *Config) string { return c.StripeSecretKey }},
	{name: "stripe-webhook-secret", group: Server, secret: true, usage: "signing secret of the Stripe webhook endpoint (whsec_…) at /webhooks/stripe",
		set: func(c *Config, v string) error { c.StripeWebhookSecret = v; return nil },
		get: func(c *Config) string { return c.StripeWebhookSecret }},
	{name: "stripe-api-url", group: Server, usage: "Stripe API address; empty for https://api.stripe.com (tests: a stripe-mock on loopback)",
		set: func(c *Config, v string) error {
			if v != "" {
				u, err := url.Parse(v)
				// Why: the secret key travels with every request; only TLS,
				// or loopback where it never crosses a network.
				plainLoopback := err == nil && u.Scheme == "http" && IsLoopback(net.JoinHostPort(u.Hostname(), "0"))
				if err != nil || u.Host == "" || (u.Scheme != "https" && !plainLoopback) {
					return errors.New("must be an https:// URL, or http:// on loopback")
				}
			}
			c.StripeAPIURL = v
			return nil
		},
		get: func(c *Config) string { return c.StripeAPIURL }},
	{name: "backup-to", group: Server,
		usage: "comma-separated targets of scheduled backups (dir:/path, s3://host/bucket/prefix); empty: no scheduled backups",
		set: func(c *Config, v string) error {
			c.BackupTo = nil
			for t := range strings.SplitSeq(v, ",") {
				t = strings.TrimSpace(t)
				if t == "" {
					continue
				}
				if err := checkBackupTarget(t); err != nil {
					return err
				}
				c.BackupTo = append(c.BackupTo, t)
			}
			return nil
		},
		get: func(c *Config) string { return strings.Join(c.BackupTo, ",") }},
	{name: "backup-recipients", group: Server,
		usage: "comma-separated age public keys (age1...) scheduled backups are encrypted to; keep the private keys offline",
		set: func(c *Config, v string) error {
			c.BackupRecipients = nil
			for r := range strings.SplitSeq(v, ",") {
				r = strings.TrimSpace(r)
				if r == "" {
					continue
				}
				if _, err := age.ParseX25519Recipient(r); err != nil {
					return fmt.Errorf("%q is not an age public key (age1...)", r)
				}
				c.BackupRecipients = append(c.BackupRecipients, r)
			}
			return nil
		},
		get: func(c *Config) string { return strings.Join(c.BackupRecipients, ",") }},
	{name: "backup-every", group: Server, def: "24h",
		usage: "how often a scheduled backup is taken (1m to 744h)",
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Minute || d > 744*time.Hour {
				return errors.New("must be a duration from 1m to 744h, such as 24h")
			}
			c.BackupEvery = d
			return nil
		},
		get: func(c *Config) string { return c.BackupEvery.String() }},
	{name: "backup-keep-daily", group: Server, def: "7",
		usage: "keep the newest backup of each of this many last days on every target",
		set:   func(c *Config, v string) error { return setCount(&c.BackupKeepDaily, v) },
		get:   func(c *Config) string { return strconv.Itoa(c.BackupKeepDaily) }},
	{name: "backup-keep-weekly", group: Server, def: "4",
		usage: "keep the newest backup of each of this many last weeks on every target",
		set:   func(c *Config, v string) error { return setCount(&c.BackupKeepWeekly, v) },
		get:   func(c *Config) string { return strconv.Itoa(c.BackupKeepWeekly) }},
	{name: "backup-keep-monthly", group: Server, def: "12",
		usage: "keep the newest backup of each of this many last months on every target",
		set:   func(c *Config, v string) error { return setCount(&c.BackupKeepMonthly, v) },
		get:   func(c *Config) string { return strconv.Itoa(c.BackupKeepMonthly) }},
	{name: "backup-keep-within", group: Server, def: "0s",
		usage: "keep every backup younger than this (0: no age rule); with every keep rule 0, nothing is pruned",
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return errors.New("must be a duration such as 720h, or 0s")
			}
			c.BackupKeepWithin = d
			return nil
		},
		get: func(c *Config) string { return c.BackupKeepWithin.String() }},
	{name: "backup-s3-access-key", group: Server, secret: true,
		usage: "access key of the S3 targets of scheduled backups",
		set:   func(c *Config, v string) error { c.BackupS3AccessKey = v; return nil },
		get:   func(c *Config) string { return c.BackupS3AccessKey }},
	{name: "backup-s3-secret-key", group: Server, secret: true,
		usage: "secret key of the S3 targets of scheduled backups",
		set:   func(c *Config, v string) error { c.BackupS3SecretKey = v; return nil },
		get:   func(c *Config) string { return c.BackupS3SecretKey }},
	{name: "shutdown-timeout", group: Server, def: "15s",
		usage: "how long a graceful shutdown waits for requests in flight",
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 || d > 10*time.Minute {
				return errors.New("must be a duration such as 15s, at most 10m")
			}
			c.ShutdownTimeout = d
			return nil
		},
		get: func(c *Config) string { return c.ShutdownTimeout.String() }},
	{name: "trusted-proxies", group: Server,
		usage: "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed",
		set: func(c *Config, v string) error {
			c.TrustedProxies = nil
			for p := range strings.SplitSeq(v, ",") {
				p = strings.TrimSpace(p)
				if p == "" {
					continue
				}
				pfx, err := netip.ParsePrefix(p)
				if err != nil {
					a, aerr := netip.ParseAddr(p)
					if aerr != nil {
						return fmt.Errorf("%q is not a CIDR or IP address", p)
					}
					pfx = netip.PrefixFrom(a, a.BitLen())
				}
				c.TrustedProxies = append(c.TrustedProxies, pfx.Masked())
			}
			return nil
		},
		get: func(c *Config) string {
			s := make([]string, len(c.TrustedProxies))
			for i, p := range c.TrustedProxies {
				s[i] = p.String()
			}
			return strings.Join(s, ",")
		}},
	{name: "log-format", group: Logging, def: "json",
		usage: "log format: json or text",
		set: func(c *Config, v string) error {
			if v != "json" && v != "text" {
				return errors.New("must be json or text")
			}
			c.LogFormat = v
			return nil
		},
		get: func(c *Config) string { return c.LogFormat }},
	{name: "log-level", group: Logging, def: "info",
		usage: "minimum log level: debug, info, warn or error",
		set: func(c *Config, v string) error {
			return c.LogLevel.UnmarshalText([]byte(v))
		},
		get: func(c *Config) string { return strings.ToLower(c.LogLevel.String()) }},
}

// EnvName returns the environment variable of a setting.
func EnvName(flagName string) string {
	return "SALVE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func checkHostPort(v string) error {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return errors.New("must be host:port, such as 127.0.0.1:8080")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return errors.New("port must be a number from 0 to 65535")
	}
	if host != "" && host != "localhost" && !validHostname(host) {
		if _, err := netip.ParseAddr(host); err != nil {
			return fmt.Errorf("%q is not an IP address or host name", host)
		}
	}
	return nil
}

func checkHostPortOrEmpty(v string) error {
	if v == "" {
		return nil
	}
	return checkHostPort(v)
}

// checkDSN accepts empty (SQLite in the data directory) or a PostgreSQL URL.
func checkDSN(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// Why not echo v: a DSN may hold a password.
		return errors.New("must be empty (SQLite in the data directory) or a postgres:// URL")
	}
	return nil
}

// setCount sets a number of backups to keep (0 to 1000).
func setCount(dst *int, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 1000 {
		return errors.New("must be a number from 0 to 1000")
	}
	*dst = n
	return nil
}

// checkBackupTarget checks a backup target's form (internal/backup parses
// it when the server starts).
func checkBackupTarget(t string) error {
	switch {
	case strings.HasPrefix(t, "dir:") && len(t) > len("dir:"):
		return nil
	case strings.HasPrefix(t, "s3://"), strings.HasPrefix(t, "s3+http://"):
		u, err := url.Parse(t)
		if err != nil || u.Host == "" || strings.Trim(u.Path, "/") == "" {
			return fmt.Errorf("%q: want s3://host[:port]/bucket[/prefix]", t)
		}
		// Why: credentials travel with every request; plain HTTP only to
		// loopback, like every other connection (DESIGN §2.3).
		if u.Scheme == "s3+http" && !IsLoopback(net.JoinHostPort(u.Hostname(), "0")) {
			return fmt.Errorf("%q: plain HTTP only to loopback; use s3://", t)
		}
		return nil
	}
	return fmt.Errorf("%q: want dir:/path or s3://host/bucket/prefix", t)
}

// IsLoopback reports whether a host:port address listens on loopback only.
// An empty host means every interface, which is not loopback.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

func validHostname(h string) bool {
	if len(h) == 0 || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' {
				return false
			}
		}
	}
	return true
}
