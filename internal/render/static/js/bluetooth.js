// "Connect my meter" on /account/devices (issue 22): reads a Bluetooth LE
// health device through Web Bluetooth, shows the readings for review, and
// posts them to our own ingestion API with a device token, so they pass the
// same validation, dedup and idempotency as any device's. Nothing leaves the
// browser but requests to this origin. The parsers are js/gatt.js, the same
// as Go's internal/devices/gatt (its URL, content-hashed, is the panel's
// data-gatt).
//
// Glucose meters are read through the Record Access Control Point: the page
// asks for the records after the last sequence number stored (all records
// the first time), so a reconnect fetches only new ones. Blood pressure
// monitors, scales, pulse oximeters and heart rate monitors send their
// measurements once subscribed; the page collects them until the patient
// presses "Review".
const panel = document.getElementById("ble");

const FILTERS = [
  ["glucose", 0x1808],
  ["blood_pressure", 0x1810],
  ["weight_scale", 0x181d],
  ["pulse_oximeter", 0x1822],
  ["heart_rate", 0x180d],
];

function el(tag, attrs = {}, text = "") {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

function say(text, tone = "") {
  const s = panel.querySelector("#ble-status");
  s.className = tone ? `notice notice-${tone}` : "notice";
  s.textContent = text;
  s.hidden = false;
}

async function postForm(url, fields) {
  const res = await fetch(url, {
    method: "POST",
    headers: { Accept: "application/json" },
    body: new URLSearchParams(fields),
    credentials: "same-origin",
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.detail || body.title || `The server answered ${res.status}.`);
  return body;
}

async function postJSON(url, body, token) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body), credentials: "omit" });
  const out = await res.json().catch(() => ({}));
  return { status: res.status, body: out };
}

// instant turns the device's clock ("2026-12-07T08:30:00", no zone) into an
// instant, taking it as this browser's local time.
function instant(at) {
  if (!at) return "";
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString();
}

const round1 = (v) => Math.round(v * 10) / 10;

// hexOf is a characteristic value's bytes in hex, sent beside each reading
// so the server checks the reading against what its own parser reads.
function hexOf(view) {
  return Array.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), (b) => b.toString(16).padStart(2, "0")).join("");
}
const num = (v) => typeof v === "number" && Number.isFinite(v);

// readingsOf turns one parsed measurement into ingestion readings, with a
// note for the review table; skipped says why a measurement is not sent.
function readingsOf(gatt, kind, m, now, raw) {
  const out = readingsFor(gatt, kind, m, now);
  for (const r of out.readings || []) r.gatt = { char: CHAR_NAME[kind], value: raw };
  return out;
}

function readingsFor(gatt, kind, m, now) {
  switch (kind) {
    case "glucose": {
      const v = gatt.glucoseReading(m);
      if (!v) return { skipped: "the meter gave no value" };
      const at = instant(m.at);
      if (!at) return { skipped: "the meter's clock is not set" };
      return { readings: [{ type: "glucose", value: v[0], unit: v[1], measured_at: at, seq: m.seq }], text: `${v[0]} ${v[1]}`, at };
    }
    case "blood_pressure": {
      if (!num(m.systolic) || !num(m.diastolic)) return { skipped: "the monitor gave no value" };
      const f = m.unit === "kPa" ? 7.50062 : 1;
      const at = instant(m.at) || now;
      const sys = Math.round(m.systolic * f);
      const dia = Math.round(m.diastolic * f);
      const out = [{ type: "blood_pressure", systolic: sys, diastolic: dia, unit: "mm[Hg]", measured_at: at }];
      if (num(m.pulse)) out.push({ type: "heart_rate", value: Math.round(m.pulse), unit: "/min", measured_at: at });
      return { readings: out, text: `${sys}/${dia} mmHg${num(m.pulse) ? `, pulse ${Math.round(m.pulse)}` : ""}`, at };
    }
    case "weight_scale": {
      if (!num(m.weight)) return { skipped: "the scale could not measure" };
      const at = instant(m.at) || now;
      const unit = m.unit === "lb" ? "[lb_av]" : "kg";
      return { readings: [{ type: "weight", value: m.weight, unit, measured_at: at }], text: `${m.weight} ${m.unit}`, at };
    }
    case "pulse_oximeter": {
      if (!num(m.spo2)) return { skipped: "the oximeter gave no value" };
      const out = [{ type: "spo2", value: round1(m.spo2), unit: "%", measured_at: now }];
      if (num(m.pr)) out.push({ type: "heart_rate", value: Math.round(m.pr), unit: "/min", measured_at: now });
      return { readings: out, text: `${round1(m.spo2)} %${num(m.pr) ? `, pulse ${Math.round(m.pr)}` : ""}`, at: now };
    }
    case "heart_rate":
      if (!m.bpm) return { skipped: "no heart rate" };
      return { readings: [{ type: "heart_rate", value: m.bpm, unit: "/min", measured_at: now }], text: `${m.bpm} /min`, at: now };
  }
  return { skipped: "not a measurement this page reads" };
}

const MEASUREMENT = {
  glucose: 0x2a18,
  blood_pressure: 0x2a35,
  weight_scale: 0x2a9d,
  pulse_oximeter: 0x2a5f,
  heart_rate: 0x2a37,
};
const MEALS = { 1: "Before a meal", 2: "After a meal", 3: "Fasting", 4: "Casual", 5: "Bedtime" };
const CHAR_NAME = { glucose: "2A18", blood_pressure: "2A35", weight_scale: "2A9D", pulse_oximeter: "2A5F", heart_rate: "2A37" };

// readGlucose asks the meter for its records after lastSeq through the
// Record Access Control Point and collects them until the meter says it
// is done (or a minute passes).
async function readGlucose(gatt, service, lastSeq, onRecord, onContext) {
  const measurement = await service.getCharacteristic(0x2a18);
  const racp = await service.getCharacteristic(0x2a52);
  measurement.addEventListener("characteristicvaluechanged", (e) => onRecord(gatt.parse("2A18", e.target.value), hexOf(e.target.value)));
  await measurement.startNotifications();
  // The context (meal, exercise …) is optional; it only annotates the review.
  const context = await service.getCharacteristic(0x2a34).catch(() => null);
  if (context) {
    context.addEventListener("characteristicvaluechanged", (e) => onContext(gatt.parse("2A34", e.target.value)));
    await context.startNotifications();
  }
  const done = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("The meter stopped answering. Bring it closer and try again.")), 60000);
    racp.addEventListener("characteristicvaluechanged", (e) => {
      const r = gatt.parse("2A52", e.target.value);
      if (r.op !== gatt.RACP.RESPONSE) return;
      clearTimeout(timer);
      if (r.response === 1 || r.response === 6) resolve(r.response);
      else reject(new Error(`The meter refused the request (${r.result}).`));
    });
  });
  await racp.startNotifications();
  await racp.writeValueWithResponse(lastSeq >= 0 ? gatt.recordsFrom(lastSeq + 1) : gatt.allRecords());
  return done;
}

async function connect(gatt) {
  const button = panel.querySelector("#ble-connect");
  const review = panel.querySelector("#ble-review");
  review.replaceChildren();
  // Service filters only, never acceptAllDevices: the chooser lists health
  // devices and nothing else, and the page can reach only these services.
  const device = await navigator.bluetooth.requestDevice({ filters: FILTERS.map(([, uuid]) => ({ services: [uuid] })) });
  button.disabled = true;
  try {
    say(`Connecting to ${device.name || "your meter"}…`);
    const server = await device.gatt.connect();
    let kind = "";
    let service = null;
    for (const [name, uuid] of FILTERS) {
      service = await server.getPrimaryService(uuid).catch(() => null);
      if (service) {
        kind = name;
        break;
      }
    }
    if (!service) throw new Error("This device offers none of the measurements this page reads.");
    const conn = await postForm("/account/devices/bluetooth", { ble: device.id, service: kind, name: device.name || "" });
    const paired = await postJSON("/api/v1/devices/pair", { code: conn.code });
    if (paired.status !== 201) throw new Error("The meter could not be paired. Reload the page and try again.");
    const token = paired.body.token;
    const items = [];
    const now = new Date().toISOString();
    const onRecord = (m, raw) => items.push({ m, ...readingsOf(gatt, kind, m, now, raw) });
    if (kind === "glucose") {
      say(conn.last_seq >= 0 ? "Reading the records newer than the last one imported…" : "Reading every record on the meter…");
      const meals = new Map();
      await readGlucose(gatt, service, conn.last_seq, onRecord, (c) => meals.set(c.seq, c.meal));
      for (const i of items) i.meal = MEALS[meals.get(i.m.seq)] || "";
    } else {
      say("Connected. Take a measurement now (or let the device send what it stored), then press Review.");
      const ch = await service.getCharacteristic(MEASUREMENT[kind]);
      ch.addEventListener("characteristicvaluechanged", (e) => onRecord(gatt.parse(CHAR_NAME[kind], e.target.value), hexOf(e.target.value)));
      await ch.startNotifications();
      await new Promise((resolve) => {
        const stop = el("button", { type: "button", id: "ble-stop" }, "Review");
        stop.addEventListener("click", resolve, { once: true });
        review.append(stop);
        stop.focus();
      });
      review.replaceChildren();
    }
    device.gatt.disconnect();
    showReview(items, token, conn, kind);
  } catch (err) {
    if (device.gatt.connected) device.gatt.disconnect();
    say(err.message || String(err), "error");
    button.disabled = false;
  }
}

// showReview lists what was read, for the patient to check before import.
function showReview(items, token, conn, kind) {
  const review = panel.querySelector("#ble-review");
  const button = panel.querySelector("#ble-connect");
  const good = items.filter((i) => i.readings);
  if (items.length === 0) {
    say("Nothing new on your meter: every reading on it is already in your record.", "ok");
    button.disabled = false;
    return;
  }
  say(`Read ${items.length} record${items.length === 1 ? "" : "s"}. Check them, then import.`);
  const table = el("table", { class: "table", id: "ble-table" });
  table.append(el("caption", {}, "Readings from your meter"));
  const head = el("tr");
  for (const h of ["Taken", "Reading", "Note"]) head.append(el("th", { scope: "col" }, h));
  const thead = el("thead");
  thead.append(head);
  table.append(thead);
  const body = el("tbody");
  for (const i of items) {
    const tr = el("tr");
    const when = i.at ? new Date(i.at).toLocaleString() : "unknown";
    tr.append(el("td", {}, when), el("td", {}, i.text || "—"),
      el("td", {}, i.skipped ? `Not imported: ${i.skipped}` : [i.meal, i.m.status ? "The meter flagged this reading" : ""].filter(Boolean).join("; ")));
    body.append(tr);
  }
  table.append(body);
  const wrap = el("div", { class: "table-wrap" });
  wrap.append(table);
  const actions = el("div", { class: "actions" });
  const go = el("button", { type: "button", id: "ble-import" }, `Import ${good.length} reading${good.length === 1 ? "" : "s"}`);
  const cancel = el("button", { type: "button", class: "button-secondary", id: "ble-cancel" }, "Don't import");
  go.disabled = good.length === 0;
  actions.append(go, cancel);
  review.replaceChildren(wrap, actions);
  go.focus();
  cancel.addEventListener("click", () => {
    review.replaceChildren();
    say("Nothing was imported.");
    button.disabled = false;
  });
  go.addEventListener("click", async () => {
    go.disabled = true;
    cancel.disabled = true;
    try {
      const readings = good.flatMap((i) => i.readings);
      let stored = 0;
      let duplicates = 0;
      for (let i = 0; i < readings.length; i += 1000) {
        const part = readings.slice(i, i + 1000);
        // The batch id names the device and what the batch holds, so a
        // retried import of the same records is answered 409 and stores
        // nothing twice (the sequence numbers dedup it too).
        const seqs = part.filter((r) => r.seq !== undefined).map((r) => r.seq);
        const batch = seqs.length ? `ble-${kind}-${Math.min(...seqs)}-${Math.max(...seqs)}-${part.length}` : `ble-${kind}-${Date.now()}-${i}`;
        const res = await postJSON("/api/v1/devices/readings", { batch_id: batch, readings: part }, token);
        if (res.status === 409) continue;
        if (res.status !== 201) {
          const errs = Object.values(res.body.errors || {});
          throw new Error(`The readings were refused: ${errs[0] || res.body.detail || res.status}. Nothing from this batch was stored.`);
        }
        stored += res.body.stored;
        duplicates += res.body.duplicates;
      }
      review.replaceChildren();
      say(`Imported ${stored} reading${stored === 1 ? "" : "s"}${duplicates ? ` (${duplicates} were already in your record)` : ""}. They are on your dashboard and charts.`, "ok");
      const link = el("a", { href: `/account/devices/readings/${good[0].readings[0].type}`, id: "ble-chart" }, "See the chart");
      review.append(link);
    } catch (err) {
      say(err.message || String(err), "error");
      go.disabled = false;
      cancel.disabled = false;
    }
    button.disabled = false;
  });
}

async function init() {
  if (!panel) return;
  if (!navigator.bluetooth) {
    panel.querySelector("#ble-missing").hidden = false;
    return;
  }
  const gatt = await import(panel.dataset.gatt);
  panel.querySelector("#ble-start").hidden = false;
  // getAvailability is a hint (it says whether an adapter is there), not a
  // gate: the button stays, the chooser says the rest.
  if (!(await navigator.bluetooth.getAvailability().catch(() => true))) {
    say("Bluetooth seems to be off on this device. Switch it on, then press Connect my meter.");
  }
  panel.querySelector("#ble-connect").addEventListener("click", () => {
    connect(gatt).catch((err) => {
      // The patient closed the chooser: no message needed beyond this.
      say(err.name === "NotFoundError" ? "No meter was chosen." : err.message || String(err), err.name === "NotFoundError" ? "" : "error");
    });
  });
}

init();
