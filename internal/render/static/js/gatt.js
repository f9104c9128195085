// Parsers of the Bluetooth LE health measurements (issue 22), per the
// Bluetooth SIG's GATT specifications: the same parsing as Go's
// internal/devices/gatt, giving the same JSON for the same bytes (the
// browser test TestGATTModuleAgreesWithGo runs the Go vectors through this
// module). Values keep the device's unit; SFLOAT and FLOAT special values
// come out as strings ("NaN", "NRes", "+INF", "-INF", "reserved"), never as
// numbers. Octets past the fields the flags announce are ignored, as the
// specifications ask of a client; a value shorter than its flags announce
// throws.

export const SERVICES = {
  glucose: 0x1808,
  blood_pressure: 0x1810,
  weight_scale: 0x181d,
  heart_rate: 0x180d,
  pulse_oximeter: 0x1822,
};

export const CHARS = {
  glucose: 0x2a18,
  glucose_context: 0x2a34,
  racp: 0x2a52,
  blood_pressure: 0x2a35,
  weight: 0x2a9d,
  heart_rate: 0x2a37,
  plx: 0x2a5f,
};

// scale is mantissa × 10^exponent, dividing for negative exponents as the
// Go parser does, so both give the same double.
function scale(m, e) {
  return e < 0 ? m / 10 ** -e : m * 10 ** e;
}

const SFLOAT_SPECIAL = { 0x07ff: "NaN", 0x0800: "NRes", 0x07fe: "+INF", 0x0802: "-INF", 0x0801: "reserved" };
const FLOAT_SPECIAL = { 0x007fffff: "NaN", 0x00800000: "NRes", 0x007ffffe: "+INF", 0x00800002: "-INF", 0x00800001: "reserved" };

// sfloat decodes a 16-bit SFLOAT (4-bit exponent, 12-bit mantissa).
export function sfloat(raw) {
  if (raw in SFLOAT_SPECIAL) return SFLOAT_SPECIAL[raw];
  let m = raw & 0x0fff;
  if (m >= 0x0800) m -= 0x1000;
  let e = raw >> 12;
  if (e >= 8) e -= 16;
  return scale(m, e);
}

// float32 decodes a 32-bit FLOAT (8-bit exponent, 24-bit mantissa).
export function float32(raw) {
  raw >>>= 0;
  if (raw in FLOAT_SPECIAL) return FLOAT_SPECIAL[raw];
  let m = raw & 0x00ffffff;
  if (m >= 0x00800000) m -= 0x01000000;
  let e = raw >>> 24;
  if (e >= 128) e -= 256;
  return scale(m, e);
}

// Reader walks a value's bytes, little-endian.
class Reader {
  constructor(bytes) {
    this.b = bytes;
    this.i = 0;
  }
  take(n) {
    if (this.i + n > this.b.length) throw new Error("value shorter than its flags announce");
    const at = this.i;
    this.i += n;
    return at;
  }
  left() {
    return this.b.length - this.i;
  }
  u8() {
    return this.b[this.take(1)];
  }
  u16() {
    const i = this.take(2);
    return this.b[i] | (this.b[i + 1] << 8);
  }
  s16() {
    const v = this.u16();
    return v >= 0x8000 ? v - 0x10000 : v;
  }
  u24() {
    const i = this.take(3);
    return this.b[i] | (this.b[i + 1] << 8) | (this.b[i + 2] << 16);
  }
  sfloat() {
    return sfloat(this.u16());
  }
  dateTime() {
    return { year: this.u16(), month: this.u8(), day: this.u8(), hours: this.u8(), minutes: this.u8(), seconds: this.u8() };
  }
}

function daysIn(y, m) {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

const pad = (n, w) => String(n).padStart(w, "0");

// local is the device's clock plus offset minutes as "2006-01-02T15:04:05"
// (no zone), or "" when the date is unknown or impossible. Date.UTC does the
// calendar arithmetic: UTC has no daylight saving to skip an hour.
export function local(d, offset = 0) {
  if (d.year < 1582 || d.year > 9999 || d.month < 1 || d.month > 12 || d.day < 1 || d.day > daysIn(d.year, d.month) ||
    d.hours > 23 || d.minutes > 59 || d.seconds > 59) {
    return "";
  }
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day, d.hours, d.minutes + offset, d.seconds));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1, 2)}-${pad(t.getUTCDate(), 2)}T` +
    `${pad(t.getUTCHours(), 2)}:${pad(t.getUTCMinutes(), 2)}:${pad(t.getUTCSeconds(), 2)}`;
}

export function parseGlucose(bytes) {
  const r = new Reader(bytes);
  const flags = r.u8();
  const g = { seq: r.u16() };
  const base = r.dateTime();
  let offset = 0;
  if (flags & 0x01) {
    offset = r.s16();
    g.time_offset = offset;
  }
  if (flags & 0x02) {
    g.concentration = r.sfloat();
    g.unit = flags & 0x04 ? "mol/L" : "kg/L";
    const ts = r.u8();
    g.sample_type = ts & 0x0f;
    g.location = ts >> 4;
  }
  if (flags & 0x08) g.status = r.u16();
  g.context_follows = (flags & 0x10) !== 0;
  g.at = local(base, offset);
  return g;
}

export function parseGlucoseContext(bytes) {
  const r = new Reader(bytes);
  const flags = r.u8();
  const c = { seq: r.u16() };
  if (flags & 0x80) c.extended_flags = r.u8();
  if (flags & 0x01) {
    c.carb_id = r.u8();
    c.carb_kg = r.sfloat();
  }
  if (flags & 0x02) c.meal = r.u8();
  if (flags & 0x04) {
    const th = r.u8();
    c.tester = th & 0x0f;
    c.health = th >> 4;
  }
  if (flags & 0x08) {
    c.exercise_duration = r.u16();
    c.exercise_intensity = r.u8();
  }
  if (flags & 0x10) {
    c.medication_id = r.u8();
    c.medication = r.sfloat();
    c.medication_unit = flags & 0x20 ? "L" : "kg";
  }
  if (flags & 0x40) c.hba1c = r.sfloat();
  return c;
}

// RACP requests and responses (Record Access Control Point, 0x2A52).
export const RACP = { REPORT: 1, DELETE: 2, ABORT: 3, COUNT: 4, COUNT_RESPONSE: 5, RESPONSE: 6, ALL: 1, GE: 3, FILTER_SEQ: 1 };
const RESPONSES = ["", "success", "op code not supported", "invalid operator", "operator not supported", "invalid operand",
  "no records found", "abort unsuccessful", "procedure not completed", "operand not supported"];

// allRecords asks for every stored record.
export function allRecords() {
  return new Uint8Array([RACP.REPORT, RACP.ALL]);
}

// recordsFrom asks for the records with a sequence number of seq or more.
export function recordsFrom(seq) {
  return new Uint8Array([RACP.REPORT, RACP.GE, RACP.FILTER_SEQ, seq & 0xff, (seq >> 8) & 0xff]);
}

export function parseRACP(bytes) {
  const r = new Reader(bytes);
  const p = { op: r.u8(), operator: r.u8() };
  switch (p.op) {
    case RACP.COUNT_RESPONSE:
      p.count = r.u16();
      break;
    case RACP.RESPONSE:
      p.request = r.u8();
      p.response = r.u8();
      p.result = RESPONSES[p.response] || "reserved";
      break;
    case RACP.REPORT: case RACP.DELETE: case RACP.ABORT: case RACP.COUNT: {
      const rest = Array.from(bytes.slice(r.i));
      if (rest.length) p.operand = rest;
      break;
    }
    default:
      throw new Error(`RACP op code ${p.op} is reserved`);
  }
  return p;
}

export function parseBloodPressure(bytes) {
  const r = new Reader(bytes);
  const flags = r.u8();
  const p = { unit: flags & 0x01 ? "kPa" : "mmHg", systolic: r.sfloat(), diastolic: r.sfloat(), map: r.sfloat() };
  if (flags & 0x02) {
    const at = local(r.dateTime());
    if (at) p.at = at;
  }
  if (flags & 0x04) p.pulse = r.sfloat();
  if (flags & 0x08) p.user = r.u8();
  if (flags & 0x10) p.status = r.u16();
  return p;
}

export function parseWeight(bytes) {
  const r = new Reader(bytes);
  const flags = r.u8();
  const imperial = (flags & 0x01) !== 0;
  const w = { unit: imperial ? "lb" : "kg" };
  const raw = r.u16();
  if (raw !== 0xffff) w.weight = imperial ? raw / 100 : (raw * 5) / 1000;
  if (flags & 0x02) {
    const at = local(r.dateTime());
    if (at) w.at = at;
  }
  if (flags & 0x04) w.user = r.u8();
  if (flags & 0x08) {
    w.bmi = r.u16() / 10;
    const h = r.u16();
    w.height = imperial ? h / 10 : h / 1000;
    w.height_unit = imperial ? "in" : "m";
  }
  return w;
}

export function parseHeartRate(bytes) {
  const r = new Reader(bytes);
  const flags = r.u8();
  const h = { bpm: flags & 0x01 ? r.u16() : r.u8() };
  h.contact = ["unsupported", "unsupported", "lost", "detected"][(flags >> 1) & 0x03];
  if (flags & 0x08) h.energy = r.u16();
  if (flags & 0x10) {
    const rr = [];
    while (r.left() >= 2) rr.push(r.u16());
    if (rr.length) h.rr = rr;
  }
  return h;
}

export function parsePLX(bytes) {
  const r = new Reader(bytes);
  const flags = r.u8();
  const p = { spo2: r.sfloat(), pr: r.sfloat() };
  if (flags & 0x01) {
    p.spo2_fast = r.sfloat();
    p.pr_fast = r.sfloat();
  }
  if (flags & 0x02) {
    p.spo2_slow = r.sfloat();
    p.pr_slow = r.sfloat();
  }
  if (flags & 0x04) p.status = r.u16();
  if (flags & 0x08) p.sensor_status = r.u24();
  if (flags & 0x10) p.pai = r.sfloat();
  return p;
}

const PARSERS = {
  "2A18": parseGlucose,
  "2A34": parseGlucoseContext,
  "2A52": parseRACP,
  "2A35": parseBloodPressure,
  "2A9D": parseWeight,
  "2A37": parseHeartRate,
  "2A5F": parsePLX,
};

// parse parses the value (a Uint8Array, or a DataView as Web Bluetooth
// gives it) of the characteristic named by the uppercase hex of its UUID.
export function parse(char, value) {
  const bytes = value instanceof DataView ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : value;
  const f = PARSERS[char];
  if (!f) throw new Error(`unknown characteristic ${char}`);
  return f(bytes);
}

// mgdl turns a glucose concentration (kg/L or mol/L) into the mg/dL or
// mmol/L the ingestion API takes: [value, unit], or null for a special value.
export function glucoseReading(g) {
  if (typeof g.concentration !== "number") return null;
  return g.unit === "mol/L"
    ? [Math.round(g.concentration * 1e4) / 10, "mmol/L"]
    : [Math.round(g.concentration * 1e6) / 10, "mg/dL"];
}
