// A resident's trends: daily activity over the last 14 days and health
// readings over the last 30 days, drawn against the thresholds in force
// (when the role may read them). Used on the resident's card and in the
// family view. Family members may not read the clinic's thresholds, so
// their charts have no bounds drawn (and the request is not made).
import {api} from './api.js';
import {can} from './ctx.js';
import {h} from './dom.js';
import {t, fmtTime} from './i18n.js';
import {barChart, lineChart} from './charts.js';

const DAY_MS = 86400000;

// One chart per measure; blood pressure draws two series on one chart.
const MEASURES = [
  {type: 'blood_pressure', unit: 'mmHg', series: [
    {key: 'systolic', pick: (v) => v.systolic},
    {key: 'diastolic', pick: (v) => v.diastolic, cls: 'second'}]},
  {type: 'glucose', unit: 'mmol/L', series: [{key: 'glucose', pick: (v) => v.mmol_l}]},
  {type: 'spo2', unit: '%', series: [{key: 'spo2', pick: (v) => v}]},
  {type: 'heart_rate', unit: 'bpm', series: [{key: 'heart_rate', pick: (v) => v}]},
  {type: 'body_temperature', unit: '°C', series: [{key: 'body_temperature', pick: (v) => v}]},
  {type: 'weight', unit: 'kg', series: [{key: 'weight', pick: (v) => v}]},
];

function bandsFor(measure, effective) {
  const out = [];
  for (const s of measure.series) {
    const b = (effective || {})[s.key] || {};
    const name = measure.series.length > 1 ? t('trends.' + s.key) + ' ' : '';
    if (b.low != null) out.push({y: b.low, label: name + t('trends.low') + ' ' + b.low});
    if (b.high != null) out.push({y: b.high, label: name + t('trends.high') + ' ' + b.high});
    if (b.critical_low != null) out.push({y: b.critical_low, cls: 'critical', label: name + t('trends.critical') + ' ' + b.critical_low});
    if (b.critical != null) out.push({y: b.critical, cls: 'critical', label: name + t('trends.critical') + ' ' + b.critical});
  }
  return out;
}

function readingsCharts(items, effective) {
  const charts = [];
  for (const m of MEASURES) {
    const mine = items.filter((r) => r.type === m.type);
    if (!mine.length) continue;
    const series = m.series.map((s) => ({name: t('trends.' + s.key), cls: s.cls,
      points: mine.map((r) => ({x: Date.parse(r.taken_at), y: Number(s.pick(r.value)),
        label: s.pick(r.value) + ' ' + m.unit + ' · ' + fmtTime(r.taken_at)}))
        .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))}));
    const latest = mine[0];
    const title = t('mtype.' + m.type) + ' (' + m.unit + ')';
    charts.push(h('figure', {class: 'trend', 'data-type': m.type},
      lineChart(title, series, {bands: bandsFor(m, effective)}),
      h('figcaption', {}, title + ' · ' + t('trends.readings', {n: mine.length}) + ' · ' +
        t('trends.latest', {time: fmtTime(latest.taken_at)}))));
  }
  return charts;
}

function activityCharts(days) {
  const label = (d) => d.date.slice(5);
  return [
    h('figure', {class: 'trend', 'data-type': 'activity'},
      barChart(t('trends.events'), days.map((d) => ({label: label(d), value: d.events, cls: d.events ? '' : 'late'}))),
      h('figcaption', {}, t('trends.events'))),
    h('figure', {class: 'trend', 'data-type': 'night'},
      barChart(t('trends.night'), days.map((d) => ({label: label(d), value: d.night_events, cls: 'warn'}))),
      h('figcaption', {}, t('trends.night'))),
  ];
}

// Resolves to a card element (the roles that see residents may read
// readings and days), or null when both requests failed.
export async function trends(residentId) {
  const since = new Date(Date.now() - 30 * DAY_MS).toISOString();
  const [readings, thresholds, activity] = await Promise.all([
    api.get('/v1/residents/' + encodeURIComponent(residentId) + '/measurements', {since, limit: 500}).then((p) => p.items).catch(() => null),
    can('family') ? null : api.get('/v1/residents/' + encodeURIComponent(residentId) + '/thresholds').then((p) => p.effective).catch(() => null),
    api.get('/v1/residents/' + encodeURIComponent(residentId) + '/activity').then((p) => p.items).catch(() => null),
  ]);
  if (readings == null && activity == null) return null;
  const parts = [h('h2', {}, t('trends.title'))];
  if (readings != null) {
    parts.push(h('h3', {}, t('trends.health')));
    const charts = readingsCharts(readings, thresholds);
    parts.push(charts.length ? charts : h('p', {class: 'muted', id: 'no-readings'}, t('trends.no_readings')));
  }
  if (activity != null && activity.length) {
    parts.push(h('h3', {}, t('trends.activity')), activityCharts(activity));
  }
  return h('section', {class: 'card trends', id: 'trends-' + residentId}, parts);
}
