package audit_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// editable are the stored columns and how to change each one's value.
var editable = []struct {
	col  string
	edit string // SQL expression giving a different value; "flip" flips one random bit
}{
	{"at_us", "at_us + 1"},
	{"actor_id", "actor_id || 'x'"},
	{"tenant_id", "tenant_id || 'x'"},
	{"action", "action || 'x'"},
	{"outcome", "CASE outcome WHEN 'allowed' THEN 'denied' ELSE 'allowed' END"},
	{"body", "flip"},
	{"hash", "flip"},
}

// TestEveryMutationIsFlagged makes 1,000 random single mutations of a closed
// log's store (edit a field, delete, insert, swap two rows, cut the tail, and
// delete, edit or add a subject index row),
// each in a transaction that is rolled back, and checks that Verify flags each
// one at the right sequence number.
func TestEveryMutationIsFlagged(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		f := open(t, e)
		ctx := context.Background()
		const n = 40
		for i := range n {
			ev := audit.Entry{ActorID: fmt.Sprint("u", i%5), ActorRole: access.RoleClinician, TenantID: "t1",
				Subjects: []string{fmt.Sprint("p", i%7)}, Action: "lab.view", ResourceType: "lab", ResourceID: fmt.Sprint("l", i),
				Purpose: access.PurposeTreatment, RequestID: fmt.Sprint("r", i), SourceIP: "192.0.2.1", UserAgent: "ua", Detail: "d"}
			if i%3 == 0 {
				ev.Outcome, ev.Severity = audit.Denied, audit.High
			}
			if i%4 == 0 {
				ev.TextHMAC = f.log.TextHMAC(fmt.Sprint("term", i))
			}
			if err := f.log.Append(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.log.Close(); err != nil { // the final checkpoint covers all n
			t.Fatal(err)
		}
		if rep := f.verify(t); !rep.OK || rep.Events != n {
			t.Fatalf("clean log: %+v", rep)
		}

		rng := rand.New(rand.NewPCG(1, uint64(len(e))))
		mutations := 1000
		if testing.Short() {
			mutations = 100
		}
		kinds := map[string]int{}
		for m := range mutations {
			tx, err := f.db.Writer().BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			unguard(t, tx, e)
			kind, lo, hi := mutate(t, tx, rng, n)
			kinds[kind]++
			rep, err := audit.VerifyChunked(ctx, store.AuditChainIn(tx), f.sink, f.keys.Public(), []int{7, 8192}[m%2])
			if err != nil {
				t.Fatalf("mutation %d (%s): %v", m, kind, err)
			}
			if rep.OK || rep.FirstBad < lo || rep.FirstBad > hi {
				t.Fatalf("mutation %d (%s) not flagged at %d..%d: %+v", m, kind, lo, hi, rep)
			}
			if err := tx.Rollback(); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("mutations by kind: %v", kinds)
		if rep := f.verify(t); !rep.OK {
			t.Fatalf("log after rollbacks: %+v", rep)
		}
	})
}

// unguard lifts the append-only guards inside tx (the attacker here owns the
// database).
func unguard(t *testing.T, tx *sql.Tx, e store.Engine) {
	t.Helper()
	stmts := []string{"DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete",
		"DROP TRIGGER audit_event_subjects_no_update", "DROP TRIGGER audit_event_subjects_no_delete"}
	if e == store.Postgres {
		stmts = []string{"ALTER TABLE audit_events DISABLE TRIGGER USER", "ALTER TABLE audit_event_subjects DISABLE TRIGGER USER"}
	}
	for _, s := range stmts {
		if _, err := tx.Exec(s); err != nil { //nolint:noctx // test
			t.Fatal(err)
		}
	}
}

// mutate applies one random mutation and returns its kind and the range of
// sequence numbers verify may name as the first bad one.
func mutate(t *testing.T, tx *sql.Tx, rng *rand.Rand, n int) (string, int64, int64) {
	t.Helper()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := tx.Exec(q, args...); err != nil { //nolint:noctx // test
			t.Fatalf("%s: %v", q, err)
		}
	}
	k := int64(rng.IntN(n) + 1)
	switch rng.IntN(6) {
	case 5:
		// The subject index ("who accessed my record") is checked too.
		switch rng.IntN(3) {
		case 0:
			exec("DELETE FROM audit_event_subjects WHERE seq = $1", k)
			return "index delete", k, k
		case 1:
			exec("UPDATE audit_event_subjects SET subject = subject || 'x' WHERE seq = $1", k)
			return "index edit", k, k
		default:
			exec("INSERT INTO audit_event_subjects (subject, seq) VALUES ('zz-extra', $1)", k)
			return "index insert", k, k
		}
	case 0:
		c := editable[rng.IntN(len(editable))]
		if c.edit == "flip" {
			var b []byte
			if err := tx.QueryRow("SELECT "+c.col+" FROM audit_events WHERE seq = $1", k).Scan(&b); err != nil { //nolint:noctx // test
				t.Fatal(err)
			}
			b[rng.IntN(len(b))] ^= 1 << rng.IntN(8)
			exec("UPDATE audit_events SET "+c.col+" = $2 WHERE seq = $1", k, b)
		} else {
			exec("UPDATE audit_events SET "+c.col+" = "+c.edit+" WHERE seq = $1", k)
		}
		return "edit " + c.col, k, k
	case 1:
		exec("DELETE FROM audit_events WHERE seq = $1", k)
		return "delete", k, k
	case 2:
		// The strongest forger: a well-formed event with a correct hash over
		// its predecessor, slotted in at k by renumbering the rest.
		prev := make([]byte, 32)
		if k > 1 {
			if err := tx.QueryRow("SELECT hash FROM audit_events WHERE seq = $1", k-1).Scan(&prev); err != nil { //nolint:noctx // test
				t.Fatal(err)
			}
		}
		exec("UPDATE audit_events SET seq = seq + 1000000 WHERE seq >= $1", k)
		exec("UPDATE audit_events SET seq = seq - 999999 WHERE seq >= 1000000")
		ev := audit.Entry{Time: t0, ActorID: "forger", ActorRole: access.RoleAdmin, TenantID: "t1", Subjects: []string{},
			Action: "nothing.to.see", Outcome: audit.Allowed, Severity: audit.Normal}
		h := audit.ChainHash(prev, k, &ev)
		exec(`INSERT INTO audit_events (seq, at_us, actor_id, tenant_id, action, outcome, body, hash)
			VALUES ($1, $2, 'forger', 't1', 'nothing.to.see', 'allowed', $3, $4)`,
			k, t0.UnixMicro(), audit.EncodeBody(&ev), h)
		return "insert", k, k + 1
	case 3:
		j := int64(rng.IntN(n) + 1)
		for j == k {
			j = int64(rng.IntN(n) + 1)
		}
		lo, hi := min(k, j), max(k, j)
		exec("UPDATE audit_events SET seq = -1 WHERE seq = $1", lo)
		exec("UPDATE audit_events SET seq = $1 WHERE seq = $2", lo, hi)
		exec("UPDATE audit_events SET seq = $1 WHERE seq = -1", hi)
		return "swap", lo, lo
	default:
		keep := int64(rng.IntN(n)) // 0..n-1 events remain
		exec("DELETE FROM audit_events WHERE seq > $1", keep)
		return "truncate", keep + 1, keep + 1
	}
}
