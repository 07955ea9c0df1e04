import { defineConfig } from 'vite';

/**
 * The in-page API as an ES module: dist/lite-coder.js (from src/api/index.ts), with the engine worker
 * as its own chunk next to it (dist/assets/engine.worker-*.js, holding the WGSL kernels). It adds to
 * the app's build in dist/ (`emptyOutDir: false`), so build the app first: `npm run build` runs both.
 * The module must be served from the same origin as the page that imports it: the worker it starts
 * is a module worker, and the model store is the origin's storage.
 */
const VERSION = process.env.LC_VERSION ?? process.env.npm_package_version ?? 'dev';

export default defineConfig({
  // The worker's URL is relative to lite-coder.js, so the pair can be served from any folder.
  base: './',
  define: { __LITE_CODER_VERSION__: JSON.stringify(VERSION) },
  build: {
    target: 'es2022',
    sourcemap: true,
    emptyOutDir: false,
    copyPublicDir: false,
    lib: {
      entry: 'src/api/index.ts',
      formats: ['es'],
      fileName: () => 'lite-coder.js',
    },
  },
  worker: { format: 'es' },
});
