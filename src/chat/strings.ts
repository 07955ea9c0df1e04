import { translations } from '../i18n';

export const t = translations({
  en: {
    newChat: 'New chat', search: 'Search titles', rename: 'Rename', delete: 'Delete', exportJson: 'Export JSON', exportMd: 'Export Markdown',
    importJson: 'Import', importFailed: 'Import failed: {msg}', deleteChat: 'Delete this conversation?', renamePrompt: 'New title',
    conversations: 'Conversations', send: 'Send', stop: 'Stop', placeholder: 'Ask about code… (Enter to send, Shift+Enter for a new line)',
    regenerate: 'Regenerate', edit: 'Edit', saveSend: 'Save & send', cancel: 'Cancel', copy: 'Copy', copied: 'Copied',
    you: 'You', assistant: 'Lite Coder', thinking: 'Thinking…', stats: '{tps} tokens/s · first token {ttft} s · expert cache {hit}% hits',
    settings: 'Settings', systemPrompt: 'System prompt', temperature: 'Temperature', topP: 'Top-p', maxTokens: 'Max tokens', seed: 'Seed (empty: random)',
    language: 'Language', noModel: 'No model is stored yet. Import DeepSeek-Coder-V2-Lite once, and it stays in this browser.', goImport: 'Import a model',
    loading: 'Loading {name} onto the GPU… {pct}%', loadFailed: 'The model could not be loaded: {msg}', retry: 'Retry', model: 'Model',
    overflow: 'This conversation no longer fits in the context this device allows ({n} of {max} tokens).', dropOldest: 'Drop the oldest turns',
    outOfContext: 'Earlier messages are no longer sent to the model.', error: 'Error: {msg}', stopped: 'stopped', empty: 'Ask Lite Coder to write, explain or fix code. Everything runs on your GPU; nothing leaves this browser.',
    menu: 'Conversations', run: 'Run', branch: '{i} / {n}',
    elsewhere: '{name} is loaded in another tab of Lite Coder. One tab at a time keeps the model on the GPU.', takeOver: 'Use it in this tab',
    closeMenu: 'Close the conversation list', contextLimit: 'Context limit (tokens)', contextLimitHelp: 'Empty: as long as this device allows. Applies the next time the model loads.',
  },
  zh: {
    newChat: '新对话', search: '搜索标题', rename: '重命名', delete: '删除', exportJson: '导出 JSON', exportMd: '导出 Markdown',
    importJson: '导入', importFailed: '导入失败：{msg}', deleteChat: '删除此对话？', renamePrompt: '新标题',
    conversations: '对话', send: '发送', stop: '停止', placeholder: '问一个编程问题…（Enter 发送，Shift+Enter 换行）',
    regenerate: '重新生成', edit: '编辑', saveSend: '保存并发送', cancel: '取消', copy: '复制', copied: '已复制',
    you: '你', assistant: 'Lite Coder', thinking: '思考中…', stats: '{tps} 词元/秒 · 首词元 {ttft} 秒 · 专家缓存命中 {hit}%',
    settings: '设置', systemPrompt: '系统提示词', temperature: '温度', topP: 'Top-p', maxTokens: '最大词元数', seed: '随机种子（留空为随机）',
    language: '语言', noModel: '还没有存储模型。导入一次 DeepSeek-Coder-V2-Lite，它会保存在此浏览器中。', goImport: '导入模型',
    loading: '正在将 {name} 加载到 GPU… {pct}%', loadFailed: '无法加载模型：{msg}', retry: '重试', model: '模型',
    overflow: '此对话已超出本设备允许的上下文长度（{n} / {max} 词元）。', dropOldest: '删除最早的几轮对话',
    outOfContext: '更早的消息不再发送给模型。', error: '错误：{msg}', stopped: '已停止', empty: '让 Lite Coder 编写、解释或修复代码。一切都在你的 GPU 上运行，数据不会离开此浏览器。',
    menu: '对话列表', run: '运行', branch: '{i} / {n}',
    elsewhere: '{name} 已在 Lite Coder 的另一个标签页中加载。同一时间只有一个标签页把模型放在 GPU 上。', takeOver: '在此标签页中使用',
    closeMenu: '关闭对话列表', contextLimit: '上下文上限（词元）', contextLimitHelp: '留空：本设备允许的最大长度。下次加载模型时生效。',
  },
});
