// admin_members.test.mjs — staff screens for Aika member accounts (C1, Y5,
// 別記2 3.3.6) over real HTTP with a real SMTP server: members are made by
// the real sign-up + verification flow; an editor lists, filters and opens
// a member (registered data decrypted), suspends it (its session ends,
// sign-in fails), resumes it, unlocks it after five failures; an editor
// cannot delete (403); an administrator deletes through a confirmation
// page (rows gone, the address can register again and gets its mails,
// audit chain intact, no personal data in the audit log).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer, userAdd, runCli } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';
import { enableTotp } from '../lib/totp.mjs';

let srv, sink;
after(async () => { await srv?.stop(); await sink?.stop?.(); await sink?.dispose?.(); });
const sql = (q) => execFileSync('sqlite3', [path.join(srv.dataDir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function client() {
  const jar = new Map();
  const send = async (p, opts = {}) => {
    const headers = { ...(opts.headers || {}) };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(p.startsWith('http') ? p : srv.url + p, { redirect: 'manual', ...opts, headers });
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
  const memberLogin = (l, p) => post('/aikasanet/login', { login: l, password: p, next: '/aikasanet/mypage/' });
  const staffLogin = (l, p) => post('/admin/login', { login: l, password: p, next: '/admin/' });
  return { jar, send, post, memberLogin, staffLogin };
}

async function mailsTo(to, n = 1, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const got = sink.messages().filter((m) => m.to.includes(to));
    if (got.length >= n) return got;
    if (Date.now() > deadline) assert.fail(`expected ${n} mail(s) to ${to}, got ${got.length}`);
    await sleep(100);
  }
}
const linkIn = (m) => m.body.match(/http:\/\/127\.0\.0\.1:\d+(\/aikasanet\/[^\s]+)/)[1];

const PERSON = (login, email) => ({
  login, password: 'Passw0rd-long', confirm: 'Passw0rd-long', person_name: '周南 ひかり',
  person_kana: 'しゅうなん ひかり', prefecture: '山口県', municipality: '周南市', phone: '0834-00-0000',
  email, gender: 'female', birth_date: '1988-06-15',
});
const GROUP = (login, email) => ({
  login, password: 'Passw0rd-long', confirm: 'Passw0rd-long', org_type: '任意団体', org_name: '防府みどりの会',
  org_kana: 'ほうふみどりのかい', representative: '防府 太郎', rep_title: '代表', prefecture: '山口県',
  municipality: '防府市', phone: '0835-00-0000', email, req_1: '1', req_2: '1', req_3: '1', req_4: '1',
});

/** The real sign-up (kind → terms → form) and the mailed verification link;
 *  n is how many mails to `email` have arrived once the link is in. */
async function signUp(kind, fields, n = 1) {
  const c = client();
  assert.equal((await c.post('/aikasanet/signup', { kind })).status, 303);
  assert.equal((await c.post('/aikasanet/signup/terms', {})).status, 303);
  const res = await c.post('/aikasanet/signup/form', fields);
  assert.equal(res.status, 303, await res.text());
  const mails = await mailsTo(fields.email, n);
  const link = linkIn(mails[n - 1]);
  const v = client();
  const done = await v.post(link.replace(/\?.*/, ''), { token: link.split('token=')[1] }, link);
  assert.equal(done.status, 303);
  return sql(`SELECT m.id FROM members m JOIN users u ON u.id=m.user_id WHERE u.login='${fields.login}'`);
}

let hikari, midori, editorClient, adminClient;
before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ demo: false, env: { CIVICNET_SMTP: sink.url } });
  await userAdd(srv.dataDir, 'boss', 'admin', 'boss-password-1');
  await userAdd(srv.dataDir, 'clerk', 'editor', 'clerk-password-1');
  hikari = await signUp('individual', PERSON('hikari', 'hikari@example.jp'));
  midori = await signUp('group', GROUP('midori', 'midori@example.jp'));
  editorClient = client();
  assert.equal((await editorClient.staffLogin('clerk', 'clerk-password-1')).status, 303);
  adminClient = client();
  assert.equal((await adminClient.staffLogin('boss', 'boss-password-1')).status, 303);
  await enableTotp(adminClient);
});

test('the list is for staff, shows no personal data, and filters by kind and status', async () => {
  assert.equal((await client().send('/admin/members/')).status, 303, 'anonymous: to the sign-in');
  const m = client();
  assert.equal((await m.memberLogin('hikari', 'Passw0rd-long')).status, 303);
  assert.equal((await m.send('/admin/members/')).status, 403, 'members cannot see it');
  const dash = await (await editorClient.send('/admin/')).text();
  assert.match(dash, /<a href="\/admin\/members\/"[^>]*>会員（あいかさねっと）<\/a>/, 'in the admin navigation for editors');
  let html = await (await editorClient.send('/admin/members/')).text();
  assert.match(html, /hikari/);
  assert.match(html, /midori/);
  assert.match(html, /防府みどりの会/);
  // verified, details not yet entered: 下書 (the 詳細登録 moves it to 仮登録)
  assert.match(html, /<td>個人<\/td>\s*<td><span class="state state-draft">下書<\/span><\/td>/);
  assert.match(html, /全2件中 1〜2件を表示/);
  assert.doesNotMatch(html, /hikari@example|周南 ひかり|0834|1988/, 'no personal data in the list');
  html = await (await editorClient.send('/admin/members/?kind=group')).text();
  assert.match(html, /midori/);
  assert.doesNotMatch(html, /hikari/);
  assert.match(html, /<option value="group" selected>団体<\/option>/, 'the filter is kept');
  html = await (await editorClient.send('/admin/members/?status=published')).text();
  assert.match(html, /条件に合う会員はありません/);
  html = await (await editorClient.send('/admin/members/?status=draft&kind=individual')).text();
  assert.match(html, /hikari/);
  assert.doesNotMatch(html, /midori/);
  html = await (await editorClient.send('/admin/members/?kind=%3Cscript%3E&status=zzz')).text();
  assert.match(html, /全2件中/, 'unknown filter values mean no filter');
  assert.equal((await editorClient.send('/admin/members/?page=9')).status, 404);
});

test('the list pages by 50 and the pager keeps the filter', async () => {
  const users = [];
  for (let i = 0; i < 55; i++) users.push(`('bulk${i}','','member','x')`);
  sql(`INSERT INTO users(login, display_name, role, pw_hash) VALUES ${users.join(',')};
       INSERT INTO members(kind, display_name, status, user_id)
         SELECT 'company', 'バルク' || id, 'published', id FROM users WHERE login LIKE 'bulk%';`);
  try {
    let html = await (await editorClient.send('/admin/members/?kind=company')).text();
    assert.match(html, /全55件中 1〜50件を表示/);
    assert.equal((html.match(/<tr>/g) || []).length, 51, '50 rows and the header');
    assert.match(html, /href="\/admin\/members\/\?kind=company&amp;page=2" rel="next"/);
    html = await (await editorClient.send('/admin/members/?kind=company&page=2')).text();
    assert.match(html, /全55件中 51〜55件を表示/);
    assert.match(html, /2 \/ 2 ページ/);
  } finally {
    sql("DELETE FROM members WHERE kind='company'; DELETE FROM users WHERE login LIKE 'bulk%';");
  }
});

test('the detail shows the registered data decrypted and the sign-in state; unknown ids are 404', async () => {
  const html = await (await editorClient.send(`/admin/members/${hikari}`)).text();
  assert.match(html, /hikari@example\.jp/);
  assert.match(html, /周南 ひかり/);
  assert.match(html, /0834-00-0000/);
  assert.match(html, /1988-06-15/);
  assert.match(html, /利用できます/);
  assert.match(html, /一時利用停止する/);
  assert.match(html, /会員の削除はシステム管理者が行います/, 'editors are told deletion is for admins');
  assert.doesNotMatch(html, /\/delete"/);
  const admin = await (await adminClient.send(`/admin/members/${hikari}`)).text();
  assert.match(admin, new RegExp(`href="/admin/members/${hikari}/delete"`));
  assert.equal((await editorClient.send('/admin/members/999999')).status, 404);
  assert.equal((await adminClient.send('/admin/members/999999/delete')).status, 404);
});

test('suspending ends the member\'s session and stops sign-in; resuming lets it in again', async () => {
  const m = client();
  assert.equal((await m.memberLogin('hikari', 'Passw0rd-long')).status, 303);
  assert.equal((await m.send('/aikasanet/mypage/')).status, 200);
  let res = await editorClient.post(`/admin/members/${hikari}/suspend`, {}, `/admin/members/${hikari}`);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/admin/members/${hikari}?done=suspended`);
  const html = await (await editorClient.send(res.headers.get('location'))).text();
  assert.match(html, /一時利用停止にしました/);
  assert.match(html, /一時利用停止中/);
  assert.match(html, /利用を再開する/);
  assert.equal(sql(`SELECT count(*) FROM sessions WHERE user_id=(SELECT user_id FROM members WHERE id=${hikari})`), '0');
  res = await m.send('/aikasanet/mypage/');
  assert.equal(res.status, 303, 'the session is gone');
  assert.match(res.headers.get('location'), /\/aikasanet\/login/);
  res = await client().memberLogin('hikari', 'Passw0rd-long');
  assert.equal(res.status, 200);
  assert.match(await res.text(), /ログインIDまたはパスワードが正しくありません/, 'the generic message');
  assert.match(await (await editorClient.send('/admin/members/')).text(), /一時利用停止中/);
  res = await editorClient.post(`/admin/members/${hikari}/resume`, {}, `/admin/members/${hikari}`);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/admin/members/${hikari}?done=resumed`);
  assert.equal((await client().memberLogin('hikari', 'Passw0rd-long')).status, 303, 'signs in again');
  const audit = sql("SELECT actor||' '||action||' '||target||' ['||detail||']' FROM audit_log WHERE action IN ('member_suspend','member_resume') ORDER BY id");
  assert.equal(audit, `clerk member_suspend member:${hikari} []\nclerk member_resume member:${hikari} []`);
});

test('five failures lock a member; an editor sees ロック中 and unlocks it', async () => {
  const c = client();
  for (let i = 1; i <= 5; i++) await c.memberLogin('midori', `wrong-password-${i}`);
  let res = await c.memberLogin('midori', 'Passw0rd-long');
  assert.match(await res.text(), /30分間停止しています/);
  assert.match(await (await editorClient.send('/admin/members/')).text(), /ロック中/);
  const detail = await (await editorClient.send(`/admin/members/${midori}`)).text();
  assert.match(detail, /ロック中（/);
  res = await editorClient.post(`/admin/members/${midori}/unlock`, {}, `/admin/members/${midori}`);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/admin/members/${midori}?done=unlocked`);
  assert.match(await (await editorClient.send(res.headers.get('location'))).text(), /ロックを解除しました/);
  assert.equal((await client().memberLogin('midori', 'Passw0rd-long')).status, 303, 'unlocked');
  assert.equal(sql(`SELECT actor||' '||target FROM audit_log WHERE action='member_unlock'`), `clerk member:${midori}`);
});

test('editors cannot delete; every action needs the CSRF token', async () => {
  assert.equal((await editorClient.send(`/admin/members/${hikari}/delete`)).status, 403);
  const tok = (await (await editorClient.send(`/admin/members/${hikari}`)).text()).match(/name="_csrf" value="([^"]+)"/)[1];
  const form = (body) => ({ method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  assert.equal((await editorClient.send(`/admin/members/${hikari}/delete`, form(`_csrf=${tok}`))).status, 403);
  assert.equal((await editorClient.send(`/admin/members/${hikari}/suspend`, form('_csrf=forged'))).status, 403);
  assert.equal((await adminClient.send(`/admin/members/${hikari}/delete`, form('_csrf=forged'))).status, 403);
  assert.equal(sql(`SELECT count(*)||'/'||(SELECT disabled FROM users WHERE login='hikari') FROM members WHERE id=${hikari}`), '1/0');
});

test('an administrator deletes a member: confirmation first, rows gone, the address can register again', async () => {
  const uid = sql(`SELECT user_id FROM members WHERE id=${midori}`);
  sql(`INSERT INTO recruitments(member_id, title, status, published_at) VALUES (${midori}, '清掃ボランティア', 'published', '2026-01-01T00:00:00Z')`);
  await mailsTo('midori@example.jp', 2); // verification and 仮登録 mails delivered
  const m = client();
  assert.equal((await m.memberLogin('midori', 'Passw0rd-long')).status, 303);
  const confirm = await (await adminClient.send(`/admin/members/${midori}/delete`)).text();
  assert.match(confirm, /元に戻せません/);
  assert.match(confirm, /この会員の募集<\/dt><dd>1件/);
  assert.equal(sql(`SELECT count(*) FROM members WHERE id=${midori}`), '1', 'GET changes nothing');
  const res = await adminClient.post(`/admin/members/${midori}/delete`, {}, `/admin/members/${midori}/delete`);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/members/?done=deleted');
  assert.match(await (await adminClient.send('/admin/members/?done=deleted')).text(), /会員を削除しました/);
  assert.equal(sql(`SELECT count(*) FROM members WHERE id=${midori}`), '0');
  assert.equal(sql(`SELECT count(*) FROM users WHERE id=${uid}`), '0');
  assert.equal(sql(`SELECT count(*) FROM sessions WHERE user_id=${uid}`), '0');
  assert.equal(sql(`SELECT count(*) FROM member_tokens WHERE user_id=${uid}`), '0');
  assert.equal(sql("SELECT count(*) FROM outbox WHERE to_addr='midori@example.jp'"), '0', 'its mail is gone from the outbox');
  assert.equal(sql("SELECT coalesce(member_id,'null')||' '||status FROM recruitments WHERE title='清掃ボランティア'"), 'null draft',
    'the recruitment stays, unlinked and unpublished');
  assert.equal((await m.send('/aikasanet/mypage/')).status, 303, 'its session ended');
  assert.equal((await client().memberLogin('midori', 'Passw0rd-long')).status, 200, 'cannot sign in');
  assert.equal(sql(`SELECT actor||' '||target||' '||detail FROM audit_log WHERE action='member_delete'`), `boss member:${midori} group`);
  assert.doesNotMatch(sql('SELECT group_concat(target||detail) FROM audit_log'), /midori@|防府 太郎|0835/, 'no personal data audited');
  assert.equal((await runCli(['audit', 'verify', '--data', srv.dataDir])).code, 0);

  // the same address and login register again; its mails are not taken for duplicates
  const again = await signUp('group', GROUP('midori', 'midori@example.jp'), 3);
  assert.equal(again, midori, 'the member id is reused (the highest one was deleted)');
  assert.equal(sql(`SELECT status FROM members WHERE id=${again}`), 'draft');
  const mails = await mailsTo('midori@example.jp', 4);
  assert.match(mails[3].subject, /仮登録が完了しました/);
  assert.equal((await client().memberLogin('midori', 'Passw0rd-long')).status, 303);
});
