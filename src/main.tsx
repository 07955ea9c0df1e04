import { render } from 'preact';
import { App } from './App';
import { setupPwa } from './pwa';

render(<App />, document.getElementById('app')!);
setupPwa(() => document.querySelector('[data-streaming="1"]') !== null);
