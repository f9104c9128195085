package server_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/devices"
	"github.com/salvehealth/salve/internal/testkit"
)

// BenchmarkDeviceIngest posts batches of 500 minute-level glucose readings
// over HTTP on loopback (token lookup, parsing, validation, dedup, sealing,
// the day-chunk merge and the audit event included), 4 at a time, on each engine (PostgreSQL with SALVE_TEST_POSTGRES); readings/s is
// the figure (budget on SQLite: 50,000):
//
//	go test -run '^$' -bench BenchmarkDeviceIngest -benchtime 200x ./internal/server
func BenchmarkDeviceIngest(b *testing.B) {
	for _, e := range testkit.Engines() {
		b.Run(string(e), func(b *testing.B) {
			s := testkit.StartServer(b, e)
			const senders, size = 4, 500
			// Enough devices that none passes the rate limit (120 batches a
			// minute; the test clock stands still), spread over patients
			// since a person registers at most devices.MaxDevices.
			tokens := make([]string, b.N/50+1)
			var patient testkit.Person
			for i := range tokens {
				if i%devices.MaxDevices == 0 {
					patient = s.NewPerson(b, access.RolePatient)
				}
				_, code := registerDevice(b, s, patient, devices.GlucoseMeter)
				tokens[i] = pairDevice(b, s, code).Token
			}
			// Each batch its own 500 minutes of its patient's, going back
			// from now (so a long run stays inside devices.MaxAge); each
			// device its own sequence numbers. Batch i goes to device
			// i % len(tokens), as the senders below send it.
			now := s.Clock.Now().Truncate(time.Minute)
			bodies := make([]string, b.N)
			for i := range bodies {
				t, depth := i%len(tokens), i/len(tokens)
				slot := depth*devices.MaxDevices + t%devices.MaxDevices
				end := now.Add(-time.Duration(slot*size) * time.Minute)
				bodies[i] = glucoseBatch(fmt.Sprintf("bench-%d", i), size, end, int64(i*size), func(j int) float64 { return 90 + float64(j%60) })
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
			var next atomic.Int64
			var failed atomic.Value
			b.ResetTimer()
			cpu0 := cpuTime()
			start := time.Now()
			var wg sync.WaitGroup
			for range senders {
				wg.Go(func() {
					for {
						i := int(next.Add(1)) - 1
						if i >= len(bodies) {
							return
						}
						req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/devices/readings", strings.NewReader(bodies[i]))
						req.Header.Set("Authorization", "Bearer "+tokens[i%len(tokens)])
						req.Header.Set("Content-Type", "application/json")
						resp, err := client.Do(req)
						if err != nil {
							failed.Store(err.Error())
							return
						}
						_ = resp.Body.Close()
						if resp.StatusCode != http.StatusCreated {
							failed.Store(resp.Status)
							return
						}
					}
				})
			}
			wg.Wait()
			elapsed, cpu := time.Since(start), cpuTime()-cpu0
			b.StopTimer()
			if f := failed.Load(); f != nil {
				b.Fatalf("a batch failed: %v", f)
			}
			if n, _ := countChunkReadings(b, s); n != b.N*size {
				b.Fatalf("%d readings stored of %d", n, b.N*size)
			}
			b.ReportMetric(float64(b.N*size)/elapsed.Seconds(), "readings/s")
			// Per second of CPU (client and server, both in this process):
			// the figure a loaded machine does not distort.
			b.ReportMetric(float64(b.N*size)/cpu.Seconds(), "readings/cpu-s")
		})
	}
}

// cpuTime is the CPU time this process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDeviceChartPage is the 90-day (quarter) glucose chart page of
// a patient with the demo's 90 days of readings (8,640), through the real
// handler on SQLite: session, policy, 91 chunks opened with one audited
// access, the series built and rendered with its tables.
//
//	go test -run '^$' -bench BenchmarkDeviceChartPage -benchtime 50x ./internal/server
func BenchmarkDeviceChartPage(b *testing.B) {
	s := testkit.StartServer(b, testkit.Engines()[0])
	patient := s.NewPerson(b, access.RolePatient)
	dev, code := registerDevice(b, s, patient, devices.GlucoseMeter)
	_ = dev
	tok := pairDevice(b, s, code).Token
	batches, err := devices.Simulate(devices.GlucoseMeter, 90, s.Clock.Now(), devices.MaxBatch, 17)
	if err != nil {
		b.Fatal(err)
	}
	for _, bt := range batches {
		if r, body := deviceCall(b, s, "/api/v1/devices/readings", tok, string(bt.Body)); r.StatusCode != http.StatusCreated {
			b.Fatalf("seed: %d %s", r.StatusCode, body)
		}
	}
	c := s.ClientAs(b, patient)
	stmts := func() uint64 {
		return s.Stores.Catalog.Statements() + s.Stores.PHI.Statements() + s.Stores.Audit.Statements()
	}
	var size int64
	get := func() {
		resp, err := c.Get(s.URL + "/account/devices/readings/glucose?period=quarter")
		if err != nil {
			b.Fatal(err)
		}
		size, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("chart page: %d", resp.StatusCode)
		}
	}
	get() // warm
	before := stmts()
	cpu0 := testkit.ProcessCPU()
	b.ResetTimer()
	for b.Loop() {
		get()
	}
	b.ReportMetric(float64(stmts()-before)/float64(b.N), "stmts/op")
	b.ReportMetric(float64(testkit.ProcessCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(size), "page-bytes")
}
