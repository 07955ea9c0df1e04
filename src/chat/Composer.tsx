import { useState } from 'preact/hooks';
import { t } from './strings';

/** Enter sends, Shift+Enter adds a line; Enter that finishes an IME composition (Chinese input) does not send. */
export function Composer(props: { busy: boolean; disabled: boolean; onSend: (text: string) => void; onStop: () => void }) {
  const [text, setText] = useState('');
  const send = () => {
    if (!text.trim() || props.busy || props.disabled) return;
    props.onSend(text);
    setText('');
  };
  return (
    <form class="composer" onSubmit={(e) => { e.preventDefault(); send(); }}>
      <textarea
        value={text}
        rows={3}
        placeholder={t('placeholder')}
        aria-label={t('placeholder')}
        data-testid="composer"
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
        }}
      />
      {props.busy
        ? <button type="button" class="danger" onClick={props.onStop} data-testid="stop">{t('stop')}</button>
        : <button type="submit" class="primary" disabled={props.disabled || !text.trim()} data-testid="send">{t('send')}</button>}
    </form>
  );
}
