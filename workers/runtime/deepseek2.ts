/**
 * The DeepSeek-V2 forward pass (Lite: no q LoRA), as GPU dispatches.
 *
 *   x = token_embd[token]
 *   per layer:  x += mla(rmsnorm(x))            absorbed multi-head latent attention, latent KV cache
 *               x += ffn(rmsnorm(x))            layer < n_dense: dense SwiGLU; else router → experts
 *                                               (softmax, top-k, un-normalised) + shared experts
 *   logits = output · rmsnorm(x)                for the last token of the step
 *
 * Every size comes from the stored manifest. The graph is recorded once; a step writes its token ids,
 * positions and rope table, then encodes the recorded dispatches. With all experts resident a step is
 * one submission; in paged mode each MoE layer reads back its routing to page experts in.
 */
import type { DeepSeek2Hparams } from '../gguf/deepseek2';
import type { ModelManifest } from '../store/types';
import { ExpertCache } from './experts';
import { encodeDispatches, KernelLibrary, newCounters, type Dispatch, type StepShape, type WorkCounters } from './kernels';
import { Ops } from './ops';
import { attentionScale, ropeFrequencies, ropeTable } from './rope-yarn';
import { legacyKeyAbsorb, uploadTensor, type GpuTensor } from './weights';
import type { Gpu } from './gpu';

export interface LoadOptions {
  /** bytes of GPU memory for routed experts; null keeps them all resident */
  expertBudgetBytes: number | null;
  /** most tokens one step processes; longer prompts go in several steps */
  maxBatch: number;
  /** positions the KV cache holds */
  contextLength: number;
}

/** One MoE layer's routed-expert dispatches, split where paging needs the routing on the CPU. */
interface MoeLayer {
  layer: number;
  experts: Dispatch[];
}

interface Segment {
  dispatches: Dispatch[];
  /** after these dispatches, the routed experts of this layer run (paged mode reads routing first) */
  moe?: MoeLayer;
}

export class DeepSeek2 {
  private readonly segments: Segment[] = [];
  private readonly head: Dispatch[] = [];
  private readonly buffers: GPUBuffer[] = [];
  private readonly tensors: GpuTensor[] = [];
  private readonly freqs: Float64Array;
  readonly hp: DeepSeek2Hparams;
  /** everything asked of the GPU since load (the engine adds the sampler's read-backs) */
  readonly counters: WorkCounters = newCounters();

  private constructor(
    private readonly gpu: Gpu,
    readonly manifest: ModelManifest,
    readonly opts: LoadOptions,
    readonly experts: ExpertCache,
    private readonly io: { ids: GPUBuffer; cs: GPUBuffer; S: GPUBuffer; S1: GPUBuffer; routeIds: GPUBuffer; routeRead: GPUBuffer },
    readonly logits: GPUBuffer,
  ) {
    this.hp = manifest.hparams;
    this.freqs = ropeFrequencies(this.hp);
  }

  static async load(gpu: Gpu, kernels: KernelLibrary, m: ModelManifest, opts: LoadOptions, onProgress: (done: number, total: number) => void = () => {}): Promise<DeepSeek2> {
    const hp = m.hparams;
    checkKernelLimits(m);
    const { device } = gpu;
    const Tm = opts.maxBatch;
    const E = hp.nEmbd, H = hp.nHead, R = hp.kvLoraRank, nope = hp.qkNope, rope = hp.qkRope, v = hp.vHead, k = hp.nExpertUsed;
    const F = Math.max(hp.ffnDense, hp.ffnExpert * hp.nExpertShared);
    const made: GPUBuffer[] = [];
    const buf = (floats: number, label: string, usage = 0) => {
      const b = device.createBuffer({ size: Math.max(16, floats * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC | usage, label });
      made.push(b);
      return b;
    };
    const uniform = (label: string) => {
      const b = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label });
      made.push(b);
      return b;
    };
    const io = {
      ids: buf(Tm, 'token ids'), cs: buf(Tm * rope, 'rope cos/sin'), S: uniform('step'), S1: uniform('step (last token)'),
      routeIds: buf(Tm * k, 'route ids'),
      routeRead: device.createBuffer({ size: Math.max(16, Tm * k * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'route read-back' }),
    };
    made.push(io.routeRead);
    device.queue.writeBuffer(io.S1, 0, new Uint32Array([1, 0, 1, 0]));
    const x = buf(Tm * E, 'x'), h = buf(Tm * E, 'h');
    const q = buf(Tm * H * (nope + rope), 'q'), qPe = buf(Tm * H * rope, 'q_pe'), kvA = buf(Tm * (R + rope), 'kv_a');
    const qAbs = buf(Tm * H * R, 'q_abs'), oLat = buf(Tm * H * R, 'o_lat'), o = buf(Tm * H * v, 'o');
    const g = buf(Tm * F, 'gate'), u = buf(Tm * F, 'up'), a = buf(Tm * F, 'act');
    const routerLogits = buf(Tm * hp.nExpert, 'router logits'), routeW = buf(Tm * k, 'route weights');
    const pg = buf(Tm * k * hp.ffnExpert, 'expert gate'), pu = buf(Tm * k * hp.ffnExpert, 'expert up');
    const pa = buf(Tm * k * hp.ffnExpert, 'expert act'), py = buf(Tm * k * E, 'expert out');
    const hFinal = buf(E, 'final norm'), logits = buf(hp.nVocab, 'logits');
    const rowFloats = R + rope;
    if (opts.contextLength * rowFloats * 4 > gpu.maxBinding) throw new RangeError(`A context of ${opts.contextLength} positions does not fit this GPU's largest binding.`);
    const cache = Array.from({ length: hp.nLayer }, (_, l) => buf(opts.contextLength * rowFloats, `kv cache L${l}`));

    const tensors: GpuTensor[] = [];
    const total = m.dense.length + m.experts.length * hp.nExpert;
    let done = 0;
    const W = async (name: string) => {
      const t = await uploadTensor(device, m, name);
      tensors.push(t);
      onProgress(++done, total);
      return t;
    };
    const experts = await ExpertCache.create(device, m, opts.expertBudgetBytes, gpu.maxBinding);
    done += m.experts.length * hp.nExpert;
    const ops = new Ops(device, kernels, io.S);
    const model = new DeepSeek2(gpu, m, opts, experts, io, logits);
    const eps = hp.rmsEps;
    const scale = attentionScale(hp);

    let seg: Dispatch[] = [ops.embed(await W('token_embd.weight'), io.ids, x)];
    for (let l = 0; l < hp.nLayer; l++) {
      const p = `blk.${l}.`;
      // --- mla: multi-head latent attention, absorbed form ---
      seg.push(ops.rmsnorm(`${p}attn_norm`, x, await W(`${p}attn_norm.weight`), h, { dim: E, eps, xStride: E, yStride: E }));
      seg.push(ops.matmul(`${p}q`, await W(`${p}attn_q.weight`), h, q, { xStride: E, yStride: H * (nope + rope) }));
      seg.push(ops.matmul(`${p}kv_a`, await W(`${p}attn_kv_a_mqa.weight`), h, kvA, { xStride: E, yStride: R + rope }));
      // kvLatent: the cache keeps the normalised latent c and the roped, head-shared k_pe.
      seg.push(ops.rmsnorm(`${p}kv_latent`, kvA, await W(`${p}attn_kv_a_norm.weight`), cache[l]!, { dim: R, eps, xStride: R + rope, yStride: rowFloats, atPosition: true }));
      seg.push(ops.rope(`${p}ropeYarn k_pe`, kvA, io.cs, cache[l]!, { nRot: rope, heads: 1, xBase: R, xStride: R + rope, xHead: 0, yBase: R, yStride: rowFloats, yHead: 0, atPosition: true }));
      seg.push(ops.rope(`${p}ropeYarn q_pe`, q, io.cs, qPe, { nRot: rope, heads: H, xBase: nope, xStride: H * (nope + rope), xHead: nope + rope, yBase: 0, yStride: H * rope, yHead: rope, atPosition: false }));
      const legacy = hp.attentionLayout === 'legacy';
      const wUK = legacy ? await legacyKeyAbsorb(device, m, l) : await W(`${p}attn_k_b.weight`);
      if (legacy) tensors.push(wUK);
      seg.push(ops.matmul(`${p}q_abs`, wUK, q, qAbs, { N: R, Z: H, wBatch: R * wUK.rowWords, xStride: H * (nope + rope), xBatch: nope + rope, yStride: H * R, yBatch: R }));
      seg.push(ops.attention(`${p}mla`, qAbs, qPe, cache[l]!, oLat, { R, nRot: rope, H, scale }));
      const wUV = legacy ? await W(`${p}attn_kv_b.weight`) : await W(`${p}attn_v_b.weight`);
      const headRows = legacy ? nope + v : v;
      seg.push(ops.matmul(`${p}o_heads`, wUV, oLat, o, { N: v, Z: H, wBase: legacy ? nope * wUV.rowWords : 0, wBatch: headRows * wUV.rowWords, xStride: H * R, xBatch: R, yStride: H * v, yBatch: v }));
      seg.push(ops.matmul(`${p}attn_output`, await W(`${p}attn_output.weight`), o, x, { xStride: H * v, yStride: E, accumulate: true }));

      // --- ffn ---
      seg.push(ops.rmsnorm(`${p}ffn_norm`, x, await W(`${p}ffn_norm.weight`), h, { dim: E, eps, xStride: E, yStride: E }));
      const swiglu = async (name: string, ffn: number) => {
        seg.push(ops.matmul(`${p}${name} gate`, await W(`${p}ffn_gate${name}.weight`), h, g, { xStride: E, yStride: ffn }));
        seg.push(ops.matmul(`${p}${name} up`, await W(`${p}ffn_up${name}.weight`), h, u, { xStride: E, yStride: ffn }));
        seg.push(ops.siluMul(`${p}${name} silu`, g, u, a, ffn, 1, Tm));
        seg.push(ops.matmul(`${p}${name} down`, await W(`${p}ffn_down${name}.weight`), a, x, { xStride: ffn, yStride: E, accumulate: true }));
      };
      if (l < hp.nLeadingDense) {
        await swiglu('', hp.ffnDense);
        continue;
      }
      // router: softmax (or sigmoid) over experts, top-k, weights as the metadata says
      seg.push(ops.matmul(`${p}router`, await W(`${p}ffn_gate_inp.weight`), h, routerLogits, { xStride: E, yStride: hp.nExpert }));
      seg.push(ops.route(`${p}route`, routerLogits, io.routeIds, routeW, { E: hp.nExpert, k, sigmoid: hp.expertGating === 'sigmoid', norm: hp.expertWeightsNorm, scale: hp.expertWeightsScale }));
      model.segments.push({ dispatches: seg, moe: { layer: l, experts: routedExperts(ops, experts, l, io.routeIds, h, pg, pu, pa, py, hp, Tm) } });
      seg = [];
      // sharedExperts: one SwiGLU of width ffn_expert * n_shared, always resident
      if (hp.nExpertShared > 0) await swiglu('_shexp', hp.ffnExpert * hp.nExpertShared);
      seg.push(ops.combine(`${p}experts combine`, py, routeW, x, E, k));
    }
    model.segments.push({ dispatches: seg });
    model.head.push(ops.rmsnorm('output_norm', x, await W('output_norm.weight'), hFinal, { dim: E, eps, xStride: E, yStride: E, lastOnly: true }));
    model.head.push(ops.matmul('output', await W('output.weight'), hFinal, logits, { xStride: E, yStride: hp.nVocab }, io.S1));
    model.buffers.push(...made);
    model.tensors.push(...tensors);
    return model;
  }

  /**
   * Feed `ids` at positions pos0.. (at most maxBatch of them), leaving the last token's logits in
   * `logits`. `finish` may encode more work (sampling) into the same submission.
   */
  async step(ids: readonly number[], pos0: number, finish?: (enc: GPUCommandEncoder) => void): Promise<void> {
    const T = ids.length;
    if (T === 0 || T > this.opts.maxBatch) throw new RangeError(`step of ${T} tokens (1..${this.opts.maxBatch})`);
    if (pos0 + T > this.opts.contextLength) {
      throw new RangeError(`The conversation needs ${pos0 + T} positions, but the context on this device holds ${this.opts.contextLength}.`);
    }
    const { device } = this.gpu;
    const q = device.queue;
    q.writeBuffer(this.io.S, 0, new Uint32Array([T, pos0, pos0 + T, 0]));
    q.writeBuffer(this.io.ids, 0, new Uint32Array(ids));
    q.writeBuffer(this.io.cs, 0, ropeTable(this.freqs, pos0, T));
    const shape: StepShape = { T, pos0 };
    const c = this.counters;
    const submit = (e: GPUCommandEncoder) => { q.submit([e.finish()]); c.submits++; };
    let enc = device.createCommandEncoder();
    for (const s of this.segments) {
      encodeAll(enc, s.dispatches, shape, c);
      if (!s.moe) continue;
      let needed: number[];
      if (this.experts.resident) {
        needed = [];
      } else {
        const bytes = T * this.hp.nExpertUsed * 4;
        enc.copyBufferToBuffer(this.io.routeIds, 0, this.io.routeRead, 0, bytes);
        submit(enc);
        await this.io.routeRead.mapAsync(GPUMapMode.READ, 0, bytes);
        c.readbacks++;
        needed = Array.from(new Uint32Array(this.io.routeRead.getMappedRange(0, bytes)));
        this.io.routeRead.unmap();
        enc = device.createCommandEncoder();
      }
      for await (const _wave of this.experts.waves(s.moe.layer, needed)) {
        encodeAll(enc, s.moe.experts, shape, c);
        if (!this.experts.resident) {
          submit(enc);
          enc = device.createCommandEncoder();
        }
      }
    }
    encodeAll(enc, this.head, shape, c);
    finish?.(enc);
    submit(enc);
  }

  /** The logits of the last token of the last step (a read-back: for tests and --dump-logits). */
  async readLogits(): Promise<Float32Array> {
    const { device } = this.gpu;
    const n = this.hp.nVocab;
    const rb = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(this.logits, 0, rb, 0, n * 4);
    device.queue.submit([enc.finish()]);
    await rb.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(rb.getMappedRange().slice(0));
    rb.destroy();
    return out;
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
    for (const t of this.tensors) t.buffer.destroy();
    this.experts.destroy();
  }
}

/** experts: every (token, slot) pair runs its expert's SwiGLU; the kernels find experts via the table. */
function routedExperts(ops: Ops, cache: ExpertCache, layer: number, routeIds: GPUBuffer, h: GPUBuffer, pg: GPUBuffer, pu: GPUBuffer, pa: GPUBuffer, py: GPUBuffer, hp: DeepSeek2Hparams, Tm: number): Dispatch[] {
  const { experts, table, info } = cache.buffers(layer);
  const k = hp.nExpertUsed, E = hp.nEmbd, f = hp.ffnExpert;
  const part = (t: { type: string; rowWeights: number; rowStride: number }, offset: number, X: GPUBuffer, Y: GPUBuffer, N: number, xPerPair: boolean, label: string) =>
    ops.moeMatmul(`blk.${layer}.${label}`, t.type, experts, table, routeIds, X, Y, { K: t.rowWeights, N, rowWords: t.rowStride / 4, partWords: offset / 4, xStride: t.rowWeights, xPerPair, k });
  return [
    part(info.gate, info.partOffsets.gate, h, pg, f, false, 'experts gate'),
    part(info.up, info.partOffsets.up, h, pu, f, false, 'experts up'),
    ops.siluMul(`blk.${layer}.experts silu`, pg, pu, pa, f, k, Tm),
    part(info.down, info.partOffsets.down, pa, py, E, true, 'experts down'),
  ];
}

/** Shapes the kernels are written for (see their headers); the DeepSeek-V2 family fits all of them. */
function checkKernelLimits(m: ModelManifest): void {
  const hp = m.hparams;
  const fail = (what: string) => { throw new RangeError(`This model's shape is not supported by the runtime: ${what}.`); };
  if (hp.qkRope > 64) fail(`rope dimension ${hp.qkRope} > 64`);
  if (hp.kvLoraRank + hp.qkRope > 576) fail(`kv_lora_rank + rope = ${hp.kvLoraRank + hp.qkRope} > 576`);
  if (hp.nExpert > 256 || hp.nExpertUsed > 16) fail(`${hp.nExpertUsed} of ${hp.nExpert} experts (at most 16 of 256)`);
  const odd = [...m.dense, ...m.experts.flatMap((l) => [l.gate, l.up, l.down])].find((t) => t.rowWeights % 32 !== 0);
  if (odd) fail(`tensor ${odd.name} has rows of ${odd.rowWeights}, not a multiple of 32`);
}

function encodeAll(enc: GPUCommandEncoder, dispatches: readonly Dispatch[], shape: StepShape, counters: WorkCounters): void {
  const pass = enc.beginComputePass();
  encodeDispatches(pass, dispatches, shape, counters);
  pass.end();
}
