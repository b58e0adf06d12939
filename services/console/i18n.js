// Strings by language: every string is in i18n/en.js and i18n/zh-CN.js.
import en from './i18n/en.js';
import zh from './i18n/zh-CN.js';

const catalogues = {en, 'zh-CN': zh};
export const languages = [['en', 'English'], ['zh-CN', '简体中文']];
let lang = pick();

function pick() {
  let saved = null;
  try { saved = localStorage.getItem('carenet-lang'); } catch (e) { saved = null; }
  if (saved && catalogues[saved]) return saved;
  for (const l of navigator.languages || [navigator.language || 'en']) {
    if (/^zh\b/i.test(l)) return 'zh-CN';
    if (/^en\b/i.test(l)) return 'en';
  }
  return 'en';
}

export function getLang() { return lang; }

export function setLang(l) {
  if (!catalogues[l]) return;
  lang = l;
  try { localStorage.setItem('carenet-lang', l); } catch (e) { /* private mode */ }
  document.documentElement.lang = l;
}

// t('alert.waiting', {time: '0:42'}); a missing key falls back to English,
// then to the key itself.
export function t(key, vars) {
  let s = catalogues[lang][key];
  if (s == null) s = en[key];
  if (s == null) s = key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] == null ? '' : String(vars[k])));
  return s;
}

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString(lang, {dateStyle: 'short', timeStyle: 'short'});
}

export function fmtHour(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleTimeString(lang, {hour: '2-digit', minute: '2-digit'});
}
