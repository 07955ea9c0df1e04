/**
 * The interface language: English or Simplified Chinese, following the browser until the user picks
 * one. Each module keeps its own strings (`translations({ en: {...}, zh: {...} })`), so no single
 * dictionary grows without bound; a key missing in Chinese falls back to English.
 */
import { useEffect, useState } from 'preact/hooks';
import { getPref, setPref } from './prefs';

export type Lang = 'en' | 'zh';
const KEY = 'lite-coder.lang';
const listeners = new Set<(l: Lang) => void>();

export function browserLang(): Lang {
  return (navigator.languages ?? [navigator.language]).some((l) => l.toLowerCase().startsWith('zh')) ? 'zh' : 'en';
}

let current: Lang = (() => {
  const saved = typeof window !== 'undefined' ? getPref(KEY) : null;
  return saved === 'en' || saved === 'zh' ? saved : browserLang();
})();

export function lang(): Lang {
  return current;
}

/** `remember: false` changes the language for this page only (an embedding host's choice). */
export function setLang(l: Lang, remember = true): void {
  current = l;
  if (remember) setPref(KEY, l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  listeners.forEach((f) => f(l));
}

/** Re-renders the component when the language changes. */
export function useLang(): Lang {
  const [l, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    return () => {
      listeners.delete(set);
    };
  }, []);
  return l;
}

type Vars = Record<string, string | number>;

/** `t('key', { n: 3 })` replaces `{n}` in the string of the current language. */
export function translations<K extends string>(dict: {
  en: Record<K, string>;
  zh: Partial<Record<K, string>>;
}): (key: K, vars?: Vars) => string {
  return (key, vars) => {
    const s = (current === 'zh' ? dict.zh[key] : undefined) ?? dict.en[key];
    return vars ? s.replace(/\{(\w+)\}/g, (_, v: string) => String(vars[v] ?? `{${v}}`)) : s;
  };
}

if (typeof document !== 'undefined') document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
