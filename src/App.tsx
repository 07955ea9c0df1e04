import { useState } from 'preact/hooks';
import { DeviceCheck } from './ui/DeviceCheck';
import { ModelStore } from './ui/models/ModelStore';

type Screen = 'device' | 'models';
const SEEN_KEY = 'lite-coder.device-check-seen';

/** The app shell: the device check (shown first on a first visit) and the model store. */
export function App() {
  const [screen, setScreen] = useState<Screen>(() => (localStorage.getItem(SEEN_KEY) ? 'models' : 'device'));
  const go = (s: Screen) => {
    localStorage.setItem(SEEN_KEY, '1');
    setScreen(s);
  };
  return (
    <div class="shell">
      <header class="topbar">
        <h1 class="brand">Lite Coder</h1>
        <nav aria-label="Main">
          <button class={screen === 'models' ? 'tab active' : 'tab'} onClick={() => go('models')}>Models</button>
          <button class={screen === 'device' ? 'tab active' : 'tab'} onClick={() => go('device')}>Can my device run it?</button>
        </nav>
      </header>
      <main>{screen === 'device' ? <DeviceCheck onContinue={() => go('models')} /> : <ModelStore />}</main>
    </div>
  );
}
