// authz.test.mjs — the authorisation matrix (REQUIREMENTS Y4, IPA 8):
// every route of the route table is requested as every role (anonymous,
// member, editor, admin) and the outcome must match the role × screen
// matrix; the committed docs/権限マトリックス.md must equal the matrix the
// server prints, so the written document cannot drift from the code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, runCli, REPO_ROOT } from '../lib/server.mjs';

const ORDER = ['anonymous', 'member', 'editor', 'admin'];
let srv, routes, secret;
const sessions = {};

before(async () => {
  srv = await startServer();
  routes = (await runCli(['routes'])).stdout.trim().split('\n').map((l) => {
    const [name, methods, pattern, role, csrf] = l.split('\t');
    return { name, methods: methods.split(','), pattern, role, csrf: csrf === '1' };
  });
  secret = fs.readFileSync(path.join(srv.dataDir, 'secret.key'));
});
after(async () => { await srv.stop(); });

// .timeout: wait for the server's own writes (sessions) instead of failing with "database is locked"
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();

// A signed-in session for a role, made the way the server stores one:
// the cookie value's SHA-256 in sessions, a users row with that role.
function sessionFor(role) {
  const sid = crypto.randomBytes(32).toString('base64url');
  const login = `authz-${role}-${crypto.randomBytes(4).toString('hex')}`;
  sql(`INSERT INTO users(login, display_name, role, pw_hash) VALUES ('${login}', '${login}', '${role}', 'x')`);
  const uid = sql(`SELECT id FROM users WHERE login='${login}'`);
  const hash = crypto.createHash('sha256').update(sid).digest('hex');
  sql(`INSERT INTO sessions(id_hash, user_id, created_at, last_seen) VALUES ('${hash}', ${uid}, strftime('%s','now'), strftime('%s','now'))`);
  const csrf = crypto.createHmac('sha256', secret).update('csrf:' + sid).digest('base64url');
  return { cookie: `cn_sid=${sid}`, csrf };
}

// Ids that exist nowhere, so allowed POSTs never change real data.
const concrete = (pattern) => pattern.replace(/\{[^}:]+:int\}/g, '999999').replace(/\{[^}:]+:slug\}/g, 'no-such-slug')
  .replace(/\{[^}:]+:path\}/g, 'css/site.css');

async function call(method, p, role) {
  const headers = { origin: srv.url };
  let body;
  if (role !== 'anonymous') {
    sessions[role] = sessionFor(role); // fresh: some POSTs (logout) end it
    headers.cookie = sessions[role].cookie;
  } else {
    // an anonymous visitor's token is bound to the cn_csrf cookie
    const seed = crypto.randomBytes(16).toString('base64url');
    headers.cookie = `cn_csrf=${seed}`;
    sessions.anonymous = { csrf: crypto.createHmac('sha256', secret).update('csrf:' + seed).digest('base64url') };
  }
  if (method === 'POST') {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = `_csrf=${sessions[role].csrf}`;
  }
  const res = await fetch(srv.url + p, { method, headers, body, redirect: 'manual' });
  await res.arrayBuffer();
  return res;
}

test('the written matrix equals the route table (run `make docs` after changing routes)', async () => {
  const printed = (await runCli(['routes', '--matrix'])).stdout;
  const committed = fs.readFileSync(path.join(REPO_ROOT, 'docs', '権限マトリックス.md'), 'utf8');
  assert.equal(committed, printed);
});

test('every route as every role matches the matrix', async () => {
  const failures = [];
  for (const r of routes) {
    for (const method of r.methods) {
      for (const role of ORDER) {
        const allowed = ORDER.indexOf(role) >= ORDER.indexOf(r.role);
        const p = concrete(r.pattern);
        const res = await call(method, p, role);
        const loc = res.headers.get('location') || '';
        const toLogin = res.status === 303 && /\/login\?next=/.test(loc);
        let ok;
        if (allowed) ok = res.status !== 403 && !toLogin && res.status < 500;
        else if (role === 'anonymous') ok = method === 'GET' ? toLogin : res.status === 403;
        else ok = res.status === 403;
        if (!ok) failures.push(`${method} ${p} as ${role}: ${res.status} ${loc} (matrix: ${allowed ? '○' : '×'})`);
      }
    }
  }
  assert.deepEqual(failures, []);
});

test('refusals are explained in Japanese, inside the layout', async () => {
  const staffOnly = routes.find((r) => r.role === 'admin' && r.methods.includes('GET'));
  const res = await call('GET', concrete(staffOnly.pattern), 'editor');
  assert.equal(res.status, 403);
  const again = await fetch(srv.url + concrete(staffOnly.pattern), { headers: { cookie: sessions.editor.cookie } });
  const html = await again.text();
  assert.match(html, /このページを表示する権限がありません/);
  assert.match(html, /<nav class="global-nav"/);
});

// RFC 8058 one-click unsubscribe: a mail program POSTs
// "List-Unsubscribe=One-Click" with no cookie and no token, so this one
// route cannot carry CSRF protection; the random per-subscriber key in the
// URL is its authorisation (tested below and in aika_public.test.mjs).
// RFC 8058 one-click unsubscribe: mail programs POST without a token; the key in the URL authorises
const NO_CSRF = new Set(['aika.newsletter.unsubscribe.post', 'supernet.mailmag.unsubscribe.post']);

test('the one route without CSRF (RFC 8058 unsubscribe) does nothing without its key', async () => {
  for (const r of routes.filter((x) => NO_CSRF.has(x.name))) {
    for (const q of ['', '?k=', '?k=' + 'a'.repeat(64)]) {
      const res = await fetch(srv.url + concrete(r.pattern) + q, {
        method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      await res.arrayBuffer();
      assert.ok(res.status >= 400 && res.status < 500, `${r.name}${q}: ${res.status}`);
    }
  }
});

test('every form that changes something refuses a POST without a valid CSRF token or from another site', async () => {
  const failures = [];
  for (const r of routes.filter((x) => x.methods.includes('POST') && !NO_CSRF.has(x.name))) {
    assert.ok(r.csrf, `${r.name}: every POST route is declared with CSRF protection`);
    const role = r.role === 'anonymous' ? 'member' : r.role; // any role allowed to use it
    const p = concrete(r.pattern);
    for (const [why, token, origin] of [['no token', '', srv.url], ['forged token', 'A'.repeat(43), srv.url],
      ['cross-site origin', null, 'https://evil.example']]) {
      const s = sessionFor(role);
      const res = await fetch(srv.url + p, {
        method: 'POST', redirect: 'manual',
        headers: { cookie: s.cookie, origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: `_csrf=${token ?? s.csrf}`,
      });
      await res.arrayBuffer();
      if (res.status !== 403) failures.push(`${r.name} (${why}) as ${role}: ${res.status}`);
    }
  }
  assert.deepEqual(failures, []);
});
