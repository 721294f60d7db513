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
  // The calendar beside a dd/mm/yyyy date box: a nameless <input type=date> (so its
  // browser-ordered text is never shown), opened by the button; the day it picks is
  // written into the box in dd/mm/yyyy.
  document.querySelectorAll(".date-box").forEach((box) => {
    const text = box.querySelector("input[name]");
    const calendar = box.querySelector("input.calendar");
    const button = box.querySelector("[data-calendar]");
    if (!text || !calendar || !button || typeof calendar.showPicker !== "function") return;
    button.hidden = false;
    button.addEventListener("click", () => {
      const [d, m, y] = text.value.split("/");
      if (y) calendar.value = `${y.padStart(4, "0")}-${m.padStart(2, "0")}-${d.padStart(2, "0")}`;
      calendar.showPicker();
    });
    calendar.addEventListener("change", () => {
      const [y, m, d] = calendar.value.split("-");
      if (d) text.value = `${d}/${m}/${y}`;
    });
  });
  // A table wider than its box says so (a hint and an edge shadow) instead of being cut.
  const marks = () => document.querySelectorAll(".table-scroll").forEach((box) => {
    box.classList.toggle("overflowing", box.scrollWidth > box.clientWidth + 1);
    box.classList.toggle("at-end", box.scrollLeft + box.clientWidth >= box.scrollWidth - 1);
  });
  document.querySelectorAll(".table-scroll").forEach((box) => box.addEventListener("scroll", marks, { passive: true }));
  window.addEventListener("resize", marks);
  marks();
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
});
