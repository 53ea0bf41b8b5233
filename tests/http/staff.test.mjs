// staff.test.mjs — staff accounts (C1) and sign-in throttling (Y2) over
// real HTTP: create, validate, edit, suspend, unlock, delete; forced and
// voluntary password change; lock after five failures, also for unknown
// IDs; the role matrix (editor vs admin) for every staff-account route.
// The administrator signs in once and sets up TOTP (required for admins;
// tests/http/totp.test.mjs covers it), then that session is reused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer, userAdd, runCli } from '../lib/server.mjs';
import { enableTotp } from '../lib/totp.mjs';

let srv;
before(async () => {
  srv = await startServer({ demo: false });
  await userAdd(srv.dataDir, 'chief', 'admin', 'chief-password-1');
  await userAdd(srv.dataDir, 'clerk', 'editor', 'clerk-password-1');
});
after(async () => { await srv.stop(); });
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

// The administrator's client: signed in once, TOTP set up (a code is
// accepted once per 30-second step, so admins do not sign in per test).
let chiefClient;
async function chief() {
  if (chiefClient) return chiefClient;
  const c = client();
  assert.equal((await c.login('chief', 'chief-password-1')).status, 303);
  assert.equal((await c.send('/admin/')).headers.get('location'), '/admin/totp', 'admins set up TOTP first');
  await enableTotp(c);
  return (chiefClient = c);
}

test('an administrator creates a staff account; errors are named per field and input is kept', async () => {
  const c = await chief();
  let res = await c.post('/admin/staff/new', { login: 'a b', display_name: '', role: 'root', password: 'short' });
  assert.equal(res.status, 422);
  const html = await res.text();
  assert.match(html, /<title>エラー：/);
  assert.match(html, /入力内容を確認してください（4件）/);
  assert.match(html, /<a href="#f-login">ログインIDは半角英数字/);
  assert.match(html, /<a href="#f-display_name">氏名（表示名）を入力してください。/);
  assert.match(html, /<a href="#f-role">権限を一覧から選択してください。/);
  assert.match(html, /<a href="#f-password">初期パスワードは8文字以上/);
  assert.match(html, /id="f-login" name="login" value="a b"/, 'input kept');
  assert.match(html, /aria-invalid="true"/);
  assert.doesNotMatch(html, /value="short"/, 'passwords are never sent back');
  res = await c.post('/admin/staff/new', { login: 'clerk', display_name: '重複', role: 'editor', password: 'long-enough-1' });
  assert.match(await res.text(), /このログインIDはすでに使われています/);
  res = await c.post('/admin/staff/new', { login: 'newbie', display_name: '山口 花子', role: 'editor', password: 'initial-pass-1' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/staff/?done=created');
  const list = await (await c.send('/admin/staff/?done=created')).text();
  assert.match(list, /アカウントを作成しました/);
  assert.match(list, /newbie/);
  assert.match(sql("SELECT action||':'||target FROM audit_log WHERE action='staff_create'"), /staff_create:newbie/);
});

test('an initial password must be changed first, with the current one asked for', async () => {
  const c = client();
  assert.equal((await c.login('newbie', 'initial-pass-1')).status, 303);
  let res = await c.send('/admin/');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/password');
  assert.match(await (await c.send('/admin/password')).text(), /初期パスワードでログインしています/);
  res = await c.post('/admin/password', { current: 'wrong', password: 'brand-new-pass', confirm: 'brand-new-pass' });
  assert.equal(res.status, 422);
  assert.match(await res.text(), /現在のパスワードが正しくありません/);
  res = await c.post('/admin/password', { current: 'initial-pass-1', password: 'brand-new-pass', confirm: 'brand-new-pazz' });
  assert.match(await res.text(), /確認用のパスワードが一致しません/);
  const long = 'あ'.repeat(64) + 'x'.repeat(64);
  res = await c.post('/admin/password', { current: 'initial-pass-1', password: long, confirm: long });
  assert.equal(res.status, 303, 'a 128-character Japanese passphrase is accepted');
  assert.equal((await c.send('/admin/')).status, 200);
  const c2 = client();
  assert.equal((await c2.login('newbie', long)).status, 303);
  const tooLong = 'x'.repeat(10000);
  res = await c2.post('/admin/password', { current: long, password: tooLong, confirm: tooLong });
  assert.equal(res.status, 422);
  assert.match(await res.text(), /128文字以内/);
});

test('editors cannot reach staff-account screens; admins can', async () => {
  const rows = (await runCli(['routes'])).stdout.trim().split('\n').map((l) => l.split('\t'));
  const adminOnly = rows.filter((r) => r[3] === 'admin' && r[2].startsWith('/admin/staff/'));
  assert.ok(adminOnly.length >= 7);
  const editor = client();
  await editor.login('clerk', 'clerk-password-1');
  const admin = await chief();
  const id = sql("SELECT id FROM users WHERE login='clerk'");
  for (const [name, methods, pattern] of adminOnly) {
    const p = pattern.replace('{id:int}', id);
    for (const m of methods.split(',')) {
      if (m === 'GET') {
        assert.equal((await editor.send(p)).status, 403, `${name} editor`);
        assert.ok([200].includes((await admin.send(p)).status), `${name} admin`);
      } else {
        const dash = await (await editor.send('/admin/')).text();
        const tok = dash.match(/name="_csrf" value="([^"]+)"/)[1];
        const res = await editor.send(p, { method: 'POST', body: `_csrf=${tok}`, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
        assert.equal(res.status, 403, `${name} editor POST`);
      }
    }
  }
  assert.equal(sql("SELECT count(*) FROM users WHERE login='clerk'"), '1', 'nothing changed by refused POSTs');
});

test('suspending an account signs it out and stops sign-in; the last admin is protected', async () => {
  const admin = await chief();
  const clerk = client();
  await clerk.login('clerk', 'clerk-password-1');
  assert.equal((await clerk.send('/admin/')).status, 200);
  const id = sql("SELECT id FROM users WHERE login='clerk'");
  let res = await admin.post(`/admin/staff/${id}/edit`, { display_name: '事務 太郎', role: 'editor', disabled: '1' }, `/admin/staff/${id}/edit`);
  assert.equal(res.status, 303);
  assert.equal((await clerk.send('/admin/')).status, 303, 'signed out at once');
  assert.equal((await client().login('clerk', 'clerk-password-1')).status, 200, 'cannot sign in while suspended');
  res = await admin.post(`/admin/staff/${id}/edit`, { display_name: '事務 太郎', role: 'editor' }, `/admin/staff/${id}/edit`);
  assert.equal(res.status, 303);
  assert.equal((await client().login('clerk', 'clerk-password-1')).status, 303, 'resumed');
  const me = sql("SELECT id FROM users WHERE login='chief'");
  res = await admin.post(`/admin/staff/${me}/edit`, { display_name: 'チーフ', role: 'editor' }, `/admin/staff/${me}/edit`);
  assert.equal(res.status, 422);
  assert.match(await res.text(), /システム管理者が1人もいなくなる/);
  res = await admin.post(`/admin/staff/${me}/delete`, {}, `/admin/staff/${me}/delete`);
  assert.match(await res.text(), /自分自身のアカウントは削除できません/);
  assert.equal(sql("SELECT count(*) FROM users WHERE login='chief'"), '1');
});

test('five failures lock a login for 30 minutes, unknown IDs alike; staff can unlock', async () => {
  const c = client();
  for (let i = 1; i <= 4; i++) {
    const html = await (await c.login('clerk', `wrong-${i}`)).text();
    assert.match(html, /ログインIDまたはパスワードが正しくありません/);
  }
  let html = await (await c.login('clerk', 'wrong-5')).text();
  assert.match(html, /30分間停止しています/);
  html = await (await c.login('clerk', 'clerk-password-1')).text();
  assert.match(html, /30分間停止しています/, 'even the right password is refused while locked');
  for (let i = 1; i <= 5; i++) await c.login('no-such-user', `x${i}-password`);
  html = await (await c.login('no-such-user', 'anything-1')).text();
  assert.match(html, /30分間停止しています/, 'unknown IDs lock the same way (no enumeration)');
  assert.match(sql("SELECT group_concat(action) FROM audit_log WHERE target='admin' AND actor='clerk'"), /account_locked/);
  const admin = await chief();
  const list = await (await admin.send('/admin/staff/')).text();
  assert.match(list, /ロック中/);
  const id = sql("SELECT id FROM users WHERE login='clerk'");
  const res = await admin.post(`/admin/staff/${id}/unlock`, {}, '/admin/staff/');
  assert.equal(res.status, 303);
  assert.equal((await client().login('clerk', 'clerk-password-1')).status, 303, 'unlocked');
  assert.match(sql("SELECT group_concat(action) FROM audit_log WHERE action='account_unlock'"), /account_unlock/);
});

test('deleting an account needs a confirmation POST and is audited', async () => {
  const admin = await chief();
  const id = sql("SELECT id FROM users WHERE login='newbie'");
  const confirm = await (await admin.send(`/admin/staff/${id}/delete`)).text();
  assert.match(confirm, /削除すると元に戻せません/);
  assert.equal(sql(`SELECT count(*) FROM users WHERE id=${id}`), '1', 'GET changes nothing');
  const res = await admin.post(`/admin/staff/${id}/delete`, {}, `/admin/staff/${id}/delete`);
  assert.equal(res.status, 303);
  assert.equal(sql(`SELECT count(*) FROM users WHERE id=${id}`), '0');
  assert.equal((await runCli(['audit', 'verify', '--data', srv.dataDir])).code, 0);
});
