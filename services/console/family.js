// The family view: their relatives' status, presence, recent alerts and
// trends (readings and daily activity), and a form to order a service.
import {api, all} from './api.js';
import {h, mount, field, select} from './dom.js';
import {t, fmtTime} from './i18n.js';
import {act} from './ctx.js';
import {trends} from './trends.js';

export async function show(view) {
  mount(view, h('h1', {}, t('family.title')), h('p', {class: 'muted'}, t('loading')));
  let res = [], services = [];
  try {
    [res, services] = await Promise.all([all((c) => api.get('/v1/residents', {limit: 100, cursor: c})),
      all((c) => api.get('/v1/services', {limit: 500, cursor: c}))]);
  } catch (e) { return; }
  const cards = await Promise.all(res.map(async (r) => {
    let alerts = [];
    const trendCard = trends(r.id).catch(() => null);
    try { alerts = (await api.get('/v1/alerts', {resident_id: r.id, limit: 5})).items; } catch (e) { alerts = []; }
    const active = alerts.filter((a) => a.status !== 'resolved');
    return h('section', {class: 'card'}, h('h2', {}, r.name),
      h('p', {}, h('span', {class: active.length ? 'late' : 'ok'}, active.length ? t('family.attention') : t('family.fine')),
        ' · ' + t('presence.' + r.presence) + ' · ' + t('rstatus.' + r.status)),
      h('h3', {}, t('resident.alerts')),
      alerts.length ? h('ul', {class: 'plain'}, alerts.map((a) => h('li', {},
        t('kind.' + a.kind) + ' · ' + t('status.' + a.status) + ' · ' + fmtTime(a.created_at)))) : h('p', {class: 'muted'}, t('none')),
      await trendCard);
  }));
  const who = select(res.map((r) => [r.id, r.name]), res.length ? res[0].id : null);
  const what = select(services.filter((s) => s.active).map((s) => [s.id, s.name]), null);
  const note = h('textarea', {rows: 3, maxlength: 2000});
  const form = h('form', {class: 'card', id: 'order'}, h('h2', {}, t('family.order')),
    field(t('family.for'), who).wrap, field(t('family.service'), what).wrap, field(t('request.note'), note).wrap,
    h('p', {}, h('button', {type: 'submit', disabled: !res.length || !services.length}, t('family.send'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {resident_id: who.value, service_id: what.value};
    if (note.value.trim()) body.note = note.value.trim();
    if (await act(() => api.post('/v1/requests', body), t('family.sent'))) note.value = '';
  });
  mount(view, h('h1', {}, t('family.title')), cards, form);
}
