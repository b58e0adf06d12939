// What the views share: the signed-in user, staff names seen so far, and
// the toast line.
import {t} from './i18n.js';

export const ctx = {
  user: null,
  names: new Map(), // staff id -> name, filled from /v1/staff and /v1/oncall
  rerender: () => {},
};

export function can(...roles) { return Boolean(ctx.user) && roles.includes(ctx.user.role); }

export function staffName(id) { return id ? ctx.names.get(id) || id : '—'; }

let toastTimer = null;
export function toast(text, isError) {
  const el = document.getElementById('toast');
  el.className = isError ? 'error' : '';
  el.textContent = text;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.textContent = ''; }, 6000);
}

// Runs an API action; a failure shows its message (a 401 is already
// handled by the sign-in form).
export async function act(fn, okText) {
  try {
    const r = await fn();
    if (okText) toast(okText);
    return r;
  } catch (e) {
    if (e.status !== 401) toast(t('error.action', {status: e.status || '', message: e.message || ''}), true);
    return null;
  }
}

export async function loadNames(api) {
  // Coordinators and admins read the staff list; others learn names from
  // the on-call roster (and their own record).
  if (ctx.user) ctx.names.set(ctx.user.id, ctx.user.name);
  if (can('admin', 'coordinator')) {
    try {
      const page = await api.get('/v1/staff', {limit: 500});
      for (const s of page.items) ctx.names.set(s.id, s.name);
    } catch (e) { /* names fall back to ids */ }
  }
}

export async function loadOnCall(api) {
  if (!can('admin', 'coordinator', 'caregiver')) return null;
  const q = ctx.user.site_id ? {} : {site_id: ctx.site || ''};
  if (!ctx.user.site_id && !ctx.site) return null;
  try {
    const oc = await api.get('/v1/oncall', q);
    for (const tier of ['primary', 'backup', 'supervisor']) for (const s of oc[tier]) ctx.names.set(s.id, s.name);
    return oc;
  } catch (e) {
    return null;
  }
}
