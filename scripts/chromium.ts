/** How every tool here launches Chromium: WebGPU on, and no background traffic to the outside. */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  // Chromium reports a fixed quota to estimate() against fingerprinting; the quota tests need the
  // real (DevTools-overridden) one.
  '--disable-features=StaticStorageQuota',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
