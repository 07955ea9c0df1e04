/**
 * What the runtime takes from the browser, given by Node: WebGPU through Dawn (the `webgpu` npm
 * package: navigator.gpu and the GPU* globals such as GPUBufferUsage) and a storage estimate for the
 * import's quota check (the in-memory store's room is this machine's memory). Nothing else of
 * the runtime changes: it finds these where a worker finds them.
 *
 * Dawn picks its backend from the system: on Linux, Vulkan, through the loader libvulkan.so.1 and
 * the drivers that VK_ICD_FILENAMES (or the loader's default paths) name; `dawnFlags` are Dawn's
 * own toggles (`backend=vulkan`, `adapter=NVIDIA`, `enable-dawn-features=...`).
 */
import { freemem, totalmem } from 'node:os';

/** The `webgpu` package's exports (its types.d.ts types `globals` as a bare Object). */
interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

export interface NodeGpu {
  readonly gpu: GPU;
  /** Dawn's flags as given */
  readonly flags: readonly string[];
}

/**
 * Installs navigator.gpu, the GPU* globals and navigator.storage.estimate on this process, once.
 * Throws an Error naming the package when `webgpu` cannot be loaded (not installed, or no build for
 * this platform).
 */
export async function installNodeGpu(dawnFlags: readonly string[] = []): Promise<NodeGpu> {
  let dawn: DawnModule;
  try {
    dawn = (await import('webgpu')) as unknown as DawnModule;
  } catch (e) {
    throw new Error(
      `The \`webgpu\` package (Dawn for Node) could not be loaded: ${(e as Error).message.split('\n')[0]}. Run npm ci.`,
      { cause: e },
    );
  }
  const gpu = dawn.create([...dawnFlags]);
  Object.assign(globalThis, dawn.globals);
  // the in-memory store's room: this machine's memory (free memory can read low where RAM is ballooned)
  const storage = { estimate: async () => ({ quota: Math.max(freemem(), totalmem() / 2), usage: 0 }) };
  const nav = (globalThis as { navigator?: object }).navigator;
  const fields = { gpu, storage, deviceMemory: totalmem() / 2 ** 30 };
  if (nav) {
    for (const [k, v] of Object.entries(fields)) Object.defineProperty(nav, k, { value: v, configurable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: fields, configurable: true });
  }
  return { gpu, flags: [...dawnFlags] };
}
