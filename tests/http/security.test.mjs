// security.test.mjs — sessions, CSRF, Origin checks, authorisation from the
// route table, no-store on personal pages, the audit chain (issue 2 §6, §9;
// REQUIREMENTS Y1 items on CSRF, session management, access control).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer, userAdd, runCli } from '../lib/server.mjs';

let srv;
const PW = 'a-long-staff-password';
before(async () => {
  srv = await startServer();
  await userAdd(srv.dataDir, 'editor1', 'editor', PW);
});
after(async () => { await srv.stop(); });

const db = () => path.join(srv.dataDir, 'civicnet.db');
const sql = (q) => execFileSync('sqlite3', [db(), q], { encoding: 'utf8' }).trim();

// A tiny cookie jar over fetch.
function client() {
  const jar = new Map();
  const send = async (p, opts = {}) => {
    const headers = { ...(opts.headers || {}) };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(srv.url + p, { redirect: 'manual', ...opts, headers });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      const k = kv.slice(0, i), v = kv.slice(i + 1);
      if (/Max-Age=0/.test(c)) jar.delete(k); else jar.set(k, v);
    }
    return res;
  };
  return { jar, send };
}

async function loginForm(c, next = '') {
  const html = await (await c.send('/admin/login' + next)).text();
  return html.match(/name="_csrf" value="([^"]+)"/)[1];
}

function form(fields) {
  return { method: 'POST', body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } };
}

async function login(c, password = PW) {
  const tok = await loginForm(c);
  return c.send('/admin/login', form({ _csrf: tok, login: 'editor1', password, next: '/admin/' }));
}

test('staff sign-in: success gives a fresh HttpOnly session cookie and the dashboard', async () => {
  const c = client();
  c.jar.set('cn_sid', 'A'.repeat(43)); // an attacker-chosen ID (fixation)
  const res = await login(c);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/');
  const cookie = res.headers.getSetCookie().find((x) => x.startsWith('cn_sid='));
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  assert.notEqual(c.jar.get('cn_sid'), 'A'.repeat(43), 'session fixation: a new ID is issued');
  assert.equal(c.jar.get('cn_sid').length, 43, '256-bit random ID');
  const dash = await c.send('/admin/');
  assert.equal(dash.status, 200);
  assert.match(dash.headers.get('cache-control'), /no-store/);
  const html = await dash.text();
  assert.match(html, /ダッシュボード/);
  assert.match(html, /editor1 さん（ログイン中）/);
  // the database holds only a hash of the ID
  assert.equal(sql(`SELECT count(*) FROM sessions WHERE id_hash='${c.jar.get('cn_sid')}'`), '0');
});

test('staff sign-in: one generic message for a wrong password or unknown login, input kept', async () => {
  const c = client();
  const res = await login(c, 'wrong-password');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /ログインIDまたはパスワードが正しくありません。/);
  assert.match(html, /value="editor1"/, 'login ID kept');
  assert.doesNotMatch(html, /wrong-password/, 'password never echoed');
  const c2 = client();
  const tok = await loginForm(c2);
  const res2 = await c2.send('/admin/login', form({ _csrf: tok, login: 'nobody', password: 'whatever1', next: '/' }));
  assert.match(await res2.text(), /ログインIDまたはパスワードが正しくありません。/);
});

test('CSRF: POST without a token, with a wrong token, or another visitor\'s token is refused', async () => {
  const c = client();
  await loginForm(c);
  let res = await c.send('/admin/login', form({ login: 'editor1', password: PW }));
  assert.equal(res.status, 403);
  assert.match(await res.text(), /権限がありません/);
  res = await c.send('/admin/login', form({ _csrf: 'x'.repeat(43), login: 'editor1', password: PW }));
  assert.equal(res.status, 403);
  const other = client();
  const stolen = await loginForm(other);
  res = await c.send('/admin/login', form({ _csrf: stolen, login: 'editor1', password: PW }));
  assert.equal(res.status, 403, 'tokens are bound to the visitor');
});

test('CSRF: a cross-site Origin is refused even with a valid token', async () => {
  const c = client();
  const tok = await loginForm(c);
  const f = form({ _csrf: tok, login: 'editor1', password: PW });
  f.headers.origin = 'https://evil.example';
  assert.equal((await c.send('/admin/login', f)).status, 403);
  delete f.headers.origin;
  assert.equal((await c.send('/admin/login', f)).status, 403, 'no Origin and no Referer');
  f.headers.referer = srv.url + '/admin/login';
  assert.equal((await c.send('/admin/login', f)).status, 303, 'same-site Referer accepted');
});

test('logout deletes the session; the old cookie no longer works', async () => {
  const c = client();
  await login(c);
  const sid = c.jar.get('cn_sid');
  const dash = await (await c.send('/admin/')).text();
  const tok = dash.match(/name="_csrf" value="([^"]+)"/)[1];
  const res = await c.send('/admin/logout', form({ _csrf: tok }));
  assert.equal(res.status, 303);
  const replay = await fetch(srv.url + '/admin/', { redirect: 'manual', headers: { cookie: `cn_sid=${sid}` } });
  assert.equal(replay.status, 303, 'replayed cookie is anonymous');
});

test('idle sessions expire after 30 minutes', async () => {
  const c = client();
  await login(c);
  assert.equal((await c.send('/admin/')).status, 200);
  sql(`UPDATE sessions SET last_seen = last_seen - 31*60`);
  assert.equal((await c.send('/admin/')).status, 303);
});

test('authorisation matrix: every route above anonymous refuses anonymous visitors', async () => {
  const rows = (await runCli(['routes'])).stdout.trim().split('\n').map((l) => l.split('\t'));
  const guarded = rows.filter((r) => r[3] !== 'anonymous');
  assert.ok(guarded.length >= 2);
  for (const [name, methods, pattern] of guarded) {
    const p = pattern.replace(/\{[^}]+:int\}/g, '1').replace(/\{[^}]+\}/g, 'x');
    for (const m of methods.split(',')) {
      const res = await fetch(srv.url + p, { method: m, redirect: 'manual', headers: { origin: srv.url } });
      if (m === 'GET') {
        assert.equal(res.status, 303, `${name} GET`);
        assert.match(res.headers.get('location'), /\/login\?next=/, `${name} to login`);
      } else {
        assert.equal(res.status, 403, `${name} ${m}`);
      }
    }
  }
});

test('the audit log records sign-ins and failures and verifies', async () => {
  const n = Number(sql("SELECT count(*) FROM audit_log WHERE action IN ('login','login_failed')"));
  assert.ok(n >= 3, 'logins and failures recorded');
  assert.match(sql("SELECT group_concat(DISTINCT actor) FROM audit_log WHERE action='login'"), /editor1/);
  let r = await runCli(['audit', 'verify', '--data', srv.dataDir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /chain intact/);
});

test('audit verify detects a changed row and a removed last row', async () => {
  const copy = path.join(srv.dataDir, 'tamper');
  execFileSync('mkdir', ['-p', copy]);
  execFileSync('sqlite3', [db(), `VACUUM INTO '${copy}/civicnet.db'`]);
  const t = (q) => execFileSync('sqlite3', [path.join(copy, 'civicnet.db'), q], { stdio: 'pipe' });
  assert.throws(() => t("UPDATE audit_log SET actor='x' WHERE id=1"), /append-only/, 'trigger blocks updates');
  t("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor='someone-else' WHERE id=1");
  let r = await runCli(['audit', 'verify', '--data', copy]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /row 1: content was changed/);
  t("UPDATE audit_log SET actor=(SELECT actor FROM audit_log WHERE id=2) WHERE id=1"); // still broken
  execFileSync('sqlite3', [db(), `VACUUM INTO '${copy}/b.db'`]);
  const t2 = (q) => execFileSync('sqlite3', [path.join(copy, 'b.db'), q]);
  t2("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id=(SELECT max(id) FROM audit_log)");
  execFileSync('mv', [path.join(copy, 'b.db'), path.join(copy, 'civicnet.db')]);
  r = await runCli(['audit', 'verify', '--data', copy]);
  assert.equal(r.code, 1, 'truncation detected');
  assert.match(r.stdout, /ends at row/);
});

test('access log: one line per request, no query values', async () => {
  await fetch(srv.url + '/news/?page=2&secret_token=hunter2');
  const { readFileSync } = await import('node:fs');
  // the log is buffered and flushed every second: poll for the line
  let log = '', line;
  for (let i = 0; i < 100 && !line; i++) {
    await new Promise((r) => setTimeout(r, 100));
    log = readFileSync(path.join(srv.dataDir, 'access.log'), 'utf8');
    line = log.trim().split('\n').reverse().find((l) => l.includes('/news/?'));
  }
  assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ 127\.0\.0\.1 GET \/news\/\?page&secret_token 200 \d+ [\d.]+ms$/);
  assert.doesNotMatch(log, /hunter2/);
});
