// Residents: a searchable list and a resident's card (contacts, windows,
// presence, devices, recent events and alerts, trends), editable where the
// role may (coordinators and admins everything, caregivers presence). The
// clinic's staff see the card's details, health alerts and trends; a part
// the role may not read is left out.
import {api, all} from './api.js';
import {h, mount, field, select} from './dom.js';
import {t, fmtTime} from './i18n.js';
import {can, act} from './ctx.js';
import {trends} from './trends.js';

let items = [], search = '';

export async function show(view, args) {
  if (args[0]) return card(view, args[0]);
  mount(view, h('h1', {}, t('residents.title')), h('p', {class: 'muted'}, t('loading')));
  try { items = await all((cursor) => api.get('/v1/residents', {limit: 500, cursor})); } catch (e) { return; }
  const input = h('input', {type: 'search', id: 'resident-search', value: search,
    oninput: (e) => { search = e.target.value; fill(); }});
  const tbody = h('tbody');
  const fill = () => {
    const q = search.trim().toLowerCase();
    mount(tbody, items.filter((r) => !q || [r.name, r.address, r.phone, r.id].some((v) => v && v.toLowerCase().includes(q)))
      .map((r) => h('tr', {},
        h('td', {'data-label': t('resident.name')}, h('a', {href: '#/residents/' + encodeURIComponent(r.id), class: 'resident-link'}, r.name)),
        h('td', {'data-label': t('resident.address')}, r.address || '—'),
        h('td', {'data-label': t('resident.phone')}, r.phone || '—'),
        h('td', {'data-label': t('resident.presence')}, t('presence.' + r.presence)),
        h('td', {'data-label': t('resident.status')}, t('rstatus.' + r.status)))));
  };
  fill();
  mount(view, h('h1', {}, t('residents.title')),
    field(t('residents.search'), input).wrap,
    h('table', {class: 'stack'}, h('thead', {}, h('tr', {},
      [t('resident.name'), t('resident.address'), t('resident.phone'), t('resident.presence'), t('resident.status')].map((x) => h('th', {scope: 'col'}, x)))), tbody));
}

function kv(pairs) {
  return h('dl', {class: 'kv'}, pairs.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v == null || v === '' ? '—' : v)]));
}

async function card(view, id) {
  mount(view, h('p', {class: 'muted'}, t('loading')));
  let r;
  try { r = await api.get('/v1/residents/' + encodeURIComponent(id)); } catch (e) { mount(view, h('p', {}, t('error.notfound'))); return; }
  // null: the role may not read it (the clinic: devices and events), so
  // the section is left out rather than shown empty; not asked at all.
  const staff = can('admin', 'coordinator', 'caregiver');
  const [devs, events, alerts, trendCard] = await Promise.all([
    staff ? api.get('/v1/devices', {resident_id: id, limit: 100}).then((p) => p.items).catch(() => []) : null,
    staff ? api.get('/v1/events', {resident_id: id, limit: 10}).then((p) => p.items).catch(() => []) : null,
    api.get('/v1/alerts', {resident_id: id, limit: 10}).then((p) => p.items).catch(() => []),
    trends(id).catch(() => null),
  ]);
  const m = r.monitoring || {};
  const parts = [
    h('p', {}, h('a', {href: '#/residents'}, t('residents.back'))),
    h('h1', {class: 'resident-name'}, r.name),
    h('div', {class: 'grid two'},
      h('section', {class: 'card'}, h('h2', {}, t('resident.details')), kv([
        [t('resident.address'), r.address], [t('resident.phone'), r.phone], [t('resident.birth'), r.birth_date],
        [t('resident.care_level'), r.care_level], [t('resident.status'), t('rstatus.' + r.status)],
        [t('resident.presence'), t('presence.' + r.presence) + (r.presence_until ? ' · ' + t('resident.until', {time: fmtTime(r.presence_until)}) : '')]])),
      h('section', {class: 'card'}, h('h2', {}, t('resident.contacts')),
        (r.emergency_contacts || []).length ? h('ul', {class: 'plain'}, r.emergency_contacts.map((c) =>
          h('li', {}, c.name + (c.relation ? ' (' + c.relation + ')' : '') + ' · ', h('a', {href: 'tel:' + c.phone.replace(/[^0-9+]/g, '')}, c.phone))))
          : h('p', {class: 'muted'}, t('none'))),
      h('section', {class: 'card'}, h('h2', {}, t('resident.monitoring')), kv([
        [t('mon.active'), (m.active_from || '') + '–' + (m.active_to || '')],
        [t('mon.inactivity'), m.inactivity_minutes ? t('mon.minutes', {n: m.inactivity_minutes}) : t('mon.off')],
        [t('mon.night'), (m.night_from || '') + '–' + (m.night_to || '')],
        [t('mon.checkin'), m.checkin_by || t('mon.off')]])),
      devs && h('section', {class: 'card'}, h('h2', {}, t('resident.devices')),
        devs.length ? h('ul', {class: 'plain'}, devs.map((d) => h('li', {},
          d.id + ' · ' + t('dkind.' + d.kind) + (d.room ? ' · ' + d.room : '') + ' · ',
          h('span', {class: d.status === 'online' ? 'ok' : d.status === 'offline' ? 'late' : 'muted'}, t('dstatus.' + d.status)),
          d.battery != null ? ' · ' + t('device.battery_pct', {n: d.battery}) : ''))) : h('p', {class: 'muted'}, t('none'))),
      h('section', {class: 'card'}, h('h2', {}, t('resident.alerts')),
        alerts.length ? h('ul', {class: 'plain'}, alerts.map((a) => h('li', {},
          h('span', {class: 'badge p' + a.priority}, 'P' + a.priority), ' ' + t('kind.' + a.kind) + ' · ' + t('status.' + a.status) + ' · ' + fmtTime(a.created_at) +
          (a.outcome ? ' · ' + t('outcome.' + a.outcome) : '')))) : h('p', {class: 'muted'}, t('none'))),
      events && h('section', {class: 'card'}, h('h2', {}, t('resident.events')),
        events.length ? h('ul', {class: 'plain'}, events.map((e) => h('li', {},
          fmtTime(e.received_at) + ' · ' + e.type + ' · ' + (typeof e.value === 'object' ? JSON.stringify(e.value) : String(e.value)) + ' · ' + e.device_id)))
          : h('p', {class: 'muted'}, t('none')))),
    trendCard,
  ];
  if (can('admin', 'coordinator', 'caregiver')) parts.push(editForm(r, view));
  mount(view, parts);
}

function editForm(r, view) {
  const full = can('admin', 'coordinator');
  const fields = {};
  const input = (k, v) => (fields[k] = h('input', {type: 'text', value: v || ''}));
  const presence = select(['home', 'daycare', 'away'].map((p) => [p, t('presence.' + p)]), r.presence);
  const rows = [field(t('resident.presence'), presence).wrap];
  if (full) {
    rows.push(field(t('resident.name'), input('name', r.name)).wrap,
      field(t('resident.address'), input('address', r.address)).wrap,
      field(t('resident.phone'), input('phone', r.phone)).wrap,
      field(t('resident.care_level'), input('care_level', r.care_level)).wrap);
  }
  const form = h('form', {class: 'card', id: 'resident-edit'}, h('h2', {}, t('resident.edit')), h('div', {class: 'row'}, rows),
    h('p', {}, h('button', {type: 'submit'}, t('save'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {};
    if (presence.value !== r.presence) body.presence = presence.value;
    for (const [k, el] of Object.entries(fields)) {
      const v = el.value.trim();
      if (v !== (r[k] || '')) body[k] = v === '' && k !== 'name' ? null : v;
    }
    if (!Object.keys(body).length) return;
    const res = await act(() => api.patch('/v1/residents/' + encodeURIComponent(r.id), body), t('saved'));
    if (res) card(view, r.id);
  });
  return form;
}
