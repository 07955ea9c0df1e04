/**
 * Ghost text for CodeMirror 6: a suggestion shown after the cursor in grey, not part of the document,
 * until Tab accepts it (inserted where it was offered) or Esc, an edit or a cursor move drops it.
 */
import { Prec, StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, keymap } from '@codemirror/view';

export interface Ghost {
  /** document offset it is offered at */
  pos: number;
  text: string;
}

/** Show a suggestion (or, with null, drop the one shown). */
export const setGhost = StateEffect.define<Ghost | null>();

class GhostWidget extends WidgetType {
  constructor(readonly text: string) {
    super();
  }
  override eq(other: GhostWidget): boolean {
    return other.text === this.text;
  }
  toDOM(): HTMLElement {
    const span = document.createElement('span');
    span.className = 'cm-ghost';
    span.setAttribute('data-testid', 'ghost');
    span.textContent = this.text;
    return span;
  }
}

export const ghostField = StateField.define<Ghost | null>({
  create: () => null,
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setGhost)) return e.value;
    // Anything the user does makes the suggestion stale.
    return tr.docChanged || tr.selection ? null : value;
  },
  provide: (f) =>
    EditorView.decorations.from(f, (g) =>
      g
        ? Decoration.set([Decoration.widget({ widget: new GhostWidget(g.text), side: 1 }).range(g.pos)])
        : Decoration.none,
    ),
});

/** The field, its look, and the keys: Tab accepts, Esc drops, `ask` (Ctrl+Space) requests one now. */
export function ghostText(ask: (view: EditorView) => void): Extension {
  return [
    ghostField,
    EditorView.baseTheme({ '.cm-ghost': { opacity: '0.45', fontStyle: 'italic', whiteSpace: 'pre' } }),
    Prec.highest(
      keymap.of([
        {
          key: 'Tab',
          run: (view) => {
            const g = view.state.field(ghostField);
            if (!g) return false;
            view.dispatch({ changes: { from: g.pos, insert: g.text }, selection: { anchor: g.pos + g.text.length } });
            return true;
          },
        },
        {
          key: 'Escape',
          run: (view) => {
            if (!view.state.field(ghostField)) return false;
            view.dispatch({ effects: setGhost.of(null) });
            return true;
          },
        },
        {
          key: 'Ctrl-Space',
          run: (view) => {
            ask(view);
            return true;
          },
        },
      ]),
    ),
  ];
}
