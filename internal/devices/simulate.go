package devices

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// SimKinds are the kinds the simulator makes readings for, by the name its
// --kind flag takes.
var SimKinds = map[string]Kind{
	"glucose":        GlucoseMeter,
	"blood_pressure": BloodPressure,
	"weight":         WeightScale,
	"spo2":           PulseOximeter,
	"steps":          ActivityTracker,
}

// MaxSimDays bounds a simulation.
const MaxSimDays = 365

// SimBatch is one batch of simulated readings, ready to post.
type SimBatch struct {
	ID       string
	Body     []byte
	Readings int
}

// simReading is a reading in the JSON batch format.
type simReading struct {
	Type       Type     `json:"type"`
	Value      *float64 `json:"value,omitempty"`
	Systolic   *float64 `json:"systolic,omitempty"`
	Diastolic  *float64 `json:"diastolic,omitempty"`
	Unit       string   `json:"unit"`
	MeasuredAt string   `json:"measured_at"`
	Seq        int64    `json:"seq"`
}

// Simulate makes days of realistic readings of a kind of device, ending at
// end, in batches of at most size, the same for the same seed: glucose every
// 15 minutes (a daily rhythm, meals, the odd low and high), blood pressure
// and pulse morning and evening, weight each morning, SpO2 and pulse each
// hour of the night, steps each hour of the day. Sequence numbers and batch
// ids come from the readings' times, so posting the same simulation twice
// stores nothing twice.
func Simulate(kind Kind, days int, end time.Time, size int, seed uint64) ([]SimBatch, error) {
	if !kind.Valid() {
		return nil, fmt.Errorf("unknown kind %q", kind)
	}
	if days < 1 || days > MaxSimDays {
		return nil, fmt.Errorf("simulate 1 to %d days", MaxSimDays)
	}
	if size < 1 || size > MaxBatch {
		return nil, fmt.Errorf("batches of 1 to %d readings", MaxBatch)
	}
	// Why math/rand: the readings must be the same for the same seed (a
	// second run stores nothing twice); nothing here is a secret.
	rng := rand.New(rand.NewPCG(seed, uint64(len(kind)))) //nolint:gosec // deterministic simulation, see above
	end = end.UTC().Truncate(time.Minute)
	start := end.Add(-time.Duration(days) * 24 * time.Hour)
	var out []simReading
	add := func(t Type, at time.Time, v, v2 float64) {
		r := simReading{Type: t, Unit: t.Unit(), MeasuredAt: at.Format(time.RFC3339), Seq: at.Unix()/60*8 + int64(indexOf(t))}
		v, v2 = math.Round(v*10)/10, math.Round(v2*10)/10
		if t == BP {
			r.Systolic, r.Diastolic = &v, &v2
		} else {
			r.Value = &v
		}
		out = append(out, r)
	}
	clamp := func(t Type, v float64) float64 {
		p := plausible[t]
		return math.Min(math.Max(v, p[0]), p[1])
	}
	for day := start.Truncate(24 * time.Hour); day.Before(end); day = day.Add(24 * time.Hour) {
		at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
		in := func(t time.Time) bool { return t.After(start) && !t.After(end) }
		switch kind {
		case GlucoseMeter:
			for m := 0; m < 24*60; m += 15 {
				t := at(0, m)
				if !in(t) {
					continue
				}
				h := float64(m) / 60
				v := 105 + 10*math.Sin((h-4)/24*2*math.Pi) + rng.NormFloat64()*8
				for _, meal := range []float64{7.5, 12.5, 19} {
					if d := h - meal; d > 0 && d < 3 {
						v += 70 * d * math.Exp(-d*1.4)
					}
				}
				switch rng.IntN(1500) {
				case 0:
					v = 48 + rng.Float64()*5 // a rare low, past the alert threshold
				case 1:
					v = 310 + rng.Float64()*20 // a rare high
				}
				add(Glucose, t, clamp(Glucose, v), 0)
			}
		case BloodPressure:
			for _, hm := range [][2]int{{7, 30}, {21, 0}} {
				if t := at(hm[0], hm[1]); in(t) {
					add(BP, t, clamp(BP, 128+rng.NormFloat64()*8), clamp(BP, 82+rng.NormFloat64()*5))
					add(HeartRate, t, clamp(HeartRate, 70+rng.NormFloat64()*6), 0)
				}
			}
		case WeightScale:
			if t := at(7, 0); in(t) {
				add(Weight, t, 82+end.Sub(t).Hours()/24*0.01+rng.NormFloat64()*0.3, 0)
			}
		case PulseOximeter:
			for h := 0; h < 7; h++ {
				if t := at(h, 0); in(t) {
					add(SpO2, t, clamp(SpO2, 96+rng.NormFloat64()*1.2), 0)
					add(HeartRate, t, clamp(HeartRate, 58+rng.NormFloat64()*4), 0)
				}
			}
		case ActivityTracker:
			for h := 7; h < 22; h++ {
				if t := at(h, 59); in(t) {
					add(Steps, t, math.Max(0, 600+rng.NormFloat64()*300), 0)
				}
			}
		}
	}
	var batches []SimBatch
	for len(out) > 0 {
		part := out[:min(size, len(out))]
		out = out[len(part):]
		id := fmt.Sprintf("sim-%s-%d-%d", kind, part[0].Seq, len(part))
		body, err := json.Marshal(struct {
			BatchID  string       `json:"batch_id"`
			Readings []simReading `json:"readings"`
		}{id, part})
		if err != nil {
			return nil, err
		}
		batches = append(batches, SimBatch{ID: id, Body: body, Readings: len(part)})
	}
	return batches, nil
}

func indexOf(t Type) int {
	for i, x := range Types {
		if x == t {
			return i
		}
	}
	return 0
}
