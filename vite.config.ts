import { basename } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// Preact's automatic JSX runtime comes from tsconfig (jsxImportSource), so no framework plugin is needed.

/** A build id shown by the app and used by the PWA update test (`LC_VERSION=... vite build`). */
const VERSION = process.env.LC_VERSION ?? process.env.npm_package_version ?? 'dev';

/**
 * The files the app itself can load: everything reachable from index.html and embed.html, following
 * each text file's references to other output files by name (script/link tags, static and dynamic
 * imports, the engine worker's `new URL(...)`, CSS urls). The service worker precaches exactly these.
 */
const appShell = new Set<string>();
function appShellFiles(): Plugin {
  return {
    name: 'lite-coder:app-shell',
    apply: 'build',
    writeBundle(_options, bundle) {
      if (!('index.html' in bundle)) return;
      // The widget (embed.html) is part of the app: an installed app's embeds work offline too.
      const files = Object.values(bundle).filter((f) => !f.fileName.endsWith('.map'));
      const text = (fileName: string): string | null => {
        const f = bundle[fileName];
        if (!f || !/\.(html|m?js|css|json|webmanifest)$/.test(fileName)) return null;
        if (f.type === 'chunk') return f.code;
        return typeof f.source === 'string' ? f.source : new TextDecoder().decode(f.source);
      };
      appShell.clear();
      const queue = ['index.html', 'embed.html'];
      while (queue.length) {
        const name = queue.pop()!;
        if (appShell.has(name)) continue;
        appShell.add(name);
        const src = text(name);
        if (src === null) continue;
        for (const f of files)
          if (!appShell.has(f.fileName) && src.includes(basename(f.fileName))) queue.push(f.fileName);
      }
    },
  };
}

/** Files from public/ the service worker precaches (only these: nothing else in public/ is app shell). */
const PUBLIC_SHELL = /^(manifest\.webmanifest|icons\/[^/]+\.(png|svg))$/;

export default defineConfig({
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  define: { __LITE_CODER_VERSION__: JSON.stringify(VERSION) },
  build: {
    target: 'es2022',
    sourcemap: true,
    // The app and its widget only: the test harness pages are built apart (vite.test.config.ts).
    rollupOptions: { input: { main: 'index.html', embed: 'embed.html' } },
  },
  worker: { format: 'es' },
  plugins: [
    appShellFiles(),
    // The service worker (src/sw.ts) precaches the app shell; src/pwa.ts registers it in production builds.
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      injectRegister: false,
      manifest: false, // public/manifest.webmanifest, linked from index.html
      includeManifestIcons: false,
      injectManifest: {
        rollupFormat: 'iife',
        sourcemap: false,
        globPatterns: ['**/*.{html,js,css,wasm,png,svg,webmanifest,woff2,json}'],
        // Model weights and source maps never go into Cache Storage.
        globIgnores: ['**/*.map', '**/*.gguf', '**/node_modules/**'],
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        manifestTransforms: [
          (entries) => {
            const manifest = entries.filter((e) => appShell.has(e.url) || PUBLIC_SHELL.test(e.url));
            const warnings =
              appShell.size === 0 ? ['lite-coder:app-shell found no files: only public/ assets are precached'] : [];
            return { manifest, warnings };
          },
        ],
      },
      devOptions: { enabled: false },
    }),
  ],
});
