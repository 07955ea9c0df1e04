// `npm start`: serves the built app from dist/ on 127.0.0.1 (a secure context, which WebGPU needs).
// The browser tests add `--overlay dist-test`: the test harness pages, served at the same origin.
import { existsSync } from 'node:fs';
import { startStaticServer } from './static-server.mjs';

const args = process.argv.slice(2);
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : Number(process.env.PORT ?? 4173);
const rootArg = args.indexOf('--root');
const root = rootArg >= 0 ? args[rootArg + 1] : 'dist';
if (!existsSync(`${root}/index.html`)) {
  console.error('dist/ is missing: run `npm run build` first (npm start does this for you).');
  process.exit(1);
}
const overlays = args.flatMap((a, i) => (a === '--overlay' ? [args[i + 1]] : []));
const server = await startStaticServer({ root, port, spaFallback: 'index.html', overlays });
console.log(`Lite Coder is running at ${server.url}/`);
