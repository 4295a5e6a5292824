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

  // Live comments (templates/posts/page.html): one's own new comment comes back twice (the
  // form's answer and the live stream), so the first copy stays; and the live watcher stays last
  // in the list, after comments the form appended.
  // Also right after each swap (same task, so no copy is ever painted), whatever path brought it.
  function keepFirstCopies() {
    var comments = document.getElementById("comment-list");
    var watcher = document.getElementById("comments-live");
    if (!comments) { return; }
    var seen = {};
    comments.querySelectorAll(":scope > li[id^='comment-']").forEach(function (item) {
      if (seen[item.id]) { item.remove(); } else { seen[item.id] = true; }
    });
    if (watcher && watcher.parentNode === comments && watcher !== comments.lastElementChild) {
      comments.appendChild(watcher);
    }
  }
  ["htmx:afterSwap", "htmx:oobAfterSwap", "htmx:afterSettle"].forEach(function (name) {
    document.addEventListener(name, keepFirstCopies);
  });

  // The same guard before the swap, so a comment never shows twice even for a moment: new
  // comments that are already on the page are dropped from the answer (out-of-band updates of
  // existing comments carry hx-swap-oob and are kept).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var comments = document.getElementById("comment-list");
    var target = event.detail.target;
    if (!comments || !target || !(target === comments || comments.contains(target))) { return; }
    if (!event.detail.shouldSwap || typeof event.detail.serverResponse !== "string") { return; }
    var holder = document.createElement("template");
    holder.innerHTML = event.detail.serverResponse;
    var dropped = false;
    holder.content.querySelectorAll(":scope > li[id^='comment-']:not([hx-swap-oob])").forEach(function (item) {
      var existing = document.getElementById(item.id);
      if (existing && existing !== target) { item.remove(); dropped = true; }
    });
    if (dropped) { event.detail.serverResponse = holder.innerHTML; }
  });

  // Show server error fragments (422) instead of ignoring them, as htmx 2 does by default.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // @mention suggestions: ask the server who may be mentioned in this space. The field is a
  // combobox (ARIA 1.2) owning the suggestion listbox; the first person is highlighted at once,
  // so Enter or Tab chooses them instead of starting a new line.
  var list = null;
  var activeField = null;
  var lookup = 0;

  function mentionFields(root) {
    var fields = root.querySelectorAll ? Array.prototype.slice.call(root.querySelectorAll("textarea[data-mention-url]")) : [];
    if (root.matches && root.matches("textarea[data-mention-url]")) { fields.push(root); }
    return fields;
  }

  function enhance(root) {
    mentionFields(root).forEach(function (field) {
      field.setAttribute("role", "combobox");
      field.setAttribute("aria-autocomplete", "list");
      field.setAttribute("aria-haspopup", "listbox");
      field.setAttribute("aria-expanded", "false");
    });
  }
  enhance(document);
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });

  function options() {
    return list ? Array.prototype.slice.call(list.querySelectorAll("[data-handle]")) : [];
  }

  function highlight(index) {
    options().forEach(function (option, i) {
      if (i === index) {
        option.setAttribute("aria-selected", "true");
        activeField.setAttribute("aria-activedescendant", option.id);
      } else {
        option.setAttribute("aria-selected", "false");
      }
    });
  }

  function closeList() {
    if (list) { list.remove(); list = null; }
    if (activeField) {
      activeField.setAttribute("aria-expanded", "false");
      activeField.removeAttribute("aria-activedescendant");
      activeField.removeAttribute("aria-controls");
    }
  }

  function openList(field, html) {
    closeList();
    var holder = document.createElement("div");
    holder.innerHTML = html;
    list = holder.firstElementChild;
    if (!list) { return; }
    activeField = field;
    list.id = "mention-list";
    options().forEach(function (option, i) { option.id = "mention-option-" + i; });
    var rect = field.getBoundingClientRect();
    list.style.left = (rect.left + window.scrollX) + "px";
    list.style.top = (rect.bottom + window.scrollY) + "px";
    document.body.appendChild(list);
    field.setAttribute("aria-controls", list.id);
    field.setAttribute("aria-expanded", "true");
    if (options().length) { highlight(0); }
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
    clearTimeout(timer);
    var asked = ++lookup;  // only the answer to the latest question may open the list
    if (word === null) { closeList(); return; }
    timer = setTimeout(function () {
      fetch(field.dataset.mentionUrl + "?q=" + encodeURIComponent(word), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          if (asked !== lookup) { return; }
          if (html) { openList(field, html); } else { closeList(); }
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
    if (event.key === "Escape") { event.preventDefault(); closeList(); return; }
    var all = options();
    if (!all.length) { return; }
    var index = all.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(event.key === "ArrowDown" ? (index + 1) % all.length : (index - 1 + all.length) % all.length);
    } else if ((event.key === "Enter" || event.key === "Tab") && index >= 0 && !event.shiftKey) {
      event.preventDefault();
      choose(all[index].dataset.handle);
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
