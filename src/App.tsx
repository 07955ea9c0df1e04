import { lazy, Suspense } from 'preact/compat';
import { useState } from 'preact/hooks';
import { ChatScreen } from './chat/ChatScreen';
import { chooseStoredModel } from './chat/session';
import { translations, useLang } from './i18n';
import { DeviceCheck } from './ui/DeviceCheck';
import { ModelStore } from './ui/models/ModelStore';
import { getPref, setPref } from './prefs';

type Screen = 'chat' | 'complete' | 'models' | 'device';

/** The completion editor brings CodeMirror: loaded when the screen is first opened, not with the app. */
const CompleteScreen = lazy(() => import('./complete/CompleteScreen'));
const SEEN_KEY = 'lite-coder.device-check-seen';

const t = translations({
  en: {
    chat: 'Chat',
    complete: 'Complete',
    loading: 'Loading…',
    models: 'Models',
    device: 'Can my device run it?',
    nav: 'Main',
  },
  zh: {
    chat: '对话',
    complete: '补全',
    loading: '加载中…',
    models: '模型',
    device: '我的设备能运行吗？',
    nav: '主导航',
  },
});

/** The app shell: chat, the model store, and the device check (shown first on a first visit). */
export function App() {
  useLang();
  const [screen, setScreen] = useState<Screen>(() => (getPref(SEEN_KEY) ? 'chat' : 'device'));
  /** the device check's "Use a server instead": the chat opens with the server settings */
  const [serverSetup, setServerSetup] = useState(false);
  const go = (s: Screen) => {
    setPref(SEEN_KEY, '1');
    setScreen(s);
  };
  const tab = (s: Screen) => (
    <button
      class={screen === s ? 'tab active' : 'tab'}
      aria-current={screen === s ? 'page' : undefined}
      onClick={() => go(s)}
      data-testid={`tab-${s}`}
    >
      {t(s)}
    </button>
  );
  return (
    <div class={screen === 'chat' ? 'shell wide' : 'shell'}>
      <header class="topbar">
        <h1 class="brand">Lite Coder</h1>
        <nav aria-label={t('nav')}>
          {tab('chat')}
          {tab('complete')}
          {tab('models')}
          {tab('device')}
        </nav>
      </header>
      <main>
        {screen === 'device' && (
          <DeviceCheck
            onContinue={() => go('chat')}
            onUseServer={() => {
              setServerSetup(true);
              go('chat');
            }}
          />
        )}
        {screen === 'complete' && (
          <Suspense fallback={<p class="muted">{t('loading')}</p>}>
            <CompleteScreen onImport={() => go('models')} />
          </Suspense>
        )}
        {screen === 'models' && (
          <ModelStore
            onStartChat={(m) => {
              chooseStoredModel(m);
              go('chat');
            }}
          />
        )}
        {screen === 'chat' && <ChatScreen onImport={() => go('models')} serverSetup={serverSetup} />}
      </main>
    </div>
  );
}
