import { defineConfig } from 'vite';

// Preact's automatic JSX runtime comes from tsconfig (jsxImportSource), so no framework plugin is needed.
export default defineConfig({
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: { target: 'es2022', sourcemap: true },
  worker: { format: 'es' },
});
