// "Copy" buttons: <button data-copy-target="ID"> copies the value of the element #ID and
// says so in the nearest [data-copy-status]. Delegated, so buttons swapped in by htmx work too.
(function () {
  "use strict";

  function say(button, text) {
    var box = button.parentElement && button.parentElement.querySelector("[data-copy-status]");
    if (box) { box.textContent = text; }
  }

  function fallbackCopy(field) {
    field.focus();
    field.select();
    return document.execCommand && document.execCommand("copy");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) { return; }
    var done = function () { say(button, "Copied to the clipboard."); };
    var failed = function () {
      say(button, fallbackCopy(field) ? "Copied to the clipboard." : "Select the text and copy it.");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, failed);
    } else {
      failed();
    }
  });
})();
