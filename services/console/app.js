// The console shell: sign-in, the views a role may use, the language
// switch and hash routing (#/board, #/residents/r-1, ...).
import {api, setToken, hasToken, whenUnauthorized} from './api.js';
import {h, mount, field, select} from './dom.js';
import {t, getLang, setLang, languages} from './i18n.js';
import {ctx, toast} from './ctx.js';
import * as board from './board.js';
import * as residents from './residents.js';
import * as devices from './devices.js';
import * as oncall from './oncall.js';
import * as service from './service.js';
import * as reports from './reports.js';
import * as family from './family.js';

const VIEWS = {
  board: {mod: board, roles: ['admin', 'coordinator', 'caregiver']},
  residents: {mod: residents, roles: ['admin', 'coordinator', 'caregiver', 'clinician']},
  devices: {mod: devices, roles: ['admin', 'coordinator', 'caregiver']},
  oncall: {mod: oncall, roles: ['admin', 'coordinator', 'caregiver']},
  service: {mod: service, roles: ['admin', 'coordinator', 'caregiver', 'volunteer']},
  reports: {mod: reports, roles: ['admin', 'coordinator']},
  family: {mod: family, roles: ['family']},
};

const $ = (id) => document.getElementById(id);
let current = null; // {name, mod}

function allowed() {
  return Object.keys(VIEWS).filter((v) => ctx.user && VIEWS[v].roles.includes(ctx.user.role));
}

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return {name: parts[0] || '', args: parts.slice(1)};
}

function renderTools() {
  const langSel = select(languages, getLang(), {id: 'lang',
    onchange: (e) => { setLang(e.target.value); renderAll(); }});
  const items = [h('label', {for: 'lang'}, t('nav.language')), langSel];
  if (ctx.user) {
    items.push(h('span', {class: 'who'}, ctx.user.name + ' · ' + t('role.' + ctx.user.role)));
    items.push(h('button', {type: 'button', class: 'secondary', id: 'logout', onclick: logout}, t('nav.logout')));
  }
  mount($('tools'), items);
}

function renderNav() {
  const nav = $('nav');
  if (!ctx.user) { nav.hidden = true; return; }
  nav.hidden = false;
  nav.setAttribute('aria-label', t('nav.label'));
  const {name} = parseHash();
  mount(nav, allowed().map((v) => h('a', {href: '#/' + v, 'aria-current': v === name ? 'page' : null}, t('nav.' + v))));
}

// Each rendering of a view gets a fresh element: a view still loading when
// the user moves on writes into a detached one, never over the next view.
function container() {
  const div = h('div', {class: 'view'});
  mount($('view'), div);
  return div;
}

function route() {
  if (!ctx.user) return;
  const views = allowed();
  let {name, args} = parseHash();
  if (!views.length) {
    // A role with no console view (a district officer reads reports
    // through the API): say so instead of redirecting for ever.
    renderNav();
    $('view').hidden = false;
    mount(container(), h('h1', {}, t('app.title')), h('p', {id: 'no-views'}, t('app.no_views')));
    return;
  }
  if (!views.includes(name)) {
    location.replace('#/' + views[0]);
    return;
  }
  renderNav();
  $('view').hidden = false;
  if (current && current.name !== name && current.mod.leave) current.mod.leave();
  current = {name, mod: VIEWS[name].mod};
  current.mod.show(container(), args);
}

// Re-renders everything in the current language.
function renderAll() {
  document.title = t('app.title');
  toast(''); // a message in the old language goes
  renderTools();
  if (!$('signin').hidden) renderSignin();
  renderNav();
  if (ctx.user && current) current.mod.show(container(), parseHash().args);
}

let signinDraft = {username: '', password: ''};
function renderSignin(message) {
  const box = $('signin');
  const user = h('input', {type: 'text', name: 'username', autocomplete: 'username', required: true,
    value: signinDraft.username, oninput: (e) => { signinDraft.username = e.target.value; }});
  const pass = h('input', {type: 'password', name: 'password', autocomplete: 'current-password', required: true,
    value: signinDraft.password, oninput: (e) => { signinDraft.password = e.target.value; }});
  const err = h('p', {class: 'error-text', id: 'signin-error', role: 'alert'}, message || '');
  const form = h('form', {class: 'card signin-box', id: 'signin-form', 'aria-labelledby': 'signin-title'},
    h('h1', {id: 'signin-title'}, t('signin.title')),
    field(t('signin.username'), user).wrap,
    field(t('signin.password'), pass).wrap,
    err,
    h('button', {type: 'submit', id: 'signin-button'}, t('signin.button')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    try {
      const res = await api.post('/v1/auth/login', {username: user.value, password: pass.value});
      const before = ctx.user;
      setToken(res.token);
      ctx.user = res.user;
      signinDraft.password = '';
      box.hidden = true;
      renderTools();
      // Signed in again as the same person: the page and what was typed
      // in it are still there; only the live parts restart.
      if (before && before.id === res.user.id && current) {
        $('view').hidden = false;
        renderNav();
        if (current.mod.resume) current.mod.resume();
      } else {
        current = null;
        route();
      }
    } catch (ex) {
      err.textContent = ex.status === 401 ? t('signin.bad') : ex.status === 429 ? t('signin.throttled') : t('error.generic');
    }
  });
  mount(box, form);
  box.hidden = false;
  (signinDraft.username ? pass : user).focus();
}

// A 401 anywhere: the view stays in the page, hidden, with whatever was
// typed in it; the sign-in form goes on top.
function expired() {
  if (current && current.mod.pause) current.mod.pause();
  $('view').hidden = true;
  $('nav').hidden = true;
  if (ctx.user) signinDraft.username = ctx.user.username || signinDraft.username;
  renderSignin(t('signin.expired'));
}

async function logout() {
  try { await api.post('/v1/auth/logout'); } catch (e) { /* gone already */ }
  if (current && current.mod.leave) current.mod.leave();
  current = null;
  setToken(null);
  ctx.user = null;
  ctx.names.clear();
  mount($('view'));
  $('view').hidden = true;
  signinDraft = {username: '', password: ''};
  renderTools();
  renderNav();
  renderSignin();
}

async function boot() {
  setLang(getLang());
  document.title = t('app.title');
  whenUnauthorized(expired);
  ctx.rerender = () => { if (current) current.mod.show(container(), parseHash().args); };
  window.addEventListener('hashchange', route);
  if (hasToken()) {
    try {
      ctx.user = await api.get('/v1/me');
    } catch (e) {
      ctx.user = null;
      if (e.status !== 401) toast(t('error.generic'), true);
    }
  }
  renderTools();
  if (ctx.user) route(); else renderSignin();
}

boot();
