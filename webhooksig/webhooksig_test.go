package webhooksig_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/webhooksig"
)

func TestSignThenVerify(t *testing.T) {
	secret, body := []byte("whsec_abc"), []byte(`{"event":"order.paid","order_id":"o1"}`)
	now := time.Unix(1_800_000_000, 0)
	h := webhooksig.Sign(secret, body, now)
	if err := webhooksig.Verify(secret, h, body, now.Add(time.Minute)); err != nil {
		t.Fatalf("a fresh signature: %v", err)
	}
	for name, c := range map[string]struct {
		secret, body []byte
		header       string
		at           time.Time
		want         error
	}{
		"other body":            {secret, []byte(`{"event":"order.paid","order_id":"o2"}`), h, now, webhooksig.ErrNoMatch},
		"other secret":          {[]byte("whsec_other"), body, h, now, webhooksig.ErrNoMatch},
		"replayed after window": {secret, body, h, now.Add(webhooksig.Window + time.Second), webhooksig.ErrTooOld},
		"from the future":       {secret, body, h, now.Add(-webhooksig.Window - time.Second), webhooksig.ErrTooOld},
		"timestamp moved":       {secret, body, strings.Replace(h, "t=1800000000", "t=1800000060", 1), now, webhooksig.ErrNoMatch},
		"no header":             {secret, body, "", now, webhooksig.ErrMalformed},
		"no v1":                 {secret, body, "t=1800000000", now, webhooksig.ErrMalformed},
		"two t":                 {secret, body, "t=1800000000," + h, now, webhooksig.ErrMalformed},
	} {
		if err := webhooksig.Verify(c.secret, c.header, c.body, c.at); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	// A rotation: the old and the new secret's signatures side by side.
	rot := h + ",v1=" + strings.Split(webhooksig.Sign([]byte("whsec_new"), body, now), "v1=")[1]
	if err := webhooksig.Verify([]byte("whsec_new"), rot, body, now); err != nil {
		t.Errorf("the second signature of a rotation: %v", err)
	}
}

// FuzzParse: no header makes Parse panic, and whatever it accepts has a
// positive timestamp and full-length signatures; a header Sign made always
// parses.
func FuzzParse(f *testing.F) {
	f.Add("t=1800000000,v1=" + strings.Repeat("ab", 32))
	f.Add("t=1,v1=00,v2=zz")
	f.Add(",,,=")
	f.Add("t=-5,v1=" + strings.Repeat("0", 64))
	f.Fuzz(func(t *testing.T, h string) {
		p, err := webhooksig.Parse(h)
		if err != nil {
			return
		}
		if p.Timestamp <= 0 || len(p.Signatures) == 0 {
			t.Fatalf("accepted %q as %+v", h, p)
		}
		for _, s := range p.Signatures {
			if len(s) != 32 {
				t.Fatalf("accepted a short signature in %q", h)
			}
		}
		if _, err := webhooksig.Parse(webhooksig.Sign([]byte(h), []byte(h), time.Unix(p.Timestamp, 0))); err != nil {
			t.Fatalf("a signed header does not parse: %v", err)
		}
	})
}
