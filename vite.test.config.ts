import { defineConfig } from 'vite';

/**
 * The test harness pages (tests/harness/*.html) and their test engine worker, built apart from the
 * app into dist-test/ so that nothing of them reaches what users get. The browser tests and the
 * command-line tools (npm run infer, bench) serve dist/ and dist-test/ together, on one origin
 * (scripts/serve.mjs --root dist --root dist-test), so the harness shares the app's storage.
 */
const VERSION = process.env.LC_VERSION ?? process.env.npm_package_version ?? 'dev';

export default defineConfig({
  define: { __LITE_CODER_VERSION__: JSON.stringify(VERSION) },
  build: {
    target: 'es2022',
    sourcemap: true,
    outDir: 'dist-test',
    copyPublicDir: false,
    rollupOptions: {
      input: {
        harness: 'tests/harness/harness.html',
        sampler: 'tests/harness/sampler.html',
        bench: 'tests/harness/bench.html',
        kernels: 'tests/harness/kernels.html',
        markdown: 'tests/harness/markdown.html',
        artifacts: 'tests/harness/artifacts.html',
        chatStream: 'tests/harness/chat-stream.html',
      },
    },
  },
  worker: { format: 'es' },
});
