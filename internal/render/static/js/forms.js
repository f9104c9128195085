// Conditional questions of a form (internal/forms): a question marked
// data-show-when="a_<key>" is asked only when that yes/no question is
// answered yes. Without JavaScript every question shows with its hint
// ("Answer only if ..."), and the server drops answers whose condition is
// not met; with it, such questions hide until they apply. Served from the
// binary as a module; no inline script (CSP).

const form = document.querySelector("[data-form-fill]");

if (form) {
  const dependants = [...form.querySelectorAll("[data-show-when]")];
  const update = () => {
    for (const el of dependants) {
      const yes = form.querySelector(`input[name="${el.dataset.showWhen}"][value="yes"]`);
      el.hidden = !(yes && yes.checked);
    }
  };
  form.addEventListener("change", update);
  update();
}
