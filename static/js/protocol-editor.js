// Glue for the protocol page: mount the live editor (bundle in vendor/protocol-editor/),
// show connection status and who is here, and refresh the server-rendered preview.
// Without JavaScript the page still shows the rendered document and the plain form edit.
(function () {
  "use strict";
  var holder = document.getElementById("protocol-editor");
  if (!holder || !window.AgoraProtocolEditor) { return; }
  var status = document.getElementById("protocol-status");
  var presence = document.getElementById("protocol-presence");
  var preview = document.getElementById("protocol-preview");
  var id = holder.dataset.protocolId;
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  var url = scheme + window.location.host + holder.dataset.syncUrl;

  function setStatus(state, code) {
    var text = {
      connected: holder.dataset.labelOnline,
      synced: holder.dataset.labelOnline,
      connecting: holder.dataset.labelConnecting,
      disconnected: holder.dataset.labelOffline,
      closed: holder.dataset.labelOffline
    }[state] || "";
    status.textContent = text;
    status.dataset.state = state;
    if (state === "closed" && code === 4403) { editor.view.contentDOM.setAttribute("contenteditable", "false"); }
  }

  // The bundle reports names and caret colours; the person ids come from the same awareness
  // states, in the same order, so each name gets its face (picture or initials, served by
  // /people/{id}/avatar/64) beside the dot of its caret colour.
  function presenceIds() {
    var ids = [];
    if (!window.agoraProtocol) { return ids; }
    window.agoraProtocol.awareness.getStates().forEach(function (state) {
      if (state.user) { ids.push(String(state.user.id || "")); }
    });
    return ids;
  }

  function showPresence(people) {
    var ids = presenceIds();
    presence.textContent = "";
    people.forEach(function (person, index) {
      var li = document.createElement("li");
      var dot = document.createElement("span");
      dot.className = "presence-dot " + person.colour;
      dot.setAttribute("aria-hidden", "true");
      li.appendChild(dot);
      if (/^[0-9]+$/.test(ids[index] || "")) {
        var face = document.createElement("img");
        face.className = "face face-s";
        face.src = "/people/" + ids[index] + "/avatar/64";
        face.alt = "";
        face.width = 24;
        face.height = 24;
        li.appendChild(face);
      }
      li.appendChild(document.createTextNode(person.name + (person.me ? " " + holder.dataset.labelYou : "")));
      presence.appendChild(li);
    });
  }

  var timer = null;
  function refreshPreview() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      fetch("/protocols/" + id + "/preview", { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html !== null) { preview.innerHTML = html; } });
    }, 800);
  }

  holder.hidden = false;
  var editor = window.AgoraProtocolEditor.createEditor({
    parent: holder,
    url: url,
    room: id + "/sync",
    user: { name: holder.dataset.userName, id: holder.dataset.userId },
    editable: holder.dataset.canEdit === "true",
    label: holder.dataset.labelText,
    onStatus: setStatus,
    onPresence: showPresence,
    onChange: refreshPreview
  });
  window.agoraProtocol = editor;  // for the browser tests and the curious
  // The first presence report came while the editor was being made, before the ids could be
  // read: show it again with faces.
  editor.awareness.emit("change", [{ added: [], updated: [], removed: [] }, "local"]);

  // Files pasted, dropped or picked go into the shared document at the cursor (uploads.js).
  var attach = document.querySelector(".attach[data-attach-for='protocol-editor']");
  if (attach && window.AgoraUploads && holder.dataset.canEdit === "true") {
    var view = editor.view;
    window.AgoraUploads.connect(attach, holder, {
      insert: function (text) {
        var range = view.state.selection.main;
        view.dispatch({ changes: { from: range.from, to: range.to, insert: text },
                        selection: { anchor: range.from + text.length } });
      },
      replace: function (marker, text) {
        var at = view.state.doc.toString().indexOf(marker);
        if (at < 0) { return; }
        view.dispatch({ changes: { from: at, to: at + marker.length, insert: text } });
      }
    });
  }

  // The bundle's editor theme is light. The page's colour variables reach into the editor's
  // shadow root (custom properties inherit), so these rules let it follow the dark theme too;
  // a constructed sheet, like CodeMirror's own, is allowed by the Content-Security-Policy.
  var shadow = holder.shadowRoot;
  if (shadow && "adoptedStyleSheets" in shadow) {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync([
      ".cm-editor.cm-editor { background-color: var(--field-bg); color: var(--text); }",
      ".cm-editor .cm-gutters.cm-gutters { background-color: var(--surface); color: var(--muted); border-right-color: var(--line); }",
      ".cm-editor .cm-activeLine.cm-activeLine, .cm-editor .cm-activeLineGutter.cm-activeLineGutter { background-color: var(--hover); }",
      ".cm-editor .cm-cursor.cm-cursor { border-left-color: var(--text); }",
      ".cm-editor .cm-selectionBackground.cm-selectionBackground { background-color: var(--accent-bg); }",
      ".cm-editor.cm-focused.cm-focused { outline-color: var(--brand); }"
    ].join("\n"));
    shadow.adoptedStyleSheets = shadow.adoptedStyleSheets.concat([sheet]);
  }
})();
