/**
 * "Complete": an editor (CodeMirror 6, in a chunk of its own loaded when the screen is first opened)
 * where the code around the cursor becomes a fill-in-the-middle request (completions.create with
 * `prompt` = the text before the cursor and `suffix` = the text after it, the FIM format the model was
 * trained on) and the middle it writes appears as ghost text: Tab accepts it, Esc drops it. A request
 * is made when typing pauses (PAUSE_MS) or on Ctrl+Space. The language comes from the file name.
 */
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, keymap, lineNumbers } from '@codemirror/view';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ModelStatus } from '../chat/ModelStatus';
import { client, startSession, useModelSession } from '../chat/session';
import { translations, useLang } from '../i18n';
import { ghostText, setGhost } from './ghost';
import { languageFor } from './languages';
import './complete.css';

const t = translations({
  en: {
    title: 'Complete your code',
    fileName: 'File name (sets the language)',
    help: 'Type, then pause (or press Ctrl+Space): the model fills in the code at the cursor, shown in grey. Tab accepts it, Esc dismisses it.',
    thinking: 'Completing…',
    maxTokens: 'Longest completion (tokens)',
    nothing: 'The model had nothing to add here.',
    failed: 'Completion failed: {msg}',
    editor: 'Code editor',
  },
  zh: {
    title: '补全你的代码',
    fileName: '文件名（决定语言）',
    help: '输入代码后停顿（或按 Ctrl+Space）：模型会在光标处补全代码，以灰色显示。按 Tab 接受，按 Esc 放弃。',
    thinking: '正在补全…',
    maxTokens: '最长补全（词元数）',
    nothing: '模型在这里没有要补充的内容。',
    failed: '补全失败：{msg}',
    editor: '代码编辑器',
  },
});

/** Typing must pause this long before a request is made (each request costs the GPU a prefill). */
const PAUSE_MS = 700;
/** The longest middle asked for by default, in tokens: a few lines, as editors' inline completions are. */
const MAX_TOKENS = 64;

type Status = { kind: 'idle' } | { kind: 'thinking' } | { kind: 'nothing' } | { kind: 'failed'; message: string };

export default function CompleteScreen(props: { onImport: () => void }) {
  useLang();
  const session = useModelSession();
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const language = useRef(new Compartment());
  const [fileName, setFileName] = useState('main.py');
  const maxTokens = useRef(MAX_TOKENS);
  const [maxText, setMaxText] = useState(String(MAX_TOKENS));
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const ready = useRef(false);
  ready.current = session.kind === 'ready';
  useEffect(() => {
    void startSession();
  }, []);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let asked = 0;
    const ask = (v: EditorView) => {
      clearTimeout(timer);
      if (!ready.current) return;
      const id = ++asked;
      const state = v.state;
      const pos = state.selection.main.head;
      setStatus({ kind: 'thinking' });
      void client.completions
        .create({
          prompt: state.doc.sliceString(0, pos),
          suffix: state.doc.sliceString(pos),
          max_tokens: maxTokens.current,
          temperature: 0,
          stream: false,
        })
        .then(
          (r) => {
            // Only the latest request, and only if nothing changed since it was asked.
            if (id !== asked || v.state.doc !== state.doc || v.state.selection.main.head !== pos) return;
            const text = r.choices[0]?.text ?? '';
            setStatus(text ? { kind: 'idle' } : { kind: 'nothing' });
            if (text) v.dispatch({ effects: setGhost.of({ pos, text }) });
          },
          (e: Error) => {
            if (id === asked) setStatus({ kind: 'failed', message: e.message });
          },
        );
    };
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: '',
        extensions: [
          lineNumbers(),
          history(),
          indentOnInput(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          ghostText(ask),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          language.current.of([]),
          EditorView.contentAttributes.of({ 'aria-label': t('editor'), 'data-testid': 'complete-editor' }),
          EditorView.updateListener.of((u) => {
            if (!u.docChanged) return;
            asked++; // a request under way is stale now
            clearTimeout(timer);
            timer = setTimeout(() => ask(u.view), PAUSE_MS);
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      clearTimeout(timer);
      v.destroy();
    };
  }, []);

  useEffect(() => {
    let current = true;
    void languageFor(fileName).then((ext) => {
      if (current) view.current?.dispatch({ effects: language.current.reconfigure(ext ?? []) });
    });
    return () => {
      current = false;
    };
  }, [fileName]);

  return (
    <section class="complete" data-testid="complete-screen" data-session={session.kind}>
      <h2>{t('title')}</h2>
      <p class="muted small">{t('help')}</p>
      <ModelStatus session={session} onImport={props.onImport} />
      <label class="complete-file">
        {t('fileName')}
        <input
          type="text"
          value={fileName}
          data-testid="complete-file"
          onInput={(e) => setFileName(e.currentTarget.value)}
        />
      </label>
      <label class="complete-file">
        {t('maxTokens')}
        <input
          type="number"
          min={1}
          max={512}
          value={maxText}
          data-testid="complete-max-tokens"
          onInput={(e) => {
            setMaxText(e.currentTarget.value);
            const n = Math.round(Number(e.currentTarget.value));
            maxTokens.current = n >= 1 ? Math.min(512, n) : MAX_TOKENS;
          }}
        />
      </label>
      <div class="complete-editor" ref={host} />
      <p class="small muted" data-testid="complete-status" aria-live="polite">
        {status.kind === 'thinking'
          ? t('thinking')
          : status.kind === 'nothing'
            ? t('nothing')
            : status.kind === 'failed'
              ? t('failed', { msg: status.message })
              : ''}
      </p>
    </section>
  );
}
