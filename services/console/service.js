// Service net: today's day-care attendance, service requests by status
// with assign / start / complete, and the catalogue.
import {api, all} from './api.js';
import {h, mount, field, select, localDate, pad2} from './dom.js';
import {t, fmtTime} from './i18n.js';
import {ctx, can, act, staffName, loadNames} from './ctx.js';

const STATUSES = ['requested', 'scheduled', 'in_progress', 'done', 'cancelled'];
let staff = [];

function localInput(d) {
  return localDate(d) + 'T' + pad2(d.getHours()) + ':' + pad2(d.getMinutes());
}

export async function show(view) {
  mount(view, h('h1', {}, t('service.title')), h('p', {class: 'muted'}, t('loading')));
  await loadNames(api);
  staff = [[ctx.user.id, ctx.user.name]];
  if (can('admin', 'coordinator')) {
    try {
      const page = await api.get('/v1/staff', {limit: 500});
      staff = page.items.filter((s) => s.active && ['caregiver', 'volunteer', 'coordinator'].includes(s.role)).map((s) => [s.id, s.name]);
    } catch (e) { /* self only */ }
  }
  const parts = [h('h1', {}, t('service.title'))];
  if (can('admin', 'coordinator', 'caregiver') && ctx.user.site_id) parts.push(await attendance(view));
  parts.push(await requests(view));
  parts.push(await catalogue());
  mount(view, parts);
}

async function attendance(view) {
  const today = localDate(new Date());
  let entries = [], res = [];
  try {
    [entries, res] = await Promise.all([
      all((c) => api.get('/v1/attendance', {date: today, limit: 500, cursor: c})),
      all((c) => api.get('/v1/residents', {limit: 500, cursor: c}))]);
  } catch (e) { return h('section', {}); }
  const byRes = new Map();
  for (const e of entries) byRes.set(e.resident_id, e);
  const record = async (id, action) => {
    if (await act(() => api.post('/v1/attendance', {resident_id: id, action}), t('saved'))) show(view);
  };
  return h('section', {class: 'card', id: 'attendance'}, h('h2', {}, t('attendance.title', {date: today})),
    h('table', {class: 'stack'}, h('thead', {}, h('tr', {}, [t('resident.name'), t('attendance.in'), t('attendance.out'), ''].map((x) => h('th', {scope: 'col'}, x)))),
      h('tbody', {}, res.filter((r) => r.status === 'enrolled').map((r) => {
        const e = byRes.get(r.id);
        const btn = !e ? h('button', {type: 'button', onclick: () => record(r.id, 'check_in'), 'aria-label': t('attendance.check_in') + ' ' + r.name}, t('attendance.check_in'))
          : !e.check_out_at ? h('button', {type: 'button', class: 'secondary', onclick: () => record(r.id, 'check_out'), 'aria-label': t('attendance.check_out') + ' ' + r.name}, t('attendance.check_out'))
          : null;
        return h('tr', {}, h('td', {'data-label': t('resident.name')}, r.name),
          h('td', {'data-label': t('attendance.in')}, e ? fmtTime(e.check_in_at) : '—'),
          h('td', {'data-label': t('attendance.out')}, e && e.check_out_at ? fmtTime(e.check_out_at) : '—'),
          h('td', {}, btn));
      }))));
}

function requestActions(q, view) {
  const out = [];
  const run = async (call) => { if (await act(call, t('saved'))) show(view); };
  if ((q.status === 'requested' || q.status === 'scheduled') && staff.length) {
    const who = select(staff, q.assignee_id || staff[0][0]);
    const start = new Date(Date.now() + 3600000); start.setMinutes(0, 0, 0);
    const ws = h('input', {type: 'datetime-local', value: localInput(start)});
    const we = h('input', {type: 'datetime-local', value: localInput(new Date(start.getTime() + 3600000))});
    out.push(field(t('request.assignee'), who).wrap, field(t('request.window_start'), ws).wrap, field(t('request.window_end'), we).wrap,
      h('button', {type: 'button', onclick: () => run(() => api.post('/v1/requests/' + encodeURIComponent(q.id) + '/assign',
        {staff_id: who.value, window_start: new Date(ws.value).toISOString(), window_end: new Date(we.value).toISOString()}))}, t('request.assign')));
  }
  if (q.status === 'scheduled') out.push(h('button', {type: 'button', onclick: () => run(() => api.post('/v1/requests/' + encodeURIComponent(q.id) + '/start', {}))}, t('request.start')));
  if (q.status === 'in_progress') {
    const note = h('input', {type: 'text', maxlength: 2000});
    const rating = select([['', '—'], ['1', '1'], ['2', '2'], ['3', '3'], ['4', '4'], ['5', '5']], '');
    out.push(field(t('request.note'), note).wrap, field(t('request.rating'), rating).wrap,
      h('button', {type: 'button', onclick: () => {
        const body = {};
        if (note.value.trim()) body.note = note.value.trim();
        if (rating.value) body.rating = Number(rating.value);
        run(() => api.post('/v1/requests/' + encodeURIComponent(q.id) + '/complete', body));
      }}, t('request.complete')));
  }
  return out.length ? h('div', {class: 'actions'}, out) : null;
}

async function requests(view) {
  let reqs = [], services = [];
  try {
    [reqs, services] = await Promise.all([all((c) => api.get('/v1/requests', {limit: 500, cursor: c})),
      all((c) => api.get('/v1/services', {limit: 500, cursor: c}))]);
  } catch (e) { return h('section', {}); }
  const svc = new Map(services.map((s) => [s.id, s.name]));
  return h('section', {id: 'requests'}, h('h2', {}, t('requests.title')),
    h('div', {class: 'grid two'}, STATUSES.filter((s) => s !== 'cancelled').map((st) => h('div', {class: 'card'},
      h('h3', {}, t('rq.' + st) + ' (' + reqs.filter((q) => q.status === st).length + ')'),
      h('ul', {class: 'plain'}, reqs.filter((q) => q.status === st).slice(0, 50).map((q) => h('li', {},
        h('div', {}, h('strong', {}, svc.get(q.service_id) || q.service_id), ' · ' + q.resident.name),
        q.resident.address ? h('div', {class: 'muted'}, q.resident.address) : null,
        q.window_start ? h('div', {class: 'muted'}, fmtTime(q.window_start) + ' – ' + fmtTime(q.window_end)) : null,
        q.assignee_id ? h('div', {class: 'muted'}, t('request.assignee') + ': ' + staffName(q.assignee_id)) : null,
        q.note ? h('div', {class: 'muted'}, q.note) : null,
        requestActions(q, view))))))));
}

async function catalogue() {
  let services = [];
  try { services = await all((c) => api.get('/v1/services', {limit: 500, cursor: c})); } catch (e) { return h('section', {}); }
  return h('section', {class: 'card', id: 'catalogue'}, h('h2', {}, t('catalogue.title')),
    h('table', {class: 'stack'}, h('thead', {}, h('tr', {}, [t('service.name'), t('service.category'), t('service.provider'), t('service.duration')].map((x) => h('th', {scope: 'col'}, x)))),
      h('tbody', {}, services.filter((s) => s.active).map((s) => h('tr', {},
        h('td', {'data-label': t('service.name')}, s.name),
        h('td', {'data-label': t('service.category')}, t('cat.' + s.category)),
        h('td', {'data-label': t('service.provider')}, t('prov.' + s.provider)),
        h('td', {'data-label': t('service.duration')}, t('mon.minutes', {n: s.duration_min})))))));
}
