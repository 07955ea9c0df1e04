/**
 * The page npm run bench (scripts/bench.ts) drives, exposed on window.liteCoderBench: the engine worker
 * (as on the test harness page) for the model figures, the adapter's identity, and the
 * kernel-efficiency measurement: the matrix-vector kernel of a quant type (kernels/matvec.wgsl, recorded
 * by Ops.matmul exactly as the model's decode projections are) against a plain copy (kernels/copy.wgsl)
 * over the same weight bytes on the same device (scripts/kernel-efficiency.ts, shared with bench:node).
 * Built as a page of its own (vite.config.ts); the app never loads it.
 */
import { Comlink } from '../../src/engine';
import { engine } from './test-engine';
import { adapterInfo, kernelEfficiency } from '../../scripts/kernel-efficiency';

export type { AdapterReport, KernelEfficiency, KernelEfficiencyOptions, Measured } from '../../scripts/kernel-efficiency';

const bench = { engine, Comlink, adapterInfo, kernelEfficiency };
declare global {
  interface Window { liteCoderBench: typeof bench }
}
window.liteCoderBench = bench;
document.body.dataset.ready = '1';
