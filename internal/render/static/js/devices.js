// The device reading charts (issue 17). Served from our own origin (the CSP
// forbids inline script); Chart.js (vendor/chartjs, window.Chart) draws them.
// The daily and time-in-range charts are drawn from the table beside them
// (rows' data-at, data-value, data-label attributes), so they show nothing
// their table does not; the trend line from its canvas's data-series (the
// averaged points of the day table's days, or the day's readings, which
// its own table lists). The tables are what screen readers and people
// without JavaScript read (the charts are aria-hidden).
const style = getComputedStyle(document.documentElement);
const ink = style.getPropertyValue("--link").trim() || "#0b7a75";
const danger = style.getPropertyValue("--danger").trim() || "#b3261e";
const warn = "#8a5a00";
const ok = style.getPropertyValue("--ok").trim() || "#1e6b34";

function rows(canvas) {
  const table = document.getElementById(canvas.dataset.table);
  return table ? Array.from(table.querySelectorAll("tbody tr[data-value]")) : [];
}

function num(v) {
  return v === "" || v === undefined ? null : Number(v);
}

const common = { animation: false, maintainAspectRatio: false };

// The trend's points come as one JSON attribute, data-series (the day
// table beside the chart is what screen readers read for a long period).
function points(canvas) {
  try {
    const s = JSON.parse(canvas.dataset.series || "{}");
    return { at: s.at || [], v: s.v || [], w: s.w || [] };
  } catch {
    return { at: [], v: [], w: [] };
  }
}

function trend(canvas) {
  const pts = points(canvas);
  const labels = pts.at;
  const low = num(canvas.dataset.low);
  const high = num(canvas.dataset.high);
  const datasets = [];
  // The target range as a shaded band, as on the lab trend.
  if (low !== null) {
    datasets.push({ label: "Range low", data: labels.map(() => low), borderWidth: 0, pointRadius: 0, fill: false });
  }
  if (high !== null) {
    datasets.push({ label: "Range high", data: labels.map(() => high), borderWidth: 0, pointRadius: 0,
      backgroundColor: "rgba(30, 107, 52, 0.12)", fill: low !== null ? "-1" : "origin" });
  }
  const first = datasets.length;
  datasets.push({ label: canvas.dataset.two ? "Systolic" : canvas.dataset.unit, data: pts.v,
    borderColor: ink, backgroundColor: ink, tension: 0.2, pointRadius: labels.length > 200 ? 0 : 2 });
  if (canvas.dataset.two) {
    datasets.push({ label: "Diastolic", data: pts.w, borderColor: warn, backgroundColor: warn,
      tension: 0.2, pointRadius: labels.length > 200 ? 0 : 2 });
  }
  new window.Chart(canvas, {
    type: "line",
    data: { labels, datasets },
    options: { ...common,
      plugins: { legend: { display: !!canvas.dataset.two }, tooltip: { filter: (item) => item.datasetIndex >= first } },
      scales: { y: { title: { display: true, text: canvas.dataset.unit } }, x: { ticks: { maxTicksLimit: 8 } } } },
  });
}

function daily(canvas) {
  const rs = rows(canvas);
  new window.Chart(canvas, {
    type: "bar",
    data: { labels: rs.map((r) => r.dataset.at), datasets: [{ label: canvas.dataset.unit, data: rs.map((r) => Number(r.dataset.value)), backgroundColor: ink }] },
    options: { ...common, plugins: { legend: { display: false } }, scales: { y: { title: { display: true, text: canvas.dataset.unit } } } },
  });
}

function inRange(canvas) {
  const rs = rows(canvas);
  new window.Chart(canvas, {
    type: "doughnut",
    data: { labels: rs.map((r) => r.dataset.label), datasets: [{ data: rs.map((r) => Number(r.dataset.value)), backgroundColor: [warn, ok, danger] }] },
    options: { ...common },
  });
}

if (window.Chart) {
  const draw = { "dev-trend-chart": trend, "dev-daily-chart": daily, "dev-tir-chart": inRange };
  for (const [id, fn] of Object.entries(draw)) {
    const canvas = document.getElementById(id);
    if (canvas) {
      fn(canvas);
      canvas.dataset.drawn = "1";
    }
  }
}
