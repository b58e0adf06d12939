// On call: who is on duty now, and the shifts of this week.
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
    ctx.user.role === 'caregiver' ? h('p', {class: 'muted'}, t('oncall.own_only')) : null);
}
