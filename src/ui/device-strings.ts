/** The device check's words, in English and Simplified Chinese. */
import { lang, translations } from '../i18n';
import type { VerdictReason } from '../../workers/device/types';
import { formatBytes } from '../../workers/format';

export const t = translations({
  en: {
    title: 'Can my device run it?',
    intro: 'What this browser and GPU offer DeepSeek-Coder-V2-Lite, a 16B mixture-of-experts model.',
    failed: 'The device check failed: {msg}',
    probing: 'Checking your device…',
    askPersist: 'Ask for persistent storage',
    continue: 'Continue',
    useServer: 'Use a server instead',
    persistGranted: 'The browser granted persistent storage: it will not evict the model to free space.',
    persistDeclined: 'The browser declined. Browsers grant it more readily to installed or often-visited sites.',
    persistFailed: 'Asking failed: {msg}',
    headlineResident:
      'Your GPU can run DeepSeek-Coder-V2-Lite: every expert stays on the GPU; about {size} of storage needed.',
    headlinePaged:
      'Your GPU can run DeepSeek-Coder-V2-Lite: experts paged from storage; about {size} of storage needed.',
    headlineCannot: 'Your GPU cannot run DeepSeek-Coder-V2-Lite.',
    lead: 'Lite Coder runs DeepSeek-Coder-V2-Lite, a 16B coding model, in your browser on your own GPU: private, offline once imported, and free.',
    details: 'Details: what this browser and GPU offer',
    contextTokens: 'Context this device gives: {n} tokens (f16 KV cache).',
    gpu: 'GPU',
    available: 'Available',
    notAvailable: 'Not available',
    noWebgpu: 'Not available in this browser',
    adapter: 'Adapter',
    noAdapter: 'None offered',
    noAdapterWhy: 'None offered: {msg}',
    vendor: 'Vendor',
    architecture: 'Architecture',
    description: 'Description',
    notGiven: '(not given)',
    kind: 'Kind',
    software: 'Software renderer (runs on the CPU)',
    hardware: 'Hardware GPU',
    gpuMemory: 'GPU memory',
    memSkippedSoftware: 'Not measured: on a software renderer the test allocations would come out of system memory.',
    memSkippedNoAdapter: 'Not measured: there is no GPU adapter.',
    memFailed: 'Could not be measured: {msg}',
    memHitLimit: 'About {bytes}: the GPU refused more.',
    memEnough: 'At least {bytes}, which is all the model needs, so the test stopped there.',
    bytes: '{n} bytes ({binary})',
    fewBytes: '{n} bytes',
    storage: 'Storage',
    quota: 'Quota',
    used: 'Used',
    free: 'Free',
    unknownLower: 'unknown',
    estimate: 'Estimate',
    noEstimate: 'The browser gave no storage estimate',
    persistent: 'Persistent storage',
    unknown: 'Unknown',
    granted: 'Granted',
    notGranted: 'Not granted: the browser may evict stored models when space runs low',
  },
  zh: {
    title: '我的设备能运行吗？',
    intro: '此浏览器和 GPU 能为 DeepSeek-Coder-V2-Lite（一个 16B 参数的混合专家模型）提供什么。',
    failed: '设备检测失败：{msg}',
    probing: '正在检测你的设备…',
    askPersist: '申请持久存储',
    continue: '继续',
    useServer: '改用服务器',
    persistGranted: '浏览器已授予持久存储：它不会为了腾出空间而清除模型。',
    persistDeclined: '浏览器拒绝了。已安装或经常访问的网站更容易获得授权。',
    persistFailed: '申请失败：{msg}',
    headlineResident: '你的 GPU 可以运行 DeepSeek-Coder-V2-Lite：所有专家常驻 GPU；大约需要 {size} 存储空间。',
    headlinePaged: '你的 GPU 可以运行 DeepSeek-Coder-V2-Lite：专家按需从存储中换入；大约需要 {size} 存储空间。',
    headlineCannot: '你的 GPU 无法运行 DeepSeek-Coder-V2-Lite。',
    lead: 'Lite Coder 在你的浏览器中、用你自己的 GPU 运行 DeepSeek-Coder-V2-Lite（一个 16B 参数的编程模型）：私密、导入后可离线使用、免费。',
    details: '详细信息：此浏览器和 GPU 提供的能力',
    contextTokens: '本设备可提供的上下文：{n} 词元（f16 KV 缓存）。',
    gpu: 'GPU',
    available: '可用',
    notAvailable: '不可用',
    noWebgpu: '此浏览器不支持',
    adapter: '适配器',
    noAdapter: '未提供',
    noAdapterWhy: '未提供：{msg}',
    vendor: '厂商',
    architecture: '架构',
    description: '描述',
    notGiven: '（未提供）',
    kind: '类型',
    software: '软件渲染器（在 CPU 上运行）',
    hardware: '硬件 GPU',
    gpuMemory: 'GPU 显存',
    memSkippedSoftware: '未测量：在软件渲染器上，测试分配的内存会占用系统内存。',
    memSkippedNoAdapter: '未测量：没有 GPU 适配器。',
    memFailed: '无法测量：{msg}',
    memHitLimit: '约 {bytes}：GPU 拒绝分配更多。',
    memEnough: '至少 {bytes}，已满足模型的全部需要，因此测试到此为止。',
    bytes: '{n} 字节（{binary}）',
    fewBytes: '{n} 字节',
    storage: '存储',
    quota: '配额',
    used: '已用',
    free: '可用',
    unknownLower: '未知',
    estimate: '估算',
    noEstimate: '浏览器没有提供存储估算',
    persistent: '持久存储',
    unknown: '未知',
    granted: '已授予',
    notGranted: '未授予：空间不足时浏览器可能会清除已存储的模型',
  },
});

const exactZh = (bytes: number) => `${bytes.toLocaleString('en-US')} 字节`;

/** The worker's decimal units ("10.36 GB"), with "bytes" below a kilobyte in the interface language. */
export function formatSize(bytes: number): string {
  return Math.abs(bytes) < 1e3 ? t('fewBytes', { n: bytes }) : formatBytes(bytes);
}
const b = formatSize;

/**
 * A verdict finding in the interface language. The worker words it in English (`text`); Chinese is
 * worded here from the finding's code and figures.
 */
export function reasonLabel(r: VerdictReason): string {
  if (lang() !== 'zh') return r.text;
  switch (r.code) {
    case 'no-webgpu':
      return '此浏览器不支持 WebGPU，而 Lite Coder 需要它在 GPU 上运行模型。';
    case 'no-adapter':
      return '浏览器支持 WebGPU，但没有提供 GPU 适配器：GPU 可能被列入了黑名单，或者 WebGPU 已被关闭。';
    case 'software-adapter':
      return `GPU 适配器是在 CPU 上运行的软件渲染器（${r.fallback ? '备用适配器' : r.renderer}）：DeepSeek-Coder-V2-Lite 在它上面每生成一个词元都要好几分钟。`;
    case 'binding-too-small':
      return `GPU 的单个存储缓冲区最多只能绑定 ${exactZh(r.maxBinding)}，但模型最大的张量（输出层，102400 × 2048 个 Q6_K 权重）有 ${exactZh(r.needed)}。`;
    case 'storage-unknown':
      return `浏览器没有告知可用的存储空间，因此无法确定 ${b(r.modelBytes)} 的模型是否放得下。`;
    case 'storage-short':
      return `浏览器存储仅剩 ${b(r.free)} 可用，比模型所需的 ${b(r.modelBytes)} 少 ${b(r.modelBytes - r.free)}，因此无法导入。`;
    case 'storage-short-stored':
      return `浏览器存储仅剩 ${b(r.free)} 可用，比模型所需的 ${b(r.modelBytes)} 少 ${b(r.modelBytes - r.free)}；不过模型已经存储，所以没有问题。`;
    case 'gpu-memory-unmeasured':
      return '没有测量 GPU 显存，因此没有证据表明模型能放进 GPU。';
    case 'gpu-memory-failed':
      return `无法打开 GPU 来测量其显存（${r.error}），因此模型无法在其上运行。`;
    case 'gpu-resident':
      return `GPU 接受了 ${b(r.accepted)} 的缓冲区，足以容纳全部 ${b(r.modelBytes)} 的权重以及 ${b(r.margin)} 的工作空间：所有专家都能常驻 GPU。`;
    case 'gpu-paged':
      return (
        `GPU ${r.hitLimit ? '在显存耗尽前' : ''}接受了 ${b(r.accepted)} 的缓冲区，少于把全部权重放在 GPU 上所需的 ${b(r.residentBytes)}，` +
        `但足以容纳 ${b(r.nonExpertBytes)} 的非专家权重、${b(r.cacheBytes)} 的专家缓存和工作空间：专家将按需从存储中换入。`
      );
    case 'gpu-too-small':
      return `GPU ${r.hitLimit ? '在显存耗尽前' : ''}只接受了 ${b(r.accepted)} 的缓冲区；即使从存储中按需换入专家，也需要 ${b(r.pagedBytes)}。`;
  }
}
