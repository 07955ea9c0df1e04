import { translations } from '../i18n';

export const t = translations({
  en: {
    newChat: 'New chat',
    openApp: 'Open Lite Coder',
    openAppHint: 'opens in a new tab',
    partitioned:
      'This widget runs inside another site, so your browser keeps its storage apart from the Lite Coder app: it cannot see a model you imported there.',
    useStored: 'Use my stored model',
    useStoredHint: "Your browser will ask whether this widget may use Lite Coder's storage.",
    importHere: 'Import a model here',
    importHereHint: 'Stores a copy for this site only (about 10 GB for DeepSeek-Coder-V2-Lite).',
    appHint: 'Or open the full app, import the model there once, then come back and choose "Use my stored model".',
    noModelTop: 'No model is stored yet. Open the full app to import DeepSeek-Coder-V2-Lite once, or import it here.',
    unsupported:
      "This browser cannot share Lite Coder's storage with an embedded widget. Import a model here, or use the full app.",
    denied:
      "The browser did not allow access to Lite Coder's storage ({reason}). Import a model here, or use the full app.",
    // where the browser refuses this frame any storage there is no "Import a model here" to offer
    unsupportedBlocked:
      "This browser cannot share Lite Coder's storage with an embedded widget, and keeps none here. Use the full app.",
    deniedBlocked:
      "The browser did not allow access to Lite Coder's storage ({reason}), and keeps none here. Use the full app.",
    noneThere: "Access granted, but there is no model in Lite Coder's storage yet. Import one in the full app or here.",
    blocked:
      "This browser does not let widgets on other sites store anything, so a model cannot be kept here. Let this widget use Lite Coder's own storage, or use the full app.",
    asking: 'Asking the browser…',
    hideImport: 'Hide import',
    artifactsOff: 'Running code is turned off in this widget.',
  },
  zh: {
    newChat: '新对话',
    openApp: '打开 Lite Coder',
    openAppHint: '在新标签页中打开',
    partitioned: '此小组件运行在其他网站中，浏览器将它的存储与 Lite Coder 应用隔离：它看不到你在应用中导入的模型。',
    useStored: '使用我已存储的模型',
    useStoredHint: '浏览器会询问是否允许此小组件使用 Lite Coder 的存储。',
    importHere: '在这里导入模型',
    importHereHint: '仅为此网站存储一份副本（DeepSeek-Coder-V2-Lite 约 10 GB）。',
    appHint: '或者打开完整应用，在那里导入一次模型，然后回到这里选择“使用我已存储的模型”。',
    noModelTop: '还没有存储模型。打开完整应用导入一次 DeepSeek-Coder-V2-Lite，或在这里导入。',
    unsupported: '此浏览器无法让嵌入的小组件共享 Lite Coder 的存储。请在这里导入模型，或使用完整应用。',
    denied: '浏览器未允许访问 Lite Coder 的存储（{reason}）。请在这里导入模型，或使用完整应用。',
    unsupportedBlocked: '此浏览器无法让嵌入的小组件共享 Lite Coder 的存储，也不允许在这里存储。请使用完整应用。',
    deniedBlocked: '浏览器未允许访问 Lite Coder 的存储（{reason}），也不允许在这里存储。请使用完整应用。',
    noneThere: '已获准访问，但 Lite Coder 的存储中还没有模型。请在完整应用或这里导入。',
    blocked:
      '此浏览器不允许其他网站中的小组件存储任何数据，因此无法在这里保存模型。请允许此小组件使用 Lite Coder 自己的存储，或使用完整应用。',
    asking: '正在询问浏览器…',
    hideImport: '隐藏导入',
    artifactsOff: '此小组件已关闭运行代码。',
  },
});
