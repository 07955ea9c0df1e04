/**
 * The preview of a model-written page: the sandboxed frame, its console, and the actions around it
 * (versions, reload, full screen, download, copy, and asking the model to fix an error).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { translations, useLang } from '../i18n';
import type { Artifact } from './detect';
import { mountArtifactFrame } from './frame';
import { downloadFile } from './download';
import { type ArtifactMessage, type ConsoleLevel } from './sandbox';
import './artifacts.css';

const t = translations({
  en: {
    versions: 'Versions',
    version: 'Version {n} of {total}',
    previous: 'Previous version',
    next: 'Next version',
    reload: 'Reload',
    fullScreen: 'Full screen',
    exitFullScreen: 'Exit full screen',
    download: 'Download',
    copy: 'Copy source',
    copied: 'Copied',
    copyFailed: 'Could not copy: {error}',
    close: 'Close',
    console: 'Console',
    clear: 'Clear',
    empty: 'Nothing logged yet.',
    dropped: '{n} older lines not shown',
    fix: 'Ask the model to fix it',
    at: 'line {line}, column {col}',
    sandboxNote: 'Runs sandboxed: no network, no access to the app.',
  },
  zh: {
    versions: '版本',
    version: '第 {n} 版，共 {total} 版',
    previous: '上一版本',
    next: '下一版本',
    reload: '重新加载',
    fullScreen: '全屏',
    exitFullScreen: '退出全屏',
    download: '下载',
    copy: '复制源代码',
    copied: '已复制',
    copyFailed: '复制失败：{error}',
    close: '关闭',
    console: '控制台',
    clear: '清空',
    empty: '暂无输出。',
    dropped: '较早的 {n} 行未显示',
    fix: '让模型修复',
    at: '第 {line} 行，第 {col} 列',
    sandboxNote: '在沙箱中运行：无网络，无法访问本应用。',
  },
});

type EntryLevel = ConsoleLevel | 'uncaught';
interface Entry {
  id: number;
  level: EntryLevel;
  text: string;
  line?: number;
  col?: number;
}

/** A game logging every frame must not grow the list (or the re-renders) without bound. */
const MAX_ENTRIES = 500;
/** Distinct uncaught errors sent with a fix request; the first is usually the cause of the rest. */
const MAX_FIX_ERRORS = 5;

export function ArtifactPanel(props: {
  versions: Artifact[];
  index: number;
  onIndex: (i: number) => void;
  onClose: () => void;
  onFix: (error: string, source: string) => void;
}) {
  useLang();
  const count = props.versions.length;
  const index = Math.max(0, Math.min(props.index, count - 1));
  const artifact = props.versions[index];
  const [run, setRun] = useState(0);
  const [full, setFull] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const log = useConsoleLog();
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!host.current || !artifact) return;
    log.clear();
    const frame = mountArtifactFrame(host.current, artifact, (m) =>
      m.type === 'escape' ? setFull(false) : log.add(m),
    );
    return () => frame.dispose();
  }, [artifact?.source, artifact?.title, run]);

  useEffect(() => {
    if (!full) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setFull(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [full]);

  useEffect(() => {
    if (!note) return;
    const timer = setTimeout(() => setNote(null), 2500);
    return () => clearTimeout(timer);
  }, [note]);

  if (!artifact) return null;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(artifact.source);
      setNote(t('copied'));
    } catch (e) {
      setNote(t('copyFailed', { error: e instanceof Error ? e.message : String(e) }));
    }
  };

  return (
    <section
      class={`artifact-panel${full ? ' fullscreen' : ''}`}
      aria-label={artifact.title}
      data-testid="artifact-panel"
    >
      <header class="artifact-header">
        <h3 class="artifact-title" title={artifact.title} data-testid="artifact-title">
          {artifact.title}
        </h3>
        {count > 1 && (
          <nav class="artifact-versions" aria-label={t('versions')}>
            <button
              type="button"
              class="artifact-btn"
              aria-label={t('previous')}
              disabled={index === 0}
              onClick={() => props.onIndex(index - 1)}
              data-testid="artifact-prev"
            >
              ‹
            </button>
            <span aria-label={t('version', { n: index + 1, total: count })} data-testid="artifact-version">
              {index + 1} / {count}
            </span>
            <button
              type="button"
              class="artifact-btn"
              aria-label={t('next')}
              disabled={index === count - 1}
              onClick={() => props.onIndex(index + 1)}
              data-testid="artifact-next"
            >
              ›
            </button>
          </nav>
        )}
        <div class="artifact-actions">
          <button type="button" class="artifact-btn" onClick={() => setRun((r) => r + 1)} data-testid="artifact-reload">
            {t('reload')}
          </button>
          <button
            type="button"
            class="artifact-btn"
            aria-pressed={full}
            onClick={() => setFull(!full)}
            data-testid="artifact-fullscreen"
          >
            {full ? t('exitFullScreen') : t('fullScreen')}
          </button>
          <button type="button" class="artifact-btn" onClick={() => download(artifact)} data-testid="artifact-download">
            {t('download')}
          </button>
          <button type="button" class="artifact-btn" onClick={() => void copy()} data-testid="artifact-copy">
            {t('copy')}
          </button>
          <button
            type="button"
            class="artifact-btn"
            aria-label={t('close')}
            title={t('close')}
            onClick={props.onClose}
            data-testid="artifact-close"
          >
            ✕
          </button>
        </div>
      </header>
      {note && (
        <p class="artifact-note" role="status" data-testid="artifact-note">
          {note}
        </p>
      )}
      <div class="artifact-stage" ref={host} data-testid="artifact-stage" />
      <ConsolePane
        entries={log.entries}
        dropped={log.dropped}
        onClear={log.clear}
        onFix={log.errors.length > 0 ? () => props.onFix(log.errors.join('\n\n'), artifact.source) : null}
      />
    </section>
  );
}

function ConsolePane(props: { entries: Entry[]; dropped: number; onClear: () => void; onFix: (() => void) | null }) {
  const list = useRef<HTMLOListElement>(null);
  // Follow the newest line, as a console does.
  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [props.entries]);
  return (
    <div class="artifact-console" data-testid="artifact-console">
      <div class="artifact-console-bar">
        <span class="artifact-console-title">{t('console')}</span>
        <span class="artifact-sandbox-note">{t('sandboxNote')}</span>
        {props.onFix && (
          <button type="button" class="artifact-btn artifact-fix" onClick={props.onFix} data-testid="artifact-fix">
            {t('fix')}
          </button>
        )}
        <button type="button" class="artifact-btn" onClick={props.onClear} data-testid="artifact-console-clear">
          {t('clear')}
        </button>
      </div>
      <ol class="artifact-console-lines" ref={list} aria-live="polite" data-testid="artifact-console-lines">
        {props.dropped > 0 && <li class="artifact-line dropped">{t('dropped', { n: props.dropped })}</li>}
        {props.entries.length === 0 && <li class="artifact-line empty">{t('empty')}</li>}
        {props.entries.map((e) => (
          <li key={e.id} class={`artifact-line level-${e.level}`} data-level={e.level}>
            <pre>{e.text}</pre>
            {e.line ? <span class="artifact-where">{t('at', { line: e.line, col: e.col ?? 0 })}</span> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}

/**
 * The lines the artifact logged. Messages arrive in bursts (a loop of console.log), so they are
 * gathered and shown once per animation frame.
 */
function useConsoleLog() {
  const [state, setState] = useState<{ entries: Entry[]; dropped: number; errors: string[] }>({
    entries: [],
    dropped: 0,
    errors: [],
  });
  const pending = useRef<Entry[]>([]);
  const frame = useRef(0);
  const nextId = useRef(0);

  const flush = () => {
    frame.current = 0;
    const incoming = pending.current;
    pending.current = [];
    setState((s) => {
      const all = [...s.entries, ...incoming];
      const cut = Math.max(0, all.length - MAX_ENTRIES);
      const errors = [...s.errors];
      for (const e of incoming) {
        if (e.level !== 'uncaught') continue;
        const text = e.line ? `${e.text}\n(${t('at', { line: e.line, col: e.col ?? 0 })})` : e.text;
        if (errors.length < MAX_FIX_ERRORS && !errors.includes(text)) errors.push(text);
      }
      return { entries: all.slice(cut), dropped: s.dropped + cut, errors };
    });
  };

  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  return {
    ...state,
    add(m: Exclude<ArtifactMessage, { type: 'escape' }>) {
      const id = nextId.current++;
      pending.current.push(
        m.type === 'console'
          ? { id, level: m.level, text: m.text }
          : { id, level: 'uncaught', text: m.text, line: m.line, col: m.col },
      );
      frame.current ||= requestAnimationFrame(flush);
    },
    clear: () => {
      pending.current = [];
      cancelAnimationFrame(frame.current);
      frame.current = 0;
      setState({ entries: [], dropped: 0, errors: [] });
    },
  };
}

function download(artifact: Artifact): void {
  const file = downloadFile(artifact);
  const url = URL.createObjectURL(new Blob([file.text], { type: 'text/html;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has taken its copy by the time the click returns; the URL is only needed that long.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
