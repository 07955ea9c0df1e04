/** The model store's words, in English and Simplified Chinese. */
import { lang, translations } from '../../i18n';
import type { ImportProgress } from '../../../workers/store/types';

export const t = translations({
  en: {
    importTitle: 'Import a model',
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

export const phaseLabel = (phase: ImportProgress['phase']) => t(`phase:${phase}`);

/**
 * Notes the import worker writes in English, worded in Chinese where they are known (matched by their
 * opening words); anything else is shown as the worker wrote it.
 */
const KNOWN_NOTES: [prefix: string, zh: string][] = [
  ['This server does not support resuming', '此服务器不支持断点续传（没有 HTTP Range 请求）：下载一旦中断就会从头开始。'],
];

export function noteLabel(note: string): string {
  if (lang() !== 'zh') return note;
  return KNOWN_NOTES.find(([prefix]) => note.startsWith(prefix))?.[1] ?? note;
}
