// On call: who is on duty now, the standing rotas, the shifts of this
// week and the site's escalation policy (issue 15).
import {api, all} from './api.js';
import {h, mount} from './dom.js';
import {t, fmtTime} from './i18n.js';
import {ctx, staffName, loadNames, loadOnCall} from './ctx.js';

export async function show(view) {
  mount(view, h('h1', {}, t('oncall.title')), h('p', {class: 'muted'}, t('loading')));
  await loadNames(api);
  const oc = await loadOnCall(api);
  const now = new Date(), from = new Date(now), to = new Date(now);
  from.setDate(now.getDate() - ((now.getDay() + 6) % 7));
  from.setHours(0, 0, 0, 0);
  to.setTime(from.getTime() + 7 * 86400000);
  let shifts = [];
  try {
    shifts = await all((c) => api.get('/v1/shifts', {from: from.toISOString(), to: to.toISOString(), limit: 500, cursor: c}));
  } catch (e) { shifts = []; }
  shifts.sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  const site = ctx.user.site_id || ctx.site;
  let rotas = [], policy = null;
  try {
    rotas = await all((c) => api.get('/v1/rotas', {site_id: site || undefined, limit: 500, cursor: c}));
  } catch (e) { rotas = []; }
  if (site) {
    try { policy = await api.get('/v1/sites/' + encodeURIComponent(site) + '/escalation'); } catch (e) { policy = null; }
  }
  const tiers = ['primary', 'backup', 'supervisor'];
  mount(view, h('h1', {}, t('oncall.title')),
    h('section', {class: 'grid three', id: 'oncall-now', 'aria-label': t('oncall.now')}, tiers.map((tier) => h('div', {class: 'card'},
      h('h2', {}, t('tier.' + tier)),
      oc && oc[tier].length ? h('ul', {class: 'plain'}, oc[tier].map((s) => h('li', {}, s.name,
        s.phone ? [' · ', h('a', {href: 'tel:' + s.phone.replace(/[^0-9+]/g, '')}, s.phone)] : null)))
        : h('p', {class: 'muted'}, t('oncall.nobody'))))),
    h('h2', {}, t('oncall.week')),
    shifts.length ? h('table', {class: 'stack', id: 'shifts'},
      h('thead', {}, h('tr', {}, [t('shift.staff'), t('shift.tier'), t('shift.starts'), t('shift.ends')].map((x) => h('th', {scope: 'col'}, x)))),
      h('tbody', {}, shifts.map((s) => h('tr', {},
        h('td', {'data-label': t('shift.staff')}, staffName(s.staff_id)),
        h('td', {'data-label': t('shift.tier')}, t('tier.' + s.tier)),
        h('td', {'data-label': t('shift.starts')}, fmtTime(s.starts_at)),
        h('td', {'data-label': t('shift.ends')}, fmtTime(s.ends_at))))))
      : h('p', {class: 'muted'}, t('none')),
    ctx.user.role === 'caregiver' ? h('p', {class: 'muted'}, t('oncall.own_only')) : null,
    h('h2', {}, t('rota.title')),
    rotas.length ? h('table', {class: 'stack', id: 'rotas'},
      h('thead', {}, h('tr', {}, [t('shift.staff'), t('shift.tier'), t('rota.days'), t('rota.hours'), t('rota.dates')].map((x) => h('th', {scope: 'col'}, x)))),
      h('tbody', {}, rotas.map((r) => h('tr', {},
        h('td', {'data-label': t('shift.staff')}, staffName(r.staff_id)),
        h('td', {'data-label': t('shift.tier')}, t('tier.' + r.tier)),
        h('td', {'data-label': t('rota.days')}, r.days.map((d) => t('day.' + d)).join(' ')),
        h('td', {'data-label': t('rota.hours')}, r.from + '–' + r.to),
        h('td', {'data-label': t('rota.dates')}, (r.starts_on || '…') + ' – ' + (r.ends_on || '…'))))))
      : h('p', {class: 'muted'}, t('none')),
    policy ? [h('h2', {}, t('policy.title')),
      h('section', {class: 'grid three', id: 'policy'}, ['p1', 'p2', 'p3', 'p4'].map((p) => h('div', {class: 'card'},
        h('h3', {}, 'P' + p.slice(1) + (policy[p].default ? ' · ' + t('policy.default') : '')),
        policy[p].steps.length ? h('ol', {class: 'plain'}, policy[p].steps.map((st) => h('li', {},
          t('policy.after', {s: st.after_s}) + ': ' + st.notify.join(', '))))
          : h('p', {class: 'muted'}, t('policy.listed')),
        policy[p].repeat_s ? h('p', {class: 'muted'}, t('policy.repeat', {s: policy[p].repeat_s})) : null)))] : null);
}
