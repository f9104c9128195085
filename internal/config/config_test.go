package config

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, args []string, env map[string]string) (*Config, error) {
	t.Helper()
	set := flag.NewFlagSet("test", flag.ContinueOnError)
	set.SetOutput(io.Discard)
	l := NewLoader(set, Stores|Server|Logging, nil)
	if err := set.Parse(args); err != nil {
		t.Fatalf("parse: %v", err)
	}
	return l.Load(func(k string) string { return env[k] }, func(p string) ([]byte, error) {
		if v, ok := env["file:"+p]; ok {
			return []byte(v), nil
		}
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	})
}

func TestDefaults(t *testing.T) {
	c, err := load(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./salve-data" || c.Role != RoleAll || c.LogFormat != "json" {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if got := c.StoreDSN("phi"); got != "salve-data/phi.db" {
		t.Fatalf("StoreDSN(phi) = %q", got)
	}
}

func TestPrecedenceFlagEnvFile(t *testing.T) {
	env := map[string]string{
		"SALVE_ADDR":            "127.0.0.1:9000",
		"SALVE_PHI_DB_FILE":     "/run/secrets/phi",
		"file:/run/secrets/phi": "postgres://salve:s3cret@db/phi\n",
	}
	c, err := load(t, []string{"--addr", "127.0.0.1:9100"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9100" || c.SourceOf("addr") != FromFlag {
		t.Fatalf("flag must win: %q from %s", c.Addr, c.SourceOf("addr"))
	}
	if c.PHIDB != "postgres://salve:s3cret@db/phi" || c.SourceOf("phi-db") != FromFile {
		t.Fatalf("secret from file: %q (%s)", c.PHIDB, c.SourceOf("phi-db"))
	}
	c, err = load(t, nil, env)
	if err != nil || c.Addr != "127.0.0.1:9000" || c.SourceOf("addr") != FromEnv {
		t.Fatalf("env must apply: %v %+v", err, c)
	}
}

func TestInvalidSettingsNameTheSetting(t *testing.T) {
	cases := []struct {
		args    []string
		env     map[string]string
		setting string
		msg     string
	}{
		{[]string{"--addr", "nonsense"}, nil, "addr", "host:port"},
		{[]string{"--addr", "0.0.0.0:8443"}, nil, "addr", "requires TLS"},
		{[]string{"--addr", ":8443"}, nil, "addr", "requires TLS"},
		{[]string{"--phi-db", "mysql://x"}, nil, "phi-db", "postgres://"},
		{[]string{"--tls-cert", "c.pem"}, nil, "tls-cert", "go together"},
		{[]string{"--tls-cert", "c.pem", "--tls-key", "k.pem", "--acme-domain", "a.example"}, nil, "acme-domain", "not both"},
		{[]string{"--tls-cert-dir", "/nonexistent/certs"}, nil, "tls-cert-dir", "not a directory"},
		{[]string{"--metrics-addr", "0.0.0.0:9090"}, nil, "metrics-addr", "loopback"},
		{[]string{"--role", "kiosk"}, nil, "role", "storefront"},
		{[]string{"--log-format", "xml"}, nil, "log-format", "json or text"},
		{[]string{"--max-body", "12"}, nil, "max-body", "1024"},
		{[]string{"--shutdown-timeout", "forever"}, nil, "shutdown-timeout", "duration"},
		{[]string{"--trusted-proxies", "10.0.0.0/8,bogus"}, nil, "trusted-proxies", "bogus"},
		{[]string{"--acme-domain", "bad_domain!"}, nil, "acme-domain", "domain"},
		{nil, map[string]string{"SALVE_PHI_DB": "postgres://a", "SALVE_PHI_DB_FILE": "/x"}, "phi-db", "use one"},
		{nil, map[string]string{"SALVE_CATALOG_DB_FILE": "/missing"}, "catalog-db", "cannot read"},
		{[]string{"--data", ""}, nil, "data", "empty"},
		{[]string{"--payment-gateways", "invoice,cash"}, nil, "payment-gateways", "unknown gateway"},
		{[]string{"--payment-gateways", "invoice,invoice"}, nil, "payment-gateways", "twice"},
		{[]string{"--payment-gateways", "stripe", "--stripe-secret-key", "sk_test_1"}, nil, "payment-gateways", "--stripe-webhook-secret"},
		{[]string{"--stripe-api-url", "http://stripe.example"}, nil, "stripe-api-url", "https://"},
		{[]string{"--payment-gateways", "test,invoice"}, nil, "payment-gateways", "--allow-test-payments"},
		{nil, map[string]string{"SALVE_PAYMENT_GATEWAYS": "test"}, "payment-gateways", "no money"},
		{[]string{"--allow-test-payments=maybe"}, nil, "allow-test-payments", "true or false"},
		{[]string{"--backup-to", "/mnt/backups"}, nil, "backup-to", "dir:/path"},
		{[]string{"--backup-to", "s3+http://s3.example/bucket"}, nil, "backup-to", "loopback"},
		{[]string{"--backup-to", "dir:/mnt/backups"}, nil, "backup-recipients", "always encrypted"},
		{[]string{"--backup-recipients", testRecipient}, nil, "backup-to", "no --backup-to"},
		{[]string{"--backup-recipients", "ssh-ed25519 AAAA"}, nil, "backup-recipients", "age public key"},
		{[]string{"--backup-every", "10s"}, nil, "backup-every", "1m"},
		{[]string{"--backup-keep-daily", "-1"}, nil, "backup-keep-daily", "0 to 1000"},
		{[]string{"--backup-keep-within", "forever"}, nil, "backup-keep-within", "duration"},
	}
	for _, tc := range cases {
		_, err := load(t, tc.args, tc.env)
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("%v %v: want a config error, got %v", tc.args, tc.env, err)
			continue
		}
		if ce.Setting != tc.setting || !strings.Contains(ce.Error(), tc.msg) || !strings.HasPrefix(ce.Error(), "invalid --"+tc.setting) {
			t.Errorf("%v: got %q, want setting %s mentioning %q", tc.args, ce.Error(), tc.setting, tc.msg)
		}
		if strings.Contains(ce.Error(), "\n") {
			t.Errorf("%v: error must be one line: %q", tc.args, ce.Error())
		}
	}
}

func TestPaymentGateways(t *testing.T) {
	c, err := load(t, nil, nil)
	if err != nil || strings.Join(c.PaymentGateways, ",") != "invoice" {
		t.Fatalf("default gateways: %v %v (the demo's test gateway must not be on by default)", c.PaymentGateways, err)
	}
	c, err = load(t, []string{"--payment-gateways", "stripe, invoice", "--stripe-api-url", "http://127.0.0.1:12111"},
		map[string]string{"SALVE_STRIPE_SECRET_KEY": "sk_test_1", "SALVE_STRIPE_WEBHOOK_SECRET": "whsec_1"})
	if err != nil || strings.Join(c.PaymentGateways, ",") != "stripe,invoice" || c.StripeWebhookSecret != "whsec_1" {
		t.Fatalf("stripe: %+v %v", c.PaymentGateways, err)
	}
	// The test gateway, with the switch that says so: alone, or from the environment.
	c, err = load(t, []string{"--payment-gateways", "test,invoice", "--allow-test-payments"}, nil)
	if err != nil || !c.AllowTestPayments || strings.Join(c.PaymentGateways, ",") != "test,invoice" {
		t.Fatalf("test gateway allowed by flag: %+v %v", c.PaymentGateways, err)
	}
	c, err = load(t, []string{"--payment-gateways", "test"}, map[string]string{"SALVE_ALLOW_TEST_PAYMENTS": "true"})
	if err != nil || !c.AllowTestPayments {
		t.Fatalf("test gateway allowed by env: %v", err)
	}
}

func TestTLSAllowsPublicAddr(t *testing.T) {
	if _, err := load(t, []string{"--addr", "0.0.0.0:8443", "--tls-cert", "c", "--tls-key", "k"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := load(t, []string{"--addr", ":443", "--acme-domain", "shop.example.com"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := load(t, []string{"--addr", "[::1]:8080"}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestDumpMasksSecrets(t *testing.T) {
	c, err := load(t, []string{"--phi-db", "postgres://salve:hunter2@db:5432/phi?sslmode=require&password=topsecret"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := NewLoader(flag.NewFlagSet("x", flag.ContinueOnError), Stores|Server|Logging, nil)
	var b bytes.Buffer
	if err := l.Dump(&b, c); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, secret := range []string{"hunter2", "topsecret"} {
		if strings.Contains(out, secret) {
			t.Fatalf("dump shows secret %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "postgres://salve:*****@db:5432/phi") || !strings.Contains(out, "(flag)") {
		t.Fatalf("dump should show the masked URL and its source:\n%s", out)
	}
	if Mask("opaque-token") != "*****" {
		t.Fatal("non-URL secrets must be fully masked")
	}
}

func TestInvalidSecretIsNotEchoed(t *testing.T) {
	_, err := load(t, []string{"--phi-db", "mysql://u:hunter2@h/d"}, nil)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error must not echo a secret: %v", err)
	}
}

// testRecipient is an age public key (of an identity nobody keeps).
const testRecipient = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"

// TestScheduledBackupSettings: targets and recipients together, the retention
// rules with their defaults, the S3 credentials as secrets (from a file).
func TestScheduledBackupSettings(t *testing.T) {
	c, err := load(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.BackupTo) != 0 || c.BackupEvery != 24*time.Hour || c.BackupKeepDaily != 7 || c.BackupKeepWeekly != 4 ||
		c.BackupKeepMonthly != 12 || c.BackupKeepWithin != 0 {
		t.Fatalf("backup defaults: %+v", c)
	}
	c, err = load(t, []string{"--backup-to", "dir:/mnt/b, s3://s3.example/bucket/salve", "--backup-recipients", testRecipient,
		"--backup-every", "1h", "--backup-keep-daily", "0", "--backup-keep-within", "720h"},
		map[string]string{"SALVE_BACKUP_S3_SECRET_KEY_FILE": "/run/credentials/s3", "file:/run/credentials/s3": "s3cret\n"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.BackupTo, " ") != "dir:/mnt/b s3://s3.example/bucket/salve" || len(c.BackupRecipients) != 1 ||
		c.BackupEvery != time.Hour || c.BackupKeepDaily != 0 || c.BackupKeepWithin != 720*time.Hour || c.BackupS3SecretKey != "s3cret" {
		t.Fatalf("backup settings: %+v", c)
	}
}

// TestShredLedgerPath: beside the KEK unless set (a read-only KEK mount
// needs the ledger elsewhere).
func TestShredLedgerPath(t *testing.T) {
	c, err := load(t, []string{"--kek-file", "/etc/salve/kek/kek.json"}, nil)
	if err != nil || c.ShredLedgerPath() != "/etc/salve/kek/shred-ledger.jsonl" {
		t.Fatalf("default ledger: %q %v", c.ShredLedgerPath(), err)
	}
	c, err = load(t, []string{"--kek-file", "/etc/salve/kek/kek.json"}, map[string]string{"SALVE_SHRED_LEDGER_FILE": "/var/lib/salve-keys/ledger.jsonl"})
	if err != nil || c.ShredLedgerPath() != "/var/lib/salve-keys/ledger.jsonl" {
		t.Fatalf("set ledger: %q %v", c.ShredLedgerPath(), err)
	}
}
