// The alert board: active alerts live from the stream, by priority then
// age; an alarm for open P1/P2 alerts with a mute that expires; the
// actions Acknowledge, Dispatch, Arrived, Resolve; the timeline.
import {api, all, alertStream} from './api.js';
import {h, mount, clear, field, select, clock} from './dom.js';
import {t, fmtTime, fmtHour} from './i18n.js';
import {ctx, can, staffName, act, toast, loadNames, loadOnCall} from './ctx.js';

const ANSWER_S = 60, LATE_S = 180, MUTE_MS = 5 * 60 * 1000;
const OUTCOMES = ['genuine', 'false_alarm', 'accidental', 'test', 'technical_fault', 'no_access', 'hospital'];

const alerts = new Map();    // id -> alert
const residents = new Map(); // id -> resident (or a promise)
const drafts = new Map();    // id -> {outcome, note, responder}: what was typed
const timelines = new Map(); // id -> timeline lines, while shown
let oncall = null, stream = null, root = null, list = null, streamState = null;
let ticker = null, ringer = null, mutedUntil = 0, audio = null;

function unlockAudio() {
  if (audio) return;
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (Ctx) audio = new Ctx();
}
document.addEventListener('pointerdown', unlockAudio);
document.addEventListener('keydown', unlockAudio);

function beep() {
  if (!audio || audio.state !== 'running') { if (audio) audio.resume().catch(() => {}); return; }
  const now = audio.currentTime;
  for (const [f, at] of [[880, 0], [660, 0.3]]) {
    const osc = audio.createOscillator(), gain = audio.createGain();
    osc.frequency.value = f;
    gain.gain.setValueAtTime(0.25, now + at);
    gain.gain.exponentialRampToValueAtTime(0.001, now + at + 0.25);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + at);
    osc.stop(now + at + 0.26);
  }
}

const ringing = (a) => a.status === 'open' && a.priority <= 2;
const ageS = (iso, now) => (now - Date.parse(iso)) / 1000;

function sorted() {
  return [...alerts.values()].sort((a, b) => a.priority - b.priority || Date.parse(a.created_at) - Date.parse(b.created_at));
}

function resident(id) {
  if (!id) return null;
  const r = residents.get(id);
  if (r && !(r instanceof Promise)) return r;
  if (!r) {
    residents.set(id, api.get('/v1/residents/' + encodeURIComponent(id)).then((res) => {
      residents.set(id, res);
      const a = [...alerts.values()].find((x) => x.resident_id === id);
      if (a) renderCard(a.id);
      renderAlarm();
    }).catch(() => residents.set(id, {id, name: id})));
  }
  return null;
}

function onDuty() {
  if (!oncall) return [];
  const seen = new Set(), out = [];
  for (const tier of ['primary', 'backup', 'supervisor']) {
    for (const s of oncall[tier]) {
      if (seen.has(s.id)) continue;
      seen.add(s.id);
      out.push([s.id, s.name + ' (' + t('tier.' + tier) + ')']);
    }
  }
  return out;
}

function draft(id) {
  if (!drafts.has(id)) drafts.set(id, {outcome: 'genuine', note: '', responder: ''});
  return drafts.get(id);
}

async function doAction(call, okKey) {
  const res = await act(call, t(okKey));
  if (res) {
    alerts.set(res.id, res);
    if (res.status === 'resolved') { alerts.delete(res.id); drafts.delete(res.id); timelines.delete(res.id); }
    else if (timelines.has(res.id)) await loadTimeline(res.id);
    renderList();
  }
}

async function loadTimeline(id) {
  const full = await act(() => api.get('/v1/alerts/' + encodeURIComponent(id)));
  if (full) timelines.set(id, full.timeline || []);
}

function actions(a) {
  const d = draft(a.id);
  const out = [];
  if (a.status === 'open') {
    out.push(h('button', {type: 'button', class: 'act-ack', onclick: () => doAction(() => api.post('/v1/alerts/' + encodeURIComponent(a.id) + '/ack', {}), 'alert.done.ack')}, t('alert.ack')));
  }
  if (a.status === 'acknowledged' || a.status === 'open') {
    const people = onDuty();
    if (!d.responder && people.length) d.responder = people[0][0];
    const sel = select(people, d.responder, {class: 'responder', onchange: (e) => { d.responder = e.target.value; }});
    out.push(field(t('alert.responder'), sel).wrap);
    out.push(h('button', {type: 'button', class: 'act-dispatch', disabled: !people.length,
      onclick: () => doAction(() => api.post('/v1/alerts/' + encodeURIComponent(a.id) + '/dispatch', {staff_id: d.responder}), 'alert.done.dispatch')}, t('alert.dispatch')));
  }
  if (a.status === 'dispatched') {
    out.push(h('button', {type: 'button', class: 'act-arrive', onclick: () => doAction(() => api.post('/v1/alerts/' + encodeURIComponent(a.id) + '/arrive', {}), 'alert.done.arrive')}, t('alert.arrive')));
  }
  const outcome = select(OUTCOMES.map((o) => [o, t('outcome.' + o)]), d.outcome, {class: 'outcome', onchange: (e) => { d.outcome = e.target.value; }});
  const note = h('input', {type: 'text', class: 'note', maxlength: 2000, value: d.note, oninput: (e) => { d.note = e.target.value; }});
  out.push(field(t('alert.outcome'), outcome).wrap, field(t('alert.note'), note).wrap);
  out.push(h('button', {type: 'button', class: 'act-resolve danger',
    onclick: () => doAction(() => api.post('/v1/alerts/' + encodeURIComponent(a.id) + '/resolve', {outcome: d.outcome, note: d.note || null}), 'alert.done.resolve')}, t('alert.resolve')));
  return h('div', {class: 'actions'}, out);
}

function elapsedText(a, now) {
  if (a.acked_at) {
    const s = (Date.parse(a.acked_at) - Date.parse(a.created_at)) / 1000;
    return [t('alert.answered', {time: clock(s)}), s <= ANSWER_S ? 'ok' : s <= LATE_S ? 'warn' : 'late'];
  }
  const s = ageS(a.created_at, now);
  return [t('alert.waiting', {time: clock(s)}), s <= ANSWER_S ? 'ok' : s <= LATE_S ? 'warn' : 'late'];
}

function cardFor(a) {
  const r = resident(a.resident_id);
  const [etext, ecls] = elapsedText(a, Date.now());
  const paged = (a.notified || []).map(staffName);
  const body = [
    h('div', {class: 'alert-head'},
      h('span', {class: 'badge p' + a.priority}, 'P' + a.priority),
      h('span', {class: 'kind'}, t('kind.' + a.kind)),
      h('span', {class: 'badge status'}, t('status.' + a.status)),
      h('span', {class: 'muted'}, t('alert.level', {level: a.level})),
      h('span', {class: 'elapsed ' + ecls, 'data-id': a.id}, etext)),
    h('div', {class: 'alert-body'},
      h('div', {class: 'name'}, r ? r.name : (a.resident_id || '—')),
      r && r.address ? h('div', {}, r.address) : null,
      r && r.phone ? h('div', {}, h('a', {href: 'tel:' + r.phone.replace(/[^0-9+]/g, '')}, r.phone)) : null,
      r && r.access_notes ? h('div', {class: 'muted'}, t('alert.access') + ': ' + r.access_notes) : null,
      a.detail ? h('div', {class: 'muted'}, a.detail) : null,
      h('div', {class: 'muted'}, t('alert.raised', {time: fmtHour(a.created_at)}),
        a.count > 1 ? ' · ' + t('alert.count', {count: a.count}) : ''),
      h('div', {class: 'paged'}, t('alert.paged') + ': ' + (paged.length ? paged.join(', ') : t('alert.nobody'))),
      Array.isArray(a.deliveries) && a.deliveries.length ? h('ul', {class: 'plain deliveries'},
        a.deliveries.map((d) => h('li', {}, (d.staff_id ? staffName(d.staff_id) : (d.contact && d.contact.name) || d.to || '') +
          ' · ' + (d.kind || '') + ' · ' + t('delivery.' + d.status)))) : null,
      a.responder_id ? h('div', {}, t('alert.responder') + ': ' + staffName(a.responder_id)) : null,
      a.acked_by ? h('div', {class: 'muted'}, t('alert.acked_by', {name: staffName(a.acked_by)})) : null),
  ];
  if (can('admin', 'coordinator', 'caregiver')) body.push(actions(a));
  const tl = timelines.get(a.id);
  body.push(h('button', {type: 'button', class: 'secondary act-timeline', 'aria-expanded': tl ? 'true' : 'false',
    onclick: async () => {
      if (timelines.has(a.id)) timelines.delete(a.id); else await loadTimeline(a.id);
      renderCard(a.id);
    }}, t('alert.timeline')));
  if (tl) {
    body.push(h('ol', {class: 'timeline'}, tl.map((l) => h('li', {},
      fmtTime(l.ts) + ' · ' + t('action.' + l.action) + ' · ' + actorName(l.actor) + (l.detail ? ' · ' + l.detail : '')))));
  }
  return h('article', {class: 'card alert-card prio-' + a.priority + (ringing(a) ? ' ringing' : ''), 'data-alert': a.id,
    'aria-label': 'P' + a.priority + ' ' + t('kind.' + a.kind) + (r ? ' ' + r.name : '')}, body);
}

function actorName(actor) {
  if (!actor) return '';
  if (actor.startsWith('user:')) return staffName(actor.slice(5));
  if (actor.startsWith('device:')) return t('actor.device', {id: actor.slice(7)});
  return t('actor.system');
}

function renderCard(id) {
  if (!list) return;
  const old = list.querySelector('[data-alert="' + CSS.escape(id) + '"]');
  const a = alerts.get(id);
  if (!a) { if (old) old.remove(); return; }
  const el = cardFor(a);
  if (old) old.replaceWith(el); else list.appendChild(el);
}

function renderList() {
  if (!list) return;
  const keep = new Map([...list.querySelectorAll('[data-alert]')].map((el) => [el.getAttribute('data-alert'), el]));
  const order = sorted();
  for (const a of order) {
    const el = cardFor(a);
    const old = keep.get(a.id);
    if (old) { old.replaceWith(el); keep.delete(a.id); }
    list.appendChild(el);
  }
  for (const el of keep.values()) el.remove();
  for (const e of list.querySelectorAll('.empty')) e.remove();
  if (!order.length) list.appendChild(h('p', {class: 'muted empty'}, t('board.empty')));
  renderAlarm();
}

function renderAlarm() {
  const bar = document.getElementById('alarm');
  const ring = sorted().filter(ringing);
  if (!root || !ring.length) { bar.hidden = true; clear(bar); return; }
  const a = ring[0], r = residents.get(a.resident_id);
  const name = r && !(r instanceof Promise) ? r.name : a.resident_id || '';
  const muted = Date.now() < mutedUntil;
  mount(bar,
    h('span', {}, t('alarm.new', {priority: a.priority, kind: t('kind.' + a.kind), name}) +
      (ring.length > 1 ? ' ' + t('alarm.more', {count: ring.length - 1}) : '')),
    muted ? h('span', {}, t('alarm.muted', {time: fmtHour(new Date(mutedUntil).toISOString())})) : null,
    h('button', {type: 'button', id: 'mute', onclick: () => {
      mutedUntil = muted ? 0 : Date.now() + MUTE_MS;
      renderAlarm();
    }}, muted ? t('alarm.unmute') : t('alarm.mute')));
  bar.hidden = false;
}

function tick() {
  const now = Date.now();
  if (list) {
    for (const el of list.querySelectorAll('.elapsed')) {
      const a = alerts.get(el.getAttribute('data-id'));
      if (!a) continue;
      const [text, cls] = elapsedText(a, now);
      el.textContent = text;
      el.className = 'elapsed ' + cls;
    }
  }
  if (mutedUntil && now >= mutedUntil) { mutedUntil = 0; renderAlarm(); }
}

function ring() {
  if (root && Date.now() >= mutedUntil && sorted().some(ringing)) beep();
}

// Everything active, from the list endpoint: at start and after a drop.
async function reload() {
  const q = ctx.user.site_id ? {status: 'active'} : {status: 'active'};
  try {
    const items = await all((cursor) => api.get('/v1/alerts', {status: q.status, limit: 500, cursor}));
    alerts.clear();
    for (const a of items) alerts.set(a.id, a);
    renderList();
  } catch (e) {
    if (e.status !== 401) toast(t('error.generic'), true);
  }
}

function setStreamState(state) {
  if (!streamState) return;
  streamState.textContent = state === 'up' ? t('board.live') : t('board.reconnecting');
  streamState.className = 'stream-state ' + (state === 'up' ? 'ok' : 'down');
}

function startStream() {
  if (stream) stream.stop();
  stream = alertStream({}, (change) => {
    const a = change.alert;
    if (!a || !a.id) return;
    if (a.status === 'resolved') { alerts.delete(a.id); drafts.delete(a.id); timelines.delete(a.id); }
    else {
      const prev = alerts.get(a.id);
      alerts.set(a.id, Object.assign({}, prev || {}, a));
      if (timelines.has(a.id)) loadTimeline(a.id).then(() => renderCard(a.id));
    }
    renderList();
    if (change.event === 'raised' && ringing(a)) ring();
  }, (state, resumed) => {
    setStreamState(state);
    if (state === 'up' && resumed) reload();
  });
}

function startTimers() {
  clearInterval(ticker);
  clearInterval(ringer);
  ticker = setInterval(tick, 1000);
  ringer = setInterval(ring, 2500);
}

export async function show(view) {
  root = view;
  streamState = h('span', {class: 'stream-state', role: 'status'}, t(stream ? 'board.live' : 'board.connecting'));
  list = h('div', {id: 'alerts', 'aria-live': 'polite'});
  mount(view, h('div', {class: 'row head'}, h('h1', {}, t('board.title')), streamState), list);
  renderList();
  await loadNames(api);
  oncall = await loadOnCall(api);
  if (root !== view) return; // moved on (another view, or this one drawn again) meanwhile
  if (!stream) { reload(); startStream(); }
  renderList();
  startTimers();
}

export function leave() {
  if (stream) stream.stop();
  stream = null;
  clearInterval(ticker);
  clearInterval(ringer);
  root = list = null;
  alerts.clear();
  renderAlarm();
}

export function pause() {
  if (stream) stream.stop();
  stream = null;
  clearInterval(ringer);
}

export function resume() {
  if (!root) return;
  reload();
  startStream();
  startTimers();
}
