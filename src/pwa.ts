/**
 * Installable, offline app: registers the service worker (src/sw.ts) in production builds and, when a
 * new version is waiting, shows a small non-modal banner "Update available — Reload". Nothing reloads
 * by itself: the user clicks Reload, and if an answer is being generated the reload waits until it is
 * finished (the banner says so). The banner is rendered into its own container at the end of <body>.
 */
import { h, render } from 'preact';
import { Workbox } from 'workbox-window';
import { translations, useLang } from './i18n';
import './pwa.css';

declare const __LITE_CODER_VERSION__: string | undefined;

/** The build id (`LC_VERSION` at build time, else the package version). */
export const APP_VERSION: string = typeof __LITE_CODER_VERSION__ === 'string' ? __LITE_CODER_VERSION__ : 'dev';

declare global {
  interface Window {
    __LITE_CODER_VERSION__?: string;
  }
}

const t = translations({
  en: {
    available: 'Update available',
    reload: 'Reload',
    later: 'Later',
    busy: 'Update ready: the app reloads once the current answer is finished…',
    reloading: 'Reloading…',
  },
  zh: {
    available: '有可用更新',
    reload: '重新加载',
    later: '稍后',
    busy: '更新已就绪：当前回答生成完毕后将重新加载…',
    reloading: '正在重新加载…',
  },
});

type Phase = 'hidden' | 'available' | 'busy' | 'reloading';

const BUSY_POLL_MS = 500;

let started = false;

/**
 * Call once at startup. `isBusy()` says whether the model is generating: a reload waits until it is false.
 */
export function setupPwa(isBusy: () => boolean): void {
  if (started) return;
  started = true;
  window.__LITE_CODER_VERSION__ = APP_VERSION;
  const meta = document.createElement('meta');
  meta.name = 'lite-coder-version';
  meta.content = APP_VERSION;
  document.head.append(meta);

  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;

  const base = import.meta.env.BASE_URL;
  const wb = new Workbox(`${base}sw.js`, { scope: base });
  const host = document.createElement('div');
  host.id = 'lite-coder-update';
  document.body.append(host);

  let phase: Phase = 'hidden';
  const show = (p: Phase): void => {
    phase = p;
    render(h(UpdateBanner, { phase, onReload: reload, onDismiss: () => show('hidden') }), host);
  };

  let reloadRequested = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // Only the user's click reloads; the first install taking the page over does not.
    if (reloadRequested) window.location.reload();
  });

  function reload(): void {
    if (phase === 'busy' || phase === 'reloading') return;
    const go = (): void => {
      if (isBusy()) {
        if (phase !== 'busy') show('busy');
        window.setTimeout(go, BUSY_POLL_MS);
        return;
      }
      show('reloading');
      reloadRequested = true;
      wb.messageSkipWaiting();
    };
    go();
  }

  wb.addEventListener('waiting', () => {
    if (phase === 'hidden') show('available');
  });
  wb.register().catch((e: unknown) => console.warn('Service worker registration failed:', e));
}

function UpdateBanner(props: { phase: Phase; onReload: () => void; onDismiss: () => void }) {
  useLang(); // re-render when the language changes
  if (props.phase === 'hidden') return null;
  const waiting = props.phase !== 'available';
  return h(
    'div',
    {
      class: 'update-banner',
      role: 'status',
      'aria-live': 'polite',
      'data-testid': 'update-banner',
      'data-phase': props.phase,
    },
    h(
      'span',
      { class: 'update-text' },
      props.phase === 'busy' ? t('busy') : props.phase === 'reloading' ? t('reloading') : `${t('available')} —`,
    ),
    h(
      'button',
      { type: 'button', class: 'primary', 'data-testid': 'update-reload', disabled: waiting, onClick: props.onReload },
      t('reload'),
    ),
    waiting
      ? null
      : h(
          'button',
          { type: 'button', class: 'secondary', 'data-testid': 'update-dismiss', onClick: props.onDismiss },
          t('later'),
        ),
  );
}
