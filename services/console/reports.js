// Reports: the response report for a period, with charts (answer time
// against 60 s / 180 s, alerts by kind, by outcome) and its CSV.
import {api, all} from './api.js';
import {h, mount, field, localDate} from './dom.js';
import {t} from './i18n.js';
import {ctx} from './ctx.js';
import {barChart} from './charts.js';

const BUCKETS = [[0, 30], [30, 60], [60, 120], [120, 180], [180, 300], [300, Infinity]];
let period = null;

function pct(v) { return v == null ? '—' : (Math.round(v * 10) / 10) + '%'; }
function secs(v) { return v == null ? '—' : Math.round(v) + ' s'; }

export async function show(view) {
  if (!period) {
    const to = new Date(); to.setDate(to.getDate() + 1);
    const from = new Date(); from.setDate(from.getDate() - 6);
    period = {from: localDate(from), to: localDate(to)};
  }
  const from = h('input', {type: 'date', value: period.from, id: 'report-from'});
  const to = h('input', {type: 'date', value: period.to, id: 'report-to'});
  const out = h('div', {id: 'report'});
  const form = h('form', {class: 'row'}, field(t('report.from'), from).wrap, field(t('report.to'), to).wrap,
    h('button', {type: 'submit'}, t('report.show')),
    h('button', {type: 'button', class: 'secondary', id: 'report-csv', onclick: () => csv()}, t('report.csv')));
  form.addEventListener('submit', (e) => { e.preventDefault(); period = {from: from.value, to: to.value}; load(out); });
  mount(view, h('h1', {}, t('report.title')), form, out);
  await load(out);
}

function range() {
  return {from: new Date(period.from + 'T00:00').toISOString(), to: new Date(period.to + 'T00:00').toISOString()};
}

async function load(out) {
  mount(out, h('p', {class: 'muted'}, t('loading')));
  const q = range();
  let rep, alerts;
  try {
    [rep, alerts] = await Promise.all([api.get('/v1/reports/response', q),
      all((c) => api.get('/v1/alerts', {since: q.from, limit: 500, cursor: c}), 5000)]);
  } catch (e) { mount(out, h('p', {}, t('error.generic'))); return; }
  const until = Date.parse(q.to);
  const answered = alerts.filter((a) => a.priority <= 3 && Date.parse(a.created_at) < until && a.acked_at)
    .map((a) => (Date.parse(a.acked_at) - Date.parse(a.created_at)) / 1000);
  const dist = BUCKETS.map(([lo, hi]) => ({
    label: hi === Infinity ? '>' + lo + 's' : lo + '–' + hi + 's',
    value: answered.filter((s) => s >= lo && s < hi).length,
    cls: lo >= 180 ? 'late' : lo >= 60 ? 'warn' : ''}));
  const kinds = Object.entries(rep.by_kind).sort((a, b) => b[1] - a[1]).map(([k, v]) => ({label: t('kind.' + k), value: v}));
  const outcomes = Object.entries(rep.by_outcome).sort((a, b) => b[1] - a[1]).map(([k, v]) => ({label: t('outcome.' + k), value: v}));
  const fig = (label, value) => h('div', {class: 'figure'}, h('div', {class: 'muted'}, label), h('div', {class: 'v'}, value));
  mount(out,
    h('div', {class: 'figures'},
      fig(t('report.alerts'), String(rep.alerts)), fig(t('report.median'), secs(rep.ack.median_s)),
      fig(t('report.p90'), secs(rep.ack.p90_s)), fig(t('report.within60'), pct(rep.ack.within_60s_pct)),
      fig(t('report.within180'), pct(rep.ack.within_180s_pct)), fig(t('report.onsite45'), pct(rep.on_site.within_45min_pct)),
      fig(t('report.false'), pct(rep.false_alarm_pct)), fig(t('report.visits'), rep.visits.done + ' / ' + rep.visits.missed)),
    h('section', {class: 'card'}, h('h2', {}, t('report.dist')),
      barChart(t('report.dist'), dist, {limits: [{at: 2, label: '60 s'}, {at: 4, label: '180 s'}]})),
    h('div', {class: 'grid two'},
      h('section', {class: 'card'}, h('h2', {}, t('report.by_kind')), kinds.length ? barChart(t('report.by_kind'), kinds) : h('p', {class: 'muted'}, t('none'))),
      h('section', {class: 'card'}, h('h2', {}, t('report.by_outcome')), outcomes.length ? barChart(t('report.by_outcome'), outcomes) : h('p', {class: 'muted'}, t('none')))),
    h('section', {class: 'card'}, h('h2', {}, t('report.exceptions')),
      rep.exceptions.length ? h('ul', {class: 'plain'}, rep.exceptions.map((x) => h('li', {},
        'P' + x.priority + ' ' + t('kind.' + x.kind) + ' · ' + (x.ack_s == null ? t('report.unanswered') : secs(x.ack_s))))) : h('p', {class: 'muted'}, t('none'))));
}

// The server's own CSV (`?format=csv`), saved as a file.
async function csv() {
  try {
    const text = await api.text('/v1/reports/response', Object.assign(range(), {format: 'csv'}));
    const url = URL.createObjectURL(new Blob([text], {type: 'text/csv'}));
    const a = h('a', {href: url, download: 'carenet-response-' + period.from + '-' + period.to + '.csv'});
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (e) { /* the toast or sign-in says why */ }
  return ctx;
}
