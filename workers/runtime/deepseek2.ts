/**
 * The DeepSeek-V2 forward pass (Lite: no q LoRA), as GPU dispatches. Names follow llama.cpp's
 * src/models/deepseek2.cpp and the DeepSeek-V2 paper (arXiv:2405.04434, section 2.1):
 *
 *   x = token_embd[token]
 *   per layer:  x += mla(rmsnorm(x))      absorbed multi-head latent attention over a latent KV cache
 *               x += ffn(rmsnorm(x))      leading layers: a dense SwiGLU; the others: routed experts
 *                                         (router softmax or sigmoid, top-k, weights normalised only
 *                                         when the metadata says so, times the scale) + shared experts
 *   logits = output · rmsnorm(x)          for the last token of the step
 *
 * The pieces, as llama2.c has them: weights.ts (the weights), activations.ts (the scratch state), and
 * recordGraph below (the forward pass). The graph is recorded once per form (prefill, decode); a step
 * writes its token ids, positions and rope table, then encodes the recorded dispatches. With all
 * experts resident a step is one submission; in paged mode each MoE layer reads back its routing to
 * page experts in.
 */
import type { DeepSeek2Hparams } from '../gguf/deepseek2';
import type { ModelManifest } from '../store/types';
import { createActivations, destroyActivations, type Activations } from './activations';
import type { ExpertCache } from './experts';
import {
  encodeDispatches,
  newCounters,
  type Dispatch,
  type KernelLibrary,
  type StepShape,
  type WorkCounters,
} from './kernels';
import {
  attentionSplitBytes,
  attentionTiles,
  maxAttentionSplits,
  Ops,
  routeWorkgroupBytes,
  view,
  type KvType,
  type View,
} from './ops';
import { packParams, STEP } from './params';
import { attentionScale, ropeFrequencies, ropeTable } from './rope-yarn';
import { destroyWeights, loadWeights, type FfnWeights, type ModelWeights } from './weights';
import type { Gpu } from './gpu';

export interface LoadOptions {
  /** bytes of GPU memory for routed experts; null keeps them all resident */
  expertBudgetBytes: number | null;
  /** most tokens one step processes; longer prompts go in several steps */
  maxBatch: number;
  /** positions the KV cache holds */
  contextLength: number;
  /** bytes of expert records the paged cache keeps in memory (ram-tier.ts); 0: none */
  ramTierBytes: number;
  /** paged decode: upload the next MoE layer's predicted experts while this layer computes */
  prefetch: boolean;
  /** the KV cache's form: f16 (half the memory; the default) or f32 */
  kvType: KvType;
}

/**
 * A run of dispatches, then (in a MoE layer) that layer's routed experts, which paging may split, and
 * where the graph prefetches, the routing the next MoE layer's router gives this layer's FFN input.
 */
interface Segment {
  readonly dispatches: readonly Dispatch[];
  readonly moe?: { readonly layer: number; readonly experts: readonly Dispatch[]; readonly predict?: Prediction };
}

/** The next MoE layer's likely experts: its router on this layer's FFN input (decode, paged). */
interface Prediction {
  readonly layer: number;
  readonly dispatches: readonly Dispatch[];
}

/** Scratch of the prediction: one token's router logits, top-k ids and weights (weights unused). */
export interface PrefetchBuffers {
  readonly logits: GPUBuffer;
  readonly ids: GPUBuffer;
  readonly weights: GPUBuffer;
}

/** A recorded forward pass: the layers as segments, then the output head. */
export interface Graph {
  readonly segments: readonly Segment[];
  readonly head: readonly Dispatch[];
}

/**
 * The forward pass, recorded in the form of `ops` (prefill or decode) over weights `w` and activations
 * `a`. With `prefetch` (decode, paged), each MoE layer but the last also predicts the next one's experts.
 */
export function recordGraph(
  ops: Ops,
  w: ModelWeights,
  a: Activations,
  hp: DeepSeek2Hparams,
  prefetch?: PrefetchBuffers,
): Graph {
  // llama.cpp's names: n_nope = qk_nope_head_dim, n_rot = qk_rope_head_dim, n_v = v_head_dim
  const {
    nEmbd: n_embd,
    nHead: n_head,
    kvLoraRank: kv_lora_rank,
    qkNope: n_nope,
    qkRope: n_rot,
    vHead: n_v,
    rmsEps: eps,
  } = hp;
  const kq_scale = attentionScale(hp);
  const rows = (buffer: GPUBuffer, row: number, base = 0, head = 0): View => view(buffer, { row, base, head });
  // views of the activations, per token (and per head where they have heads)
  const x = rows(a.x, n_embd),
    cur = rows(a.cur, n_embd);
  const q = rows(a.q, n_head * (n_nope + n_rot), 0, n_nope + n_rot);
  const q_nope = q,
    q_pe_in = rows(a.q, q.row, n_nope, q.head),
    q_pe = rows(a.q_pe, n_head * n_rot, 0, n_rot);
  const kv_a = rows(a.kv_a, kv_lora_rank + n_rot),
    kv_cmpr = kv_a,
    k_pe = rows(a.kv_a, kv_a.row, kv_lora_rank);
  const q_abs = rows(a.q_abs, n_head * kv_lora_rank, 0, kv_lora_rank),
    kqv_lat = rows(a.kqv_lat, q_abs.row, 0, q_abs.head);
  const kqv = rows(a.kqv, n_head * n_v, 0, n_v);
  const segments: Segment[] = [];
  let seg: Dispatch[] = [ops.embed(w.token_embd, a.ids, a.x)];
  const swiglu = (p: string, f: FfnWeights, width: number): Dispatch[] => [
    ops.matmul(`${p}gate`, f.gate, cur, rows(a.ffn_gate, width)),
    ops.matmul(`${p}up`, f.up, cur, rows(a.ffn_up, width)),
    ops.siluMul(`${p}silu`, a.ffn_gate, a.ffn_up, a.ffn_act, width, 1),
    ops.matmul(`${p}down`, f.down, rows(a.ffn_act, width), x, { accumulate: true }),
  ];
  w.layers.forEach((L, il) => {
    const p = `blk.${il}.`;
    // the step's new rows of the latent KV cache: kv_cmpr (normed) | k_pe (roped), shared by all heads
    const new_kv_cmpr = rows(a.kv_new, kv_a.row),
      new_k_pe = rows(a.kv_new, kv_a.row, kv_lora_rank);
    const cache = a.kv_cache[il]!;
    // MLA, absorbed
    seg.push(ops.rmsnorm(`${p}attn_norm`, x, L.attn_norm, cur, { eps }));
    seg.push(ops.matmul(`${p}wq`, L.wq, cur, q));
    seg.push(ops.matmul(`${p}wkv_a_mqa`, L.wkv_a_mqa, cur, kv_a));
    seg.push(ops.rmsnorm(`${p}attn_kv_a_norm`, kv_cmpr, L.attn_kv_a_norm, new_kv_cmpr, { eps }));
    seg.push(ops.rope(`${p}rope k_pe`, k_pe, a.rope_cs, new_k_pe, { nRot: n_rot, heads: 1 }));
    seg.push(ops.kvStore(`${p}kv_store`, a.kv_new, cache, kv_a.row));
    seg.push(ops.rope(`${p}rope q_pe`, q_pe_in, a.rope_cs, q_pe, { nRot: n_rot, heads: n_head }));
    seg.push(ops.matmul(`${p}wk_b`, L.wk_b, q_nope, q_abs, { heads: n_head }));
    seg.push(
      ...ops.attention(
        `${p}kqv`,
        a.q_abs,
        q_pe,
        cache,
        a.kqv_lat,
        { R: kv_lora_rank, nRot: n_rot, H: n_head, scale: kq_scale },
        { acc: a.attn_acc, ml: a.attn_ml, splitsMax: a.splitsMax },
      ),
    );
    seg.push(ops.matmul(`${p}wv_b`, L.wv_b, kqv_lat, kqv, { heads: n_head }));
    seg.push(ops.matmul(`${p}wo`, L.wo, kqv, x, { accumulate: true }));
    // FFN: dense, or ffn_moe (routed experts, read through the expert cache's table) + shexp
    seg.push(ops.rmsnorm(`${p}ffn_norm`, x, L.ffn_norm, cur, { eps }));
    if (L.ffn.kind === 'dense') {
      seg.push(...swiglu(`${p}ffn_`, L.ffn.dense, hp.ffnDense));
      return;
    }
    const { ffn_gate_inp, shexp } = L.ffn.moe;
    const routing = {
      E: hp.nExpert,
      nUsed: hp.nExpertUsed,
      sigmoid: hp.expertGating === 'sigmoid',
      norm: hp.expertWeightsNorm,
      scale: hp.expertWeightsScale,
    };
    seg.push(ops.matmul(`${p}ffn_gate_inp`, ffn_gate_inp, cur, rows(a.router_logits, hp.nExpert)));
    seg.push(ops.route(`${p}ffn_moe route`, a.router_logits, a.route_ids, a.route_weights, routing));
    // The residual stream changes little from one layer to the next: the next layer's router on this
    // layer's FFN input names most of the experts it will pick (read back with this layer's routing).
    const next = w.layers[il + 1]?.ffn;
    const predict =
      prefetch && next?.kind === 'moe'
        ? {
            layer: il + 1,
            dispatches: [
              ops.matmul(
                `blk.${il + 1}.ffn_gate_inp (predicted)`,
                next.moe.ffn_gate_inp,
                cur,
                rows(prefetch.logits, hp.nExpert),
              ),
              ops.route(
                `blk.${il + 1}.ffn_moe route (predicted)`,
                prefetch.logits,
                prefetch.ids,
                prefetch.weights,
                routing,
              ),
            ],
          }
        : undefined;
    segments.push({
      dispatches: seg,
      moe: { layer: il, experts: routedExperts(ops, w.experts, il, a, hp), ...(predict ? { predict } : {}) },
    });
    seg = shexp ? swiglu(`${p}ffn_shexp_`, shexp, hp.ffnExpert * hp.nExpertShared) : [];
    seg.push(ops.combine(`${p}ffn_moe combine`, a.exp_out, a.route_weights, a.x, n_embd, hp.nExpertUsed));
  });
  segments.push({ dispatches: seg });
  const head = [
    ops.rmsnorm('output_norm', x, w.output_norm, rows(a.out_norm, n_embd), { eps, lastOnly: true }),
    ops.matvec('output', w.output, rows(a.out_norm, n_embd), rows(a.logits, hp.nVocab)),
  ];
  return { segments, head };
}

/** ffn_moe's experts: every (token, slot) pair runs its expert's SwiGLU, found through the cache's table. */
function routedExperts(ops: Ops, cache: ExpertCache, layer: number, a: Activations, hp: DeepSeek2Hparams): Dispatch[] {
  const { experts, table, info } = cache.buffers(layer);
  const n_expert_used = hp.nExpertUsed,
    n_ff_exp = hp.ffnExpert;
  const part = (name: 'gate' | 'up' | 'down', X: GPUBuffer, Y: GPUBuffer, N: number, xPerPair: boolean) => {
    const t = info[name];
    return ops.moeMatmul(`blk.${layer}.ffn_${name}_exps`, t.type, experts, table, a.route_ids, X, Y, {
      K: t.rowWeights,
      N,
      rowWords: t.rowStride / 4,
      partWords: info.partOffsets[name] / 4,
      xStride: t.rowWeights,
      xPerPair,
      nUsed: n_expert_used,
    });
  };
  const { gate, up } = info;
  if (gate.type === up.type && gate.rowWeights === up.rowWeights && gate.rowStride === up.rowStride) {
    // gate, up and silu in one pass (moe_matmul's GLU form): two dispatches fewer per MoE layer
    const fused = ops.moeMatmul(
      `blk.${layer}.ffn_gate_up_exps+silu`,
      gate.type,
      experts,
      table,
      a.route_ids,
      a.cur,
      a.exp_act,
      {
        K: gate.rowWeights,
        N: n_ff_exp,
        rowWords: gate.rowStride / 4,
        partWords: info.partOffsets.gate / 4,
        xStride: gate.rowWeights,
        xPerPair: false,
        nUsed: n_expert_used,
        upWords: info.partOffsets.up / 4,
      },
    );
    return [fused, part('down', a.exp_act, a.exp_out, hp.nEmbd, true)];
  }
  return [
    part('gate', a.cur, a.exp_gate, n_ff_exp, false),
    part('up', a.cur, a.exp_up, n_ff_exp, false),
    ops.siluMul(`blk.${layer}.ffn_moe silu`, a.exp_gate, a.exp_up, a.exp_act, n_ff_exp, n_expert_used),
    part('down', a.exp_act, a.exp_out, hp.nEmbd, true),
  ];
}

export class DeepSeek2 {
  readonly hp: DeepSeek2Hparams;
  /** everything asked of the GPU since load (the engine adds the sampler's read-backs) */
  readonly counters: WorkCounters = newCounters();
  private readonly freqs: Float64Array;

  private constructor(
    private readonly gpu: Gpu,
    readonly manifest: ModelManifest,
    readonly opts: LoadOptions,
    private readonly weights: ModelWeights,
    private readonly act: Activations,
    private readonly graphs: { readonly prefill: Graph; readonly decode: Graph },
    private readonly prefetch: PrefetchBuffers | undefined,
  ) {
    this.hp = manifest.hparams;
    this.freqs = ropeFrequencies(this.hp);
  }

  /** Loads the weights of `m`, allocates the activations and records both forms of the graph. */
  static async load(
    gpu: Gpu,
    kernels: KernelLibrary,
    m: ModelManifest,
    opts: LoadOptions,
    onProgress?: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<DeepSeek2> {
    checkKernelLimits(m, gpu.device.limits);
    const weights = await loadWeights(
      gpu.device,
      m,
      opts.expertBudgetBytes,
      gpu.maxBinding,
      onProgress,
      signal,
      opts.ramTierBytes,
    );
    let act: Activations | undefined;
    let prefetch: PrefetchBuffers | undefined;
    try {
      const splitsMax = maxAttentionSplits(m.hparams.nHead, kernels.options.parallelism);
      act = createActivations(gpu.device, m.hparams, { ...opts, splitsMax }, gpu.maxBinding);
      // paged decode predicts the next layer's experts; its ids are read back beside the routing's
      if (opts.prefetch && !weights.experts.resident && act.route_read.size >= 2 * m.hparams.nExpertUsed * 4)
        prefetch = createPrefetchBuffers(gpu.device, m.hparams);
      const record = (form: 'prefill' | 'decode') =>
        recordGraph(
          new Ops(gpu.device, kernels, act!.step, form, form === 'decode' ? 1 : opts.maxBatch),
          weights,
          act!,
          m.hparams,
          form === 'decode' ? prefetch : undefined,
        );
      return new DeepSeek2(
        gpu,
        m,
        opts,
        weights,
        act,
        { prefill: record('prefill'), decode: record('decode') },
        prefetch,
      );
    } catch (e) {
      if (prefetch) destroyPrefetchBuffers(prefetch);
      if (act) destroyActivations(act);
      destroyWeights(weights);
      throw e;
    }
  }

  get experts(): ExpertCache {
    return this.weights.experts;
  }

  /** The last token's logits after a step: f32 [n_vocab], for the sampler. */
  get logits(): GPUBuffer {
    return this.act.logits;
  }

  /**
   * Feed `ids` at positions pos0.. (at most maxBatch of them), leaving the last token's logits in
   * `logits`. `finish` may encode more work (sampling) into the same submission.
   * Throws a RangeError when the step is empty, too long, or runs past the context.
   */
  async step(ids: readonly number[], pos0: number, finish?: (enc: GPUCommandEncoder) => void): Promise<void> {
    const T = ids.length;
    if (T === 0 || T > this.opts.maxBatch) throw new RangeError(`step of ${T} tokens (1..${this.opts.maxBatch})`);
    if (pos0 + T > this.opts.contextLength) {
      throw new RangeError(
        `The conversation needs ${pos0 + T} positions, but the context on this device holds ${this.opts.contextLength}.`,
      );
    }
    const { device } = this.gpu;
    const q = device.queue;
    const a = this.act;
    q.writeBuffer(a.step, 0, packParams(STEP, { T, pos0 }));
    q.writeBuffer(a.ids, 0, new Uint32Array(ids));
    q.writeBuffer(a.rope_cs, 0, ropeTable(this.freqs, pos0, T));
    const graph = T === 1 ? this.graphs.decode : this.graphs.prefill;
    const shape: StepShape = { T, pos0 };
    const c = this.counters;
    const experts = this.weights.experts;
    const submit = (e: GPUCommandEncoder) => {
      q.submit([e.finish()]);
      c.submits++;
    };
    let enc = device.createCommandEncoder();
    for (const s of graph.segments) {
      encodeAll(enc, s.dispatches, shape, c);
      if (!s.moe) continue;
      let needed: number[] = [];
      let predicted: number[] | undefined;
      const predict = T === 1 ? s.moe.predict : undefined;
      if (!experts.resident) {
        const bytes = T * this.hp.nExpertUsed * 4;
        if (predict && this.prefetch) {
          encodeAll(enc, predict.dispatches, shape, c);
          enc.copyBufferToBuffer(this.prefetch.ids, 0, a.route_read, bytes, bytes);
        }
        enc.copyBufferToBuffer(a.route_ids, 0, a.route_read, 0, bytes);
        submit(enc);
        const read = predict ? 2 * bytes : bytes;
        await a.route_read.mapAsync(GPUMapMode.READ, 0, read);
        c.readbacks++;
        const ids = new Uint32Array(a.route_read.getMappedRange(0, read));
        needed = Array.from(ids.subarray(0, bytes / 4));
        if (predict) predicted = Array.from(ids.subarray(bytes / 4));
        a.route_read.unmap();
        enc = device.createCommandEncoder();
      }
      for await (const _wave of experts.waves(s.moe.layer, needed)) {
        encodeAll(enc, s.moe.experts, shape, c);
        if (!experts.resident) {
          submit(enc);
          enc = device.createCommandEncoder();
        }
      }
      // this layer's experts are submitted: the predicted ones upload while the GPU computes
      if (predict && predicted) experts.prefetch(predict.layer, predicted);
    }
    encodeAll(enc, graph.head, shape, c);
    finish?.(enc);
    submit(enc);
  }

  /** The logits of the last token of the last step (a read-back: for tests and --dump-logits). */
  async readLogits(): Promise<Float32Array> {
    const { device } = this.gpu;
    const n = this.hp.nVocab;
    const rb = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(this.act.logits, 0, rb, 0, n * 4);
    device.queue.submit([enc.finish()]);
    await rb.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(rb.getMappedRange().slice(0));
    rb.destroy();
    return out;
  }

  destroy(): void {
    if (this.prefetch) destroyPrefetchBuffers(this.prefetch);
    destroyActivations(this.act);
    destroyWeights(this.weights);
  }
}

function createPrefetchBuffers(device: GPUDevice, hp: DeepSeek2Hparams): PrefetchBuffers {
  const make = (floats: number, label: string) =>
    device.createBuffer({
      size: Math.max(16, floats * 4),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
      label,
    });
  return {
    logits: make(hp.nExpert, 'predicted router_logits'),
    ids: make(hp.nExpertUsed, 'predicted route_ids'),
    weights: make(hp.nExpertUsed, 'predicted route_weights'),
  };
}

function destroyPrefetchBuffers(b: PrefetchBuffers): void {
  b.logits.destroy();
  b.ids.destroy();
  b.weights.destroy();
}

/**
 * What the kernels need of the model's shape, checked before anything is loaded: 32-weight rows
 * (the decoders' unit) and workgroup memory for the attention and routing kernels.
 */
function checkKernelLimits(m: ModelManifest, limits: GPUSupportedLimits): void {
  const hp = m.hparams;
  const fail = (what: string) => {
    throw new RangeError(`This model's shape is not supported by the runtime: ${what}.`);
  };
  const shared = limits.maxComputeWorkgroupStorageSize;
  const latent = hp.kvLoraRank + hp.qkRope;
  if (hp.kvLoraRank % 4 !== 0 || hp.qkRope % 4 !== 0)
    fail(`the attention kernels read vec4s, but kv_lora_rank is ${hp.kvLoraRank} and the rope slice ${hp.qkRope}`);
  if (!attentionTiles(hp.kvLoraRank, hp.qkRope, limits) || attentionSplitBytes(latent) > shared)
    fail(`a latent of ${latent} values needs more workgroup memory than this GPU's ${shared} bytes`);
  if (routeWorkgroupBytes(hp.nExpert) > shared)
    fail(`routing over ${hp.nExpert} experts needs more workgroup memory than this GPU's ${shared} bytes`);
  const odd = [...m.dense, ...m.experts.flatMap((l) => [l.gate, l.up, l.down])].find((t) => t.rowWeights % 32 !== 0);
  if (odd) fail(`tensor ${odd.name} has rows of ${odd.rowWeights}, not a multiple of 32`);
}

function encodeAll(
  enc: GPUCommandEncoder,
  dispatches: readonly Dispatch[],
  shape: StepShape,
  counters: WorkCounters,
): void {
  const pass = enc.beginComputePass();
  encodeDispatches(pass, dispatches, shape, counters);
  pass.end();
}
