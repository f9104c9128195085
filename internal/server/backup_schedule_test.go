package server_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/salvehealth/salve/internal/backup"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestServicesScheduleBackupsWhenConfigured: with --backup-to and
// --backup-recipients the server's job runner takes a backup to the target,
// checked and marked verified, and not again before its period.
func TestServicesScheduleBackupsWhenConfigured(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		st := testkit.NewStores(t, e)
		key, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		cfg := *st.Config
		cfg.BackupTo = []string{"dir:" + dir}
		cfg.BackupRecipients = []string{key.Recipient().String()}
		cfg.BackupEvery = 6 * time.Hour
		cfg.BackupKeepDaily = 1
		svc, err := server.NewServices(&cfg, st.Stores, st.Clock, nil, testkit.TestArgon2)
		if err != nil {
			t.Fatal(err)
		}
		svc.Jobs.RunDue(ctx)
		st.Clock.Advance(time.Hour)
		svc.Jobs.RunDue(ctx)
		es, err := backup.List(ctx, backup.Dir(dir))
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 1 || !es[0].Complete || !es[0].Verified {
			t.Fatalf("backups after the first period: %+v", es)
		}
		// Without the settings no backup job exists (nothing to configure
		// means nothing is written anywhere).
		cfg2 := *st.Config
		svc2, err := server.NewServices(&cfg2, st.Stores, st.Clock, nil, testkit.TestArgon2)
		if err != nil {
			t.Fatal(err)
		}
		st.Clock.Advance(6 * time.Hour)
		svc2.Jobs.RunDue(ctx)
		if es, _ := backup.List(ctx, backup.Dir(dir)); len(es) != 1 {
			t.Fatalf("a server without backup settings took a backup: %+v", es)
		}
	})
}

// TestEmailDeliveryIsScheduledOnlyWithARelay: without a mail relay email
// waits in the outbox, and no job polls it (an idle replica's database cost);
// with one, the delivery job runs every five seconds.
func TestEmailDeliveryIsScheduledOnlyWithARelay(t *testing.T) {
	st := testkit.NewStores(t, store.SQLite)
	svc, err := server.NewServices(st.Config, st.Stores, st.Clock, nil, testkit.TestArgon2)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(svc.Jobs.Names(), "email.deliver") || !slices.Contains(svc.Jobs.Names(), "orders.expire_reservations") {
		t.Fatalf("jobs without a relay: %v", svc.Jobs.Names())
	}
	cfg := *st.Config
	cfg.SMTPAddr, cfg.SMTPFrom, cfg.SMTPTLS = "127.0.0.1:26025", "shop@example.org", "none"
	svc, err = server.NewServices(&cfg, st.Stores, st.Clock, nil, testkit.TestArgon2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(svc.Jobs.Names(), "email.deliver") {
		t.Fatalf("jobs with a relay: %v", svc.Jobs.Names())
	}
}
