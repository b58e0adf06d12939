// Bar charts as inline SVG: no library, no file at run time. Labels go in
// as text nodes.
import {h} from './dom.js';

// bars: [{label, value, cls}], limits: [{at (index between bars), label}]
export function barChart(title, bars, opts = {}) {
  const W = 640, H = 240, left = 40, bottom = 48, top = 24, right = 10;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const bw = (W - left - right) / Math.max(1, bars.length);
  const y = (v) => top + (H - top - bottom) * (1 - v / max);
  const kids = [h('svg:title', {}, title)];
  kids.push(h('svg:line', {class: 'axis', x1: left, y1: H - bottom, x2: W - right, y2: H - bottom}));
  for (const tick of [0, Math.ceil(max / 2), max]) {
    kids.push(h('svg:text', {x: left - 6, y: y(tick) + 4, 'text-anchor': 'end'}, String(tick)));
  }
  bars.forEach((b, i) => {
    const x = left + i * bw + bw * 0.15, w = bw * 0.7;
    kids.push(h('svg:rect', {class: 'bar ' + (b.cls || ''), x, y: y(b.value), width: w, height: Math.max(0, H - bottom - y(b.value))},
      h('svg:title', {}, b.label + ': ' + b.value)));
    kids.push(h('svg:text', {x: x + w / 2, y: y(b.value) - 4, 'text-anchor': 'middle'}, String(b.value)));
    kids.push(h('svg:text', {x: x + w / 2, y: H - bottom + 16, 'text-anchor': 'middle'}, b.label));
  });
  for (const l of opts.limits || []) {
    const x = left + l.at * bw;
    kids.push(h('svg:line', {class: 'limit', x1: x, y1: top - 8, x2: x, y2: H - bottom + 24}));
    kids.push(h('svg:text', {x: x + 3, y: top - 10}, l.label));
  }
  return h('svg:svg', {class: 'chart', viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': title}, kids);
}

// Readings over time as inline SVG lines, one polyline per series with a
// dot per reading. series: [{name, cls, points: [{x (ms), y, label}]}];
// opts.bands: [{y, label, cls}] draws dashed lines at threshold values.
export function lineChart(title, series, opts = {}) {
  const W = 640, H = 220, left = 48, bottom = 36, top = 20, right = 150;
  const pts = series.flatMap((s) => s.points);
  const bands = (opts.bands || []).filter((b) => Number.isFinite(b.y));
  const ys = pts.map((p) => p.y).concat(bands.map((b) => b.y));
  let lo = Math.min(...ys), hi = Math.max(...ys);
  if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
  const pad = (hi - lo) * 0.08;
  lo -= pad; hi += pad;
  const x0 = Math.min(...pts.map((p) => p.x)), x1 = Math.max(...pts.map((p) => p.x));
  const span = Math.max(1, x1 - x0);
  const x = (v) => (pts.length === 1 ? (left + W - right) / 2 : left + (W - left - right) * (v - x0) / span);
  const y = (v) => top + (H - top - bottom) * (1 - (v - lo) / (hi - lo));
  const fmt = (v) => (Math.abs(hi - lo) < 20 ? v.toFixed(1) : String(Math.round(v)));
  const kids = [h('svg:title', {}, title)];
  kids.push(h('svg:line', {class: 'axis', x1: left, y1: H - bottom, x2: W - right, y2: H - bottom}));
  for (const tick of [lo + pad, (lo + hi) / 2, hi - pad]) {
    kids.push(h('svg:text', {x: left - 6, y: y(tick) + 4, 'text-anchor': 'end'}, fmt(tick)));
  }
  for (const b of bands) {
    kids.push(h('svg:line', {class: 'band ' + (b.cls || ''), x1: left, y1: y(b.y), x2: W - right, y2: y(b.y)}));
    kids.push(h('svg:text', {class: 'band-label', x: W - right + 4, y: y(b.y) + 4}, b.label));
  }
  const dates = pts.length ? [x0, x1] : [];
  dates.forEach((d, i) => kids.push(h('svg:text', {x: x(d), y: H - bottom + 16, 'text-anchor': i ? 'end' : 'start'},
    opts.xLabel ? opts.xLabel(d) : new Date(d).toISOString().slice(5, 10))));
  if (series.length > 1) {
    series.forEach((s, i) => kids.push(h('svg:text', {class: 'legend ' + (s.cls || ''), x: left + 8 + i * 110, y: top - 6}, '● ' + s.name)));
  }
  for (const s of series) {
    const sorted = s.points.slice().sort((a, b) => a.x - b.x);
    if (sorted.length > 1) {
      kids.push(h('svg:polyline', {class: 'series ' + (s.cls || ''),
        points: sorted.map((p) => x(p.x).toFixed(1) + ',' + y(p.y).toFixed(1)).join(' ')}));
    }
    for (const p of sorted) {
      kids.push(h('svg:circle', {class: 'point ' + (s.cls || ''), cx: x(p.x), cy: y(p.y), r: 3.5},
        h('svg:title', {}, s.name + ': ' + p.label)));
    }
  }
  return h('svg:svg', {class: 'chart line', viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': title}, kids);
}
