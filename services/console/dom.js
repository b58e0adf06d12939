// DOM helpers: every text goes in through textContent or a text node,
// never innerHTML, so names and notes typed by people stay text.
const SVG_NS = 'http://www.w3.org/2000/svg';

function add(el, child) {
  if (child == null || child === false) return;
  if (Array.isArray(child)) { child.forEach((c) => add(el, c)); return; }
  el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
}

// h('button', {class: 'x', onclick: fn, 'aria-label': '...'}, 'text', child...)
export function h(tag, props, ...children) {
  const svg = tag.startsWith('svg:');
  const el = svg ? document.createElementNS(SVG_NS, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' && !svg) el.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden') el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  add(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function mount(el, ...children) {
  clear(el);
  add(el, children);
  return el;
}

let fieldSeq = 0;
// A labelled field: returns {wrap, input}. `control` is an element.
export function field(labelText, control, cls) {
  const id = control.id || 'f' + (++fieldSeq);
  control.id = id;
  const wrap = h('div', {class: cls || 'field'}, h('label', {for: id}, labelText), control);
  return {wrap, input: control};
}

export function select(options, value, props) {
  const el = h('select', props || {});
  for (const [v, text] of options) el.appendChild(h('option', {value: v, selected: v === value}, text));
  if (value != null) el.value = value;
  return el;
}

export function pad2(n) { return String(n).padStart(2, '0'); }

// Seconds as m:ss or h:mm:ss.
export function clock(s) {
  s = Math.max(0, Math.floor(s));
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  return hh ? hh + ':' + pad2(mm) + ':' + pad2(ss) : mm + ':' + pad2(ss);
}

export function localDate(d) {
  return d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate());
}
