import { translations } from '../i18n';

const t = translations({
  en: { s: '{s} s', ms: '{m} min {s} s', hm: '{h} h {m} min' },
  zh: { s: '{s} 秒', ms: '{m} 分 {s} 秒', hm: '{h} 小时 {m} 分' },
});

export { formatBytes } from '../../workers/format';

/** "3 min 20 s" (or "3 分 20 秒"), in the interface language; "—" when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return t('s', { s: Math.ceil(seconds) });
  if (seconds < 3600) return t('ms', { m: Math.floor(seconds / 60), s: Math.round(seconds % 60) });
  return t('hm', { h: Math.floor(seconds / 3600), m: Math.round((seconds % 3600) / 60) });
}
