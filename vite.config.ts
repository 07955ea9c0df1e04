import { defineConfig } from 'vite';

// Preact's automatic JSX runtime comes from tsconfig (jsxImportSource), so no framework plugin is needed.
export default defineConfig({
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: {
    target: 'es2022',
    sourcemap: true,
    // The harness page exposes runtime internals to the browser tests and command-line tools only.
    rollupOptions: { input: { main: 'index.html', harness: 'tests/harness/harness.html', sampler: 'tests/harness/sampler.html' } },
  },
  worker: { format: 'es' },
});
