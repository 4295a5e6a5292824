// The protocol editor bundle: Yjs + y-websocket + CodeMirror 6 with its Yjs binding.
// Remote cursors are drawn with CSS classes (one per colour) instead of inline styles,
// because Agora's Content-Security-Policy forbids style attributes.
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import { yCollab, yUndoManagerKeymap } from "y-codemirror.next";
import { EditorState } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, drawSelection, highlightActiveLine, Decoration, ViewPlugin, WidgetType,
} from "@codemirror/view";
import { defaultKeymap, indentWithTab } from "@codemirror/commands";
import { syntaxHighlighting, defaultHighlightStyle } from "@codemirror/language";
import { markdown } from "@codemirror/lang-markdown";

const PALETTE = 8;

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
function createEditor({ parent, url, room, user, editable, onStatus, onPresence, onChange }) {
  const doc = new Y.Doc();
  const ytext = doc.getText("content");
  const provider = new WebsocketProvider(url, room, doc, { disableBc: true, maxBackoffTime: 4000 });
  const awareness = provider.awareness;
  awareness.setLocalStateField("user", { name: user.name, id: user.id, colour: colourOf(doc.clientID) });
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
  ytext.observe(() => onChange && onChange(ytext.toString()));
  const undoManager = new Y.UndoManager(ytext);
  const state = EditorState.create({
    doc: ytext.toString(),
    extensions: [
      lineNumbers(),
      drawSelection(),
      highlightActiveLine(),
      EditorView.lineWrapping,
      markdown(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      keymap.of([...yUndoManagerKeymap, ...defaultKeymap, indentWithTab]),
      yCollab(ytext, null, { undoManager }),
      remoteCursors(ytext, awareness),
      EditorView.editable.of(editable),
      EditorState.readOnly.of(!editable),
      EditorView.contentAttributes.of({ "aria-label": "Protocol text", "aria-multiline": "true" }),
    ],
  });
  const view = new EditorView({ state, parent });
  return { doc, ytext, provider, awareness, view };
}

window.AgoraProtocolEditor = { createEditor, Y, WebsocketProvider, EditorView };
