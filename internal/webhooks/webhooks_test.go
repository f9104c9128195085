package webhooks_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/vendors"
	"github.com/salvehealth/salve/internal/webhooks"
	"github.com/salvehealth/salve/webhooksig"
)

// receiver is a loopback webhook receiver that answers as told and keeps
// what it was sent.
type receiver struct {
	mu      sync.Mutex
	answers []int // one per request, then 200; -1: hang past the client's timeout
	got     []received
	ok      int // requests answered 2xx
	srv     *httptest.Server
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, answers ...int) *receiver {
	r := &receiver{answers: answers}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{header: req.Header.Clone(), body: b})
		code := 200
		if len(r.answers) > 0 {
			code, r.answers = r.answers[0], r.answers[1:]
		}
		if code >= 200 && code < 300 {
			r.ok++
		}
		r.mu.Unlock()
		if code == -1 {
			select {
			case <-req.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

type env struct {
	st      *testkit.Stores
	vendors *vendors.Service
	comp    context.Context
	admin   context.Context
}

func newEnv(t *testing.T, e store.Engine) env {
	st := testkit.NewStores(t, e)
	v := vendors.New(vendors.Deps{Store: store.NewVendors(st.PHI), Vault: st.Vault, Audit: st.AuditLog, Clock: st.Clock, Log: st.Log.Logger()})
	as := func(r access.Role) context.Context {
		return access.WithActor(context.Background(), access.Actor{ID: id.New(), Role: r, TenantID: st.Tenant.ID})
	}
	return env{st: st, vendors: v, comp: as(access.RoleCompliance), admin: as(access.RoleAdmin)}
}

// service builds the webhooks service on the env's stores: called again, it
// is a restarted process on the same stores.
func (en env) service(timeout time.Duration) *webhooks.Service {
	svc := webhooks.New(webhooks.Deps{Store: store.NewWebhooks(en.st.PHI), Vault: en.st.Vault, Audit: en.st.AuditLog, Gate: en.vendors,
		Clock: en.st.Clock, Log: en.st.Log.Logger(), Client: &http.Client{Timeout: timeout}, AllowLoopbackHTTP: true})
	svc.SetChanges(en.changes(svc))
	return svc
}

// changes is the change service governing svc's PHI choice.
func (en env) changes(svc *webhooks.Service) *changes.Service {
	return changes.New(store.NewChanges(en.st.PHI), en.st.AuditLog, en.st.Clock, svc.CarryPHIKind())
}

func (en env) vendor(t *testing.T, baa bool) vendors.Vendor {
	in := vendors.Input{Name: "Hooks Ltd", Service: "event receiver", Contact: "ops@hooks.test"}
	if baa {
		now := en.st.Clock.Now()
		in.SignedOn, in.ExpiresOn = now.AddDate(0, -1, 0).Format(vendors.DateLayout), now.AddDate(1, 0, 0).Format(vendors.DateLayout)
	}
	v, err := en.vendors.Add(en.comp, en.st.Tenant.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestWebhookWithoutBAASendsNothing: a subscription approved to carry PHI
// whose vendor has no BAA sends nothing to its receiver on loopback (the
// refusal is recorded); an ids-only one to the same vendor is delivered,
// signed with the secret shown once: the signature verifies, the payload
// holds ids only, and the same request replayed after the window is refused.
func TestWebhookWithoutBAASendsNothing(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		svc := en.service(2 * time.Second)
		v := en.vendor(t, false)
		phiRecv, idsRecv := newReceiver(t), newReceiver(t)
		tenantID := en.st.Tenant.ID
		if _, _, err := svc.Subscribe(en.comp, tenantID, webhooks.Input{URL: "http://hooks.example/x", Events: []string{webhooks.OrderPaid}, VendorID: v.ID}, en.vendors); apperr.As(err) == nil || apperr.As(err).Fields["url"] == "" {
			t.Fatalf("plain http off loopback: %v", err)
		}
		if _, _, err := svc.Subscribe(en.comp, tenantID, webhooks.Input{URL: phiRecv.srv.URL, Events: []string{"nope"}, VendorID: id.New()}, en.vendors); apperr.As(err) == nil || apperr.As(err).Fields["events"] == "" || apperr.As(err).Fields["vendor"] == "" {
			t.Fatalf("no event, unknown vendor: %v", err)
		}
		if _, _, err := svc.Subscribe(en.comp, tenantID, webhooks.Input{URL: phiRecv.srv.URL, Events: []string{webhooks.OrderPaid}, VendorID: v.ID, CarryPHI: true}, en.vendors); err != nil {
			t.Fatal(err)
		}
		// A second person approves carrying PHI (internal/changes).
		chg := en.changes(svc)
		pending, err := chg.List(context.Background(), tenantID, 10)
		if err != nil || len(pending) != 1 {
			t.Fatalf("the PHI request: %v %+v", err, pending)
		}
		if _, err := chg.Approve(en.admin, tenantID, pending[0].ID, ""); err != nil {
			t.Fatal(err)
		}
		sub, secret, err := svc.Subscribe(en.admin, tenantID, webhooks.Input{URL: idsRecv.srv.URL, Events: []string{webhooks.OrderPaid, webhooks.OrderShipped}, VendorID: v.ID}, en.vendors)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, "whsec_") {
			t.Fatalf("secret %q", secret)
		}
		var ct []byte
		if err := en.st.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT secret_ct FROM webhook_subscriptions WHERE id = $1`, sub.ID).Scan(&ct); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(ct), secret[6:]) {
			t.Fatal("the secret is stored in the clear")
		}
		orderID := id.New()
		if err := svc.Publish(context.Background(), tenantID, webhooks.OrderPaid, map[string]string{"order_id": orderID}); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.Deliver(context.Background(), 10); err != nil || n != 1 {
			t.Fatalf("deliver: %d %v", n, err)
		}
		if got := phiRecv.requests(); len(got) != 0 {
			t.Fatalf("the PHI subscription's receiver got %d requests without a BAA", len(got))
		}
		o, err := en.vendors.Overview(en.comp, tenantID)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Refusals) != 1 || o.Refusals[0].Integration != vendors.Webhooks || o.Refusals[0].VendorID != v.ID {
			t.Fatalf("refusals: %+v", o.Refusals)
		}
		got := idsRecv.requests()
		if len(got) != 1 {
			t.Fatalf("ids-only receiver got %d", len(got))
		}
		h, body := got[0].header.Get(webhooksig.Header), got[0].body
		if err := webhooksig.Verify([]byte(secret), h, body, en.st.Clock.Now()); err != nil {
			t.Fatalf("verify: %v (%s)", err, h)
		}
		if err := webhooksig.Verify([]byte(secret), h, body, en.st.Clock.Now().Add(webhooksig.Window+time.Minute)); !errors.Is(err, webhooksig.ErrTooOld) {
			t.Fatalf("a replay after the window: %v", err)
		}
		var p map[string]any
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		data, _ := p["data"].(map[string]any)
		if p["event"] != webhooks.OrderPaid || len(data) != 1 || data["order_id"] != orderID || got[0].header.Get(webhooksig.EventHeader) != webhooks.OrderPaid {
			t.Fatalf("payload: %s", body)
		}
		// With a BAA recorded the PHI subscription's held delivery goes.
		if _, err := en.vendors.Update(en.comp, tenantID, v.ID, vendors.Input{Name: v.Name, Service: v.Service, Contact: v.Contact,
			SignedOn: en.st.Clock.Now().Format(vendors.DateLayout), ExpiresOn: en.st.Clock.Now().AddDate(1, 0, 0).Format(vendors.DateLayout)}); err != nil {
			t.Fatal(err)
		}
		en.st.Clock.Advance(webhooks.HoldRefused)
		if n, err := svc.Deliver(context.Background(), 10); err != nil || n != 1 || len(phiRecv.requests()) != 1 {
			t.Fatalf("after the BAA: %d %v", n, err)
		}
	})
}

// TestWebhookFailsTimesOutRecovers: the receiver answers 500, then hangs
// past the client's timeout, then recovers; the process is restarted in
// between (a new service on the same stores). The event is delivered exactly
// once, after recovery, and the log shows each try with its answer.
func TestWebhookFailsTimesOutRecovers(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		recv := newReceiver(t, 500, -1)
		tenantID := en.st.Tenant.ID
		svc := en.service(300 * time.Millisecond)
		sub, _, err := svc.Subscribe(en.admin, tenantID, webhooks.Input{URL: recv.srv.URL + "/hook", Events: []string{webhooks.OrderShipped}, VendorID: en.vendor(t, false).ID}, en.vendors)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Publish(context.Background(), tenantID, webhooks.OrderShipped, map[string]string{"order_id": id.New()}); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.Deliver(context.Background(), 10); err != nil || n != 0 {
			t.Fatalf("first try (500): %d %v", n, err)
		}
		// Not due again before the backoff.
		if n, err := svc.Deliver(context.Background(), 10); err != nil || n != 0 || len(recv.requests()) != 1 {
			t.Fatalf("before the backoff: %d %v, %d requests", n, err, len(recv.requests()))
		}
		en.st.Clock.Advance(webhooks.Backoff(1))
		if n, err := svc.Deliver(context.Background(), 10); err != nil || n != 0 {
			t.Fatalf("second try (timeout): %d %v", n, err)
		}
		// A restart: a new service on the same stores carries on.
		svc = en.service(2 * time.Second)
		en.st.Clock.Advance(webhooks.Backoff(2))
		if n, err := svc.Deliver(context.Background(), 10); err != nil || n != 1 {
			t.Fatalf("after recovery: %d %v", n, err)
		}
		en.st.Clock.Advance(time.Hour)
		if n, err := svc.Deliver(context.Background(), 10); err != nil || n != 0 {
			t.Fatalf("again: %d %v", n, err)
		}
		reqs := recv.requests()
		if len(reqs) != 3 || recv.ok != 1 {
			t.Fatalf("receiver: %d requests, %d answered ok", len(reqs), recv.ok)
		}
		ids := map[string]bool{}
		for _, r := range reqs {
			ids[r.header.Get(webhooksig.DeliveryHeader)] = true
		}
		if len(ids) != 1 {
			t.Fatalf("tries carry different delivery ids: %v", ids)
		}
		log, err := svc.Overview(en.admin, tenantID)
		if err != nil {
			t.Fatal(err)
		}
		if len(log.Deliveries) != 1 || log.Deliveries[0].State() != "delivered" || log.Deliveries[0].Attempts != 3 || log.Deliveries[0].SubscriptionID != sub.ID {
			t.Fatalf("deliveries: %+v", log.Deliveries)
		}
		codes := map[int]int{}
		for _, a := range log.Attempts {
			codes[a.N] = a.Status
		}
		if len(log.Attempts) != 3 || codes[1] != 500 || codes[2] != 0 || codes[3] != 200 {
			t.Fatalf("attempts: %+v", log.Attempts)
		}
		// The send-test button queues one more, signed the same way.
		if err := svc.SendTest(en.admin, tenantID, sub.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.Deliver(context.Background(), 10); err != nil || n != 1 || recv.requests()[3].header.Get(webhooksig.EventHeader) != webhooks.Test {
			t.Fatalf("test event: %d %v", n, err)
		}
		// Another tenant's admin reaches none of it.
		other := access.WithActor(context.Background(), access.Actor{ID: id.New(), Role: access.RoleAdmin, TenantID: id.New()})
		if err := svc.SendTest(other, tenantID, sub.ID); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("other tenant: %v", err)
		}
	})
}

func TestBackoffGrows(t *testing.T) {
	prev := time.Duration(0)
	for n := 1; n <= webhooks.MaxAttempts+5; n++ {
		d := webhooks.Backoff(n)
		if d < prev || d > 6*time.Hour || d < 30*time.Second {
			t.Fatalf("backoff %d: %v after %v", n, d, prev)
		}
		prev = d
	}
	if webhooks.Backoff(2) != 2*webhooks.Backoff(1) {
		t.Fatal("backoff does not double")
	}
}

// TestWebhookReachesOnlyPublicAddresses: without --webhook-loopback-http
// (and --webhook-private-networks) a subscription typed with a loopback,
// private or link-local IP is refused when saved, and one whose name
// resolves to such an address (localhost here: a name that rebinds does the
// same) is refused when it connects: the receiver gets nothing and the
// attempt says why. With loopback allowed, the same receiver is reached.
func TestWebhookReachesOnlyPublicAddresses(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		var got int
		var mu sync.Mutex
		srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { mu.Lock(); got++; mu.Unlock() }))
		t.Cleanup(srv.Close)
		tenantID := en.st.Tenant.ID
		// The receiver's certificate is trusted, so only the address
		// check can stop the request.
		// (httptest's certificate names example.com, not localhost.)
		client := srv.Client()
		client.Timeout = 2 * time.Second
		client.Transport.(*http.Transport).TLSClientConfig.ServerName = "example.com"
		strict := webhooks.New(webhooks.Deps{Store: store.NewWebhooks(en.st.PHI), Vault: en.st.Vault, Audit: en.st.AuditLog, Gate: en.vendors,
			Clock: en.st.Clock, Log: en.st.Log.Logger(), Client: client})
		v := en.vendor(t, false)
		for _, u := range []string{srv.URL, "https://10.0.0.7/hook", "https://169.254.169.254/latest/meta-data/", "https://[::1]:8443/x", "https://[::ffff:192.168.0.1]/x"} {
			_, _, err := strict.Subscribe(en.admin, tenantID, webhooks.Input{URL: u, Events: []string{webhooks.OrderShipped}, VendorID: v.ID}, en.vendors)
			if f := apperr.As(err); f == nil || !strings.Contains(f.Fields["url"], "not on the public internet") {
				t.Fatalf("%s saved: %v", u, err)
			}
		}
		port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
		if _, _, err := strict.Subscribe(en.admin, tenantID, webhooks.Input{URL: "https://localhost:" + port + "/hook", Events: []string{webhooks.OrderShipped}, VendorID: v.ID}, en.vendors); err != nil {
			t.Fatal(err)
		}
		if err := strict.Publish(context.Background(), tenantID, webhooks.OrderShipped, map[string]string{"order_id": id.New()}); err != nil {
			t.Fatal(err)
		}
		if n, err := strict.Deliver(context.Background(), 10); err != nil || n != 0 {
			t.Fatalf("delivery to localhost: %d %v", n, err)
		}
		mu.Lock()
		n := got
		mu.Unlock()
		if n != 0 {
			t.Fatalf("the receiver on loopback got %d requests", n)
		}
		log, err := strict.Overview(en.admin, tenantID)
		if err != nil {
			t.Fatal(err)
		}
		if len(log.Attempts) != 1 || !strings.Contains(log.Attempts[0].Error, "not on the public internet") {
			t.Fatalf("attempts: %+v", log.Attempts)
		}
		// The operator allows loopback: the same delivery goes through.
		open := webhooks.New(webhooks.Deps{Store: store.NewWebhooks(en.st.PHI), Vault: en.st.Vault, Audit: en.st.AuditLog, Gate: en.vendors,
			Clock: en.st.Clock, Log: en.st.Log.Logger(), Client: client, AllowLoopbackHTTP: true})
		en.st.Clock.Advance(webhooks.Backoff(1))
		if n, err := open.Deliver(context.Background(), 10); err != nil || n != 1 {
			t.Fatalf("delivery with loopback allowed: %d %v", n, err)
		}
	})
}
