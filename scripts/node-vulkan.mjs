#!/usr/bin/env node
/**
 * node scripts/node-vulkan.mjs <script.mjs> [args...]
 *
 * Runs a Node script that uses Dawn (the `webgpu` package) with a Vulkan it can use: Dawn needs the
 * Vulkan loader (libvulkan.so.1) and a driver. Where the environment names a driver (VK_ICD_FILENAMES
 * or VK_DRIVER_FILES) or the system has a hardware one, nothing changes. Where there is none (CI,
 * this project's development machines), Chromium's SwiftShader is used: its CPU Vulkan driver and,
 * when the system has no loader, Chromium's copy of it (LD_LIBRARY_PATH is read when a process
 * starts, so the script runs in a child process). Exits with the script's exit code.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHROMIUM_DIR = process.env.LC_CHROMIUM_LIB ?? '/usr/lib/chromium';
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
const LOADER_DIRS = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];
// software drivers Dawn cannot use or that are no GPU: lavapipe (llvmpipe) lacks what Dawn requires
const SOFTWARE_ICD = /lvp_icd|swiftshader/i;

const [script, ...args] = process.argv.slice(2);
if (!script) {
  process.stderr.write('usage: node scripts/node-vulkan.mjs <script.mjs> [args...]\n');
  process.exit(2);
}

const env = { ...process.env };
const hardwareIcds = ICD_DIRS.flatMap((d) => (existsSync(d) ? readdirSync(d) : [])).filter(
  (f) => f.endsWith('.json') && !SOFTWARE_ICD.test(f),
);
const named = env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES;
const swiftshader = join(CHROMIUM_DIR, 'vk_swiftshader_icd.json');
if (!named && hardwareIcds.length === 0 && existsSync(swiftshader)) {
  env.VK_ICD_FILENAMES = swiftshader;
  process.stderr.write(
    `node-vulkan: no GPU driver found; using SwiftShader (${swiftshader}): CPU figures, not a GPU's\n`,
  );
}
const ldPath = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
const hasLoader = [...ldPath, ...LOADER_DIRS].some((d) => existsSync(join(d, 'libvulkan.so.1')));
if (!hasLoader && existsSync(join(CHROMIUM_DIR, 'libvulkan.so.1')))
  env.LD_LIBRARY_PATH = [...ldPath, CHROMIUM_DIR].join(':');
if (!env.XDG_RUNTIME_DIR) {
  // the Vulkan loader and SwiftShader complain on every start without one
  const dir = join(tmpdir(), `lite-coder-xdg-${process.getuid?.() ?? 0}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  env.XDG_RUNTIME_DIR = dir;
}

const r = spawnSync(process.execPath, [script, ...args], { stdio: 'inherit', env });
if (r.error) {
  process.stderr.write(`error: ${r.error.message}\n`);
  process.exit(1);
}
process.exit(r.status ?? 1);
