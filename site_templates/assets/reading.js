/* 阅读辅助: the large-font and high-contrast buttons in the banner. Each toggles a class on <html>
   (the styles are in govsite.css), says its state with aria-pressed, and is remembered in
   localStorage so the next page opens the same way.

   Also: the theme wraps each wide table in a box that scrolls sideways on a phone. A box that scrolls
   must be reachable by keyboard (WCAG 2.1.1), so each one is made focusable and named. */
(function () {
  "use strict";
  var KEY = "govsite-reading";
  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "{}") || {}; } catch (e) { return {}; }
  }
  function save(modes) {
    try { window.localStorage.setItem(KEY, JSON.stringify(modes)); } catch (e) { /* private mode */ }
  }
  var modes = load();
  Array.prototype.forEach.call(document.querySelectorAll(".govsite-reading__toggle"), function (button) {
    var mode = button.getAttribute("data-mode");
    function show() {
      document.documentElement.classList.toggle("govsite-" + mode, !!modes[mode]);
      button.setAttribute("aria-pressed", modes[mode] ? "true" : "false");
    }
    show();
    button.addEventListener("click", function () {
      modes[mode] = !modes[mode];
      save(modes);
      show();
    });
  });

  function focusableScrollBoxes(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".md-typeset__scrollwrap:not([tabindex])"), function (box) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", "表格（可左右滚动）");
    });
  }
  // Tables of four or more columns become cards on a phone (govsite.css): each cell carries its
  // column's heading, which the card shows before the value.
  function cardTables(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".md-typeset table:not([class]):not([data-govsite-cards])"), function (table) {
      if (!table.tHead || !table.tHead.rows.length) return;
      var headings = Array.prototype.map.call(table.tHead.rows[0].cells, function (cell) { return cell.textContent.trim(); });
      if (headings.length < 4) return;
      table.setAttribute("data-govsite-cards", "");
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          Array.prototype.forEach.call(row.cells, function (cell, i) { cell.setAttribute("data-label", headings[i] || ""); });
        });
      });
    });
  }
  function enhance() { cardTables(document); focusableScrollBoxes(document); }
  enhance();
  // the theme adds the scroll boxes after this script runs
  new MutationObserver(enhance).observe(document.body, { childList: true, subtree: true });
})();
