// Plain JavaScript, inlined: nothing is fetched. The page reads the same without it.

// Right-align the columns of numbers in the result tables, so digits line up.
(function () {
  "use strict";
  var number = /^[\u2212+-]?(\d[\d,]*\.?\d*|\.\d+)(e[+-]?\d+)?\s*(%|x)?$|^(inf|-inf)$/i;
  Array.prototype.forEach.call(document.querySelectorAll(".scroll table"), function (table) {
    if (!table.tBodies.length || !table.tHead) { return; }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var heads = table.tHead.rows[table.tHead.rows.length - 1].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var cells = rows.map(function (r) { return r.cells[col]; }).filter(Boolean);
      var filled = cells.filter(function (c) { return c.textContent.trim() !== ""; });
      if (filled.length && filled.every(function (c) { return number.test(c.textContent.trim()); })) {
        th.classList.add("num");
        cells.forEach(function (c) { c.classList.add("num"); });
      }
    });
  });
}());

// Filter the appendix of counted attacks as you type.
(function () {
  "use strict";
  var input = document.getElementById("appendix-filter");
  var table = document.getElementById("appendix-table");
  if (!input || !table) { return; }
  var count = document.getElementById("appendix-count");
  var none = document.getElementById("appendix-none");
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var texts = rows.map(function (row) { return row.textContent.toLowerCase().replace(/\s+/g, " "); });
  var total = rows.length;

  function apply() {
    var words = input.value.toLowerCase().trim().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row, i) {
      var match = words.every(function (w) { return texts[i].indexOf(w) !== -1; });
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    if (count) { count.textContent = shown + " of " + total + " attacks shown"; }
    if (none) { none.hidden = shown !== 0; }
  }

  input.addEventListener("input", apply);
  if (input.value) { apply(); }
}());
