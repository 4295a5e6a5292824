// Files in the composer: paste a screenshot, drop files or pick them; each is uploaded at once
// (POST /uploads, with progress) and its Markdown goes where the cursor is: pictures show in
// the text, other files as attachment cards. Without this script the file field is sent with
// the form instead (templates/components/attach.html).
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (error) {
      return "";
    }
  }

  var counter = 0;

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    var before = textarea.value.slice(0, start);
    var gap = before && !/\s$/.test(before) ? " " : "";
    textarea.setRangeText(gap + text, start, end, "end");
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function replaceMarker(textarea, marker, text) {
    var at = textarea.value.indexOf(marker);
    if (at < 0) { insertAtCursor(textarea, text); return; }
    textarea.setRangeText(text, at, at + marker.length, "preserve");
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function upload(box, textarea, file) {
    counter += 1;
    var marker = "![" + box.dataset.uploading + " " + (file.name || "file") + " #" + counter + "]()";
    insertAtCursor(textarea, marker);
    var status = box.querySelector(".attach-status");
    var item = document.createElement("li");
    var label = document.createElement("span");
    label.textContent = file.name || "file";
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", box.dataset.uploading + " " + (file.name || "file"));
    item.append(label, " ", bar);
    status.append(item);

    var form = new FormData();
    form.append("file", file, file.name || "pasted.png");
    var request = new XMLHttpRequest();
    request.open("POST", "/uploads");
    request.setRequestHeader("X-CSRF-Token", csrfToken());
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) { bar.value = Math.round((event.loaded / event.total) * 100); }
    });
    request.addEventListener("load", function () {
      var answer = {};
      try { answer = JSON.parse(request.responseText); } catch (error) { answer = {}; }
      bar.remove();
      if (request.status === 201 && answer.markdown) {
        replaceMarker(textarea, marker, answer.markdown);
        item.append(box.dataset.done);
        item.className = "attach-done";
      } else {
        replaceMarker(textarea, marker, "");
        item.append(box.dataset.failed + ": " + (answer.detail || request.status));
        item.className = "field-error";
        item.setAttribute("role", "alert");
      }
    });
    request.addEventListener("error", function () {
      bar.remove();
      replaceMarker(textarea, marker, "");
      item.append(box.dataset.failed);
      item.className = "field-error";
    });
    request.send(form);
  }

  function uploadAll(box, textarea, files) {
    Array.prototype.forEach.call(files, function (file) { upload(box, textarea, file); });
  }

  function enhance(box) {
    if (box.dataset.enhanced) { return; }
    var textarea = document.getElementById(box.dataset.attachFor);
    if (!textarea) { return; }
    box.dataset.enhanced = "1";
    box.hidden = false;
    var picker = box.querySelector("input[type=file]");
    // Uploaded at once, so the form itself sends no file.
    picker.removeAttribute("name");
    picker.addEventListener("change", function () {
      uploadAll(box, textarea, picker.files);
      picker.value = "";
    });
    textarea.addEventListener("paste", function (event) {
      var files = event.clipboardData && event.clipboardData.files;
      if (files && files.length) {
        event.preventDefault();
        uploadAll(box, textarea, files);
      }
    });
    textarea.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
        textarea.classList.add("is-dropping");
      }
    });
    textarea.addEventListener("dragleave", function () { textarea.classList.remove("is-dropping"); });
    textarea.addEventListener("drop", function (event) {
      textarea.classList.remove("is-dropping");
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) {
        event.preventDefault();
        uploadAll(box, textarea, files);
      }
    });
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll(".attach[data-attach-for]").forEach(enhance);
  }

  enhanceAll(document);
  // Forms that htmx swaps in (a re-rendered composer, an edit form) get the same.
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
})();
