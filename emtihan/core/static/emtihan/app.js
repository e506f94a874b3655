// emtihan: page behaviour shared by server-rendered pages (no build step).
// Listeners are delegated from the document so they keep working on content htmx swaps in.

// Dialogs: htmx loads a <dialog> into #dialog-slot; open it as soon as it arrives.
document.addEventListener("htmx:afterSwap", (event) => {
  const slot = document.getElementById("dialog-slot");
  const dialog = slot && slot.querySelector("dialog");
  if (dialog && !dialog.open) dialog.showModal();
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
