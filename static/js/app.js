// Small enhancements on top of server-rendered pages; everything works without them.
(function () {
  "use strict";

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
  // The header's search box: arrows move through the suggestions, Enter opens the chosen one
  // (or, with none chosen, submits the form to the results page), Escape closes them.
  function searchBox() { return document.getElementById("site-search-q"); }
  function searchList() { return document.getElementById("site-search-suggestions"); }

  function closeSuggestions() {
    var box = searchBox(), panel = searchList();
    if (panel) { panel.innerHTML = ""; }
    if (box) { box.setAttribute("aria-expanded", "false"); box.removeAttribute("aria-activedescendant"); }
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = searchList(), box = searchBox();
    if (!panel || !box || event.target !== panel) { return; }
    box.setAttribute("aria-expanded", panel.querySelector("[role=option]") ? "true" : "false");
    box.removeAttribute("aria-activedescendant");
  });

  document.addEventListener("keydown", function (event) {
    var box = searchBox(), panel = searchList();
    if (!box || event.target !== box || !panel) { return; }
    var options = Array.prototype.slice.call(panel.querySelectorAll("[role=option]"));
    var index = options.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    if ((event.key === "ArrowDown" || event.key === "ArrowUp") && options.length) {
      event.preventDefault();
      if (index >= 0) { options[index].setAttribute("aria-selected", "false"); }
      index = event.key === "ArrowDown" ? (index + 1) % options.length : (index - 1 + options.length) % options.length;
      options[index].setAttribute("aria-selected", "true");
      box.setAttribute("aria-activedescendant", options[index].id);
    } else if (event.key === "Enter" && index >= 0) {
      event.preventDefault();
      window.location.assign(options[index].querySelector("a").href);
    } else if (event.key === "Escape") {
      closeSuggestions();
    }
  });

  document.addEventListener("click", function (event) {
    var form = event.target.closest && event.target.closest(".site-search");
    if (!form) { closeSuggestions(); }
  });
})();
