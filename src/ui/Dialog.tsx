/**
 * The app's own dialogs, in place of the browser's confirm() and prompt() (which block the page, look
 * like the browser's rather than the app's, and cannot be translated or styled). Built on <dialog>
 * opened with showModal(): focus moves into it and stays there, the page behind is inert, and Esc
 * closes it (the dialog's own cancel), as the platform's dialogs do.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { translations, useLang } from '../i18n';
import './dialog.css';

const t = translations({
  en: { cancel: 'Cancel', ok: 'OK' },
  zh: { cancel: '取消', ok: '确定' },
});

interface Common {
  title: string;
  /** called once the dialog closed: with the answer, or with null when cancelled (Esc, Cancel) */
  onClose: (answer: string | null) => void;
  /** the confirming button's label (default OK) and whether it destroys something */
  confirmLabel?: string;
  danger?: boolean;
}

/** A question the user confirms or cancels ("Delete this conversation?"); answers '' when confirmed. */
export function ConfirmDialog(props: Common & { children?: ComponentChildren }) {
  return <Modal {...props} input={null} />;
}

/** A question with one line of text to give ("New title"); answers the text, trimmed, never empty. */
export function PromptDialog(props: Common & { label: string; initial: string }) {
  return <Modal {...props} input={{ label: props.label, initial: props.initial }} />;
}

function Modal(props: Common & { input: { label: string; initial: string } | null; children?: ComponentChildren }) {
  useLang();
  const ref = useRef<HTMLDialogElement>(null);
  const [value, setValue] = useState(props.input?.initial ?? '');
  // The answer the close event reports: set just before close() by the confirming button.
  const answer = useRef<string | null>(null);
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  useEffect(() => {
    const d = ref.current!;
    d.showModal();
    const closed = () => onClose.current(answer.current);
    d.addEventListener('close', closed);
    return () => d.removeEventListener('close', closed);
  }, []);
  const ok = props.input === null || value.trim() !== '';
  const confirm = () => {
    if (!ok) return;
    answer.current = props.input === null ? '' : value.trim();
    ref.current?.close();
  };
  return (
    <dialog ref={ref} class="app-dialog" aria-labelledby="app-dialog-title" data-testid="dialog">
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          confirm();
        }}
      >
        <h2 id="app-dialog-title">{props.title}</h2>
        {props.children}
        {props.input && (
          <label>
            {props.input.label}
            <input
              type="text"
              value={value}
              autoFocus
              data-testid="dialog-input"
              onInput={(e) => setValue(e.currentTarget.value)}
            />
          </label>
        )}
        <div class="app-dialog-buttons">
          <button type="button" class="secondary" data-testid="dialog-cancel" onClick={() => ref.current?.close()}>
            {t('cancel')}
          </button>
          <button type="submit" class={props.danger ? 'danger' : 'primary'} disabled={!ok} data-testid="dialog-confirm">
            {props.confirmLabel ?? t('ok')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
