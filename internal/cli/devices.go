package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/devices"
)

func devicesCommand() command {
	c := command{name: "devices", usage: "devices simulate --token T --kind KIND [--days N] [--url URL]",
		summary: "Post simulated device readings through the public device API."}
	c.run = func(ctx context.Context, env *Env, args []string) error {
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
			fmt.Fprint(env.Stdout, `Usage: salve devices <action> [flags]

Connected devices.

Actions:
  simulate   post realistic readings of one kind of device for a number of
             days, ending now, through POST /api/v1/devices/readings with a
             device token (pair a device on the account's Devices page and
             exchange its code at POST /api/v1/devices/pair). Posting the
             same days twice stores nothing twice. Loopback only, unless
             --remote is given with an https URL.

Run 'salve devices simulate -h' for its flags.
`)
			if len(args) == 0 {
				return usagef("devices needs an action")
			}
			return flag.ErrHelp
		}
		action, args := args[0], args[1:]
		if action != "simulate" {
			return usagef("unknown devices action %q; see 'salve devices -h'", action)
		}
		sub := command{name: "devices simulate", usage: c.usage, summary: "Post simulated readings of one device through the device API."}
		fs := flags(env, sub)
		token := fs.String("token", "", "the device token (sdt_...); or set SALVE_DEVICE_TOKEN")
		kinds := make([]string, 0, len(devices.SimKinds))
		for k := range devices.SimKinds {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds)
		kind := fs.String("kind", "glucose", "what the device measures: "+strings.Join(kinds, ", "))
		days := fs.Int("days", 7, fmt.Sprintf("days of readings, ending now (1 to %d)", devices.MaxSimDays))
		base := fs.String("url", "http://127.0.0.1:8080", "the Salve site to post to")
		batch := fs.Int("batch", 500, fmt.Sprintf("readings per batch (1 to %d)", devices.MaxBatch))
		remote := fs.Bool("remote", false, "allow a host that is not loopback (https only)")
		seed := fs.Uint64("seed", 1, "the random seed: the same seed makes the same readings")
		if err := parse(env, fs, args, 0); err != nil {
			return err
		}
		if *token == "" {
			*token = env.Getenv("SALVE_DEVICE_TOKEN")
		}
		k, ok := devices.SimKinds[*kind]
		switch {
		case *token == "":
			return usagef("--token is required (or SALVE_DEVICE_TOKEN)")
		case !ok:
			return usagef("--kind must be one of %s", strings.Join(kinds, ", "))
		}
		u, err := url.Parse(*base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("--url must be an http(s) URL such as http://127.0.0.1:8080")
		}
		// Why loopback by default: the simulator makes up health readings;
		// pointed at a real site by mistake it would fill a real record.
		if !loopbackHost(u.Hostname()) && (!*remote || u.Scheme != "https") {
			return usagef("--url %s is not loopback; give --remote and an https URL to post elsewhere", u.Host)
		}
		batches, err := devices.Simulate(k, *days, env.Clock.Now(), *batch, *seed)
		if err != nil {
			return usagef("%v", err)
		}
		client := &http.Client{Timeout: 30 * time.Second}
		stored, again := 0, 0
		for _, b := range batches {
			n, replay, err := postBatch(ctx, client, u.JoinPath("/api/v1/devices/readings").String(), *token, b)
			if err != nil {
				return err
			}
			stored += n
			if replay {
				again += b.Readings
			}
		}
		fmt.Fprintf(env.Stdout, "posted %d batches: %d readings stored, %d already there\n", len(batches), stored, again)
		return nil
	}
	return c
}

// postBatch posts one batch; a replayed batch id (409) is not an error: the
// batch was stored before. A 429 waits and tries again, up to a minute.
func postBatch(ctx context.Context, client *http.Client, target, token string, b devices.SimBatch) (int, bool, error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(b.Body))
		if err != nil {
			return 0, false, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			return 0, false, fmt.Errorf("post batch %s: %w", b.ID, err)
		}
		body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
		_ = res.Body.Close()
		switch res.StatusCode {
		case http.StatusCreated:
			var r devices.IngestResult
			if err := json.Unmarshal(body, &r); err != nil {
				return 0, false, fmt.Errorf("batch %s: %w", b.ID, err)
			}
			return r.Stored, false, nil
		case http.StatusConflict:
			return 0, true, nil
		case http.StatusTooManyRequests:
			if attempt < 12 {
				select {
				case <-ctx.Done():
					return 0, false, ctx.Err()
				case <-time.After(5 * time.Second):
				}
				continue
			}
		}
		var p struct {
			Detail string `json:"detail"`
		}
		_ = json.Unmarshal(body, &p)
		return 0, false, fmt.Errorf("batch %s: %s: %s", b.ID, res.Status, p.Detail)
	}
}

// loopbackHost reports whether a host name is this machine.
func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
