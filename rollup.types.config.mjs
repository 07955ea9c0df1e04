// dist/lite-coder.d.ts: the in-page API's declarations (tsc, tsconfig.types.json) in one file, with the
// @mlc-ai/web-llm types they re-export written into it (respectExternal), so a TypeScript project
// type-checks against lite-coder.js alone, as it did against @mlc-ai/web-llm.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dts } from 'rollup-plugin-dts';

const require = createRequire(import.meta.url);
const XGRAMMAR = '@mlc-ai/web-xgrammar';

/** web-llm's types import one type of @mlc-ai/web-xgrammar: where that package is not installed, a copy of it. */
function xgrammarTypes() {
  let installed = true;
  try {
    require.resolve(`${XGRAMMAR}/package.json`);
  } catch {
    installed = false;
  }
  const copy = fileURLToPath(new URL('scripts/dts/web-xgrammar.d.ts', import.meta.url));
  return { name: 'web-xgrammar-types', resolveId: (source) => (source === XGRAMMAR && !installed ? copy : null) };
}

export default {
  input: 'dist-types/src/api/index.d.ts',
  output: { file: 'dist/lite-coder.d.ts', format: 'es' },
  plugins: [xgrammarTypes(), dts({ respectExternal: true })],
  onwarn(warning, warn) {
    // web-llm's internal modules import its runtime's packages; none of their types reach the API.
    const runtimePackage = /^@mlc-ai\/web-(runtime|tokenizers)$/.test(String(warning.exporter));
    if (warning.code === 'UNRESOLVED_IMPORT' && runtimePackage) return;
    warn(warning);
  },
};
