import { useEffect, useState } from 'preact/hooks';
import { readDrop, withAttachments, type Attachment } from './attachments';
import { t } from './strings';

/**
 * Enter sends, Shift+Enter adds a line; Enter that finishes an IME composition (Chinese input) does not
 * send. Files or folders dropped on it are attached (attachments.ts): listed with their paths and the
 * tokens they take against `contextLength` (the context this device allows; 0: a server decides),
 * counted by `countTokens` (null where it cannot count).
 */
export function Composer(props: {
  busy: boolean;
  disabled: boolean;
  onSend: (text: string) => void;
  onStop: () => void;
  countTokens?: ((text: string) => Promise<number | null>) | undefined;
  contextLength?: number;
}) {
  const [text, setText] = useState('');
  const [files, setFiles] = useState<Attachment[]>([]);
  const [skipped, setSkipped] = useState<string[]>([]);
  const [dragging, setDragging] = useState(false);
  const [tokens, setTokens] = useState<number | null | 'counting'>(null);

  const attached = files.length > 0 ? withAttachments('', files) : '';
  useEffect(() => {
    if (!attached || !props.countTokens) {
      setTokens(null);
      return;
    }
    let current = true;
    setTokens('counting');
    props.countTokens(attached).then(
      (n) => {
        if (current) setTokens(n);
      },
      () => {
        if (current) setTokens(null);
      },
    );
    return () => {
      current = false;
    };
  }, [attached, props.countTokens]);

  const send = () => {
    if ((!text.trim() && files.length === 0) || props.busy || props.disabled) return;
    props.onSend(withAttachments(text, files));
    setText('');
    setFiles([]);
    setSkipped([]);
  };
  const max = props.contextLength ?? 0;
  return (
    <form
      class={dragging ? 'composer dragging' : 'composer'}
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
      onDragOver={(e) => {
        if (e.dataTransfer?.types.includes('Files')) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        if (!e.dataTransfer) return;
        e.preventDefault();
        setDragging(false);
        void readDrop(e.dataTransfer).then((r) => {
          // The same path dropped again replaces the earlier copy.
          setFiles((old) => [...old.filter((f) => !r.files.some((n) => n.path === f.path)), ...r.files]);
          setSkipped(r.skipped);
        });
      }}
    >
      <div class="composer-input">
        {(files.length > 0 || skipped.length > 0) && (
          <div class="attachments" data-testid="attachments">
            {files.map((f) => (
              <span class="attachment" key={f.path} data-testid="attachment">
                <code>{f.path}</code>
                <button
                  type="button"
                  aria-label={t('removeAttachment', { path: f.path })}
                  onClick={() => setFiles(files.filter((x) => x !== f))}
                >
                  ✕
                </button>
              </span>
            ))}
            {tokens !== null && (
              <span
                class={typeof tokens === 'number' && max > 0 && tokens > max ? 'small error' : 'small muted'}
                data-testid="attachment-tokens"
              >
                {tokens === 'counting'
                  ? t('countingTokens')
                  : max > 0
                    ? t(tokens > max ? 'attachedTooMany' : 'attachedTokens', { n: tokens, max })
                    : t('attachedTokensServer', { n: tokens })}
              </span>
            )}
            {skipped.length > 0 && (
              <span class="small muted" data-testid="attachment-skipped">
                {t('attachSkipped', { paths: skipped.slice(0, 5).join(', ') })}
              </span>
            )}
          </div>
        )}
        <textarea
          value={text}
          rows={3}
          placeholder={t('placeholder')}
          aria-label={t('placeholder')}
          data-testid="composer"
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            }
          }}
        />
      </div>
      {props.busy ? (
        <button type="button" class="danger" onClick={props.onStop} data-testid="stop">
          {t('stop')}
        </button>
      ) : (
        <button
          type="submit"
          class="primary"
          disabled={props.disabled || (!text.trim() && files.length === 0)}
          data-testid="send"
        >
          {t('send')}
        </button>
      )}
    </form>
  );
}
