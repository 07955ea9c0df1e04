/**
 * The i-quant codebooks as WGSL `const` arrays, generated from workers/gguf/iq-tables.ts (the same
 * arrays the CPU dequantizer reads), for the decoders in kernels/quant/: a decoder's `//!table NAME`
 * line is replaced with `wgslTable(NAME)` when a kernel is built (workers/runtime/kernels.ts).
 *
 * Forms (all indexed dynamically by the decoders):
 * - kvalues_iq4nl: `KVALUES_IQ4NL`, array<f32, 16>;
 * - iq2xxs_grid, iq2xs_grid, iq2s_grid: `IQ2XXS_GRID` ..., array<u32, 2N>: entry i is words 2i, 2i + 1
 *   (byte j of the pair = value j, as in ggml's u64);
 * - iq3xxs_grid, iq3s_grid: `IQ3XXS_GRID`, `IQ3S_GRID`, array<u32, N>, byte j = value j;
 * - iq1s_grid: `IQ1S_GRID`, array<u32, 2048>: nibble j = value j + 1 (values -1, 0, 1; ggml's GPU
 *   backends pack it the same way), half the size of the u64 form.
 */
import {
  IQ1S_GRID,
  IQ2S_GRID,
  IQ2XS_GRID,
  IQ2XXS_GRID,
  IQ3S_GRID,
  IQ3XXS_GRID,
  KVALUES_IQ4NL,
} from '../gguf/iq-tables';

function u32Array(name: string, words: ArrayLike<number>): string {
  const parts: string[] = [];
  for (let i = 0; i < words.length; i += 8) {
    parts.push(
      Array.from({ length: Math.min(8, words.length - i) }, (_, j) => `0x${(words[i + j]! >>> 0).toString(16)}u`).join(
        ', ',
      ),
    );
  }
  return `const ${name} = array<u32, ${words.length}>(\n  ${parts.join(',\n  ')}\n);`;
}

/** iq1s_grid's entries (8 signed bytes each) as u32 of 8 nibbles, value + 1 each. */
function iq1sNibbles(): Uint32Array {
  const out = new Uint32Array(IQ1S_GRID.length / 2);
  for (let i = 0; i < out.length; i++) {
    let w = 0;
    for (let j = 0; j < 8; j++) {
      const v = ((IQ1S_GRID[2 * i + (j >> 2)]! >>> (8 * (j & 3))) << 24) >> 24;
      w |= (v + 1) << (4 * j);
    }
    out[i] = w >>> 0;
  }
  return out;
}

const TABLES: Record<string, () => string> = {
  kvalues_iq4nl: () => `const KVALUES_IQ4NL = array<f32, 16>(${KVALUES_IQ4NL.map((v) => `${v}.0`).join(', ')});`,
  iq2xxs_grid: () => u32Array('IQ2XXS_GRID', IQ2XXS_GRID),
  iq2xs_grid: () => u32Array('IQ2XS_GRID', IQ2XS_GRID),
  iq2s_grid: () => u32Array('IQ2S_GRID', IQ2S_GRID),
  iq3xxs_grid: () => u32Array('IQ3XXS_GRID', IQ3XXS_GRID),
  iq3s_grid: () => u32Array('IQ3S_GRID', IQ3S_GRID),
  iq1s_grid: () => u32Array('IQ1S_GRID', iq1sNibbles()),
};

const cache = new Map<string, string>();

/** The WGSL declaration of table `name` (ggml's name); throws for an unknown one. */
export function wgslTable(name: string): string {
  let src = cache.get(name);
  if (src === undefined) {
    const make = TABLES[name];
    if (!make) throw new Error(`no quant table "${name}" (kernels/quant/*.wgsl //!table)`);
    cache.set(name, (src = make()));
  }
  return src;
}
