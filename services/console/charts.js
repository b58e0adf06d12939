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
