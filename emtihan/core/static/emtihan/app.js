// emtihan: page behaviour shared by server-rendered pages (no build step).
// Listeners are delegated from the document so they keep working on content htmx swaps in.

// Dialogs: htmx loads a <dialog> into #dialog-slot; open it as soon as it arrives.
document.addEventListener("htmx:afterSwap", (event) => {
  const slot = document.getElementById("dialog-slot");
  const dialog = slot && slot.querySelector("dialog");
  if (dialog && !dialog.open) dialog.showModal();
});
// Close buttons of a dialog (no inline onclick: the Content-Security-Policy forbids it).
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("[data-close-dialog]");
  const dialog = button && button.closest("dialog");
  if (dialog) dialog.close();
});
// The server says "close" (HX-Trigger: emtihan:close-dialog) after a successful save.
document.addEventListener("emtihan:close-dialog", () => {
  document.querySelectorAll("dialog[open]").forEach((d) => d.close());
});

// Selectable rows: one click selects (highlights) a row and points the toolbar's
// "row action" buttons at it, as the UNIVER guide describes; double-click or Enter edits.
function selectRow(row) {
  const table = row.closest("table[data-selectable]");
  table.querySelectorAll("tr.selected").forEach((r) => {
    r.classList.remove("selected");
    r.setAttribute("aria-selected", "false");
  });
  row.classList.add("selected");
  row.setAttribute("aria-selected", "true");
  const toolbar = document.getElementById(table.dataset.selectable);
  if (!toolbar) return;
  toolbar.querySelectorAll("[data-row-action]").forEach((button) => {
    const url = row.dataset[button.dataset.rowAction];
    button.disabled = !url;
    if (url) {
      button.setAttribute("hx-get", url);
      htmx.process(button);
    }
  });
}
function rowActionButton(row) {
  const table = row.closest("table[data-selectable]");
  const toolbar = document.getElementById(table.dataset.selectable);
  return toolbar && toolbar.querySelector("[data-row-action]:not([disabled])");
}
document.addEventListener("click", (e) => {
  const row = e.target.closest("table[data-selectable] tr.selectable");
  if (row) selectRow(row);
});
document.addEventListener("dblclick", (e) => {
  const row = e.target.closest("table[data-selectable] tr.selectable");
  if (!row) return;
  selectRow(row);
  const button = rowActionButton(row);
  if (button) button.click();
});
document.addEventListener("keydown", (e) => {
  const row = e.target.closest && e.target.closest("table[data-selectable] tr.selectable");
  if (!row || (e.key !== "Enter" && e.key !== " ")) return;
  e.preventDefault();
  selectRow(row);
  if (e.key === "Enter") {
    const button = rowActionButton(row);
    if (button) button.click();
  }
});
// A swapped-in table keeps the selection the server marked: re-point the toolbar at it.
document.addEventListener("htmx:oobAfterSwap", (e) => {
  const row = e.detail.target && e.detail.target.querySelector && e.detail.target.querySelector("tr.selected");
  if (row) selectRow(row);
});

// "Select all" checkboxes for bulk review.
document.addEventListener("change", (e) => {
  const box = e.target;
  if (!box.matches || !box.matches("input[data-select-all]")) return;
  document.querySelectorAll(`input[name="${box.dataset.selectAll}"]`).forEach((c) => {
    if (!c.disabled) c.checked = box.checked;
  });
});

// Time zones. The pages show dates in the person's chosen zone or the university's; when
// this device's clock reads differently, offer its zone (core/_timezone_note.html), and
// on the time-zone page let one click pick it (registration/time_zone.html).
function deviceTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    return "";
  }
}
function sameClock(zoneA, zoneB) {
  const now = new Date();
  const clock = (zone) =>
    new Intl.DateTimeFormat("en-GB", { timeZone: zone, dateStyle: "short", timeStyle: "short" }).format(now);
  try {
    return clock(zoneA) === clock(zoneB);
  } catch (e) {
    return true; // a zone this browser does not know: offer nothing
  }
}
// The offer's button submits base.html's #tz-offer-form (the note may sit inside another form).
document.querySelectorAll("[data-tz-offer]").forEach((offer) => {
  const form = document.getElementById("tz-offer-form");
  const device = deviceTimeZone();
  if (!form || !device || sameClock(device, offer.dataset.current)) return;
  form.elements.time_zone.value = device;
  offer.querySelector("[data-tz-text]").textContent = offer.dataset.text.replace("{zone}", device);
  offer.hidden = false;
});
document.querySelectorAll("button[data-tz-device]").forEach((button) => {
  const select = button.form && button.form.elements.time_zone;
  const device = deviceTimeZone();
  if (!select || !device || !Array.from(select.options).some((o) => o.value === device)) return;
  button.textContent = button.dataset.text.replace("{zone}", device);
  button.hidden = false;
  button.addEventListener("click", () => {
    select.value = device;
  });
});
