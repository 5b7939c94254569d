// Keyboard shortcuts and bulk selection for the moderation queue. No framework, no inline code:
// the Content-Security-Policy only allows this file. Every action still works without it.
(function () {
  "use strict";

  var STORE = "moderation-focus-index";

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-comment-id]"));
  }

  function focusedItem() {
    var el = document.activeElement;
    return el && el.closest ? el.closest("[data-comment-id]") : null;
  }

  function focusAt(index) {
    var list = items();
    if (!list.length) return;
    var item = list[Math.max(0, Math.min(list.length - 1, index))];
    item.focus();
    item.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = items();
    var current = focusedItem();
    focusAt(current ? list.indexOf(current) + step : 0);
  }

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function openReject(item) {
    var details = item.querySelector("details.reject");
    if (!details) return;
    details.open = true;
    var select = details.querySelector("select");
    if (select) select.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var item = focusedItem();
    if (event.key === "Escape") {
      var open = item && item.querySelector("details.reject[open]");
      if (open) {
        open.open = false;
        item.focus();
        event.preventDefault();
      }
      return;
    }
    if (typing(event.target)) return;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "a":
        if (!item) return;
        item.querySelector('[data-action="approve"]').click();
        break;
      case "r":
        if (!item) return;
        openReject(item);
        break;
      case "x":
        if (!item) return;
        var box = item.querySelector('input[type="checkbox"]');
        if (box) box.checked = !box.checked;
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // Opening the reject panel with the mouse also puts the cursor in its reason list.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.matches && details.matches("details.reject") && details.open) {
      var select = details.querySelector("select");
      if (select) select.focus();
    }
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted) {  // a double press must not send the decision twice
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    var item = form.closest("[data-comment-id]");
    var list = items();
    try {
      window.sessionStorage.setItem(STORE, String(item ? list.indexOf(item) : 0));
    } catch (e) { /* storage may be disabled; focus then starts at the top */ }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var all = document.getElementById("select-all");
    if (all) {
      all.addEventListener("change", function () {
        items().forEach(function (item) {
          var box = item.querySelector('input[type="checkbox"]');
          if (box) box.checked = all.checked;
        });
      });
    }
    if (!items().length || document.querySelector("[autofocus]")) return;
    var index = 0;
    try {
      index = parseInt(window.sessionStorage.getItem(STORE) || "0", 10) || 0;
      window.sessionStorage.removeItem(STORE);
    } catch (e) { index = 0; }
    focusAt(index);
  });
})();
