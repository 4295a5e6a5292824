// The protocol editor bundle: Yjs + y-websocket + CodeMirror 6 with its Yjs binding.
// Agora's Content-Security-Policy forbids inline styles, so: the editor lives in a shadow root
// (CodeMirror then styles it with constructed style sheets, which the CSP allows, instead of a
// <style> element), and remote cursors use one CSS class per colour, not style attributes.
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import { yCollab, yUndoManagerKeymap } from "y-codemirror.next";
import { EditorState, Prec } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, drawSelection, highlightActiveLine, Decoration, ViewPlugin, WidgetType,
} from "@codemirror/view";
import { defaultKeymap, indentWithTab } from "@codemirror/commands";
import { syntaxHighlighting, defaultHighlightStyle } from "@codemirror/language";
import { markdown, insertNewlineContinueMarkupCommand, deleteMarkupBackward } from "@codemirror/lang-markdown";

const COLOURS = ["#1a73e8", "#d93025", "#188038", "#a142f4", "#e37400", "#007b83", "#c5221f", "#5f6368"];
const PALETTE = COLOURS.length;

const peerRules = {};
COLOURS.forEach((colour, i) => {
  peerRules[".cm-peer-caret.peer-" + i] = { borderLeftColor: colour };
  peerRules[".peer-" + i + " .cm-peer-label"] = { backgroundColor: colour };
  peerRules[".cm-peer-sel.peer-" + i] = { backgroundColor: colour + "33" };
});

const agoraTheme = EditorView.theme({
  "&": { minHeight: "20rem", fontSize: "0.95rem", backgroundColor: "#fff" },
  "&.cm-focused": { outline: "2px solid #2f5bd3" },
  ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace", minHeight: "20rem" },
  ".cm-gutters": { backgroundColor: "#f6f7f9", color: "#6b7280", borderRight: "1px solid #e5e7eb" },
  ".cm-peer-caret": {
    position: "relative", borderLeft: "2px solid", marginLeft: "-1px", marginRight: "-1px",
  },
  ".cm-peer-label": {
    position: "absolute", top: "-1.35em", left: "-2px", fontSize: "0.7rem", lineHeight: "1.2",
    padding: "0 0.25rem", color: "#fff", whiteSpace: "nowrap", borderRadius: "3px 3px 3px 0",
    pointerEvents: "none", fontFamily: "system-ui, sans-serif",
  },
  ...peerRules,
});

// List continuation as people know it from word processors. Enter on an empty item ends the
// list: the default would turn a tight list loose and keep the marker, so the next heading typed
// became "- ## Action items".
const listKeys = Prec.high(keymap.of([
  { key: "Enter", run: insertNewlineContinueMarkupCommand({ nonTightLists: false }) },
  { key: "Backspace", run: deleteMarkupBackward },
]));

// People type their own marker out of habit after the one Enter already put there ("- - [ ]",
// "- [ ] - [ ]"), or start a heading on a continued item ("- ## Decisions"). When the space after
// such a marker is typed, the typed marker replaces the continued one and a heading leaves the list.
const TYPED_AFTER_MARKER = /^([ \t]*)((?:[-*+]|\d{1,3}[.)])[ \t]+(\[[ xX]\][ \t]+)?)(#{1,6}|[-*+]|\d{1,3}[.)]|\[[ xX]\])$/;

function markerFor(before) {
  const match = TYPED_AFTER_MARKER.exec(before);
  if (!match) { return null; }
  const [, indent, marker, box, typed] = match;
  if (typed.startsWith("#")) { return typed + " "; }
  if (typed.startsWith("[")) { return box ? indent + marker : null; }
  return indent + typed + " ";
}

const noDoubledMarkers = EditorView.inputHandler.of((view, from, to, text) => {
  if (text !== " " || from !== to) { return false; }
  const line = view.state.doc.lineAt(from);
  const replacement = markerFor(line.text.slice(0, from - line.from));
  if (replacement === null) { return false; }
  view.dispatch({
    changes: { from: line.from, to: from, insert: replacement },
    selection: { anchor: line.from + replacement.length },
    userEvent: "input.type",
  });
  return true;
});

function colourOf(clientId) {
  return "peer-" + (Math.abs(clientId) % PALETTE);
}

class CaretWidget extends WidgetType {
  constructor(name, colour) { super(); this.name = name; this.colour = colour; }
  eq(other) { return other.name === this.name && other.colour === this.colour; }
  toDOM() {
    const caret = document.createElement("span");
    caret.className = "cm-peer-caret " + this.colour;
    caret.setAttribute("aria-hidden", "true");
    const label = document.createElement("span");
    label.className = "cm-peer-label";
    label.textContent = this.name;
    caret.appendChild(label);
    return caret;
  }
  ignoreEvent() { return true; }
}

function absolute(ytext, json) {
  if (!json) { return null; }
  const rel = Y.createRelativePositionFromJSON(json);
  const abs = Y.createAbsolutePositionFromRelativePosition(rel, ytext.doc);
  return abs && abs.type === ytext ? abs.index : null;
}

function remoteCursors(ytext, awareness) {
  return ViewPlugin.fromClass(class {
    constructor(view) {
      this.view = view;
      this.decorations = Decoration.none;
      this.onChange = ({ added, updated, removed }) => {
        const others = added.concat(updated, removed).some((id) => id !== awareness.clientID);
        if (others) { setTimeout(() => this.view.dispatch({}), 0); }
      };
      awareness.on("change", this.onChange);
    }
    update(update) {
      const view = update.view;
      const sel = update.state.selection.main;
      if (update.selectionSet || update.docChanged || update.focusChanged) {
        const local = awareness.getLocalState();
        if (local && view.hasFocus) {
          awareness.setLocalStateField("cursor", {
            anchor: Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(ytext, sel.anchor)),
            head: Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(ytext, sel.head)),
          });
        }
      }
      const ranges = [];
      const length = update.state.doc.length;
      awareness.getStates().forEach((state, clientId) => {
        if (clientId === awareness.clientID || !state.cursor || !state.user) { return; }
        const anchor = absolute(ytext, state.cursor.anchor);
        const head = absolute(ytext, state.cursor.head);
        if (anchor === null || head === null || head > length || anchor > length) { return; }
        const colour = colourOf(clientId);
        const from = Math.min(anchor, head), to = Math.max(anchor, head);
        if (from < to) {
          ranges.push(Decoration.mark({ class: "cm-peer-sel " + colour }).range(from, to));
        }
        ranges.push(Decoration.widget({ widget: new CaretWidget(String(state.user.name || "?"), colour), side: 1 }).range(head));
      });
      this.decorations = Decoration.set(ranges, true);
    }
    destroy() { awareness.off("change", this.onChange); }
  }, { decorations: (plugin) => plugin.decorations });
}

// Connect a document to /api/v1/protocols/{id}/sync and mount an editor in `parent`.
function createEditor({ parent, url, room, user, editable, label, onStatus, onPresence, onChange }) {
  const doc = new Y.Doc();
  const ytext = doc.getText("content");
  const provider = new WebsocketProvider(url, room, doc, { disableBc: true, maxBackoffTime: 4000 });
  const awareness = provider.awareness;
  provider.on("status", (event) => onStatus && onStatus(event.status));
  provider.on("sync", (synced) => onStatus && onStatus(synced ? "synced" : "connecting"));
  provider.on("connection-close", (event) => {
    if (event && event.code >= 4400 && event.code < 4500) { onStatus && onStatus("closed", event.code); }
  });
  awareness.on("change", () => {
    if (!onPresence) { return; }
    const people = [];
    awareness.getStates().forEach((state, clientId) => {
      if (state.user) { people.push({ name: state.user.name, colour: colourOf(clientId), me: clientId === doc.clientID }); }
    });
    onPresence(people);
  });
  // After the listener: the person's own entry then shows at once, not only after a first move.
  awareness.setLocalStateField("user", { name: user.name, id: user.id, colour: colourOf(doc.clientID) });
  ytext.observe(() => onChange && onChange(ytext.toString()));
  const undoManager = new Y.UndoManager(ytext);
  const state = EditorState.create({
    doc: ytext.toString(),
    extensions: [
      lineNumbers(),
      drawSelection(),
      highlightActiveLine(),
      EditorView.lineWrapping,
      markdown({ addKeymap: false }),
      listKeys,
      noDoubledMarkers,
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      keymap.of([...yUndoManagerKeymap, ...defaultKeymap, indentWithTab]),
      yCollab(ytext, null, { undoManager }),
      remoteCursors(ytext, awareness),
      EditorView.editable.of(editable),
      EditorState.readOnly.of(!editable),
      agoraTheme,
      EditorView.contentAttributes.of({ "aria-label": label || "Protocol text", "aria-multiline": "true" }),
    ],
  });
  const shadow = parent.shadowRoot || parent.attachShadow({ mode: "open" });
  const mount = document.createElement("div");
  shadow.appendChild(mount);
  const view = new EditorView({ state, parent: mount, root: shadow });
  return { doc, ytext, provider, awareness, view };
}

window.AgoraProtocolEditor = { createEditor, Y, WebsocketProvider, EditorView };
