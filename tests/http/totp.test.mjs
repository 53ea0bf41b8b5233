// totp.test.mjs — the staff second factor (TOTP, RFC 6238) and the
// personal-data keys over real HTTP: set-up with QR code and key, sign-in
// with password then code (a session only after the code), wrong codes
// refused and counted towards the lock, a used code never accepted again,
// administrators forced to set it up (after the forced password change)
// and unable to turn it off; legacy WordPress hashes accepted once and
// replaced by PBKDF2; DIR/keys created 0600/0700 and loose modes refused.
// Codes are computed here with node's crypto (tests/lib/totp.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, userAdd } from '../lib/server.mjs';
import { freshCode, secretFrom, totpCode, stepNow, markUsed } from '../lib/totp.mjs';

let srv;
before(async () => {
  srv = await startServer({ demo: false });
  await userAdd(srv.dataDir, 'kana', 'editor', 'kana-password-1');
  await userAdd(srv.dataDir, 'locky', 'editor', 'locky-password-1');
  await userAdd(srv.dataDir, 'boss', 'admin', 'boss-password-1');
});
after(async () => { await srv?.stop(); });
const sql = (q) => execFileSync('sqlite3', [path.join(srv.dataDir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();

function client() {
  const jar = new Map();
  const send = async (p, opts = {}) => {
    const headers = { ...(opts.headers || {}) };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(srv.url + p, { redirect: 'manual', ...opts, headers });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      if (/Max-Age=0/.test(c)) jar.delete(kv.slice(0, i)); else jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
    return res;
  };
  const csrfOf = async (p) => (await (await send(p)).text()).match(/name="_csrf" value="([^"]+)"/)[1];
  const post = async (p, fields, from = p) => {
    const tok = await csrfOf(from);
    return send(p, { method: 'POST', body: new URLSearchParams({ _csrf: tok, ...fields }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  };
  const login = (l, p) => post('/admin/login', { login: l, password: p, next: '/admin/' });
  return { jar, send, post, login };
}

/** A code that is certainly wrong now (not in the ±1 window). */
const wrongCode = (secret) => totpCode(secret, stepNow() + 5);

async function enable(c) {
  const page = await (await c.send('/admin/totp')).text();
  const secret = secretFrom(page);
  let res = await c.post('/admin/totp', { code: wrongCode(secret) });
  assert.equal(res.status, 422);
  assert.match(await res.text(), /確認コードが正しくありません/);
  res = await c.post('/admin/totp', { code: await freshCode(secret) });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/totp?done=enabled');
  return { secret, page };
}

const secrets = {};

test('an editor sets up TOTP: QR code as inline SVG, key in groups, confirmed by a code', async () => {
  const c = client();
  assert.equal((await c.login('kana', 'kana-password-1')).status, 303);
  assert.equal((await c.send('/admin/')).status, 200, 'editors are not forced');
  const { secret, page } = await enable(c);
  secrets.kana = secret;
  assert.match(page, /<svg role="img" aria-label="[^"]*QRコード"[^>]*viewBox="0 0 \d+ \d+"/);
  assert.match(page, /<path d="(M\d+ \d+h\d+v1h-\d+z)+"/);
  assert.match(page, /id="totp-secret"[^>]*>[A-Z2-7]{4}( [A-Z2-7]{4}){7}</, '32 base32 characters in groups of 4');
  assert.match(page, /autocomplete="one-time-code"/);
  assert.match(await (await c.send('/admin/totp?done=enabled')).text(), /2段階認証を有効にしました/);
  assert.equal(sql("SELECT totp_enabled FROM users WHERE login='kana'"), '1');
  const stored = sql("SELECT totp_secret FROM users WHERE login='kana'");
  assert.match(stored, /^v1:[A-Za-z0-9_-]+$/, 'stored encrypted');
  assert.ok(!stored.includes(secret));
  assert.match(sql("SELECT group_concat(action) FROM audit_log WHERE actor='kana'"), /totp_enable/);
  assert.equal((await c.send('/admin/')).status, 200, 'the renewed session goes on');
});

test('sign-in asks for the code after the password; the session exists only after it', async () => {
  const c = client();
  let res = await c.login('kana', 'kana-password-1');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/login/totp');
  assert.ok(!c.jar.has('cn_sid'), 'no session yet');
  assert.equal((await c.send('/admin/')).status, 303, 'not signed in before the code');
  const form = await (await c.send('/admin/login/totp')).text();
  assert.match(form, /<h1>確認コードの入力<\/h1>/);
  res = await c.post('/admin/login/totp', { code: wrongCode(secrets.kana) });
  assert.equal(res.status, 422);
  assert.match(await res.text(), /確認コードが正しくありません/);
  assert.ok(!c.jar.has('cn_sid'));
  const code = await freshCode(secrets.kana);
  res = await c.post('/admin/login/totp', { code });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/');
  assert.ok(c.jar.has('cn_sid'), 'a new session after the second factor');
  assert.equal((await c.send('/admin/')).status, 200);
  assert.match(sql("SELECT group_concat(action) FROM audit_log WHERE actor='kana'"), /login_totp_failed.*login/);

  // the same code again (replay) is refused, even within its 30 seconds
  const d = client();
  assert.equal((await d.login('kana', 'kana-password-1')).headers.get('location'), '/admin/login/totp');
  res = await d.post('/admin/login/totp', { code });
  assert.equal(res.status, 422, 'a used code is never accepted again');
  assert.ok(!d.jar.has('cn_sid'));
  // the pending step is useless without its cookie
  const e = client();
  assert.equal((await e.send('/admin/login/totp')).headers.get('location'), '/admin/login');
  assert.equal((await e.post('/admin/login/totp', { code: await freshCode(secrets.kana) }, '/admin/login')).status, 303);
  assert.ok(!e.jar.has('cn_sid'));
});

test('five wrong codes lock the login like five wrong passwords', async () => {
  const c = client();
  await c.login('locky', 'locky-password-1');
  const { secret } = await enable(c);
  const b = client();
  assert.equal((await b.login('locky', 'locky-password-1')).headers.get('location'), '/admin/login/totp');
  let html = '';
  for (let i = 0; i < 5; i++) html = await (await b.post('/admin/login/totp', { code: wrongCode(secret) })).text();
  assert.match(html, /30分間停止しています/);
  assert.equal((await b.send('/admin/login/totp')).headers.get('location'), '/admin/login', 'the pending sign-in ended');
  html = await (await client().login('locky', 'locky-password-1')).text();
  assert.match(html, /30分間停止しています/, 'even the right password is refused now');
  assert.match(sql("SELECT group_concat(action) FROM audit_log WHERE actor='locky'"), /account_locked/);
  markUsed(secret, stepNow() + 1);
});

test('an editor can turn TOTP off with a current code; then sign-in needs the password only', async () => {
  await userAdd(srv.dataDir, 'offme', 'editor', 'offme-password-1');
  const c = client();
  await c.login('offme', 'offme-password-1');
  const { secret } = await enable(c);
  const page = await (await c.send('/admin/totp')).text();
  assert.match(page, /2段階認証を無効にする/);
  let res = await c.post('/admin/totp/disable', { code: wrongCode(secret) }, '/admin/totp');
  assert.equal(res.status, 422);
  res = await c.post('/admin/totp/disable', { code: await freshCode(secret) }, '/admin/totp');
  assert.equal(res.status, 303);
  assert.equal(sql("SELECT totp_enabled || ':' || coalesce(totp_secret,'null') FROM users WHERE login='offme'"), '0:null');
  assert.equal((await client().login('offme', 'offme-password-1')).headers.get('location'), '/admin/');
});

test('administrators must set up TOTP (after the forced password change) and cannot turn it off', async () => {
  const c = client();
  sql("UPDATE users SET must_change_pw=1 WHERE login='boss'");
  assert.equal((await c.login('boss', 'boss-password-1')).status, 303);
  assert.equal((await c.send('/admin/')).headers.get('location'), '/admin/password', 'password first');
  assert.equal((await c.send('/admin/totp')).headers.get('location'), '/admin/password');
  let res = await c.post('/admin/password', { current: 'boss-password-1', password: 'boss-password-2', confirm: 'boss-password-2' });
  assert.equal(res.status, 303);
  for (const p of ['/admin/', '/admin/staff/', '/admin/staff/new']) {
    res = await c.send(p);
    assert.equal(res.status, 303, p);
    assert.equal(res.headers.get('location'), '/admin/totp', p);
  }
  assert.equal((await c.send('/admin/password')).status, 200, 'the password screen stays reachable');
  const page = await (await c.send('/admin/totp')).text();
  assert.match(page, /システム管理者は2段階認証の設定が必要です/);
  const secret = secretFrom(page);
  res = await c.post('/admin/totp', { code: await freshCode(secret) });
  assert.equal(res.status, 303);
  assert.equal((await c.send('/admin/staff/')).status, 200, 'free to go once enabled');
  const on = await (await c.send('/admin/totp')).text();
  assert.match(on, /無効にできません/);
  assert.doesNotMatch(on, /action="\/admin\/totp\/disable"/);
  res = await c.post('/admin/totp/disable', { code: await freshCode(secret) }, '/admin/totp');
  assert.equal(res.status, 303, 'sent back to the page that explains why');
  assert.equal(res.headers.get('location'), '/admin/totp');
  assert.equal(sql("SELECT totp_enabled FROM users WHERE login='boss'"), '1', 'nothing changed');
});

test('imported WordPress hashes sign in once and are replaced by PBKDF2', async () => {
  // $P$: the hashcat example (password "hashcat"); $wp$2y$: generated by
  // tests/unit/gen_legacy_vectors.py (WordPress 6.8 scheme)
  const users = [
    ['wp-old', '$P$984478476IagS59wHZvyQMArzfx58u.', 'hashcat'],
    ['wp-new', '$wp$2y$10$ZYXWVUTSRQPONMLKJIHGFeiCsCnegXsWjNN/SjvhsXZWdXXorxdY6', 'ワードプレス-pw-6.8'],
  ];
  for (const [login, hash, pw] of users) {
    sql(`INSERT INTO users(login, display_name, role, pw_hash) VALUES ('${login}', '移行', 'editor', '${hash}')`);
    assert.equal((await client().login(login, 'wrong-password')).status, 200);
    assert.equal(sql(`SELECT pw_hash FROM users WHERE login='${login}'`), hash, 'a failure changes nothing');
    const c = client();
    const res = await c.login(login, pw);
    assert.equal(res.status, 303, login);
    assert.equal((await c.send('/admin/')).status, 200);
    assert.match(sql(`SELECT pw_hash FROM users WHERE login='${login}'`), /^pbkdf2-sha256\$310000\$/);
    assert.match(sql(`SELECT group_concat(action) FROM audit_log WHERE actor='${login}'`), /password_rehash/);
    assert.equal((await client().login(login, pw)).status, 303, 'the new hash verifies the same password');
  }
});

test('DIR/keys: 0700 directory, 0600 key files; a readable key stops the server', async () => {
  const keys = path.join(srv.dataDir, 'keys');
  assert.equal(fs.statSync(keys).mode & 0o777, 0o700);
  for (const f of ['pii.key', 'index.key']) {
    const st = fs.statSync(path.join(keys, f));
    assert.equal(st.mode & 0o777, 0o600, f);
    assert.equal(st.size, 32, f);
  }
  const other = await startServer({ demo: false });
  const key = path.join(other.dataDir, 'keys', 'pii.key');
  await other.stop();
  fs.mkdirSync(other.dataDir, { recursive: true });
  fs.mkdirSync(path.join(other.dataDir, 'keys'), { mode: 0o700 });
  fs.writeFileSync(key, Buffer.alloc(32, 7), { mode: 0o644 });
  await assert.rejects(startServer({ demo: false, dataDir: other.dataDir }), /permissions 644.*chmod 600/s);
  fs.chmodSync(key, 0o600);
  fs.writeFileSync(key, Buffer.alloc(31, 7));
  await assert.rejects(startServer({ demo: false, dataDir: other.dataDir }), /exactly 32 bytes/);
  fs.rmSync(other.dataDir, { recursive: true, force: true });
});
