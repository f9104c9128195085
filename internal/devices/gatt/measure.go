package gatt

// Glucose is a Glucose Measurement (0x2A18).
type Glucose struct {
	Seq int `json:"seq"`
	// At is the base time plus the time offset, the device's clock ("" when
	// the device does not know the date).
	At         string `json:"at"`
	TimeOffset *int   `json:"time_offset,omitempty"`
	// Concentration is in Unit: "kg/L" or "mol/L"; absent when the flags say
	// so (a record that is only a context or a status).
	Concentration *Float `json:"concentration,omitempty"`
	Unit          string `json:"unit,omitempty"`
	// SampleType (1 capillary whole blood … 10 control solution) and
	// Location (1 finger … 15 not available).
	SampleType *int `json:"sample_type,omitempty"`
	Location   *int `json:"location,omitempty"`
	// Status is the Sensor Status Annunciation bit field (battery low,
	// sensor malfunction, sample size insufficient …).
	Status      *int `json:"status,omitempty"`
	ContextNext bool `json:"context_follows"`
}

func intp(v int) *int { return &v }

// ParseGlucose parses a Glucose Measurement.
func ParseGlucose(b []byte) (*Glucose, error) {
	r := &reader{b: b}
	flags := r.u8()
	g := &Glucose{Seq: r.u16()}
	base := r.dateTime()
	offset := 0
	if flags&0x01 != 0 {
		offset = r.s16()
		g.TimeOffset = intp(offset)
	}
	if flags&0x02 != 0 {
		c := r.sfloat()
		g.Concentration = &c
		g.Unit = "kg/L"
		if flags&0x04 != 0 {
			g.Unit = "mol/L"
		}
		ts := r.u8()
		g.SampleType, g.Location = intp(ts&0x0F), intp(ts>>4)
	}
	if flags&0x08 != 0 {
		g.Status = intp(r.u16())
	}
	g.ContextNext = flags&0x10 != 0
	g.At = base.Local(offset)
	return g, r.done()
}

// GlucoseContext is a Glucose Measurement Context (0x2A34): what the
// patient said about a measurement (meal, carbohydrates, exercise,
// medication, HbA1c), linked to it by the sequence number.
type GlucoseContext struct {
	Seq           int    `json:"seq"`
	ExtendedFlags *int   `json:"extended_flags,omitempty"`
	CarbID        *int   `json:"carb_id,omitempty"`
	Carb          *Float `json:"carb_kg,omitempty"`
	// Meal: 1 preprandial, 2 postprandial, 3 fasting, 4 casual, 5 bedtime.
	Meal   *int `json:"meal,omitempty"`
	Tester *int `json:"tester,omitempty"`
	Health *int `json:"health,omitempty"`
	// ExerciseDuration in seconds (65535: overrun), ExerciseIntensity in %.
	ExerciseDuration  *int   `json:"exercise_duration,omitempty"`
	ExerciseIntensity *int   `json:"exercise_intensity,omitempty"`
	MedicationID      *int   `json:"medication_id,omitempty"`
	Medication        *Float `json:"medication,omitempty"`
	// MedicationUnit is "kg" or "L".
	MedicationUnit string `json:"medication_unit,omitempty"`
	HbA1c          *Float `json:"hba1c,omitempty"`
}

// ParseGlucoseContext parses a Glucose Measurement Context.
func ParseGlucoseContext(b []byte) (*GlucoseContext, error) {
	r := &reader{b: b}
	flags := r.u8()
	c := &GlucoseContext{Seq: r.u16()}
	if flags&0x80 != 0 {
		c.ExtendedFlags = intp(r.u8())
	}
	if flags&0x01 != 0 {
		c.CarbID = intp(r.u8())
		v := r.sfloat()
		c.Carb = &v
	}
	if flags&0x02 != 0 {
		c.Meal = intp(r.u8())
	}
	if flags&0x04 != 0 {
		th := r.u8()
		c.Tester, c.Health = intp(th&0x0F), intp(th>>4)
	}
	if flags&0x08 != 0 {
		c.ExerciseDuration = intp(r.u16())
		c.ExerciseIntensity = intp(r.u8())
	}
	if flags&0x10 != 0 {
		c.MedicationID = intp(r.u8())
		v := r.sfloat()
		c.Medication = &v
		c.MedicationUnit = "kg"
		if flags&0x20 != 0 {
			c.MedicationUnit = "L"
		}
	}
	if flags&0x40 != 0 {
		v := r.sfloat()
		c.HbA1c = &v
	}
	return c, r.done()
}

// BloodPressure is a Blood Pressure Measurement (0x2A35).
type BloodPressure struct {
	// Unit is "mmHg" or "kPa" (of the three pressures; the pulse is per minute).
	Unit      string `json:"unit"`
	Systolic  Float  `json:"systolic"`
	Diastolic Float  `json:"diastolic"`
	MAP       Float  `json:"map"`
	At        string `json:"at,omitempty"`
	Pulse     *Float `json:"pulse,omitempty"`
	UserID    *int   `json:"user,omitempty"`
	// Status: body movement, cuff fit, irregular pulse, pulse range,
	// measurement position bits.
	Status *int `json:"status,omitempty"`
}

// ParseBloodPressure parses a Blood Pressure Measurement.
func ParseBloodPressure(b []byte) (*BloodPressure, error) {
	r := &reader{b: b}
	flags := r.u8()
	p := &BloodPressure{Unit: "mmHg"}
	if flags&0x01 != 0 {
		p.Unit = "kPa"
	}
	p.Systolic, p.Diastolic, p.MAP = r.sfloat(), r.sfloat(), r.sfloat()
	if flags&0x02 != 0 {
		p.At = r.dateTime().Local(0)
	}
	if flags&0x04 != 0 {
		v := r.sfloat()
		p.Pulse = &v
	}
	if flags&0x08 != 0 {
		p.UserID = intp(r.u8())
	}
	if flags&0x10 != 0 {
		p.Status = intp(r.u16())
	}
	return p, r.done()
}

// Weight is a Weight Measurement (0x2A9D).
type Weight struct {
	// Unit is "kg" (resolution 0.005 kg) or "lb" (0.01 lb). Weight is absent
	// when the scale says the measurement failed (0xFFFF).
	Unit   string   `json:"unit"`
	Weight *float64 `json:"weight,omitempty"`
	At     string   `json:"at,omitempty"`
	UserID *int     `json:"user,omitempty"`
	// BMI (resolution 0.1) and Height in "m" (0.001 m) or "in" (0.1 in).
	BMI        *float64 `json:"bmi,omitempty"`
	Height     *float64 `json:"height,omitempty"`
	HeightUnit string   `json:"height_unit,omitempty"`
}

func f64p(v float64) *float64 { return &v }

// ParseWeight parses a Weight Measurement.
func ParseWeight(b []byte) (*Weight, error) {
	r := &reader{b: b}
	flags := r.u8()
	imperial := flags&0x01 != 0
	w := &Weight{Unit: "kg"}
	raw := r.u16()
	switch {
	case raw == 0xFFFF:
	case imperial:
		w.Weight = f64p(float64(raw) / 100)
	default:
		w.Weight = f64p(float64(raw) * 5 / 1000)
	}
	if imperial {
		w.Unit = "lb"
	}
	if flags&0x02 != 0 {
		w.At = r.dateTime().Local(0)
	}
	if flags&0x04 != 0 {
		w.UserID = intp(r.u8())
	}
	if flags&0x08 != 0 {
		w.BMI = f64p(float64(r.u16()) / 10)
		h := r.u16()
		if imperial {
			w.Height, w.HeightUnit = f64p(float64(h)/10), "in"
		} else {
			w.Height, w.HeightUnit = f64p(float64(h)/1000), "m"
		}
	}
	return w, r.done()
}

// HeartRate is a Heart Rate Measurement (0x2A37). It carries no time: it
// is a notification of now.
type HeartRate struct {
	BPM int `json:"bpm"`
	// Contact is "unsupported", "lost" or "detected".
	Contact string `json:"contact"`
	// Energy is the energy expended in kJ since the last reset.
	Energy *int `json:"energy,omitempty"`
	// RR are the RR intervals in 1/1024 s.
	RR []int `json:"rr,omitempty"`
}

// ParseHeartRate parses a Heart Rate Measurement.
func ParseHeartRate(b []byte) (*HeartRate, error) {
	r := &reader{b: b}
	flags := r.u8()
	h := &HeartRate{}
	if flags&0x01 != 0 {
		h.BPM = r.u16()
	} else {
		h.BPM = r.u8()
	}
	switch (flags >> 1) & 0x03 {
	case 2:
		h.Contact = "lost"
	case 3:
		h.Contact = "detected"
	default:
		h.Contact = "unsupported"
	}
	if flags&0x08 != 0 {
		h.Energy = intp(r.u16())
	}
	if flags&0x10 != 0 {
		for r.err == nil && len(r.b) >= 2 {
			h.RR = append(h.RR, r.u16())
		}
	}
	return h, r.done()
}

// PLX is a PLX Continuous Measurement (0x2A5F): SpO2 in % and pulse rate
// per minute, normal, and fast and slow when the oximeter reports them.
type PLX struct {
	SpO2      Float  `json:"spo2"`
	PR        Float  `json:"pr"`
	SpO2Fast  *Float `json:"spo2_fast,omitempty"`
	PRFast    *Float `json:"pr_fast,omitempty"`
	SpO2Slow  *Float `json:"spo2_slow,omitempty"`
	PRSlow    *Float `json:"pr_slow,omitempty"`
	Status    *int   `json:"status,omitempty"`
	Sensor    *int   `json:"sensor_status,omitempty"`
	Amplitude *Float `json:"pai,omitempty"`
}

// ParsePLX parses a PLX Continuous Measurement.
func ParsePLX(b []byte) (*PLX, error) {
	r := &reader{b: b}
	flags := r.u8()
	p := &PLX{SpO2: r.sfloat(), PR: r.sfloat()}
	pair := func() (*Float, *Float) {
		a, b := r.sfloat(), r.sfloat()
		return &a, &b
	}
	if flags&0x01 != 0 {
		p.SpO2Fast, p.PRFast = pair()
	}
	if flags&0x02 != 0 {
		p.SpO2Slow, p.PRSlow = pair()
	}
	if flags&0x04 != 0 {
		p.Status = intp(r.u16())
	}
	if flags&0x08 != 0 {
		p.Sensor = intp(r.u24())
	}
	if flags&0x10 != 0 {
		v := r.sfloat()
		p.Amplitude = &v
	}
	return p, r.done()
}
