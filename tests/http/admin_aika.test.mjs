// admin_aika.test.mjs — the staff side of Aika over real HTTP with a real
// SMTP sink (C2–C5, spec 「管理画面 会員情報 / ボランティア募集情報 / 取材記事」):
// members made by the real sign-up + verification flow, their 詳細登録
// columns then filled in with sqlite3 (as the member's details screen
// leaves them: 仮登録); the review queue, counts per state and on the
// dashboard; the detail with every item decrypted for staff, grouped into
// public / non-public; review NG (a required note, stays 仮登録) and OK
// (publish through a confirmation, in one transaction with the matching
// mails of M1 and the member's mail, once); edit validation per kind;
// メール停止; 複製; the member CSV (BOM, Japanese headers, decrypted, the
// filter, formula guard, audited); the admin-only applications CSV;
// recruitments through the generic workflow (filters by group and period,
// publish confirmation, M2 matching mails, the group mailed exactly once);
// interview reports and downloadable forms with an uploaded photo / file;
// every one of these pages is valid HTML, also with errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HtmlValidate } from 'html-validate';
import { startServer, userAdd, runCli } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';
import { enableTotp } from '../lib/totp.mjs';

let srv, sink, editor, admin;
after(async () => { await srv?.stop(); await sink?.stop?.(); await sink?.dispose?.(); });

// .timeout: the server writes at the same time (sessions, outbox)
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'civicnet.db'), q],
  { encoding: 'utf8' }).trim();
const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const uniq = () => crypto.randomBytes(3).toString('hex');

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
  // fields: an object or [name, value] pairs (check-box groups repeat a name)
  const post = async (p, fields, from = p) => {
    const body = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields));
    body.set('_csrf', await csrfOf(from));
    return send(p, { method: 'POST', body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  };
  const postMultipart = async (p, fields, files = {}, from = p) => {
    const fd = new FormData();
    fd.append('_csrf', await csrfOf(from));
    for (const [k, v] of Array.isArray(fields) ? fields : Object.entries(fields)) fd.append(k, v);
    for (const [k, [bytes, name, type]] of Object.entries(files))
      fd.append(k, new Blob([bytes], { type: type || 'application/octet-stream' }), name);
    return send(p, { method: 'POST', body: fd, headers: { origin: srv.url } });
  };
  const staffLogin = (l, pw) => post('/admin/login', { login: l, password: pw, next: '/admin/' });
  return { send, post, postMultipart, staffLogin };
}

// pii.c's format: "v1:" + base64url(nonce | AES-256-GCM ciphertext | tag), column as AAD.
function piiEncrypt(column, plain) {
  const key = fs.readFileSync(path.join(srv.dataDir, 'keys', 'pii.key'));
  const nonce = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(Buffer.from(column));
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return 'v1:' + Buffer.concat([nonce, ct, c.getAuthTag()]).toString('base64url');
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
/** Wait for the first delivered mail to `to` that satisfies pred. */
async function mailWhere(to, pred, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const hit = sink.messages().find((m) => m.to.includes(to) && pred(m));
    if (hit) return hit;
    if (Date.now() > deadline) assert.fail(`no matching mail to ${to}`);
    await sleep(100);
  }
}
const linkIn = (m) => m.body.match(/http:\/\/127\.0\.0\.1:\d+(\/aikasanet\/[^\s]+)/)[1];
// mails in the outbox (enqueued in the publishing transaction: exact at once)
const outbox = (where) => Number(sql(`SELECT count(*) FROM outbox WHERE ${where}`));

const PERSON = (login, email) => ({
  login, password: 'Passw0rd-long', confirm: 'Passw0rd-long', person_name: '周南 ひかり',
  person_kana: 'しゅうなん ひかり', prefecture: '山口県', municipality: '周南市', phone: '0834-11-2233',
  email, gender: 'female', birth_date: '1988-06-15',
});
const GROUP = (login, email, name) => ({
  login, password: 'Passw0rd-long', confirm: 'Passw0rd-long', org_type: '任意団体', org_name: name,
  org_kana: 'ほうふみどりのかい', representative: '防府 太郎', rep_title: '代表', prefecture: '山口県',
  municipality: '防府市', phone: '0835-00-1111', email, wants_recruit: '1', req_1: '1', req_2: '1', req_3: '1', req_4: '1',
});

/** The real sign-up (kind → terms → form) and the mailed verification link. */
async function signUp(kind, fields) {
  const c = client();
  assert.equal((await c.post('/aikasanet/signup', { kind })).status, 303);
  assert.equal((await c.post('/aikasanet/signup/terms', {})).status, 303);
  const res = await c.post('/aikasanet/signup/form', fields);
  assert.equal(res.status, 303, await res.text());
  const mails = await mailsTo(fields.email, 1);
  const link = linkIn(mails[0]);
  const v = client();
  const done = await v.post(link.replace(/\?.*/, ''), { token: link.split('token=')[1] }, link);
  assert.equal(done.status, 303);
  return sql(`SELECT m.id FROM members m JOIN users u ON u.id=m.user_id WHERE u.login=${lit(fields.login)}`);
}

/** 詳細登録 (別紙4 19–42) as the member's details screen stores it: the
 *  member then waits for the centre's review (仮登録). */
function completeDetails(id, kind, over = {}) {
  const v = {
    postal_enc: piiEncrypt('postal', '745-0001'), address_enc: piiEncrypt('address', '御幸通1-2-3'),
    activity_areas: '周南市\n山口市', fields: '保健・医療・福祉\n子どもの健全育成', weekdays: '土\n日',
    sales_point: '子どもと遊ぶのが得意です。',
    ...(kind === 'individual' ? { occupation: '看護師', qualifications: '看護師免許' }
      : { members_count: '25人', founded_on: '2010-04-01', founding_purpose: '地域の緑を守る。',
          main_activities: '公園の清掃と植樹。', contact_name_enc: piiEncrypt('contact_name', '担当 みどり') }),
    ...over,
  };
  const set = Object.entries(v).map(([k, x]) => `${k}=${lit(x)}`).join(', ');
  sql(`UPDATE members SET ${set}, details_completed_at=strftime('%Y-%m-%dT%H:%M:%SZ','now'), status='review' WHERE id=${id}`);
}

/** A published volunteer made directly in the database (no account). */
function volunteer(name, email, over = {}) {
  const v = { kind: 'individual', display_name: name, status: 'published', activity_areas: '周南市', weekdays: '土',
    fields: '保健・医療・福祉', occupation: '会社員', prefecture: '山口県', municipality: '周南市',
    email_enc: piiEncrypt('email', email), ...over };
  const cols = Object.keys(v).join(', ');
  return sql(`INSERT INTO members(${cols}, verified_at, published_at) VALUES (${Object.values(v).map(lit).join(', ')},
    strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now')) RETURNING id`);
}

/** A recruitment of member mid as a group's my page leaves it. */
function recruitment(mid, title, status = 'review', over = {}) {
  const v = { member_id: mid, title, organiser: 'みどりの会', summary: '公園の清掃をします。', fields: '保健・医療・福祉',
    weekdays: '土', areas: '周南市', anytime: 1, status, ...over };
  return sql(`INSERT INTO recruitments(${Object.keys(v).join(', ')}) VALUES (${Object.values(v).map((x) => x === null ? 'NULL' : lit(x)).join(', ')}) RETURNING id`);
}

const idFrom = (res) => {
  const m = (res.headers.get('location') || '').match(/\/(\d+)\?done=/);
  assert.ok(m, `redirect to the record, got ${res.status} ${res.headers.get('location')}`);
  return m[1];
};
const section = (html, id) => html.slice(html.indexOf(`id="${id}"`), html.indexOf('</section>', html.indexOf(`id="${id}"`)));
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

let hikari, midori, groupRec;
before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ demo: false, env: { CIVICNET_SMTP: sink.url } });
  await userAdd(srv.dataDir, 'boss', 'admin', 'boss-password-1');
  await userAdd(srv.dataDir, 'clerk', 'editor', 'clerk-password-1');
  editor = client();
  assert.equal((await editor.staffLogin('clerk', 'clerk-password-1')).status, 303);
  admin = client();
  assert.equal((await admin.staffLogin('boss', 'boss-password-1')).status, 303);
  await enableTotp(admin);
  hikari = await signUp('individual', PERSON('hikari', 'hikari@example.jp'));
  midori = await signUp('group', GROUP('midori', 'midori@example.jp', '防府みどりの会'));
  // the group is public with an open recruitment before hikari is reviewed
  completeDetails(midori, 'group');
  sql(`UPDATE members SET status='published', published_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=${midori}`);
  groupRec = recruitment(midori, '公園の清掃ボランティア', 'published');
  sql(`UPDATE recruitments SET published_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=${groupRec}`);
});

test('a verified member waits as 下書 until its details; then the review queue lists it with the counts', async () => {
  let html = await (await editor.send('/admin/members/?status=review')).text();
  assert.doesNotMatch(html, /hikari/, 'not in the review queue before the 詳細登録');
  assert.match(await (await editor.send('/admin/members/?status=draft')).text(), /hikari/);
  completeDetails(hikari, 'individual');
  html = await (await editor.send('/admin/members/?status=review')).text();
  assert.match(html, /<title>会員（あいかさねっと）：仮登録の確認待ち｜/);
  assert.match(html, /仮登録（審査待ち）の会員の一覧/);
  assert.match(html, new RegExp(`href="/admin/members/${hikari}">hikari`));
  assert.match(html, /<td>個人<\/td>\s*<td><span class="state state-review">仮登録<\/span><\/td>\s*<td>済み<\/td>/, 'details done');
  assert.doesNotMatch(html, /midori/);
  // counts per state, each a link keeping the other filters
  assert.match(html, /<a href="\/admin\/members\/\?status=review" aria-current="page">仮登録 <span class="count">1<\/span>/);
  assert.match(html, /<a href="\/admin\/members\/\?status=published">公開 <span class="count">1<\/span>/);
  html = await (await editor.send('/admin/members/?kind=group')).text();
  assert.match(html, /<a href="\/admin\/members\/\?status=published&amp;kind=group">公開 <span class="count">1<\/span>/);
  assert.match(html, /href="\/admin\/members\/export\.csv\?kind=group"/, 'the CSV link keeps the filter');
  // words: names, login, the number; the e-mail only as a whole address
  for (const q of ['hikari', 'ひかり@', hikari]) {
    const h = await (await editor.send(`/admin/members/?q=${encodeURIComponent(q)}`)).text();
    if (q === 'ひかり@') assert.match(h, /条件に合う会員はありません/);
    else assert.match(h, new RegExp(`href="/admin/members/${hikari}"`), `q=${q}`);
  }
  html = await (await editor.send('/admin/members/?q=HIKARI%40example.jp')).text();
  assert.match(html, /全1件中/, 'an e-mail address finds its member (case-insensitive)');
  assert.match(html, /value="HIKARI@example.jp"/, 'the words are kept');
  assert.match(await (await editor.send('/admin/members/?q=%E9%98%B2%E5%BA%9C%E3%81%BF%E3%81%A9%E3%82%8A')).text(),
    new RegExp(`href="/admin/members/${midori}"`), 'the organisation name');

  // dashboard: kind × state against SQL, the pending row links the queue
  const dash = await (await editor.send('/admin/')).text();
  assert.match(dash, /<a href="\/admin\/members\/\?status=review">あいかさねっと会員<span class="visually-hidden">の確認待ち一覧<\/span><\/a><\/th><td>1件<\/td>/);
  for (const [kind, label] of [['individual', '個人'], ['group', '団体']])
    for (const [st, sl] of [['review', '仮登録'], ['published', '公開']]) {
      const n = sql(`SELECT count(*) FROM members WHERE kind='${kind}' AND status='${st}'`);
      assert.ok(dash.includes(`<span class="visually-hidden">${label}・${sl}：</span>${n}</a>`), `${label}・${sl} = ${n}`);
    }
  assert.match(dash, /<th scope="row">計<\/th>(<td><a [^>]+><span class="visually-hidden">[^<]+<\/span>\d+<\/a><\/td>){6}<td>2<\/td>/);
  for (const [label, href] of [['会員（あいかさねっと）', '/admin/members/'], ['ボランティア募集', '/admin/recruitments/'],
    ['取材報告', '/admin/interviews/'], ['登録用紙', '/admin/downloads/']])
    assert.ok(dash.includes(`<a href="${href}"`) && dash.includes(`>${label}</a>`), `staff navigation: ${label}`);
});

test('the detail shows every item decrypted to staff, grouped public / non-public; nobody else sees it', async () => {
  const res = await editor.send(`/admin/members/${hikari}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('cache-control') || '', /no-store/);
  const html = await res.text();
  const pub = section(html, 'h-public'), priv = section(html, 'h-private');
  for (const v of ['看護師', '子どもと遊ぶのが得意です。', '保健・医療・福祉', '周南市', '土']) assert.ok(pub.includes(v), `public: ${v}`);
  for (const v of ['周南 ひかり', 'しゅうなん ひかり', '0834-11-2233', 'hikari@example.jp', '1988-06-15', '745-0001', '御幸通1-2-3', '女性'])
    assert.ok(priv.includes(v), `non-public, decrypted: ${v}`);
  for (const v of ['0834-11-2233', 'hikari@example.jp', '御幸通1-2-3']) assert.ok(!pub.includes(v), `not among the public: ${v}`);
  // every item of the kind is listed, empty ones say so; other kinds' are not
  assert.match(priv, /<dt>FAX<\/dt>\s*<dd class="empty">（未入力）<\/dd>/);
  assert.match(priv, /<dt>メルマガ配信を希望する<\/dt>\s*<dd>いいえ<\/dd>/);
  assert.doesNotMatch(html, /団体名・企業名|会員数・社員数/, 'no group items for an individual');
  assert.match(html, /<dt>詳細登録<\/dt><dd>済み（/);
  assert.match(html, /OK：公開する（確認へ進む）/);
  assert.match(html, /NG：公開しない/);
  // the group: its organisation items public, the 担当者 not
  const g = await (await editor.send(`/admin/members/${midori}`)).text();
  assert.ok(section(g, 'h-public').includes('防府みどりの会') && section(g, 'h-public').includes('25人'));
  assert.ok(section(g, 'h-private').includes('担当 みどり'), 'the contact person is non-public');
  assert.match(g, new RegExp(`href="/admin/recruitments/\\?member=${midori}">1件`), 'its recruitments are linked');
  // nobody but staff
  assert.equal((await fetch(`${srv.url}/admin/members/${hikari}`, { redirect: 'manual' })).status, 303);
  const m = client();
  assert.equal((await m.post('/aikasanet/login', { login: 'hikari', password: 'Passw0rd-long', next: '/aikasanet/mypage/' })).status, 303);
  assert.equal((await m.send(`/admin/members/${hikari}`)).status, 403);
  assert.equal((await m.send('/admin/members/export.csv')).status, 403);
  assert.equal((await editor.send('/admin/members/999999')).status, 404);
});

test('review NG: a note is required, the member stays 仮登録, the note is kept and audited', async () => {
  let html = await (await editor.send(`/admin/members/${hikari}/ng`)).text();
  assert.match(html, /センターから個別に電話等で連絡/);
  assert.match(html, /0834-11-2233/, 'the phone number to call');
  let res = await editor.post(`/admin/members/${hikari}/ng`, { review_note: '' }, `/admin/members/${hikari}/ng`);
  assert.equal(res.status, 422);
  html = await res.text();
  assert.match(html, /<title>エラー：/);
  assert.match(html, /<a href="#f-review_note">確認メモ（NGの理由・連絡の記録）を入力してください/);
  const note = '生年月日の確認が必要。11月28日に電話で連絡済み。';
  res = await editor.post(`/admin/members/${hikari}/ng`, { review_note: note }, `/admin/members/${hikari}/ng`);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/admin/members/${hikari}?done=ng`);
  assert.equal(sql(`SELECT status || '|' || review_note FROM members WHERE id=${hikari}`), `review|${note}`);
  html = await (await editor.send(res.headers.get('location'))).text();
  assert.match(html, /NGとして確認メモを保存しました。仮登録のままです/);
  assert.ok(html.includes(note), 'the note on the detail page');
  assert.match(await (await editor.send('/admin/members/?status=review')).text(), /NG（連絡待ち・メモあり）/);
  assert.equal(sql(`SELECT actor||' '||action||' '||target||' '||detail FROM audit_log WHERE action='member_review_ng'`),
    `clerk member_review_ng member:${hikari} review_note`, 'audited without the note itself');
  assert.equal((await editor.send(`/admin/members/${midori}/ng`)).status, 303, 'NG is only for 仮登録');
});

test('publishing needs complete details: refused with the missing items, also for a stale form', async () => {
  const email = `half${uniq()}@example.jp`;
  const id = await signUp('individual', PERSON(`half${uniq()}`, email));
  const html = await (await editor.send(`/admin/members/${id}/status?to=published`)).text();
  assert.match(html, /公開できません/);
  assert.match(html, new RegExp(`<a href="/admin/members/${id}/edit#f-postal">郵便番号を入力してください`));
  assert.match(html, /活動可能地域を1つ以上選択してください/);
  assert.doesNotMatch(html, /<button type="submit">公開する/);
  const res = await editor.post(`/admin/members/${id}/status`, { to: 'published' }, `/admin/members/${id}`);
  assert.equal(res.status, 303);
  assert.equal(sql(`SELECT status FROM members WHERE id=${id}`), 'draft');
  assert.equal(outbox(`to_addr=${lit(email)} AND subject LIKE '%公開しました%'`), 0);
});

test('review OK: publishing goes through a confirmation and, in one transaction, runs the matching and mails the member once', async () => {
  const before = outbox("idem_key LIKE 'match:%'");
  let html = await (await editor.send(`/admin/members/${hikari}/status?to=published`)).text();
  assert.match(html, /審査OKとして「公開」にしますか/);
  assert.match(html, new RegExp(`/aikasanet/members/${hikari}`));
  assert.match(html, /h\*\*\*@example\.jp/, 'the masked address of the publication mail');
  assert.match(html, /募集中のボランティア募集をメールで知らせます/);
  assert.match(html, /募集団体に新しい会員の登録を知らせる/);
  assert.equal(sql(`SELECT status FROM members WHERE id=${hikari}`), 'review', 'the confirmation changes nothing');
  let res = await editor.post(`/admin/members/${hikari}/status`, { to: 'published' }, `/admin/members/${hikari}/status?to=published`);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/admin/members/${hikari}?done=published_mail`);
  assert.equal(sql(`SELECT status || '|' || (published_at IS NOT NULL) FROM members WHERE id=${hikari}`), 'published|1');
  assert.equal(outbox("to_addr='hikari@example.jp' AND subject LIKE '%会員情報を公開しました%'"), 1);
  // M1: hikari gets the open matching recruitment; the group a new-member mail
  assert.equal(sql(`SELECT count(*) FROM match_mail_log WHERE event='member:${hikari}' AND member_id=${hikari}`), '1');
  assert.equal(sql(`SELECT count(*) FROM match_mail_log WHERE event='member:${hikari}' AND member_id=${midori}`), '1');
  const matchMails = outbox("idem_key LIKE 'match:%'") - before;
  assert.equal(matchMails, 2);
  await mailWhere('hikari@example.jp', (m) => m.body.includes('公園の清掃ボランティア')); // the matching recruitment
  const pubMail = await mailWhere('hikari@example.jp', (m) => /会員情報を公開しました/.test(m.subject));
  assert.match(pubMail.body, new RegExp(`/aikasanet/members/${hikari}\\b`));
  // public now, without the non-public items
  const page = await fetch(`${srv.url}/aikasanet/members/${hikari}`);
  assert.equal(page.status, 200);
  const pub = await page.text();
  assert.ok(pub.includes('看護師'));
  for (const v of ['0834-11-2233', 'hikari@example.jp', '御幸通1-2-3', '周南 ひかり', '1988-06-15'])
    assert.ok(!pub.includes(v), `not public: ${v}`);
  assert.match(sql(`SELECT detail FROM audit_log WHERE action='member_status' AND target='member:${hikari}'`), /^review->published mail match=2$/);

  // unpublish (confirmation) and publish again: no second mail of any kind
  html = await (await editor.send(`/admin/members/${hikari}/status?to=draft`)).text();
  assert.match(html, /表示されなくなります/);
  res = await editor.post(`/admin/members/${hikari}/status`, { to: 'draft' }, `/admin/members/${hikari}/status?to=draft`);
  assert.equal(res.headers.get('location'), `/admin/members/${hikari}?done=draft`);
  assert.equal((await fetch(`${srv.url}/aikasanet/members/${hikari}`)).status, 404);
  html = await (await editor.send(`/admin/members/${hikari}/status?to=published`)).text();
  assert.match(html, /一度公開したことがあるため/);
  res = await editor.post(`/admin/members/${hikari}/status`, { to: 'published' }, `/admin/members/${hikari}/status?to=published`);
  assert.equal(res.headers.get('location'), `/admin/members/${hikari}?done=published`);
  assert.equal(outbox("to_addr='hikari@example.jp' AND subject LIKE '%会員情報を公開しました%'"), 1);
  assert.equal(outbox("idem_key LIKE 'match:%'") - before, 2, 'matching mails are not repeated');
  // a stale 「公開する」 on a published member changes nothing
  res = await editor.post(`/admin/members/${hikari}/status`, { to: 'published' }, `/admin/members/${hikari}`);
  assert.equal(res.headers.get('location'), `/admin/members/${hikari}`);
  assert.equal((await runCli(['audit', 'verify', '--data', srv.dataDir])).code, 0);
});

test('edit: the fields follow the kind, validation keeps input, login and e-mail are not editable', async () => {
  let html = await (await editor.send(`/admin/members/${hikari}/edit`)).text();
  assert.match(html, /id="f-occupation"/);
  assert.match(html, /id="f-mail_stop_reason"/);
  assert.match(html, /id="f-review_note"/);
  assert.doesNotMatch(html, /id="f-org_name"|name="email"|name="login"|name="password"|name="status"|name="kind"/);
  assert.match(html, /value="0834-11-2233"/, 'decrypted into the form');
  const g = await (await editor.send(`/admin/members/${midori}/edit`)).text();
  assert.match(g, /id="f-members_count"/);
  assert.match(g, /id="f-org_name"/);
  assert.doesNotMatch(g, /id="f-occupation"|id="f-birth_date"/);

  // post the form as shown, with some values changed
  const form = (over = {}) => {
    const base = [['display_name', 'ひかり'], ['person_name', '周南 ひかり'], ['person_kana', 'しゅうなん ひかり'],
      ['prefecture', '山口県'], ['municipality', '周南市'], ['phone', '0834-11-2233'], ['gender', 'female'],
      ['birth_date', '1988-06-15'], ['postal', '745-0001'], ['address', '御幸通1-2-3'], ['occupation', '看護師'],
      ['activity_areas', '周南市'], ['activity_areas', '山口市'], ['fields', '保健・医療・福祉'], ['fields', '子どもの健全育成'],
      ['weekdays', '土'], ['weekdays', '日'],
      ['review_note', sql(`SELECT review_note FROM members WHERE id=${hikari}`)]];
    return base.filter(([k]) => !(k in over)).concat(Object.entries(over).filter(([, v]) => v !== undefined));
  };
  let res = await editor.post(`/admin/members/${hikari}/edit`, form({ postal: '7450001', occupation: '' }), `/admin/members/${hikari}/edit`);
  assert.equal(res.status, 422);
  html = await res.text();
  assert.match(html, /郵便番号は「753-0000」の形で/);
  assert.match(html, /職業を入力してください/);
  assert.match(html, /value="7450001"/, 'input kept');
  res = await editor.post(`/admin/members/${hikari}/edit`, form({ mail_stopped: '1' }), `/admin/members/${hikari}/edit`);
  assert.equal(res.status, 422);
  assert.match(await res.text(), /メール停止の理由を入力してください/);
  res = await editor.post(`/admin/members/${hikari}/edit`, form({ address: '御幸通9-9-9', fax: '0834-99-0000' }), `/admin/members/${hikari}/edit`);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/admin/members/${hikari}?done=saved`);
  html = await (await editor.send(res.headers.get('location'))).text();
  assert.match(html, /変更を保存しました/);
  assert.ok(section(html, 'h-private').includes('御幸通9-9-9') && section(html, 'h-private').includes('0834-99-0000'));
  assert.match(sql(`SELECT address_enc FROM members WHERE id=${hikari}`), /^v1:/, 'stored encrypted');
  assert.equal(sql(`SELECT detail FROM audit_log WHERE action='member_update' AND target='member:${hikari}' ORDER BY id DESC LIMIT 1`),
    'display_name address fax', 'column names only');
  // what the route does not declare is refused
  const tok = (await (await editor.send(`/admin/members/${hikari}/edit`)).text()).match(/name="_csrf" value="([^"]+)"/)[1];
  res = await editor.send(`/admin/members/${hikari}/edit`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url },
    body: new URLSearchParams([['_csrf', tok], ['email', 'evil@example.jp'], ...form()]).toString() });
  assert.equal(res.status, 400);
});

test('メール停止 needs a reason, stops matching mail and the newsletter, and is audited', async () => {
  sql(`INSERT INTO newsletter_subscribers(list, email_enc, email_index, status, unsub_key, member_id)
       VALUES ('aika', 'x', 'idx-${uniq()}', 'active', 'k-${uniq()}', ${midori})`);
  const p = `/admin/members/${midori}/mail-stop`;
  let res = await editor.post(p, { mail_stopped: '1', mail_stop_reason: '' });
  assert.equal(res.status, 422);
  assert.match(await res.text(), /メール停止の理由を入力してください/);
  res = await editor.post(p, { mail_stopped: '1', mail_stop_reason: '宛先不明で戻ってくる' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/admin/members/${midori}?done=mail_stopped`);
  assert.equal(sql(`SELECT mail_stopped || '|' || mail_stop_reason FROM members WHERE id=${midori}`), '1|宛先不明で戻ってくる');
  assert.equal(sql(`SELECT status || '|' || stop_reason FROM newsletter_subscribers WHERE member_id=${midori}`), 'stopped|staff');
  const html = await (await editor.send(`/admin/members/${midori}`)).text();
  assert.match(html, /停止中（理由：宛先不明で戻ってくる）/);
  assert.match(await (await editor.send('/admin/members/?mail=stopped')).text(), new RegExp(`href="/admin/members/${midori}"`));
  assert.doesNotMatch(await (await editor.send('/admin/members/?mail=stopped')).text(), new RegExp(`href="/admin/members/${hikari}"`));
  // a recruitment of a mail-stopped group: published without the group mail
  const rid = recruitment(midori, `停止中の団体の募集${uniq()}`);
  assert.match(await (await editor.send(`/admin/recruitments/${rid}/status?to=published`)).text(), /団体へのメールが停止中/);
  await editor.post(`/admin/recruitments/${rid}/status`, { to: 'published' }, `/admin/recruitments/${rid}/status?to=published`);
  assert.equal(outbox(`idem_key LIKE 'published:recruitment:${rid}:%'`), 0);
  res = await editor.post(p, { mail_stop_reason: '届くようになった' });
  assert.equal(res.headers.get('location'), `/admin/members/${midori}?done=mail_resumed`);
  assert.equal(sql(`SELECT mail_stopped FROM members WHERE id=${midori}`), '0');
  assert.equal(sql(`SELECT status FROM newsletter_subscribers WHERE member_id=${midori}`), 'stopped', 'not resubscribed');
  assert.equal(sql(`SELECT group_concat(detail, ',') FROM audit_log WHERE action='member_mail_stop' AND target='member:${midori}'`), 'on,off');
  // deleting the recruitment forgets whom it mailed (its id may be reused)
  assert.ok(Number(sql(`SELECT count(*) FROM match_mail_log WHERE event='recruitment:${rid}'`)) > 0);
  res = await editor.post(`/admin/recruitments/${rid}/delete`, {}, `/admin/recruitments/${rid}/delete`);
  assert.equal(res.status, 303);
  assert.equal(sql(`SELECT count(*) FROM match_mail_log WHERE event='recruitment:${rid}'`), '0');
});

test('複製 makes a draft copy without an account or e-mail', async () => {
  const res = await editor.post(`/admin/members/${hikari}/duplicate`, {}, `/admin/members/${hikari}`);
  assert.equal(res.status, 303);
  const copy = idFrom(res);
  assert.notEqual(copy, hikari);
  assert.equal(sql(`SELECT display_name || '|' || status || '|' || coalesce(user_id, 'none') || '|' || email_enc || '|' || review_note || '|' || kind FROM members WHERE id=${copy}`),
    'ひかり（複製）|draft|none|||individual');
  const html = await (await editor.send(`/admin/members/${copy}?done=duplicated`)).text();
  assert.match(html, /複製しました/);
  assert.ok(section(html, 'h-private').includes('0834-11-2233'), 'personal items copied (re-encrypted)');
  assert.match(html, /ログイン用のアカウントはありません/);
  assert.equal(sql(`SELECT detail FROM audit_log WHERE action='member_duplicate' AND target='member:${copy}'`), `from=member:${hikari}`);
  sql(`DELETE FROM members WHERE id=${copy}`);
});

test('member CSV: BOM, Japanese headers, every item decrypted, the list filter, formula guard, audited', async () => {
  sql(`UPDATE members SET sales_point='=HYPERLINK("http://x")' WHERE id=${hikari}`);
  const res = await editor.send('/admin/members/export.csv?kind=individual&status=published');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  assert.match(res.headers.get('content-disposition'), /attachment; filename="members-\d{8}\.csv"; filename\*=UTF-8''%E4%BC%9A%E5%93%A1%E4%B8%80%E8%A6%A7-\d{8}\.csv/);
  assert.match(res.headers.get('cache-control') || '', /no-store/);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString('utf8');
  const lines = text.split('\r\n');
  assert.equal(lines.at(-1), '', 'rows end with CRLF');
  assert.match(lines[0], /^番号,ログインID,Eメール,状態,登録日時,メール確認日時,詳細登録日時,公開日時,更新日時,会員種類,表示名,氏名,ふりがな,団体の分類／企業の分類,/);
  assert.match(lines[0], /,電話番号,.*,郵便番号,住所,FAX,.*,活動可能地域,活動希望分野,活動可能曜日,.*,メール停止,メール停止の理由,確認メモ（NGの理由・連絡の記録）$/);
  assert.equal(lines.length, 3, 'header, hikari, end');
  const row = lines[1];
  for (const v of [hikari, 'hikari', 'hikari@example.jp', '公開', '個人', '周南 ひかり', '0834-11-2233', '御幸通9-9-9', '1988-06-15', '女性', '看護師'])
    assert.ok(row.includes(v), `row has ${v}`);
  assert.ok(row.includes('"周南市、山口市"') || row.includes('周南市、山口市'), 'multi values as labels');
  assert.ok(row.includes(`"'=HYPERLINK(""http://x"")"`), 'formula guarded and quoted');
  assert.doesNotMatch(text, /midori/, 'the filter is respected');
  assert.equal(sql(`SELECT actor||' '||action||' '||detail FROM audit_log WHERE action='members_export' ORDER BY id DESC LIMIT 1`),
    'clerk members_export rows=1 filter=kind=individual&status=published');
  // searching by address exports that member; the audit does not keep the address
  const byMail = await (await editor.send('/admin/members/export.csv?q=midori%40example.jp')).text();
  assert.match(byMail, /midori@example\.jp/);
  assert.doesNotMatch(byMail, /hikari@/);
  assert.equal(sql(`SELECT detail FROM audit_log WHERE action='members_export' ORDER BY id DESC LIMIT 1`), 'rows=1 filter=q=(指定あり)');
  sql(`UPDATE members SET sales_point='子どもと遊ぶのが得意です。' WHERE id=${hikari}`);
});

test('applications.csv: administrators only, decrypted, audited; no staff screen lists applications', async () => {
  sql(`INSERT INTO applications(recruitment_id, member_id, kind, via, message_enc) VALUES
       (${groupRec}, ${hikari}, 'apply', 'mail', ''),
       (${groupRec}, ${hikari}, 'inquiry', 'web', ${lit(piiEncrypt('message', '駐車場はありますか？'))})`);
  sql(`INSERT INTO member_inquiries(from_member_id, to_member_id, message_enc) VALUES (${midori}, ${hikari}, ${lit(piiEncrypt('message', '一緒に活動しませんか'))})`);
  assert.equal((await editor.send('/admin/applications.csv')).status, 403, 'editors may not');
  assert.equal((await fetch(`${srv.url}/admin/applications.csv`, { redirect: 'manual' })).status, 303);
  const res = await admin.send('/admin/applications.csv');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-disposition'), /filename="applications-\d{8}\.csv"/);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = bytes.subarray(3).toString('utf8').split('\r\n');
  assert.equal(lines[0], '番号,種類,経路,日時,募集番号,募集タイトル,会員番号,会員名,問い合わせ先の会員番号,問い合わせ先の会員名,内容');
  assert.equal(lines.length, 5);
  assert.ok(lines.some((l) => l.includes('参加申込,メールのリンク') && l.includes('公園の清掃ボランティア')));
  assert.ok(lines.some((l) => l.includes('募集への問い合わせ,ウェブ（ログイン中）') && l.includes('駐車場はありますか？')));
  assert.ok(lines.some((l) => l.includes('会員への問い合わせ') && l.includes('一緒に活動しませんか') && l.includes('防府みどりの会')));
  assert.equal(sql(`SELECT actor||' '||detail FROM audit_log WHERE action='applications_export'`), 'boss rows=3');
  for (const p of ['/admin/', `/admin/members/${hikari}`, `/admin/recruitments/${groupRec}`])
    assert.doesNotMatch(await (await admin.send(p)).text(), /駐車場はありますか/, `${p} does not show applications`);
});

test('recruitments: filters, publish through a confirmation with M2 matching, the group mailed exactly once', async () => {
  const vmail = `vol${uniq()}@example.jp`;
  const vol = volunteer(`ボランティア${uniq()}`, vmail);
  const title = `子ども食堂の配膳${uniq()}`;
  const rid = recruitment(midori, title);
  // a past recruitment of the group and a centre's own draft
  const past = recruitment(midori, `終わった募集${uniq()}`, 'published', { anytime: 0, starts_on: '2020-01-01', ends_on: '2020-01-31' });
  let html = await (await editor.send('/admin/recruitments/?status=review')).text();
  assert.match(html, new RegExp(`href="/admin/recruitments/${rid}">${title}</a>`));
  html = await (await editor.send(`/admin/recruitments/?member=${midori}`)).text();
  assert.match(html, /<label for="f-member">募集した団体<\/label>/);
  assert.match(html, new RegExp(`<option value="${midori}" selected>防府みどりの会（番号${midori}）</option>`));
  assert.ok(html.includes(title) && html.includes('公園の清掃ボランティア'));
  html = await (await editor.send('/admin/recruitments/?period=past')).text();
  assert.match(html, new RegExp(`href="/admin/recruitments/${past}"`));
  assert.doesNotMatch(html, new RegExp(`href="/admin/recruitments/${groupRec}"`));
  html = await (await editor.send('/admin/recruitments/?period=open')).text();
  assert.match(html, new RegExp(`href="/admin/recruitments/${groupRec}"`));
  assert.doesNotMatch(html, new RegExp(`href="/admin/recruitments/${past}"|href="/admin/recruitments/${rid}"`));
  assert.match(await (await editor.send('/admin/recruitments/?member=abc&period=zzz')).text(), /<option value="" selected>すべて<\/option>/, 'unknown filter values mean no filter');

  html = await (await editor.send(`/admin/recruitments/${rid}`)).text();
  assert.match(html, new RegExp(`<dt>募集した団体</dt><dd><a href="/admin/members/${midori}">防府みどりの会</a>`));
  html = await (await editor.send(`/admin/recruitments/${rid}/preview`)).text();
  assert.match(html, /プレビュー（未公開）/);
  assert.ok(html.includes(title));

  html = await (await editor.send(`/admin/recruitments/${rid}/status?to=published`)).text();
  assert.match(html, /m\*\*\*@example\.jp/, 'the group is told, masked');
  assert.match(html, /マッチングメール/);
  assert.match(html, new RegExp(`/aikasanet/recruitments/${rid}`));
  assert.equal(sql(`SELECT status FROM recruitments WHERE id=${rid}`), 'review');
  let res = await editor.post(`/admin/recruitments/${rid}/status`, { to: 'published' }, `/admin/recruitments/${rid}/status?to=published`);
  assert.equal(res.status, 303);
  assert.match(res.headers.get('location'), /done=published_mail$/);
  assert.equal(sql(`SELECT status FROM recruitments WHERE id=${rid}`), 'published');
  assert.equal(outbox(`idem_key LIKE 'published:recruitment:${rid}:%' AND to_addr='midori@example.jp'`), 1);
  // M2: the volunteers (vol, and hikari: same areas/weekday/field) and the group's list
  assert.equal(sql(`SELECT group_concat(member_id || ':' || role, ',') FROM (SELECT * FROM match_mail_log WHERE event='recruitment:${rid}' ORDER BY member_id, role)`),
    [`${hikari}:volunteer`, `${midori}:group_list`, `${vol}:volunteer`].sort((a, b) => parseInt(a) - parseInt(b)).join(','));
  const vm = await mailWhere(vmail, (m) => m.body.includes(title));
  assert.match(vm.body, /\/aikasanet\/m\//, 'one-click links');
  const gm = await mailWhere('midori@example.jp', (m) => /ボランティア募集を公開しました/.test(m.subject));
  assert.ok(gm.body.includes(title) && gm.body.includes(`/aikasanet/recruitments/${rid}`), 'the group is mailed its public page');
  assert.match(sql(`SELECT detail FROM audit_log WHERE action='content_status' AND target='recruitment:${rid}' ORDER BY id DESC LIMIT 1`),
    /^review->published mail match=3$/);
  assert.equal((await fetch(`${srv.url}/aikasanet/recruitments/${rid}`)).status, 200, 'public now');

  // unpublish, back to review, publish again: no second group mail, no second matching
  await editor.post(`/admin/recruitments/${rid}/status`, { to: 'draft' }, `/admin/recruitments/${rid}/status?to=draft`);
  await editor.post(`/admin/recruitments/${rid}/status`, { to: 'review' }, `/admin/recruitments/${rid}`);
  assert.match(await (await editor.send(`/admin/recruitments/${rid}/status?to=published`)).text(), /一度公開したことがあるため/);
  res = await editor.post(`/admin/recruitments/${rid}/status`, { to: 'published' }, `/admin/recruitments/${rid}/status?to=published`);
  assert.match(res.headers.get('location'), /done=published$/);
  assert.equal(outbox(`idem_key LIKE 'published:recruitment:${rid}:%'`), 1);
  assert.equal(sql(`SELECT count(*) FROM match_mail_log WHERE event='recruitment:${rid}'`), '3');

  // a group that is not public: the confirmation warns
  sql(`UPDATE members SET status='draft' WHERE id=${midori}`);
  const hid = recruitment(midori, `未公開団体の募集${uniq()}`);
  assert.match(await (await editor.send(`/admin/recruitments/${hid}/status?to=published`)).text(), /まだ公開されていないため、公開しても一般の画面には表示されません/);
  sql(`UPDATE members SET status='published' WHERE id=${midori}`);

  // duplicate keeps the group; delete through a confirmation
  res = await editor.post(`/admin/recruitments/${rid}/duplicate`, {}, `/admin/recruitments/${rid}`);
  const copy = idFrom(res);
  assert.equal(sql(`SELECT title || '|' || status || '|' || member_id FROM recruitments WHERE id=${copy}`), `${title}（複製）|draft|${midori}`);
  assert.match(await (await editor.send(`/admin/recruitments/${copy}/delete`)).text(), /削除すると元に戻せません/);
  res = await editor.post(`/admin/recruitments/${copy}/delete`, {}, `/admin/recruitments/${copy}/delete`);
  assert.equal(res.status, 303);
  assert.equal(sql(`SELECT count(*) FROM recruitments WHERE id=${copy}`), '0');
});

test('recruitments: the staff form validates, creates a draft (the centre\'s own) and stores attachments', async () => {
  const fields = (t) => [['title', t], ['organiser', 'やまぐち県民活動支援センター'], ['fields', '環境の保全'], ['summary', '海岸の清掃です。'],
    ['anytime', '1'], ['weekdays', '日'], ['areas', '下関市'], ['areas', '長門市'], ['starts_on', '2026-12-10'], ['ends_on', '2026-12-01']];
  let res = await editor.post('/admin/recruitments/new', fields('').concat([['weekdays', '月']]), '/admin/recruitments/new');
  assert.equal(res.status, 422);
  const html = await res.text();
  assert.match(html, /<a href="#f-title">募集タイトルを入力してください/);
  assert.match(html, /活動終了日は活動開始日（2026-12-10）以降の日付を入力してください/);
  const title = `海岸清掃${uniq()}`;
  res = await editor.postMultipart('/admin/recruitments/new', fields(title).map(([k, v]) => [k, k === 'ends_on' ? '2026-12-20' : v]),
    { file_1: [PDF, '募集要項.pdf', 'application/pdf'] }, '/admin/recruitments/new');
  assert.equal(res.status, 303);
  const id = idFrom(res);
  assert.equal(sql(`SELECT status || '|' || coalesce(member_id, 'centre') || '|' || areas FROM recruitments WHERE id=${id}`), 'draft|centre|下関市\n長門市');
  assert.equal(sql(`SELECT u.owner_kind || ':' || u.owner_id FROM recruitments x JOIN uploads u ON u.id=x.file_1 WHERE x.id=${id}`), `recruitment:${id}`);
  assert.match(await (await editor.send(`/admin/recruitments/${id}`)).text(), /なし（センターの募集）/);
  assert.match(await (await editor.send(`/admin/recruitments/${id}/status?to=published`)).text(), /仮登録（申請を受け付けたもの）ではないため/);
  res = await editor.post(`/admin/recruitments/${id}/status`, { to: 'published' }, `/admin/recruitments/${id}/status?to=published`);
  assert.match(res.headers.get('location'), /done=published$/);
  assert.equal(sql(`SELECT group_concat(action, ',') FROM (SELECT action FROM audit_log WHERE target='recruitment:${id}' ORDER BY id DESC LIMIT 2)`),
    'content_status,content_create');
});

test('interview reports: create with a photo, Markdown preview, publish (confirmed), public, delete', async () => {
  const title = `取材：みどりの会${uniq()}`;
  let res = await editor.postMultipart('/admin/interviews/new', [['title', title], ['subject', '防府みどりの会'], ['held_on', '2026-10-01'],
    ['body', '## 活動のきっかけ\n\n公園の清掃から始まりました。']], { photo_1: [PNG, '植樹.png', 'image/png'] }, '/admin/interviews/new');
  assert.equal(res.status, 303);
  const id = idFrom(res);
  const photo = sql(`SELECT photo_1 FROM interviews WHERE id=${id}`);
  assert.ok(photo);
  assert.equal(sql(`SELECT owner_kind || ':' || owner_id FROM uploads WHERE id=${photo}`), `interview:${id}`);
  let html = await (await editor.send(`/admin/interviews/${id}`)).text();
  assert.match(html, /添付済み：植樹\.png/);
  html = await (await editor.send(`/admin/interviews/${id}/preview`)).text();
  assert.match(html, /<h2[^>]*>活動のきっかけ<\/h2>/, 'the body is rendered as Markdown');
  assert.match(html, new RegExp(`<img src="/files/${photo}/`));
  res = await editor.post(`/admin/interviews/${id}/status`, { to: 'published' }, `/admin/interviews/${id}/status?to=published`);
  assert.equal(res.status, 303);
  html = await (await editor.send(`/admin/interviews/${id}`)).text();
  assert.ok(html.includes(`<dt>公開ページ</dt><dd><a href="/aikasanet/interviews/${id}">`));
  const pub = await fetch(`${srv.url}/aikasanet/interviews/${id}`);
  assert.equal(pub.status, 200);
  assert.ok((await pub.text()).includes(title));
  assert.equal((await fetch(`${srv.url}/files/${photo}`)).status, 200, 'the photo is served once public');
  res = await editor.post(`/admin/interviews/${id}/delete`, {}, `/admin/interviews/${id}/delete`);
  assert.equal(res.status, 303);
  assert.equal((await fetch(`${srv.url}/aikasanet/interviews/${id}`)).status, 404);
  assert.equal(sql(`SELECT count(*) FROM uploads WHERE id=${photo}`), '0', 'its photo goes with it');
});

test('downloadable forms: a file per form, Aika site, published to /aikasanet/forms; news and fixed pages take site Aika', async () => {
  const title = `会員登録用紙${uniq()}`;
  let res = await editor.postMultipart('/admin/downloads/new', [['site', 'aika'], ['title', title], ['description', '郵送・FAXで登録する方へ'], ['sort', '1']],
    { file_1: [PDF, '会員登録用紙.pdf', 'application/pdf'] }, '/admin/downloads/new');
  assert.equal(res.status, 303);
  const id = idFrom(res);
  res = await editor.post(`/admin/downloads/${id}/status`, { to: 'published' }, `/admin/downloads/${id}/status?to=published`);
  assert.equal(res.status, 303);
  const html = await (await editor.send(`/admin/downloads/${id}`)).text();
  assert.ok(html.includes('<dt>公開ページ</dt><dd><a href="/aikasanet/forms">'));
  const forms = await (await fetch(`${srv.url}/aikasanet/forms`)).text();
  assert.ok(forms.includes(title));
  const file = sql(`SELECT file_1 FROM downloads WHERE id=${id}`);
  assert.ok(forms.includes(`/files/${file}/`), 'linked for download');
  assert.match(await (await editor.send('/admin/downloads/?site=aika')).text(), new RegExp(`href="/admin/downloads/${id}"`));
  assert.doesNotMatch(await (await editor.send('/admin/downloads/?site=supernet')).text(), new RegExp(`href="/admin/downloads/${id}"`));

  // Aika news and fixed pages go through the same screens, filtered by site
  const nt = `あいかのお知らせ${uniq()}`;
  const nid = idFrom(await editor.post('/admin/news/new', { site: 'aika', category: 'news', title: nt, body: '本文' }, '/admin/news/new'));
  assert.match(await (await editor.send('/admin/news/?site=aika')).text(), new RegExp(`href="/admin/news/${nid}"`));
  await editor.post(`/admin/news/${nid}/status`, { to: 'published' }, `/admin/news/${nid}/status?to=published`);
  assert.ok((await (await fetch(`${srv.url}/aikasanet/news/${nid}`)).text()).includes(nt));
  const slug = `guide-${uniq()}`;
  const pid = idFrom(await editor.post('/admin/pages/new', { site: 'aika', title: '利用案内', slug, body: '# 使い方' }, '/admin/pages/new'));
  await editor.post(`/admin/pages/${pid}/status`, { to: 'published' }, `/admin/pages/${pid}/status?to=published`);
  assert.ok((await (await editor.send(`/admin/pages/${pid}`)).text()).includes(`<a href="/aikasanet/p/${slug}">`));
  assert.equal((await fetch(`${srv.url}/aikasanet/p/${slug}`)).status, 200);
  assert.match(await (await editor.send('/admin/pages/?site=aika')).text(), new RegExp(`href="/admin/pages/${pid}"`));
});

test('the Aika staff pages are valid HTML, also with errors and on the confirmation pages', async () => {
  const validator = new HtmlValidate({ extends: ['html-validate:standard'], rules: { 'no-redundant-role': 'off' } });
  const id = await signUp('individual', PERSON(`valid${uniq()}`, `valid${uniq()}@example.jp`));
  completeDetails(id, 'individual');
  const rid = recruitment(midori, `検証の募集${uniq()}`);
  const pages = [];
  for (const p of ['/admin/', '/admin/members/', '/admin/members/?status=review&kind=individual&q=valid', `/admin/members/${id}`,
    `/admin/members/${midori}`, `/admin/members/${id}/edit`, `/admin/members/${id}/status?to=published`,
    `/admin/members/${hikari}/status?to=draft`, `/admin/members/${id}/ng`, `/admin/members/${id}/mail-stop`,
    `/admin/members/${id}/status?to=withdrawn`, `/admin/recruitments/?member=${midori}&period=open`, `/admin/recruitments/${rid}`,
    `/admin/recruitments/${rid}/status?to=published`, `/admin/recruitments/${rid}/preview`, '/admin/interviews/new',
    '/admin/downloads/', '/admin/downloads/new'])
    pages.push([p, await (await editor.send(p)).text()]);
  pages.push(['member edit with errors', await (await editor.post(`/admin/members/${id}/edit`, { postal: 'x' }, `/admin/members/${id}/edit`)).text()]);
  pages.push(['NG without a note', await (await editor.post(`/admin/members/${id}/ng`, { review_note: '' }, `/admin/members/${id}/ng`)).text()]);
  pages.push(['mail stop without a reason', await (await editor.post(`/admin/members/${id}/mail-stop`, { mail_stopped: '1' }, `/admin/members/${id}/mail-stop`)).text()]);
  pages.push(['recruitment with errors', await (await editor.post('/admin/recruitments/new', { title: '' }, '/admin/recruitments/new')).text()]);
  const problems = [];
  for (const [what, html] of pages) {
    const report = await validator.validateString(html, what);
    for (const r of report.results) for (const m of r.messages) problems.push(`${what}:${m.line}:${m.column} ${m.ruleId}: ${m.message}`);
  }
  assert.deepEqual(problems, []);
});
