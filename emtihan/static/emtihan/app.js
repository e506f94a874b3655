// emtihan: page behaviour shared by server-rendered pages (no build step).
// Dialogs: htmx loads a <dialog> into #dialog-slot; we open it once it arrives and
// close it when the server answers with the HX-Trigger "emtihan:close-dialog".
document.addEventListener("htmx:afterSwap", (event) => {
  const dialog = event.detail.target.querySelector && event.detail.target.querySelector("dialog");
  if (dialog && !dialog.open) dialog.showModal();
});
document.addEventListener("DOMContentLoaded", () => {
  document.body.addEventListener("emtihan:close-dialog", () => {
    document.querySelectorAll("dialog[open]").forEach((d) => d.close());
  });
  // Selectable rows: one click selects (highlights) a row and enables the toolbar buttons
  // that act on "the selected row", as the UNIVER guide describes.
  document.querySelectorAll("table[data-selectable]").forEach((table) => {
    table.addEventListener("click", (e) => {
      const row = e.target.closest("tr.selectable");
      if (!row) return;
      table.querySelectorAll("tr.selected").forEach((r) => { r.classList.remove("selected"); r.setAttribute("aria-selected", "false"); });
      row.classList.add("selected");
      row.setAttribute("aria-selected", "true");
      const toolbar = document.getElementById(table.dataset.selectable);
      if (!toolbar) return;
      toolbar.querySelectorAll("[data-row-action]").forEach((button) => {
        const url = row.dataset[button.dataset.rowAction];
        if (url) { button.disabled = false; button.setAttribute("hx-get", url); htmx.process(button); }
        else { button.disabled = true; }
      });
    });
    table.addEventListener("dblclick", (e) => {
      const row = e.target.closest("tr.selectable");
      const toolbar = row && document.getElementById(table.dataset.selectable);
      const edit = toolbar && toolbar.querySelector("[data-row-action]:not([disabled])");
      if (edit) edit.click();
    });
  });
  // "Select all" checkboxes for bulk review.
  document.querySelectorAll("input[data-select-all]").forEach((box) => {
    box.addEventListener("change", () => {
      document.querySelectorAll(`input[name="${box.dataset.selectAll}"]`).forEach((c) => { if (!c.disabled) c.checked = box.checked; });
    });
  });
});
