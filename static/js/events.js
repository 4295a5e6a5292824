// Events: copy a read-only field (calendar address, check-in link, protocol template).
(function () {
  "use strict";

  function copied(button, ok) {
    var status = button.parentNode.querySelector("[data-copy-status]");
    var text = ok ? (button.dataset.copiedText || "Copied") : (button.dataset.failedText || "Select the text and copy it");
    if (status) { status.textContent = text; } else { button.setAttribute("title", text); }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy-from]");
    if (!button) { return; }
    var field = document.getElementById(button.dataset.copyFrom);
    if (!field) { return; }
    field.focus();
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { copied(button, true); }, function () { copied(button, false); });
    } else {
      // Plain HTTP (e.g. an intranet host): the selection is made, the user copies it.
      copied(button, false);
    }
  });
})();
