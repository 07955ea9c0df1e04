/** The model store's words, in English and Simplified Chinese. */
import { lang, translations } from '../../i18n';
import type { ImportProgress } from '../../../workers/store/types';

export const t = translations({
  en: {
    importTitle: 'Import a model',
    filesIntro:
      'The published files of DeepSeek-Coder-V2-Lite-Instruct: larger files answer a little better and need more memory and storage.',
    recommended: 'recommended',
    'rec:usual': 'Recommended for this device: {quant} ({size}), the usual balance of quality and size.',
    'rec:resident': "Recommended for this device: {quant} ({size}); every expert of it fits in this GPU's memory.",
    'rec:paged':
      "Recommended for this device: {quant} ({size}); no file fits in this GPU's memory whole, so experts will be paged from storage.",
    'rec:storage':
      'Recommended for this device: {quant} ({size}), the largest that fits the storage this browser allows.',
    recNone:
      'None of these files fits the {free} of storage this browser allows: free some space, or import a smaller file from disk.',
    downloadImportSize: 'Download and import ({size})',
    startChatting: 'Start chatting',
    use: 'Use',
    'phase:reading': 'reading the file',
    offline:
      'You are offline, so {host} cannot be reached. Connect to the internet and press Download again: what was already stored is kept.',
    cors: 'The server at {host} answered, but its cross-origin rules (CORS) do not let this page read the file: it sends no Access-Control-Allow-Origin header for this site. Download the file yourself and import it from disk, or use a host that allows it (Hugging Face does).',
    unreachable: 'The server at {host} could not be reached: check the address, or try again later.',

    fromUrl: 'From a URL (a .gguf file; for a split model, the URL of any of its files)',
    downloadImport: 'Download and import',
    dropHere: 'Or drop a .gguf file (or all files of a split model) here, or',
    chooseOne: 'choose files',
    importing: 'Importing {name}',
    importProgress: 'Import progress',
    bytesOf: '{done} of {total}',
    perSecond: '{rate}/s',
    left: '{eta} left',
    resumed: 'Resumed: {bytes} were already stored and are not downloaded again.',
    cancel: 'Cancel',
    stored: '{name} is stored ({mb} MB).',
    chooseAgain: 'Choose "{name}" again to resume its import.',
    chooseAgainSplit: 'Choose all {n} files of "{name}" again to resume its import.',
    splitFiles: '(split model: {n} files)',
    confirmDelete: 'Delete {name}? Its {mb} MB will be freed.',
    storedTitle: 'Stored models',
    reading: 'Reading the store…',
    noModels: 'No model is stored yet. Import one above.',
    colModel: 'Model',
    colState: 'State',
    colWeights: 'Weights',
    colDisk: 'On disk',
    details: '{layers} layers · {experts} experts · {layout}',
    legacyLayout: 'legacy attn_kv_b layout',
    mlaLayout: 'MLA layout',
    ready: 'ready',
    incomplete: 'incomplete ({pct}%)',
    resume: 'Resume',
    verify: 'Verify',
    delete: 'Delete',
    verifying: 'Verifying…',
    verified: 'Verified: all {n} records match their checksums.',
    verifyFailed: 'Verification failed: {problems}',
    'phase:reading header': 'reading header',
    'phase:checking space': 'checking space',
    'phase:downloading': 'downloading',
    'phase:finishing': 'finishing',
    'phase:done': 'done',
  },
  zh: {
    importTitle: '导入模型',
    filesIntro: 'DeepSeek-Coder-V2-Lite-Instruct 的已发布文件：文件越大，回答略好，所需显存和存储空间也越多。',
    recommended: '推荐',
    'rec:usual': '推荐此设备使用：{quant}（{size}），质量与大小的常用平衡。',
    'rec:resident': '推荐此设备使用：{quant}（{size}）；它的全部专家都能放进此 GPU 的显存。',
    'rec:paged': '推荐此设备使用：{quant}（{size}）；没有文件能整个放进此 GPU 的显存，专家将按需从存储中换入。',
    'rec:storage': '推荐此设备使用：{quant}（{size}），能放进此浏览器允许的存储空间的最大文件。',
    recNone: '这些文件都超出了此浏览器允许的 {free} 存储空间：请释放空间，或从磁盘导入更小的文件。',
    downloadImportSize: '下载并导入（{size}）',
    startChatting: '开始对话',
    use: '使用',
    'phase:reading': '读取文件中',
    offline: '你已离线，无法连接 {host}。请连接互联网后再次点击下载：已存储的部分会保留。',
    cors: '{host} 上的服务器有响应，但它的跨域规则（CORS）不允许此页面读取该文件：它没有为此网站发送 Access-Control-Allow-Origin 头。请自行下载文件后从磁盘导入，或使用允许跨域的主机（Hugging Face 允许）。',
    unreachable: '无法连接 {host} 上的服务器：请检查地址，或稍后再试。',

    fromUrl: '从 URL 导入（.gguf 文件；分片模型填任意一个分片的 URL）',
    downloadImport: '下载并导入',
    dropHere: '或将 .gguf 文件（或分片模型的全部文件）拖放到这里，或',
    chooseOne: '选择文件',
    importing: '正在导入 {name}',
    importProgress: '导入进度',
    bytesOf: '{done} / {total}',
    perSecond: '{rate}/秒',
    left: '剩余 {eta}',
    resumed: '已继续：{bytes} 此前已存储，不会重新下载。',
    cancel: '取消',
    stored: '{name} 已存储（{mb} MB）。',
    chooseAgain: '请再次选择“{name}”以继续导入。',
    chooseAgainSplit: '请再次选择“{name}”的全部 {n} 个文件以继续导入。',
    splitFiles: '（分片模型：{n} 个文件）',
    confirmDelete: '删除 {name}？将释放 {mb} MB 空间。',
    storedTitle: '已存储的模型',
    reading: '正在读取存储…',
    noModels: '还没有存储模型。请在上方导入一个。',
    colModel: '模型',
    colState: '状态',
    colWeights: '权重',
    colDisk: '占用空间',
    details: '{layers} 层 · {experts} 个专家 · {layout}',
    legacyLayout: '旧版 attn_kv_b 布局',
    mlaLayout: 'MLA 布局',
    ready: '就绪',
    incomplete: '未完成（{pct}%）',
    resume: '继续',
    verify: '校验',
    delete: '删除',
    verifying: '正在校验…',
    verified: '校验通过：全部 {n} 条记录均与校验和一致。',
    verifyFailed: '校验失败：{problems}',
    'phase:reading header': '读取文件头',
    'phase:checking space': '检查空间',
    'phase:downloading': '下载中',
    'phase:finishing': '收尾中',
    'phase:done': '完成',
  },
});

/** A phase in words; a file from disk is read, not downloaded. */
export const phaseLabel = (phase: ImportProgress['phase'], local = false) =>
  t(local && phase === 'downloading' ? 'phase:reading' : `phase:${phase}`);

/**
 * Notes the import worker writes in English, worded in Chinese where they are known (matched by their
 * opening words); anything else is shown as the worker wrote it.
 */
const KNOWN_NOTES: [prefix: string, zh: string][] = [
  [
    'This server does not support resuming',
    '此服务器不支持断点续传（没有 HTTP Range 请求）：下载一旦中断就会从头开始。',
  ],
];

export function noteLabel(note: string): string {
  if (lang() !== 'zh') return note;
  return KNOWN_NOTES.find(([prefix]) => note.startsWith(prefix))?.[1] ?? note;
}
