import { defineConfig } from 'vite';

/**
 * embed.js, the widget's loader (src/embed/loader.ts): one classic script, so a host page on any
 * origin can load it with a plain <script> tag. It is added to the app's build in dist/; the app's
 * build (vite.config.ts) provides embed.html, which it loads in an iframe.
 */
export default defineConfig({
  build: {
    target: 'es2020',
    emptyOutDir: false,
    copyPublicDir: false,
    sourcemap: false,
    lib: { entry: 'src/embed/loader.ts', formats: ['iife'], name: 'LiteCoderEmbedLoader', fileName: () => 'embed.js' },
  },
});
