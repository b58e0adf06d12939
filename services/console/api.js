// The console's only way out: the public REST API (proto/openapi.yaml) and
// its alert stream. Every call names a literal /v1 path, so
// tests/browser/test_console_api.py can check each against the spec.
//
// The stream is read with fetch() and a streaming reader, not EventSource:
// EventSource cannot send the Authorization header, and a bearer token in
// a header needs no cookie and so no CSRF defence (docs/architecture.md).

const TOKEN_KEY = 'carenet-token';
let token = null;
try { token = sessionStorage.getItem(TOKEN_KEY); } catch (e) { token = null; }
let onUnauthorized = () => {};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || String(status));
    this.status = status;
    this.code = code;
  }
}

export function setToken(t) {
  token = t;
  try {
    if (t) sessionStorage.setItem(TOKEN_KEY, t); else sessionStorage.removeItem(TOKEN_KEY);
  } catch (e) { /* storage off: the token lives in memory only */ }
}
export function hasToken() { return Boolean(token); }
export function whenUnauthorized(fn) { onUnauthorized = fn; }

function query(q) {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v != null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? '?' + s : '';
}

async function request(method, path, body, q, want) {
  const headers = {Accept: want === 'text' ? 'text/csv' : 'application/json'};
  if (token) headers.Authorization = 'Bearer ' + token;
  const init = {method, headers, cache: 'no-store'};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path + query(q), init);
  if (res.status === 401 && path !== '/v1/auth/login') {
    setToken(null);
    onUnauthorized();
    throw new ApiError(401, 'unauthorized', 'signed out');
  }
  if (!res.ok) {
    let code = null, message = null;
    try { const e = (await res.json()).error; code = e.code; message = e.message; } catch (e) { /* not JSON */ }
    throw new ApiError(res.status, code, message);
  }
  if (res.status === 204) return null;
  return want === 'text' ? res.text() : res.json();
}

export const api = {
  get: (path, q) => request('GET', path, undefined, q),
  text: (path, q) => request('GET', path, undefined, q, 'text'),
  post: (path, body, q) => request('POST', path, body === undefined ? {} : body, q),
  patch: (path, body) => request('PATCH', path, body),
};

// Every page of a list, up to `max` items.
export async function all(getPage, max = 2000) {
  let items = [], cursor = null;
  do {
    const page = await getPage(cursor);
    items = items.concat(page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Reads the alert stream for as long as it is not stopped: onChange(change)
// for each message, onState('up' | 'down', resumed) when the connection
// opens or drops. After a drop it reconnects with Last-Event-ID (the server
// replays what was missed) and says `resumed` so the caller reloads too.
// Returns {stop()}.
export function alertStream(q, onChange, onState) {
  let stopped = false, ctrl = null, lastId = null;
  async function once(resumed) {
    ctrl = new AbortController();
    const headers = {Accept: 'text/event-stream', Authorization: 'Bearer ' + token};
    if (lastId) headers['Last-Event-ID'] = lastId;
    const res = await fetch('/v1/alerts/stream' + query(q), {headers, signal: ctrl.signal, cache: 'no-store'});
    if (res.status === 401) { setToken(null); stopped = true; onUnauthorized(); return; }
    if (!res.ok || !res.body) throw new ApiError(res.status, null, 'stream');
    onState('up', resumed);
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '', watchdog = null;
    // The server sends a keepalive every 15 s: 40 s of silence is a dead line.
    const kick = () => { clearTimeout(watchdog); watchdog = setTimeout(() => ctrl.abort(), 40000); };
    kick();
    try {
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        kick();
        buf += dec.decode(value, {stream: true}).replace(/\r\n?/g, '\n');
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let id = null, data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('id:')) id = line.slice(3).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trimStart();
          }
          if (id) lastId = id;
          if (data) {
            try { onChange(JSON.parse(data)); } catch (e) { /* a bad message is skipped */ }
          }
        }
      }
    } finally {
      clearTimeout(watchdog);
    }
  }
  (async () => {
    let backoff = 1000, resumed = false;
    while (!stopped) {
      try { await once(resumed); backoff = 1000; } catch (e) { /* dropped: retry below */ }
      if (stopped) break;
      onState('down', false);
      resumed = true;
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 15000);
    }
  })();
  return {stop() { stopped = true; if (ctrl) ctrl.abort(); }};
}
