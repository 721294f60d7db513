// Sort tables by a column (within each group of rows), print buttons, and the campaign
// selector that reloads the page as soon as a campaign is chosen. No libraries.
"use strict";

function cellValue(row, index, numeric) {
  const cell = row.children[index];
  if (!cell) return numeric ? -Infinity : "";
  const raw = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
  if (!numeric) return raw;
  const value = parseFloat(raw);
  return Number.isNaN(value) ? -Infinity : value;
}

function sortTable(table, header) {
  const headers = Array.from(header.parentElement.children);
  const index = headers.indexOf(header);
  const numeric = header.dataset.sort === "number";
  const ascending = header.getAttribute("aria-sort") !== "ascending";
  headers.forEach((h) => h.removeAttribute("aria-sort"));
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const collator = new Intl.Collator(document.documentElement.lang || "vi", { numeric: true });
  for (const body of table.tBodies) {
    const rows = Array.from(body.rows).filter((row) => !row.classList.contains("group"));
    rows.sort((a, b) => {
      const x = cellValue(a, index, numeric);
      const y = cellValue(b, index, numeric);
      const order = numeric ? x - y : collator.compare(x, y);
      return ascending ? order : -order;
    });
    rows.forEach((row) => body.appendChild(row));
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table.sortable").forEach((table) => {
    table.querySelectorAll("thead th[data-sort] button").forEach((button) => {
      button.addEventListener("click", () => sortTable(table, button.closest("th")));
    });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.form.classList.add("auto"); // its button is only for browsers without scripts
    select.addEventListener("change", () => select.form.submit());
  });
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
});
