import { translations } from '../i18n';

/** The engine choice (this device or a server) and the model picker, in the interface's languages. */
export const t = translations({
  en: {
    where: 'Where answers come from', onDevice: 'This device (WebGPU)', onServer: 'A server (OpenAI-compatible API)',
    endpoint: 'Server address', endpointHelp: 'The API\'s address, such as http://localhost:11434/v1 (Ollama), http://localhost:8080/v1 (llama.cpp) or http://localhost:8000/v1 (vLLM).',
    apiKey: 'API key (optional)', apiKeyHelp: 'Kept in this browser only, sent only to this server, never exported.',
    listModels: 'List its models', serverModel: 'Model', connect: 'Use this server', useDevice: 'Use this device',
    connected: 'Answers come from {host}.', deviceBadge: 'On this device', serverBadge: 'Server: {host}',
    pickModel: 'Model to use', resident: 'all experts on the GPU', paged: 'experts paged', loaded: 'loaded',
    convModel: 'This conversation was with {name}.', useConvModel: 'Switch to it',
  },
  zh: {
    where: '回答来自哪里', onDevice: '本设备（WebGPU）', onServer: '服务器（OpenAI 兼容 API）',
    endpoint: '服务器地址', endpointHelp: 'API 地址，例如 http://localhost:11434/v1（Ollama）、http://localhost:8080/v1（llama.cpp）或 http://localhost:8000/v1（vLLM）。',
    apiKey: 'API 密钥（可选）', apiKeyHelp: '只保存在此浏览器中，只发送给此服务器，从不导出。',
    listModels: '列出它的模型', serverModel: '模型', connect: '使用此服务器', useDevice: '使用本设备',
    connected: '回答来自 {host}。', deviceBadge: '在本设备上', serverBadge: '服务器：{host}',
    pickModel: '要使用的模型', resident: '专家全部在 GPU 上', paged: '专家按需调入', loaded: '已加载',
    convModel: '此对话使用的是 {name}。', useConvModel: '切换到它',
  },
});
