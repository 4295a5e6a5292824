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

  // Where the Markdown goes: a textarea here; the live protocol editor brings its own.
  function textareaSink(textarea) {
    function changed() { textarea.dispatchEvent(new Event("input", { bubbles: true })); }
    var sink = {
      insert: function (text) {
        var start = textarea.selectionStart, end = textarea.selectionEnd;
        var before = textarea.value.slice(0, start);
        var gap = before && !/\s$/.test(before) ? " " : "";
        textarea.setRangeText(gap + text, start, end, "end");
        changed();
      },
      replace: function (marker, text) {
        var at = textarea.value.indexOf(marker);
        if (at < 0) { sink.insert(text); return; }
        textarea.setRangeText(text, at, at + marker.length, "preserve");
        changed();
      }
    };
    return sink;
  }

  function upload(box, sink, file) {
    counter += 1;
    var marker = "![" + box.dataset.uploading + " " + (file.name || "file") + " #" + counter + "]()";
    sink.insert(marker);
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
        sink.replace(marker, answer.markdown);
        item.append(box.dataset.done);
        item.className = "attach-done";
      } else {
        sink.replace(marker, "");
        item.append(box.dataset.failed + ": " + (answer.detail || request.status));
        item.className = "field-error";
        item.setAttribute("role", "alert");
      }
    });
    request.addEventListener("error", function () {
      bar.remove();
      sink.replace(marker, "");
      item.append(box.dataset.failed);
      item.className = "field-error";
    });
    request.send(form);
  }

  function uploadAll(box, sink, files) {
    Array.prototype.forEach.call(files, function (file) { upload(box, sink, file); });
  }

  // `box`: the file picker and status list; `target`: the element pasted or dropped on.
  function connect(box, target, sink) {
    if (box.dataset.enhanced) { return; }
    box.dataset.enhanced = "1";
    box.hidden = false;
    var picker = box.querySelector("input[type=file]");
    // Uploaded at once, so the form itself sends no file.
    picker.removeAttribute("name");
    picker.addEventListener("change", function () {
      uploadAll(box, sink, picker.files);
      picker.value = "";
    });
    target.addEventListener("paste", function (event) {
      var files = event.clipboardData && event.clipboardData.files;
      if (files && files.length) {
        event.preventDefault();
        event.stopPropagation();
        uploadAll(box, sink, files);
      }
    }, true);
    target.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
        target.classList.add("is-dropping");
      }
    });
    target.addEventListener("dragleave", function () { target.classList.remove("is-dropping"); });
    target.addEventListener("drop", function (event) {
      target.classList.remove("is-dropping");
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) {
        event.preventDefault();
        event.stopPropagation();
        uploadAll(box, sink, files);
      }
    }, true);
  }

  function enhance(box) {
    var textarea = document.getElementById(box.dataset.attachFor);
    if (textarea && textarea.tagName === "TEXTAREA") { connect(box, textarea, textareaSink(textarea)); }
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll(".attach[data-attach-for]").forEach(enhance);
  }

  // The live protocol editor (static/js/protocol-editor.js) connects its own sink.
  window.AgoraUploads = { connect: connect };

  enhanceAll(document);
  // Forms that htmx swaps in (a re-rendered composer, an edit form) get the same.
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
})();
