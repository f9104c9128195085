// Drag and drop for the dashboard's widgets (HTML5 drag and drop). A widget
// is dragged onto another's place; the new order of the keys is posted with
// htmx to the list's data-order-url, which saves it (204). Without
// JavaScript, the Move up / Move down buttons do the same through plain
// forms. Served from the binary as a module; no inline script (CSP).

const list = document.querySelector("[data-dashboard]");

if (list && window.htmx) {
  let dragged = null;

  const keys = () => [...list.querySelectorAll("[data-widget]")].map((li) => li.dataset.widget);

  list.addEventListener("dragstart", (e) => {
    dragged = e.target.closest("[data-widget]");
    if (!dragged) return;
    dragged.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", dragged.dataset.widget);
  });

  list.addEventListener("dragover", (e) => {
    const over = e.target.closest("[data-widget]");
    if (!dragged || !over || over === dragged) return;
    e.preventDefault();
    const box = over.getBoundingClientRect();
    const after = e.clientY > box.top + box.height / 2;
    over.parentNode.insertBefore(dragged, after ? over.nextSibling : over);
  });

  list.addEventListener("drop", (e) => {
    if (dragged) e.preventDefault();
  });

  list.addEventListener("dragend", () => {
    if (!dragged) return;
    dragged.classList.remove("dragging");
    dragged = null;
    window.htmx.ajax("POST", list.dataset.orderUrl, { values: { order: keys().join(",") }, swap: "none" });
  });
}
