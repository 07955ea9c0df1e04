import { render } from 'preact';
import { DEFAULT_SETTINGS } from '../chat/conversation';
import { persistChoices } from '../chat/session';
import { EmbedApp } from './EmbedApp';
import { connectHost } from './host-link';
import { allowedOrigins, settingsFromQuery, type EmbedSettings } from './protocol';

// The widget's engine comes from its host: it never changes the app's saved choices.
persistChoices(false);
const params = new URLSearchParams(location.search);
const { settings, problems } = settingsFromQuery(params);
const initial: EmbedSettings = {
  systemPrompt: '',
  greeting: '',
  theme: 'auto',
  lang: 'auto',
  artifacts: true,
  endpoint: '',
  model: '',
  apiKey: '',
  ...DEFAULT_SETTINGS,
  ...settings,
};
const origins = allowedOrigins(params, location.ancestorOrigins?.[0] ?? (document.referrer || undefined));
const appUrl = new URL('./', location.href).href;

render(
  <EmbedApp
    initial={initial}
    appUrl={appUrl}
    connect={(onMessage) => {
      const link = connectHost(origins, onMessage);
      link.post({ type: 'ready', state: 'checking' });
      if (problems.length) {
        console.warn(`Lite Coder widget: ${problems.join(' ')}`);
        link.post({ type: 'error', code: 'invalid-settings', message: problems.join(' ') });
      }
      return link;
    }}
  />,
  document.getElementById('app')!,
);
