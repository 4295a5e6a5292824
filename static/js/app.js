// Small enhancements on top of server-rendered pages; everything works without them.
(function () {
  "use strict";

  // The phone's menu button: the links stay open until this script folds them behind it.
  var toggle = document.querySelector(".nav-toggle");
  if (toggle) {
    var nav = toggle.closest(".nav");
    nav.classList.add("can-fold");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("is-open", open);
    });
  }

  // Open <details> menus close on Escape (focus back on their summary) and on a click elsewhere.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var menu = event.target.closest && event.target.closest("details.menu[open]");
    if (menu) { menu.open = false; menu.querySelector("summary").focus(); }
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.open = false; }
    });
  });

  // Clear a form after htmx has posted it successfully (e.g. a new comment).
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("form[data-reset-on-success]");
    if (form && event.detail.successful) {
      form.reset();
      // A message from an earlier, refused try no longer applies.
      form.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
      form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    }
  });

  // Show server error fragments (422) instead of ignoring them, as htmx 2 does by default.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // @mention suggestions: ask the server who may be mentioned in this space.
  var list = null;
  var activeField = null;

  function closeList() {
    if (list) { list.remove(); list = null; }
  }

  function currentWord(field) {
    var upto = field.value.slice(0, field.selectionStart);
    var match = /(^|\s)@([\w.\-]{0,40})$/.exec(upto);
    return match ? match[2] : null;
  }

  function choose(handle) {
    if (!activeField) { return; }
    var field = activeField;
    var pos = field.selectionStart;
    var before = field.value.slice(0, pos).replace(/@([\w.\-]{0,40})$/, "@" + handle + " ");
    field.value = before + field.value.slice(pos);
    field.selectionStart = field.selectionEnd = before.length;
    field.focus();
    closeList();
  }

  var timer = null;
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("textarea[data-mention-url]")) { return; }
    var word = currentWord(field);
    if (word === null) { closeList(); return; }
    clearTimeout(timer);
    timer = setTimeout(function () {
      fetch(field.dataset.mentionUrl + "?q=" + encodeURIComponent(word), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          closeList();
          if (!html) { return; }
          var holder = document.createElement("div");
          holder.innerHTML = html;
          list = holder.firstElementChild;
          if (!list) { return; }
          activeField = field;
          var rect = field.getBoundingClientRect();
          list.style.left = (rect.left + window.scrollX) + "px";
          list.style.top = (rect.bottom + window.scrollY) + "px";
          document.body.appendChild(list);
        });
    }, 150);
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest(".mention-list [data-handle]");
    if (option) { choose(option.dataset.handle); return; }
    closeList();
  });

  document.addEventListener("keydown", function (event) {
    if (!list || !activeField || event.target !== activeField) { return; }
    var options = Array.prototype.slice.call(list.querySelectorAll("[data-handle]"));
    if (!options.length) { return; }
    var index = options.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (index >= 0) { options[index].removeAttribute("aria-selected"); }
      index = event.key === "ArrowDown" ? (index + 1) % options.length : (index - 1 + options.length) % options.length;
      options[index].setAttribute("aria-selected", "true");
    } else if ((event.key === "Enter" || event.key === "Tab") && index >= 0) {
      event.preventDefault();
      choose(options[index].dataset.handle);
    } else if (event.key === "Escape") {
      closeList();
    }
  });
})();
