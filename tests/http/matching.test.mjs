// matching.test.mjs — volunteer matching over real HTTP with a real SMTP
// server (issue 5 "Matching"; M1–M3, A8, A9; docs/マッチング.md).
//
// Members are created through the real sign-up → verification flow and then
// given their preferences and status with sqlite3 (the detail screens are
// tested elsewhere); the recruitment is published through the staff screen
// /admin/recruitments/{id}/status. Checked: exactly the eligible matching
// members get one matching mail each, never paused / withdrawn /
// unverified / mail-stopped ones; publishing again sends nothing; the
// mailed apply link works without login (GET confirms, POST applies), the
// group's mail carries the applicant's name, e-mail and phone with the
// centre as an envelope recipient and no Bcc header; a second POST sends
// nothing; tampered, swapped and expired links are refused (400/410); the
// inquiry link and the logged-in apply / inquire / group→member inquiry;
// M1 when staff publish a new member.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { HtmlValidate } from 'html-validate';
import { startServer, userAdd } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';

const CENTRE = 'centre@example.jp';
const F1 = '保健・医療・福祉';
const F2 = '子どもの健全育成';
let srv, sink, editor;
const ids = {};

before(async () => {
  sink = await startSmtpSink();
  const conf = path.join(await fsp.mkdtemp('/tmp/civicnet-match-conf-'), 'civicnet.conf');
  await fsp.writeFile(conf, `centre_address = ${CENTRE}\n`);
  srv = await startServer({ demo: false, env: { CIVICNET_SMTP: sink.url }, args: ['--config', conf] });
  await userAdd(srv.dataDir, 'clerk', 'editor', 'clerk-password-1');
  editor = client();
  assert.equal((await editor.post('/admin/login', { login: 'clerk', password: 'clerk-password-1', next: '/admin/' })).status, 303);
});
after(async () => { await srv?.stop(); await sink?.stop?.(); await sink?.dispose?.(); });

const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'civicnet.db'), q],
  { encoding: 'utf8' }).trim();
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
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
  // fields: an object or [name, value] pairs; from: the page holding the form
  const post = async (p, fields, from = p) => {
    const body = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields));
    body.set('_csrf', await csrfOf(from));
    return send(p, { method: 'POST', body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  };
  /* POST the form on page `from` as it is (its hidden fields) plus extra */
  const submit = async (from, extra = {}) => {
    const html = await (await send(from)).text();
    const form = html.match(/<form method="post" action="([^"]+)" class="form"[^>]*>([\s\S]*?)<\/form>/);
    assert.ok(form, `a form on ${from}`);
    const body = new URLSearchParams();
    for (const m of form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      body.set(m[1], m[2].replace(/&amp;/g, '&'));
    for (const [k, v] of Object.entries(extra)) body.set(k, v);
    return send(form[1], { method: 'POST', body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  };
  const login = (l, pw) => post('/aikasanet/login', { login: l, password: pw, next: '/aikasanet/mypage/' });
  return { jar, send, post, submit, login };
}

/** Mails to `addr` (envelope) whose subject matches re. */
const mailsTo = (addr, re = /./) => sink.messages().filter((m) => m.to.includes(addr) && re.test(m.subject));
async function waitMails(addr, re, n = 1, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const got = mailsTo(addr, re);
    if (got.length >= n) return got;
    if (Date.now() > deadline) assert.fail(`expected ${n} mail(s) to ${addr} matching ${re}, got ${got.length}`);
    await sleep(100);
  }
}
/** Wait until the outbox has nothing left to send, then a little longer. */
async function drained() {
  for (let i = 0; i < 150; i++) {
    if (sql("SELECT count(*) FROM outbox WHERE state IN ('queued','sending')") === '0') break;
    await sleep(100);
  }
  await sleep(300);
}
const linkIn = (m, kind) => m.body.match(new RegExp(`http://127\\.0\\.0\\.1:\\d+(/aikasanet/m/${kind}\\?[^\\s]+)`))[1];
const verifyLink = (m) => m.body.match(/http:\/\/127\.0\.0\.1:\d+(\/aikasanet\/signup\/verify\?token=[^\s]+)/)[1];

const PW = 'Passw0rd-long';
async function signUp(kind, login, email, extra = {}) {
  const c = client();
  assert.equal((await c.post('/aikasanet/signup', { kind })).status, 303);
  assert.equal((await c.post('/aikasanet/signup/terms', {})).status, 303);
  const common = { login, password: PW, confirm: PW, prefecture: '山口県', municipality: '山口市', phone: '083-111-2222', email };
  const fields = kind === 'individual'
    ? { ...common, person_name: '山口 花子', person_kana: 'やまぐち はなこ', gender: 'female', birth_date: '1990-04-01' }
    : { ...common, org_type: kind === 'group' ? 'NPO法人' : '株式会社', org_name: `${login}の会`, org_kana: 'てすと',
        representative: '代表 太郎', rep_title: '理事長', ...(kind === 'group' ? { req_1: '1', req_2: '1', req_3: '1', req_4: '1' } : {}) };
  const res = await c.post('/aikasanet/signup/form', { ...fields, ...extra });
  assert.equal(res.status, 303, await res.text());
  return Number(sql(`SELECT m.id FROM members m JOIN users u ON u.id = m.user_id WHERE u.login = ${q(login)}`));
}
async function verify(email) {
  const [m] = await waitMails(email, /会員登録の確認/);
  const link = verifyLink(m);
  const v = client();
  const res = await v.post('/aikasanet/signup/verify', { token: link.split('token=')[1] }, link);
  assert.equal(res.status, 303);
}
/** A published member with these preferences (set directly). */
function prefs(id, { areas = '山口市', weekdays = '土', fields = F1, status = 'published', stopped = 0, join = null } = {}) {
  sql(`UPDATE members SET status=${q(status)}, activity_areas=${q(areas)}, weekdays=${q(weekdays)}, fields=${q(fields)},
       mail_stopped=${stopped}, occupation='会社員', published_at=coalesce(published_at, strftime('%Y-%m-%dT%H:%M:%SZ','now'))
       ${join === null ? '' : `, wants_join=${join}`} WHERE id=${id}`);
}
const nl = (...v) => v.join('\n');

async function publishRecruitment(id) {
  const page = await editor.send(`/admin/recruitments/${id}/status?to=published`);
  assert.equal(page.status, 200);
  const res = await editor.post(`/admin/recruitments/${id}/status`, { to: 'published' }, `/admin/recruitments/${id}/status?to=published`);
  assert.equal(res.status, 303, await res.text());
  assert.equal(sql(`SELECT status FROM recruitments WHERE id=${id}`), 'published');
}

const validator = new HtmlValidate({ extends: ['html-validate:standard'], rules: { 'no-redundant-role': 'off' } });
/** The page is valid HTML (the same rules as tests/http/html_validate.test.mjs). */
async function valid(html, what) {
  const report = await validator.validateString(html, what);
  const msgs = report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message} (line ${m.line})`));
  assert.deepEqual(msgs, [], `${what} is valid HTML`);
}

const MATCH_SUBJECT = /あなたに合うボランティア募集/;
const LIST_SUBJECT = /に合う会員/;

test('setup: members through sign-up and verification', async () => {
  ids.group = await signUp('group', 'himawari', 'group@example.jp', { wants_recruit: '1' });
  ids.hanako = await signUp('individual', 'hanako', 'hanako@example.jp');
  ids.company = await signUp('company', 'shoji', 'shoji@example.jp');
  ids.paused = await signUp('individual', 'paused', 'paused@example.jp');
  ids.gone = await signUp('individual', 'gone', 'gone@example.jp');
  ids.unverified = await signUp('individual', 'unverified', 'unverified@example.jp');
  ids.stopped = await signUp('individual', 'stopped', 'stopped@example.jp');
  ids.far = await signUp('individual', 'far', 'far@example.jp');
  ids.nojoin = await signUp('group', 'nojoin', 'nojoin@example.jp', { wants_recruit: '1' });
  for (const e of ['group', 'hanako', 'shoji', 'paused', 'gone', 'stopped', 'far', 'nojoin']) await verify(`${e}@example.jp`);
  prefs(ids.group, { areas: '山口市', weekdays: '土', fields: F1 });
  prefs(ids.hanako, { areas: nl('山口市', '防府市'), weekdays: nl('土', '日'), fields: nl(F1, F2) });
  prefs(ids.company, { areas: '山口市', weekdays: '土', fields: '' });
  prefs(ids.paused, { status: 'paused' });
  prefs(ids.gone, { status: 'withdrawn' });
  prefs(ids.unverified); // published by hand, but the address was never confirmed
  prefs(ids.stopped, { stopped: 1 });
  prefs(ids.far, { areas: '山陽小野田市' }); // 山口市 is not a prefix match
  prefs(ids.nojoin, { join: 0 }); // a group that does not want to join
  assert.equal(sql(`SELECT verified_at IS NULL FROM members WHERE id=${ids.unverified}`), '1');
  ids.rec = Number(sql(`INSERT INTO recruitments(member_id, title, organiser, status, areas, weekdays, fields, summary,
      anytime, place, time_text) VALUES (${ids.group}, '椹野川の河川清掃', 'ひまわりの会', 'review', ${q(nl('山口市', '宇部市'))},
      '土', ${q(F1)}, '川辺のごみを拾います。', 1, '山口市中央公園', '9:00〜11:00') RETURNING id`));
  await drained();
  sink.clear();
});

test('publishing a recruitment mails exactly the eligible matching members, once', async () => {
  await publishRecruitment(ids.rec);
  const [h] = await waitMails('hanako@example.jp', MATCH_SUBJECT);
  await waitMails('shoji@example.jp', MATCH_SUBJECT);
  const [list] = await waitMails('group@example.jp', LIST_SUBJECT);
  await drained();
  assert.equal(mailsTo('hanako@example.jp', MATCH_SUBJECT).length, 1);
  assert.equal(mailsTo('shoji@example.jp', MATCH_SUBJECT).length, 1);
  assert.equal(mailsTo('group@example.jp', LIST_SUBJECT).length, 1);
  for (const e of ['paused', 'gone', 'unverified', 'stopped', 'far', 'nojoin'])
    assert.equal(mailsTo(`${e}@example.jp`).length, 0, `${e} gets no mail`);
  assert.equal(mailsTo('group@example.jp', MATCH_SUBJECT).length, 0, 'not to the recruiting group itself');

  // the volunteer's mail: the recruitment, its public page, two one-click links
  assert.match(h.subject, /椹野川の河川清掃/);
  assert.match(h.body, /山口 花子 様/);
  assert.match(h.body, /主催者：ひまわりの会/);
  assert.match(h.body, /活動期間：随時/);
  assert.match(h.body, /活動地域：山口市、宇部市/);
  assert.match(h.body, /活動場所：山口市中央公園/);
  assert.ok(h.body.includes(`/aikasanet/recruitments/${ids.rec}`));
  assert.match(h.body, /参加申込[\s\S]*\/aikasanet\/m\/apply\?m=\d+&r=\d+&e=\d+&t=[A-Za-z0-9_-]{43}/);
  assert.match(h.body, /問い合わせ[\s\S]*\/aikasanet\/m\/inquire\?m=\d+&r=\d+&e=\d+&t=[A-Za-z0-9_-]{43}/);
  ids.apply = linkIn(h, 'apply');
  ids.inquire = linkIn(h, 'inquire');
  assert.ok(ids.apply.includes(`m=${ids.hanako}&r=${ids.rec}&`));

  // the group's list: public profiles only
  assert.match(list.body, /個人会員（山口市・会社員）/);
  assert.match(list.body, /shojiの会/);
  assert.ok(list.body.includes(`/aikasanet/members/${ids.hanako}`));
  assert.doesNotMatch(list.body, /花子|hanako@|083-111/, 'no names or contact details');
  assert.equal(sql(`SELECT count(*) FROM match_mail_log WHERE event='recruitment:${ids.rec}'`), '3');
});

test('publishing the same recruitment again sends nothing new', async () => {
  const before = sink.count();
  sql(`UPDATE recruitments SET status='review' WHERE id=${ids.rec}`);
  await publishRecruitment(ids.rec);
  await drained();
  assert.equal(mailsTo('hanako@example.jp', MATCH_SUBJECT).length, 1);
  assert.equal(mailsTo('group@example.jp', LIST_SUBJECT).length, 1);
  assert.equal(sink.count(), before, 'no new mail at all');
});

test('the apply link: GET shows a confirmation, POST applies once; the group mail goes to the centre too', async () => {
  const anon = client();
  let res = await anon.send(ids.apply);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('cache-control') || '', /no-store/);
  let html = await res.text();
  assert.match(html, /<title>参加申込の確認/);
  assert.match(html, /ご登録の個人会員様/);
  assert.doesNotMatch(html, /花子/, 'the link page does not name the person');
  assert.match(html, /椹野川の河川清掃/);
  assert.match(html, /<button type="submit">参加を申し込む<\/button>/);
  await valid(html, 'apply confirmation');
  assert.equal(sql(`SELECT count(*) FROM applications`), '0', 'GET changes nothing');

  res = await anon.submit(ids.apply);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/aikasanet/m/done?what=apply&id=${ids.rec}`);
  html = await (await anon.send(res.headers.get('location'))).text();
  assert.match(html, /参加申込を受け付けました/);
  await valid(html, 'apply done');
  assert.equal(sql(`SELECT kind||'|'||via FROM applications WHERE member_id=${ids.hanako} AND recruitment_id=${ids.rec}`), 'apply|mail');

  const [m] = await waitMails('group@example.jp', /参加申込/);
  assert.deepEqual([...m.to].sort(), [CENTRE, 'group@example.jp'].sort(), 'the centre is an envelope recipient');
  assert.equal(m.headers.bcc, undefined, 'no Bcc header in the message');
  assert.match(m.headers.to, /group@example\.jp/);
  assert.doesNotMatch(m.headers.to, /centre/);
  assert.match(m.body, /お名前：山口 花子/);
  assert.match(m.body, /Eメール：hanako@example\.jp/);
  assert.match(m.body, /電話番号：083-111-2222/);
  assert.match(m.body, /椹野川の河川清掃/);
  assert.match(m.headers['reply-to'] || '', /hanako@example\.jp/);
  await drained();

  // the same link again: 「すでに申し込み済みです」, nothing sent
  const before = sink.count();
  res = await anon.send(ids.apply);
  html = await res.text();
  assert.match(html, /すでに申し込み済みです/);
  assert.doesNotMatch(html, /参加を申し込む<\/button>/);
  const again = client();
  const tokenForm = ids.apply.split('?')[1];
  // (the page has no button any more: the CSRF token comes from another form)
  res = await again.post('/aikasanet/m/apply', Object.fromEntries(new URLSearchParams(tokenForm)), ids.inquire);
  assert.equal(res.status, 200);
  html = await res.text();
  assert.match(html, /すでに申し込み済みです/);
  await valid(html, 'already applied');
  await drained();
  assert.equal(sink.count(), before, 'a second POST sends nothing');
  assert.equal(sql(`SELECT count(*) FROM applications WHERE kind='apply'`), '1');
});

test('tampered, swapped and expired links get a clear error page', async () => {
  const anon = client();
  const u = new URL(ids.apply, srv.url);
  const p = Object.fromEntries(u.searchParams);
  const link = (purpose, v) => `/aikasanet/m/${purpose}?${new URLSearchParams(v)}`;
  const flip = (s) => (s[5] === 'A' ? s.slice(0, 5) + 'B' + s.slice(6) : s.slice(0, 5) + 'A' + s.slice(6));
  for (const bad of [
    { ...p, t: flip(p.t) }, { ...p, m: String(ids.company) }, { ...p, r: String(ids.rec + 1) },
    { ...p, e: String(Number(p.e) + 86400) }, { ...p, t: p.t.slice(0, 20) }, { m: p.m, r: p.r, e: p.e },
    { ...p, m: `0${p.m}` },
  ]) {
    const res = await anon.send(link('apply', bad));
    assert.equal(res.status, 400, JSON.stringify(bad));
    const html = await res.text();
    assert.match(html, /リンクが正しくありません/);
    assert.match(html, /ログイン/, 'says what to do instead');
    await valid(html, 'bad link page');
  }
  // an apply token is no inquiry token
  assert.equal((await anon.send(link('inquire', p))).status, 400);
  // a POST with a tampered token applies nothing
  const res = await anon.post('/aikasanet/m/apply', { ...p, m: String(ids.company) }, ids.inquire);
  assert.equal(res.status, 400);
  assert.equal(sql(`SELECT count(*) FROM applications WHERE member_id=${ids.company}`), '0');

  // the documented derivation, from the key file: a valid link made here
  // works, the same link with a past expiry is 410
  const secret = fs.readFileSync(path.join(srv.dataDir, 'secret.key'));
  const key = crypto.createHmac('sha256', secret).update('match-link-v1').digest();
  const sign = (purpose, m, r, e) => crypto.createHmac('sha256', key).update(`${purpose}|${m}|${r}|${e}`).digest('base64url');
  const future = Math.floor(Date.now() / 1000) + 3600;
  const ok = { m: String(ids.company), r: String(ids.rec), e: String(future), t: sign('inquire', ids.company, ids.rec, future) };
  assert.equal((await anon.send(link('inquire', ok))).status, 200);
  const past = Math.floor(Date.now() / 1000) - 60;
  const expired = { m: String(ids.company), r: String(ids.rec), e: String(past), t: sign('apply', ids.company, ids.rec, past) };
  const r410 = await anon.send(link('apply', expired));
  assert.equal(r410.status, 410);
  const html = await r410.text();
  assert.match(html, /有効期限が切れています/);
  assert.ok(html.includes(`/aikasanet/login?next=/aikasanet/recruitments/${ids.rec}`), 'offers the login route');

  // a member who is paused now may no longer use its links (403)
  sql(`UPDATE members SET status='paused' WHERE id=${ids.company}`);
  assert.equal((await anon.send(link('inquire', ok))).status, 403);
  sql(`UPDATE members SET status='published' WHERE id=${ids.company}`);
  // a recruitment no longer open: 410
  sql(`UPDATE recruitments SET anytime=0, apply_until='2001-01-01' WHERE id=${ids.rec}`);
  const closed = await anon.send(link('inquire', ok));
  assert.equal(closed.status, 410);
  assert.match(await closed.text(), /受付を終了しました/);
  sql(`UPDATE recruitments SET anytime=1, apply_until='' WHERE id=${ids.rec}`);
});

test('the inquiry link: a required message, stored encrypted, mailed to the group with the centre', async () => {
  const anon = client();
  let res = await anon.send(ids.inquire);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<label for="[^"]+">問い合わせ内容/);
  res = await anon.submit(ids.inquire, { message: '' });
  assert.equal(res.status, 422);
  let html = await res.text();
  assert.match(html, /<title>エラー：/);
  assert.match(html, /問い合わせ内容を入力/);
  res = await anon.submit(ids.inquire, { message: 'x'.repeat(2001) });
  assert.equal(res.status, 422);
  html = await res.text();
  await valid(html, 'inquiry form with an error');
  assert.match(html, /2000/);
  assert.ok(html.includes('x'.repeat(2001)), 'input kept');
  res = await anon.submit(ids.inquire, { message: '駐車場はありますか？\n軍手は必要ですか？' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/aikasanet/m/done?what=inquire&id=${ids.rec}`);
  const [m] = await waitMails('group@example.jp', /問い合わせ/);
  assert.ok(m.to.includes(CENTRE));
  assert.match(m.body, /駐車場はありますか？\r?\n軍手は必要ですか？/);
  assert.match(m.body, /お名前：山口 花子/);
  assert.match(m.body, /Eメール：hanako@example\.jp/);
  const stored = sql(`SELECT message_enc FROM applications WHERE kind='inquiry' AND member_id=${ids.hanako}`);
  assert.match(stored, /^v1:/);
  assert.doesNotMatch(stored, /駐車場/);
});

test('logged in: 参加する and 問い合わせる under a recruitment (A9)', async () => {
  const c = client();
  assert.equal((await c.login('shoji', PW)).status, 303);
  // the detail page's form posts here with the page's CSRF token
  let res = await c.post(`/aikasanet/recruitments/${ids.rec}/apply`, {}, `/aikasanet/recruitments/${ids.rec}/inquire`);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/aikasanet/m/done?what=apply&id=${ids.rec}`);
  assert.equal(sql(`SELECT via FROM applications WHERE kind='apply' AND member_id=${ids.company}`), 'web');
  const [m] = await waitMails('group@example.jp', /参加申込/, 2);
  const mine = mailsTo('group@example.jp', /参加申込/).find((x) => x.body.includes('shojiの会'));
  assert.ok(mine, 'the group is told');
  assert.ok(mine.to.includes(CENTRE));
  assert.match(mine.body, /Eメール：shoji@example\.jp/);
  assert.ok(m);
  res = await c.post(`/aikasanet/recruitments/${ids.rec}/apply`, {}, `/aikasanet/recruitments/${ids.rec}/inquire`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /すでに申し込み済みです/);

  res = await c.post(`/aikasanet/recruitments/${ids.rec}/inquire`, { message: '途中参加はできますか' });
  assert.equal(res.status, 303);
  await waitMails('group@example.jp', /問い合わせ/, 2);
  assert.equal(sql(`SELECT count(*) FROM applications WHERE kind='inquiry' AND via='web'`), '1');
  // at most five inquiries a day from one member to one recruitment
  for (let i = 2; i <= 5; i++)
    assert.equal((await c.post(`/aikasanet/recruitments/${ids.rec}/inquire`, { message: `質問${i}` })).status, 303);
  res = await c.post(`/aikasanet/recruitments/${ids.rec}/inquire`, { message: '質問6' });
  assert.equal(res.status, 429);
  assert.match(await res.text(), /24時間に5回まで/);
  assert.equal(sql(`SELECT count(*) FROM applications WHERE kind='inquiry' AND member_id=${ids.company}`), '5');

  // the group cannot apply to its own recruitment; anonymous visitors are sent to the login
  const g = client();
  assert.equal((await g.login('himawari', PW)).status, 303);
  res = await g.post(`/aikasanet/recruitments/${ids.rec}/apply`, {}, '/aikasanet/mypage/');
  assert.equal(res.status, 403);
  res = await client().send(`/aikasanet/recruitments/${ids.rec}/inquire`);
  assert.equal(res.status, 303);
  assert.match(res.headers.get('location'), /\/aikasanet\/login/);
  // a member that is not published yet may not act
  sql(`UPDATE members SET status='review' WHERE id=${ids.company}`);
  res = await c.send(`/aikasanet/recruitments/${ids.rec}/inquire`);
  assert.equal(res.status, 403);
  assert.match(await res.text(), /公開後にご利用いただけます/);
  sql(`UPDATE members SET status='published' WHERE id=${ids.company}`);
});

test('a logged-in group asks a member: mail with the group details, centre in BCC, stored; others 403', async () => {
  const g = client();
  assert.equal((await g.login('himawari', PW)).status, 303);
  let res = await g.send(`/aikasanet/members/${ids.hanako}/inquire`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /個人会員（山口市・会社員）/);
  assert.doesNotMatch(html, /花子/);
  await valid(html, 'member inquiry form');
  res = await g.post(`/aikasanet/members/${ids.hanako}/inquire`, { message: '次の清掃に参加しませんか' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/aikasanet/m/done?what=member&id=${ids.hanako}`);
  await valid(await (await g.send(res.headers.get('location'))).text(), 'member inquiry done');
  const [m] = await waitMails('hanako@example.jp', /himawariの会からの問い合わせ/);
  assert.deepEqual([...m.to].sort(), [CENTRE, 'hanako@example.jp'].sort());
  assert.equal(m.headers.bcc, undefined);
  assert.match(m.body, /団体名：himawariの会/);
  assert.match(m.body, /代表者名：代表 太郎/);
  assert.match(m.body, /電話番号：083-111-2222/);
  assert.match(m.body, /Eメール：group@example\.jp/);
  assert.match(m.body, /次の清掃に参加しませんか/);
  assert.match(m.headers['reply-to'] || '', /group@example\.jp/);
  assert.match(sql(`SELECT from_member_id||'>'||to_member_id||' '||substr(message_enc,1,3) FROM member_inquiries`),
    new RegExp(`^${ids.group}>${ids.hanako} v1:$`));

  // a mail-stopped member is refused politely; an unpublished one is not found
  res = await g.send(`/aikasanet/members/${ids.stopped}/inquire`);
  assert.equal(res.status, 403);
  assert.match(await res.text(), /現在問い合わせできません/);
  assert.equal((await g.send(`/aikasanet/members/${ids.paused}/inquire`)).status, 404);
  // individuals and companies may not use it
  const c = client();
  assert.equal((await c.login('shoji', PW)).status, 303);
  res = await c.send(`/aikasanet/members/${ids.hanako}/inquire`);
  assert.equal(res.status, 403);
  assert.match(await res.text(), /団体会員の方だけ/);
  res = await c.post(`/aikasanet/members/${ids.hanako}/inquire`, { message: 'x' }, '/aikasanet/mypage/');
  assert.equal(res.status, 403);
  assert.equal(sql('SELECT count(*) FROM member_inquiries'), '1');
});

test('M1: staff publish a new member → its matching recruitments, and the group hears of it', async () => {
  const id = await signUp('individual', 'newbie', 'newbie@example.jp');
  await verify('newbie@example.jp');
  // the member completes the detail screen, then staff publish
  const c = client();
  assert.equal((await c.login('newbie', PW)).status, 303);
  const details = [['postal', '753-0000'], ['address', '山口市中央1-1'], ['occupation', '学生'],
    ['activity_areas', '宇部市'], ['fields', F1], ['weekdays', '土'], ['weekdays', '日']];
  let res = await c.post('/aikasanet/mypage/details', details);
  assert.equal(res.status, 303, await res.text());
  assert.equal(sql(`SELECT activity_areas||'|'||weekdays FROM members WHERE id=${id}`), '宇部市|土\n日');
  await drained();
  sink.clear();
  const page = await editor.send(`/admin/members/${id}/status?to=published`);
  assert.equal(page.status, 200);
  res = await editor.post(`/admin/members/${id}/status`, { to: 'published' }, `/admin/members/${id}/status?to=published`);
  assert.equal(res.status, 303, await res.text());
  assert.equal(sql(`SELECT status FROM members WHERE id=${id}`), 'published');
  const [mine] = await waitMails('newbie@example.jp', MATCH_SUBJECT);
  assert.match(mine.body, /椹野川の河川清掃/);
  assert.ok(mine.body.includes(`/aikasanet/m/apply?m=${id}&r=${ids.rec}&`));
  const [g] = await waitMails('group@example.jp', /新しい会員が登録されました/);
  assert.ok(g.body.includes(`/aikasanet/members/${id}`));
  assert.match(g.body, /個人会員（山口市・学生）/);
  await drained();
  assert.equal(mailsTo('hanako@example.jp').length, 0, 'other members are not mailed by M1');
  assert.equal(mailsTo('newbie@example.jp', MATCH_SUBJECT).length, 1);
  assert.equal(mailsTo('group@example.jp', /新しい会員/).length, 1);
});
