// The lab result trend chart. Served from our own origin (the CSP forbids
// inline script); Chart.js (vendor/chartjs, the UMD build, window.Chart) draws
// it. The values come from the accessible table beside the chart (its rows'
// data-at and data-value attributes), so the chart shows nothing the table
// does not, and the table is what screen readers and people without
// JavaScript read (the chart is aria-hidden).
//
//   <canvas id="trend-chart" data-table="trend-table" data-unit="%" data-low="4" data-high="5.6">
const canvas = document.getElementById("trend-chart");
if (canvas && window.Chart) {
  const table = document.getElementById(canvas.dataset.table);
  const rows = table ? Array.from(table.querySelectorAll("tbody tr[data-at]")) : [];
  const labels = rows.map((r) => r.dataset.at);
  const values = rows.map((r) => Number(r.dataset.value));
  const band = (v) => (v === "" || v === undefined ? null : Number(v));
  const low = band(canvas.dataset.low);
  const high = band(canvas.dataset.high);
  const style = getComputedStyle(document.documentElement);
  const ink = style.getPropertyValue("--link").trim() || "#0b7a75";
  const datasets = [];
  // The reference range as a shaded band: the high line filled down to the
  // low line (or to the axis when there is no low bound).
  if (low !== null) {
    datasets.push({ label: "Range low", data: labels.map(() => low), borderWidth: 0, pointRadius: 0, fill: false });
  }
  if (high !== null) {
    datasets.push({ label: "Range high", data: labels.map(() => high), borderWidth: 0, pointRadius: 0,
      backgroundColor: "rgba(30, 107, 52, 0.12)", fill: low !== null ? "-1" : "origin" });
  }
  datasets.push({ label: canvas.dataset.unit, data: values, borderColor: ink, backgroundColor: ink, tension: 0.2, pointRadius: 4 });
  new window.Chart(canvas, {
    type: "line",
    data: { labels, datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { display: false }, tooltip: { filter: (item) => item.datasetIndex === datasets.length - 1 } },
      scales: { y: { title: { display: true, text: canvas.dataset.unit } } },
    },
  });
}
