#!/usr/bin/env bash
# Lite Coder's GPU benchmark, for a bare Linux x86-64 machine with an NVIDIA driver and nothing else
# (no Node, no npm, no network, no Vulkan loader): npm run bench:node on a synthetic model with
# DeepSeek-Coder-V2-Lite's real layer shapes, with llama.cpp (node-llama-cpp) on the same file beside it.
#
#   scripts/gpu-bench.sh pack            here, with npm ci done: build the payload .gpu-bench/ (ignored by git;
#                                        carry it): a Node binary, the Vulkan loader, the npm packages with
#                                        native code (Linux x64 builds only, compressed) and the bench bundle
#   scripts/gpu-bench.sh [options]       there: set up from .gpu-bench/ in /tmp and run the bench (under 8 min)
#   scripts/gpu-bench.sh smoke           here: the same setup and run from the payload, at a tiny scale on
#                                        SwiftShader (CPU), to prove the script and the payload work
#
# Options after `run` (or none) go to bench:node (scripts/bench-node.ts) and replace the defaults below
# where they name the same option. It prints, ours and llama.cpp's (Vulkan; CUDA where its binaries were
# carried and load): decode and prefill tok/s; the matvec/copy bandwidth ratio per quant type;
# dispatches, submits and read-backs per token; paged decode at 1.5 GB, 1x, 2x and 4x the active experts
# with hit rate, RAM-tier hits and MB uploaded / read from the store per token. With $OUT set (the
# device tool) the log and the JSON line are also written there.
#
# The working tree and the payload must fit in the 64 MiB a device call carries: `pack` says how much
# they come to and, when the test fixtures push it over, the sparse-checkout that leaves them out.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PAYLOAD="$ROOT/.gpu-bench"
LIMIT=$((64 * 1024 * 1024))
mode="${1:-run}"
case "$mode" in pack|run|smoke) shift || true ;; -*) mode=run ;; *) echo "usage: scripts/gpu-bench.sh [pack|run|smoke] [bench:node options]" >&2; exit 2 ;; esac

say() { printf '%s\n' "$*" >&2; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

# ---------------------------------------------------------------------------------------------- pack
pack() {
  cd "$ROOT"
  [ -d node_modules/webgpu ] || { say "error: node_modules/webgpu is missing: run npm ci first"; exit 1; }
  [ -d node_modules/node-llama-cpp ] || { say "error: node_modules/node-llama-cpp is missing (an optional dependency): run npm ci"; exit 1; }
  [ "$(uname -m)" = x86_64 ] || { say "error: pack on an x86-64 machine: the payload's binaries are this machine's"; exit 1; }
  say "building dist-node/bench-node.mjs"
  npx vite build --config vite.node.config.ts --logLevel error
  # the compressed Node binary takes minutes: kept from the last pack when it is the same Node
  local keep=""
  if [ -f "$PAYLOAD/node.xz" ] && [ "$(cat "$PAYLOAD/node.version" 2>/dev/null)" = "$(node --version) $(command -v node)" ]; then
    keep="$(mktemp)"; mv "$PAYLOAD/node.xz" "$keep"
  fi
  rm -rf "$PAYLOAD"
  mkdir -p "$PAYLOAD/app/dist-node" "$PAYLOAD/app/scripts" "$PAYLOAD/vulkan"
  cp dist-node/bench-node.mjs "$PAYLOAD/app/dist-node/"
  cp scripts/node-vulkan.mjs "$PAYLOAD/app/scripts/"
  # the synthetic model's tokenizer (scripts/synthetic-model.ts reads it beside the bundle)
  mkdir -p "$PAYLOAD/app/tests/fixtures/models"
  cp tests/fixtures/models/ds2-pub-f32.gguf "$PAYLOAD/app/tests/fixtures/models/"
  # the token check: two fixtures and their float64 reference
  cp tests/fixtures/models/ds2-pub-q4_0.gguf tests/fixtures/models/reference-f32.json tests/fixtures/models/reference-q4_0.json "$PAYLOAD/app/tests/fixtures/models/"

  # the Vulkan loader (Dawn and llama.cpp's Vulkan backend dlopen libvulkan.so.1): Chromium's copy or the system's
  local loader
  for loader in /usr/lib/chromium/libvulkan.so.1 /usr/lib/x86_64-linux-gnu/libvulkan.so.1 /lib/x86_64-linux-gnu/libvulkan.so.1; do
    [ -f "$loader" ] && break
  done
  [ -f "$loader" ] || { say "error: no libvulkan.so.1 here to carry (install chromium or libvulkan1)"; exit 1; }
  cp -L "$loader" "$PAYLOAD/vulkan/libvulkan.so.1"

  if [ -n "$keep" ]; then
    mv "$keep" "$PAYLOAD/node.xz"
  else
    say "compressing the Node binary ($(command -v node), $(node --version))"
    xz -T0 -6 -c "$(command -v node)" > "$PAYLOAD/node.xz"
  fi
  echo "$(node --version) $(command -v node)" > "$PAYLOAD/node.version"

  # node_modules of the packages with native code, Linux x64 builds only: webgpu (Dawn), node-llama-cpp
  # with its runtime dependencies (from package-lock.json), and its CPU and Vulkan builds of llama.cpp
  local stage
  stage="$(mktemp -d)"
  node - "$stage" <<'EOF'
const { cpSync, mkdirSync, existsSync } = require('node:fs');
const { join, dirname } = require('node:path');
const stage = process.argv[2];
const lock = require(join(process.cwd(), 'package-lock.json')).packages;
const copy = (rel, filter) => {
  const to = join(stage, rel);
  mkdirSync(dirname(to), { recursive: true });
  cpSync(join(process.cwd(), rel), to, { recursive: true, dereference: true, filter });
};
// webgpu: its loader and the linux-x64 dawn.node
for (const f of ['package.json', 'index.js', 'dist/linux-x64/dawn.node']) copy(`node_modules/webgpu/${f}`);
// node-llama-cpp and what it needs at run time, resolved as npm laid them out
const seen = new Set();
const visit = (key) => {
  if (seen.has(key)) return;
  seen.add(key);
  const p = lock[key];
  if (!p) throw new Error(`package-lock.json has no ${key}`);
  for (const dep of Object.keys(p.dependencies ?? {})) {
    // npm's resolution: the nearest node_modules up from the dependent
    let base = key, found;
    for (;;) {
      const cand = `${base}/node_modules/${dep}`;
      if (lock[cand]) { found = cand; break; }
      const i = base.lastIndexOf('/node_modules/');
      if (i < 0) { if (lock[`node_modules/${dep}`]) found = `node_modules/${dep}`; break; }
      base = base.slice(0, i);
    }
    if (!found) throw new Error(`cannot resolve ${dep} of ${key}`);
    visit(found);
  }
};
visit('node_modules/node-llama-cpp');
// llama.cpp's source (a 34 MB git bundle) is only for building from source, which the bench never does
for (const key of seen) copy(key, (src) => !src.endsWith('gitRelease.bundle'));
for (const b of ['linux-x64', 'linux-x64-vulkan']) {
  const key = `node_modules/@node-llama-cpp/${b}`;
  if (!existsSync(key)) throw new Error(`${key} is missing: npm ci on Linux x64 installs it`);
  copy(key);
}
EOF
  say "compressing the npm packages"
  tar -C "$stage" -cf - node_modules | xz -T0 -6 > "$PAYLOAD/modules.tar.xz"
  rm -rf "$stage"

  # what a device call carries: the working tree (tracked and untracked files not ignored) and the payload
  local tree payload total
  tree=$(git ls-files -co --exclude-standard -z | xargs -0 stat -c %s 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
  payload=$(du -sb "$PAYLOAD" | cut -f1)
  total=$((tree + payload))
  say ""
  say "payload .gpu-bench/: $(mib "$payload"); working tree: $(mib "$tree"); together $(mib "$total") of the $(mib $LIMIT) a call carries"
  du -sh "$PAYLOAD"/* >&2
  if [ "$total" -gt "$LIMIT" ]; then
    say ""
    say "Over the limit. Leave the large test fixtures out of the working tree for the GPU run (the bench needs only"
    say "tests/fixtures/models/), then bring them back:"
    say "  git sparse-checkout set --no-cone '/*' '!/tests/fixtures/fullvocab/' '!/tests/fixtures/quant-models/' '!/tests/fixtures/tokenizer/' '!/tests/fixtures/quants/'"
    say "  ... the device call: run scripts/gpu-bench.sh with carry [\".gpu-bench\"] ..."
    say "  git sparse-checkout disable"
  fi
}

# ------------------------------------------------------------------------------------------ set up, run
setup() {
  [ -f "$PAYLOAD/node.xz" ] && [ -f "$PAYLOAD/modules.tar.xz" ] || { say "error: no payload in $PAYLOAD: run scripts/gpu-bench.sh pack first (and carry .gpu-bench)"; exit 1; }
  WORK="${LC_GPU_BENCH_DIR:-/tmp/lite-coder-gpu-bench}"
  rm -rf "$WORK"
  mkdir -p "$WORK"
  # xz may be missing on a bare machine; Python's lzma is then the fallback
  if command -v xz >/dev/null; then
    xz -dc "$PAYLOAD/node.xz" > "$WORK/node"
    xz -dc "$PAYLOAD/modules.tar.xz" | tar -C "$WORK" -xf -
  else
    python3 -c 'import lzma,sys,tarfile; open(sys.argv[2],"wb").write(lzma.open(sys.argv[1]).read()); tarfile.open(sys.argv[3]).extractall(sys.argv[4])' \
      "$PAYLOAD/node.xz" "$WORK/node" "$PAYLOAD/modules.tar.xz" "$WORK"
  fi
  chmod +x "$WORK/node"
  cp -r "$PAYLOAD/app" "$WORK/app"
  ln -s "$WORK/node_modules" "$WORK/app/node_modules"
  # llama.cpp's CUDA build, where one was carried (too large for one call: 124 MB compressed)
  if [ -f "$PAYLOAD/llama-cuda.tar.xz" ]; then xz -dc "$PAYLOAD/llama-cuda.tar.xz" | tar -C "$WORK/node_modules/@node-llama-cpp" -xf -; fi
  mkdir -p "$WORK/lib"
  cp "$PAYLOAD/vulkan/libvulkan.so.1" "$WORK/lib/"
  export LD_LIBRARY_PATH="$WORK/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
}

gpu_env() {
  # NVIDIA's Vulkan driver: where the loader finds it by itself nothing is set; else its ICD file and libraries
  local icd=""
  for f in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json; do
    [ -f "$f" ] && { icd="$f"; break; }
  done
  if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && [ -n "$icd" ]; then export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"; fi
  for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [ -d "$d" ] && LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$d"; done
  # CUDA 13's runtime and cuBLAS for llama.cpp's CUDA build (the CUDA toolkit, or the Python packages')
  local lib
  for name in libcudart.so.13 libcublas.so.13; do
    lib=$(find /usr/local/cuda*/lib64 /usr/local/cuda*/lib /opt -name "$name" 2>/dev/null | head -n 1 || true)
    [ -n "$lib" ] && LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$(dirname "$lib")"
  done
  export LD_LIBRARY_PATH
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >&2 || true
}

run_bench() {
  local defaults=("$@")
  local started=$SECONDS
  local log="${OUT:-$WORK}/gpu-bench.log"
  say "running bench:node from $WORK (log: $log)"
  set +e
  (cd "$WORK/app" && "$WORK/node" scripts/node-vulkan.mjs dist-node/bench-node.mjs "${defaults[@]}" --json) 2>&1 | tee -a "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  if [ -n "${OUT:-}" ]; then tail -n 1 "$log" > "$OUT/gpu-bench.json" || true; fi
  say "gpu-bench: exit $rc after $((SECONDS - started)) s"
  [ -f "$PAYLOAD/llama-cuda.tar.xz" ] || say "note: llama.cpp's CUDA build was not carried (124 MB compressed, over one call's 64 MiB): CUDA not run"
  return "$rc"
}

# Greedy tokens on two fixtures against the float64 reference: ours on the f16 path (where the adapter
# has shader-f16) and on the f32 path, and llama.cpp's, before any speed figure is trusted.
check_tokens() {
  local llama="$1" variant ids json16 json32 started=$SECONDS
  for variant in f32 q4_0; do
    ids=$("$WORK/node" -e 'const r = require(process.argv[1]); process.stdout.write(r.turns[0].input_tokens.join(","))' "$WORK/app/tests/fixtures/models/reference-$variant.json")
    json16=$(cd "$WORK/app" && "$WORK/node" scripts/node-vulkan.mjs dist-node/bench-node.mjs --model "tests/fixtures/models/ds2-pub-$variant.gguf" \
      --tokens "$ids" --max-tokens 32 --warmup 0 --llama "$llama" --json 2>/dev/null | tail -n 1) || true
    json32=$(cd "$WORK/app" && "$WORK/node" scripts/node-vulkan.mjs dist-node/bench-node.mjs --model "tests/fixtures/models/ds2-pub-$variant.gguf" \
      --tokens "$ids" --max-tokens 32 --warmup 0 --llama none --no-f16 --json 2>/dev/null | tail -n 1) || true
    "$WORK/node" -e '
      const [ref, a, b, variant] = process.argv.slice(1);
      const want = require(ref).turns[0].generated_tokens.join();
      const parse = (s) => { try { return JSON.parse(s); } catch { return { error: "no JSON: the run failed" }; } };
      const f16 = parse(a), f32 = parse(b);
      const same = (r) => (r && r.ids ? (r.ids.join() === want ? "equal" : "DIFFER") : `not run (${(r && r.error) || "no result"})`);
      const llama = Object.entries(f16).filter(([k]) => k.startsWith("llama_") && k !== "llama_ids_equal").map(([k, v]) => `${k} ${same(v)}`);
      console.log(`token check ${variant}: vs the float64 reference, ours on the ${f16.runs ? f16.runs[0].kernels : "?"} kernels ${same(f16)}, ours on the f32 kernels ${same(f32)}${llama.length ? ", " + llama.join(", ") : ""}`);
    ' "$WORK/app/tests/fixtures/models/reference-$variant.json" "$json16" "$json32" "$variant" | tee -a "${OUT:-$WORK}/gpu-bench.log"
  done
  say "token check: $((SECONDS - started)) s (llama.cpp's quantized-file tokens may differ: it rounds activations to 8 bits)"
}

# Options given on the command line win over the defaults (bench:node takes the last of a repeated option).
case "$mode" in
  pack) pack ;;
  smoke)
    setup
    check_tokens cpu
    run_bench --synthetic --share-layers --layers 3 --prompt-tokens 4 --max-tokens 3 --warmup 0 --budgets resident,1x \
      --ram-tier 400 --llama cpu --llama-threads 1 --kernel-types Q4_0 --kernel-rows 512 --kernel-cols 512 "$@"
    ;;
  run)
    setup
    gpu_env
    check_tokens vulkan
    run_bench --synthetic --share-layers --layers 27 --prompt-tokens 64 --max-tokens 65 --warmup 1 \
      --budgets resident,1500,1x,2x,4x --ram-tier 16000 --llama vulkan,cuda \
      --kernel-types Q4_0,Q8_0,Q4_K,Q5_K,Q6_K,IQ4_XS,IQ2_XXS --dawn-flags backend=vulkan "$@"
    ;;
esac
