import { defineConfig } from 'vite';

/**
 * The runtime outside the browser (npm run bench:node): scripts/bench-node.ts bundled for Node into
 * dist-node/bench-node.mjs, with the kernels' import.meta.glob resolved as in the app, so that one
 * file runs here and on a GPU machine (scripts/gpu-bench.sh). Everything is bundled except the two
 * packages with native code, `webgpu` (Dawn) and `node-llama-cpp`, which load their binaries from
 * node_modules at run time.
 */
export default defineConfig({
  define: { __LITE_CODER_VERSION__: JSON.stringify(process.env.npm_package_version ?? 'dev') },
  ssr: { noExternal: true, external: ['webgpu', 'node-llama-cpp'] },
  build: {
    ssr: 'scripts/bench-node.ts',
    target: 'node20',
    outDir: 'dist-node',
    emptyOutDir: true,
    copyPublicDir: false,
    sourcemap: false,
    minify: false,
    rollupOptions: { output: { entryFileNames: 'bench-node.mjs', format: 'es' } },
  },
});
