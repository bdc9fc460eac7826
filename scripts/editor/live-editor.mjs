// glossary_gen's code editor for the live examples: CodeMirror 6 (MIT licence), from the npm
// packages pinned in package.json, bundled by scripts/setup (esbuild) into
// node_modules/.glossary/live-editor.js; a site build copies that file to assets/editor/, and
// assets/glossary/live.js loads it when a reader first clicks Edit (never with the page).
//
// It defines window.glossaryEditor.create({parent, doc, label, onChange, onRun}) -> {
//   getValue(), setValue(text), focus(), destroy(), dom }.
// Keys: Ctrl/Cmd+Enter runs; Tab indents, and Escape then Tab (or Shift+Tab) moves the focus on,
// out of the editor (CodeMirror's tab-focus mode), so a keyboard user is never trapped.
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, highlightActiveLine, drawSelection } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { pythonLanguage } from "@codemirror/lang-python";
import { classHighlighter } from "@lezer/highlight";

function create(options) {
  const onChange = options.onChange || function () {};
  const onRun = options.onRun || function () {};
  const view = new EditorView({
    parent: options.parent,
    state: EditorState.create({
      doc: options.doc || "",
      extensions: [
        history(),
        drawSelection(),
        highlightActiveLine(),
        indentOnInput(),
        bracketMatching(),
        indentUnit.of("    "),
        EditorState.tabSize.of(4),
        pythonLanguage,
        syntaxHighlighting(classHighlighter),
        keymap.of([
          { key: "Mod-Enter", run: () => { onRun(); return true; } },
          ...defaultKeymap,
          ...historyKeymap,
          indentWithTab,
        ]),
        EditorView.contentAttributes.of({
          "aria-label": options.label || "Python code (editable)",
          "aria-multiline": "true",
          autocapitalize: "off",
          autocorrect: "off",
          spellcheck: "false",
        }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    dom: view.dom,
    getValue: () => view.state.doc.toString(),
    setValue: (text) => {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}

window.glossaryEditor = { create, version: "codemirror-6" };
