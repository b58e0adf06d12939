// Devices: offline and low battery first; enrol a device.
import {api, all} from './api.js';
import {h, mount, field, select} from './dom.js';
import {t, fmtTime} from './i18n.js';
import {can, act} from './ctx.js';

const LOW = 15; // the default low_battery_pct
const KINDS = ['sos_button', 'fall_detector', 'motion', 'door', 'bed', 'water_leak', 'smoke', 'gas', 'temperature', 'checkin', 'other'];

function rank(d) {
  if (d.status === 'offline') return 0;
  if (d.battery != null && d.battery <= LOW) return 1;
  if (d.status === 'unknown') return 2;
  return 3;
}

export async function show(view) {
  mount(view, h('h1', {}, t('devices.title')), h('p', {class: 'muted'}, t('loading')));
  let devs, res;
  try {
    [devs, res] = await Promise.all([all((c) => api.get('/v1/devices', {limit: 500, cursor: c})),
      all((c) => api.get('/v1/residents', {limit: 500, cursor: c}))]);
  } catch (e) { return; }
  const names = new Map(res.map((r) => [r.id, r.name]));
  devs.sort((a, b) => rank(a) - rank(b) || (a.battery ?? 101) - (b.battery ?? 101) || a.id.localeCompare(b.id));
  const table = h('table', {class: 'stack', id: 'devices'},
    h('thead', {}, h('tr', {}, [t('device.id'), t('device.resident'), t('device.kind'), t('device.room'), t('device.status'),
      t('device.battery'), t('device.last_seen')].map((x) => h('th', {scope: 'col'}, x)))),
    h('tbody', {}, devs.map((d) => h('tr', {},
      h('td', {'data-label': t('device.id')}, d.id),
      h('td', {'data-label': t('device.resident')}, d.resident_id ? names.get(d.resident_id) || d.resident_id : '—'),
      h('td', {'data-label': t('device.kind')}, t('dkind.' + d.kind)),
      h('td', {'data-label': t('device.room')}, d.room || '—'),
      h('td', {'data-label': t('device.status'), class: d.status === 'offline' ? 'late' : d.status === 'online' ? 'ok' : 'muted'}, t('dstatus.' + d.status)),
      h('td', {'data-label': t('device.battery'), class: d.battery != null && d.battery <= LOW ? 'late' : ''}, d.battery == null ? '—' : t('device.battery_pct', {n: d.battery})),
      h('td', {'data-label': t('device.last_seen')}, fmtTime(d.last_seen))))));
  const parts = [h('h1', {}, t('devices.title')), table];
  if (can('admin', 'coordinator')) parts.push(enrolForm(res, view));
  mount(view, parts);
}

function enrolForm(res, view) {
  const id = h('input', {type: 'text', required: true, maxlength: 64, pattern: '[A-Za-z0-9._:\\-]{1,64}'});
  const resident = select(res.map((r) => [r.id, r.name]), res.length ? res[0].id : null);
  const kind = select(KINDS.map((k) => [k, t('dkind.' + k)]), 'sos_button');
  const room = h('input', {type: 'text', maxlength: 100});
  const form = h('form', {class: 'card', id: 'enrol'}, h('h2', {}, t('devices.enrol')),
    h('div', {class: 'row'}, field(t('device.id'), id).wrap, field(t('device.resident'), resident).wrap,
      field(t('device.kind'), kind).wrap, field(t('device.room'), room).wrap),
    h('p', {}, h('button', {type: 'submit'}, t('devices.enrol_button'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {id: id.value.trim(), resident_id: resident.value, kind: kind.value};
    if (room.value.trim()) body.room = room.value.trim();
    if (await act(() => api.post('/v1/devices', body), t('devices.enrolled'))) show(view);
  });
  return form;
}
