import { expect, test } from './support/fixtures';

/**
 * A real compute shader on the browser's WebGPU adapter: out[i] = a[i] * b[i] + 1 over 1000 values,
 * which is not a multiple of the workgroup size, so the kernel's bounds check matters too.
 */
test('a WGSL compute kernel runs and reads back exact results', async ({ page }) => {
  await page.goto('/');

  const N = 1000;
  const WORKGROUP = 64;
  const DISPATCHED = Math.ceil(N / WORKGROUP) * WORKGROUP;
  const SENTINEL = -12345;
  // Integers times quarters: every product is exact in f32, so fused or separate multiply-add agree.
  const a = Array.from({ length: N }, (_, i) => i - 500);
  const b = Array.from({ length: N }, (_, i) => (((i * 7) % 33) - 16) / 4);

  const result = await page.evaluate(
    async ({ a, b, n, workgroup, dispatched, sentinel }) => {
      const adapter = await navigator.gpu.requestAdapter();
      if (!adapter) throw new Error('no WebGPU adapter');
      const device = await adapter.requestDevice();
      const module = device.createShaderModule({
        code: /* wgsl */ `
          @group(0) @binding(0) var<storage, read> a: array<f32>;
          @group(0) @binding(1) var<storage, read> b: array<f32>;
          @group(0) @binding(2) var<storage, read_write> out: array<f32>;
          @group(0) @binding(3) var<uniform> n: u32;

          @compute @workgroup_size(${workgroup})
          fn main(@builtin(global_invocation_id) id: vec3<u32>) {
            let i = id.x;
            if (i >= n) { return; }
            out[i] = a[i] * b[i] + 1.0;
          }`,
      });
      const info = await module.getCompilationInfo();
      const errors = info.messages.filter((m) => m.type === 'error').map((m) => m.message);
      if (errors.length) throw new Error(`WGSL: ${errors.join('; ')}`);

      const upload = (data: ArrayBufferView<ArrayBuffer>, usage: number) => {
        const buffer = device.createBuffer({ size: data.byteLength, usage: usage | GPUBufferUsage.COPY_DST });
        device.queue.writeBuffer(buffer, 0, data);
        return buffer;
      };
      const aBuf = upload(new Float32Array(a), GPUBufferUsage.STORAGE);
      const bBuf = upload(new Float32Array(b), GPUBufferUsage.STORAGE);
      // Sized for every dispatched invocation and pre-filled, so a missing bounds check would show.
      const outBuf = upload(
        new Float32Array(dispatched).fill(sentinel),
        GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
      );
      const nBuf = upload(new Uint32Array([n]), GPUBufferUsage.UNIFORM);
      const readBuf = device.createBuffer({
        size: dispatched * 4,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });

      const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      const bindGroup = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [aBuf, bBuf, outBuf, nBuf].map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      device.pushErrorScope('validation');
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(dispatched / workgroup);
      pass.end();
      encoder.copyBufferToBuffer(outBuf, 0, readBuf, 0, dispatched * 4);
      device.queue.submit([encoder.finish()]);
      const validation = await device.popErrorScope();
      if (validation) throw new Error(`validation: ${validation.message}`);

      await readBuf.mapAsync(GPUMapMode.READ);
      const out = Array.from(new Float32Array(readBuf.getMappedRange().slice(0)));
      readBuf.unmap();
      device.destroy();
      return { out, adapter: `${adapter.info.vendor}/${adapter.info.architecture}` };
    },
    { a, b, n: N, workgroup: WORKGROUP, dispatched: DISPATCHED, sentinel: SENTINEL },
  );

  test.info().annotations.push({ type: 'adapter', description: result.adapter });
  const expected = a.map((x, i) => Math.fround(x * b[i]! + 1));
  expect(result.out.slice(0, N)).toEqual(expected);
  // The 24 invocations past the end must not have written anything.
  expect(result.out.slice(N)).toEqual(new Array(DISPATCHED - N).fill(SENTINEL));
  // Guard against a vacuous pass: the inputs are not trivial.
  expect(new Set(expected).size).toBeGreaterThan(100);
});
