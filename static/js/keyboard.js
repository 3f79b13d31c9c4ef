// The keyboard path of the pages (issue #20): focus stays on the control that was used
// when htmx swaps the panel holding it, and the week grid is one tab stop whose blocks
// the arrow keys move between. Delegated, so swapped-in content needs no setup.
(function () {
  "use strict";

  // What names a control across a swap: its id, else its test id, else its rel
  // (Previous/Next), else its text ("This week").
  function keyOf(el) {
    if (!el || el === document.body) { return null; }
    if (el.id) { return { sel: "#" + CSS.escape(el.id) }; }
    var testid = el.getAttribute("data-testid");
    if (testid) { return { sel: '[data-testid="' + CSS.escape(testid) + '"]' }; }
    var rel = el.getAttribute("rel");
    if (rel) { return { sel: '[rel="' + CSS.escape(rel) + '"]' }; }
    return { tag: el.tagName, text: (el.textContent || "").trim() };
  }

  function find(key) {
    if (key.sel) { return document.querySelector(key.sel); }
    var all = document.getElementsByTagName(key.tag);
    for (var i = 0; i < all.length; i++) {
      if ((all[i].textContent || "").trim() === key.text) { return all[i]; }
    }
    return null;
  }

  var pending = null;
  document.addEventListener("htmx:beforeRequest", function () {
    pending = keyOf(document.activeElement);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var key = pending;
    pending = null;
    if (!key || (document.activeElement && document.activeElement !== document.body)) { return; }
    var target = find(key);
    // A control gone in the new content (Next at the last synced week): the panel's heading.
    if (!target || target.getAttribute("aria-disabled") === "true") {
      target = event.detail.target && event.detail.target.querySelector("h2, h1");
      if (target && !target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
    }
    if (target) { target.focus(); }
  });

  // The week grid: Up/Down go through a day's blocks in time order, Left/Right to the
  // nearest block of the day before or after, Home/End to the first and last block.
  function blocks(grid) {
    return Array.prototype.map.call(grid.querySelectorAll("g.day"), function (day) {
      return Array.prototype.slice.call(day.querySelectorAll("g.blk"));
    });
  }

  function top(block) { return block.querySelector(".shape").getBBox().y; }

  function move(grid, from, key) {
    var days = blocks(grid).filter(function (d) { return d.length; });
    var d = days.findIndex(function (day) { return day.indexOf(from) >= 0; });
    if (d < 0) { return null; }
    var i = days[d].indexOf(from);
    var flat = [].concat.apply([], days);
    if (key === "Home") { return flat[0]; }
    if (key === "End") { return flat[flat.length - 1]; }
    if (key === "ArrowDown") { return flat[flat.indexOf(from) + 1]; }
    if (key === "ArrowUp") { return flat[flat.indexOf(from) - 1]; }
    var other = days[d + (key === "ArrowRight" ? 1 : -1)];
    if (!other) { return null; }
    var y = top(from);
    return other.reduce(function (best, b) {
      return Math.abs(top(b) - y) < Math.abs(top(best) - y) ? b : best;
    }, other[0]);
  }

  document.addEventListener("keydown", function (event) {
    var from = event.target.closest && event.target.closest("svg.week-grid g.blk");
    var keys = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End"];
    if (!from || keys.indexOf(event.key) < 0) { return; }
    var to = move(from.closest("svg.week-grid"), from, event.key);
    event.preventDefault();
    if (!to) { return; }
    from.setAttribute("tabindex", "-1");
    to.setAttribute("tabindex", "0");
    to.focus();
  });

  // The skip link to the grid lands on its tab stop, the block whose tip then shows.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a.skip-link[href="#week-grid"]');
    if (!link) { return; }
    var stop = document.querySelector('svg.week-grid g.blk[tabindex="0"]');
    // On a phone the grid is hidden and the day list stands for it.
    if (!stop || !stop.getClientRects().length) { stop = document.getElementById("week-days"); }
    if (stop) { event.preventDefault(); stop.focus(); }
  });
})();
