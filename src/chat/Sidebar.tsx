import { useRef, useState } from 'preact/hooks';
import { ConfirmDialog, PromptDialog } from '../ui/Dialog';
import type { Conversation } from './conversation';
import { t } from './strings';
import { fromJson, toJson, toMarkdown } from './transfer';
import type { Conversations } from './useConversations';

function download(name: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const fileName = (c: Conversation, ext: string) =>
  `${(c.title || 'conversation').replace(/[^\p{L}\p{N}]+/gu, '-').slice(0, 40)}.${ext}`;

/** Conversations: new, search, rename, delete, export and import. */
export function Sidebar(props: { convs: Conversations; onPicked: () => void }) {
  const { convs } = props;
  const [query, setQuery] = useState('');
  const [error, setError] = useState<string | null>(null);
  const picker = useRef<HTMLInputElement>(null);
  /** the conversation a dialog asks about: to rename it or to delete it */
  const [asking, setAsking] = useState<{ kind: 'rename' | 'delete'; conv: Conversation } | null>(null);
  const shown = convs.list.filter((c) => (c.title || t('newChat')).toLowerCase().includes(query.toLowerCase()));
  const current = convs.current;

  const importFile = async (f: File | undefined) => {
    if (!f) return;
    try {
      convs.add(fromJson(await f.text()));
      setError(null);
      props.onPicked();
    } catch (e) {
      setError(t('importFailed', { msg: (e as Error).message }));
    }
  };

  return (
    <aside class="sidebar" aria-label={t('conversations')}>
      <button
        class="primary new-chat"
        onClick={() => {
          convs.create(convs.current);
          props.onPicked();
        }}
        data-testid="new-chat"
      >
        + {t('newChat')}
      </button>
      <input
        type="search"
        placeholder={t('search')}
        value={query}
        onInput={(e) => setQuery(e.currentTarget.value)}
        data-testid="chat-search"
      />
      <ul class="chat-list" data-testid="chat-list">
        {shown.map((c) => (
          <li key={c.id} class={c.id === current?.id ? 'active' : ''}>
            <button
              class="chat-title"
              onClick={() => {
                convs.select(c.id);
                props.onPicked();
              }}
              data-testid="chat-item"
            >
              {c.title || t('newChat')}
            </button>
            <span class="chat-item-actions">
              <button
                title={t('rename')}
                aria-label={t('rename')}
                data-testid="chat-rename"
                onClick={() => setAsking({ kind: 'rename', conv: c })}
              >
                ✎
              </button>
              <button
                title={t('delete')}
                aria-label={t('delete')}
                data-testid="chat-delete"
                onClick={() => setAsking({ kind: 'delete', conv: c })}
              >
                ✕
              </button>
            </span>
          </li>
        ))}
      </ul>
      <div class="sidebar-foot">
        {current && (
          <button
            class="secondary"
            onClick={() => download(fileName(current, 'json'), toJson(current), 'application/json')}
            data-testid="export-json"
          >
            {t('exportJson')}
          </button>
        )}
        {current && (
          <button
            class="secondary"
            onClick={() => download(fileName(current, 'md'), toMarkdown(current), 'text/markdown')}
            data-testid="export-md"
          >
            {t('exportMd')}
          </button>
        )}
        <button class="secondary" onClick={() => picker.current?.click()} data-testid="import-chat">
          {t('importJson')}
        </button>
        <input
          ref={picker}
          type="file"
          accept=".json,application/json"
          class="visually-hidden"
          data-testid="import-chat-file"
          onChange={(e) => {
            const f = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            void importFile(f);
          }}
        />
        {error && (
          <p class="error small" role="alert">
            {error}
          </p>
        )}
      </div>
      {asking?.kind === 'rename' && (
        <PromptDialog
          title={t('rename')}
          label={t('renamePrompt')}
          initial={asking.conv.title || t('newChat')}
          confirmLabel={t('rename')}
          onClose={(title) => {
            const id = asking.conv.id;
            setAsking(null);
            if (title) convs.update(id, (x) => ({ ...x, title }));
          }}
        />
      )}
      {asking?.kind === 'delete' && (
        <ConfirmDialog
          title={t('deleteChat')}
          confirmLabel={t('delete')}
          danger
          onClose={(yes) => {
            const id = asking.conv.id;
            setAsking(null);
            if (yes !== null) convs.remove(id);
          }}
        >
          <p>{t('deleteChatDetail', { title: asking.conv.title || t('newChat') })}</p>
        </ConfirmDialog>
      )}
    </aside>
  );
}
