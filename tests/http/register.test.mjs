// register.test.mjs — Supernet's citizen submissions over real HTTP with a
// real SMTP server (issue 4, S3 S4 S5 S6 S11): group registration (kind →
// terms POST → 別紙3 form → confirmation → 仮登録) with every rule of the
// form, its mails and a single record however often the final POST or the
// complete page is repeated; the 「あいかさねっとに登録」 hand-off (token only
// in the URL, pre-filled Aika form, single use, bound to the browser); the
// modification request (only changed columns stored, the group untouched);
// event/report submissions; the contact form.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';

const CENTRE = 'centre@example.jp';
let srv, sink;
before(async () => {
  sink = await startSmtpSink();
  const conf = path.join(await fsp.mkdtemp('/tmp/civicnet-register-conf-'), 'civicnet.conf');
  await fsp.writeFile(conf, `centre_address = ${CENTRE}\n`);
  srv = await startServer({ demo: false, env: { CIVICNET_SMTP: sink.url }, args: ['--config', conf] });
  // two published groups to find, change and collide with; one withdrawn
  sql(`INSERT INTO groups(kind, name, kana, status, activity, org_class, representative, contact_name,
         fields, target_area, purpose, activities, prefecture, municipality, address, pr, published_at)
       VALUES ('citizen', '宇部みどりの会', 'うべみどりのかい', 'published', 'active', '任意団体', '宇部 太郎', '宇部 花子',
         '環境の保全', '県内全域', '緑を守る', '植樹と清掃', '山口県', '宇部市', '常盤町1-1', '毎月第2日曜', '2025-01-01T00:00:00Z'),
              ('npo', '周南子ども食堂ネット', 'しゅうなんこどもしょくどうねっと', 'published', 'active', 'NPO法人', '周南 次郎',
         '周南 三郎', '子どもの健全育成', '山口県内市町', '子どもの居場所', '食堂の運営', '山口県', '周南市', '岐山通1-1', '', '2025-02-01T00:00:00Z'),
              ('citizen', '解散した会', 'かいさんしたかい', 'published', 'withdrawn', 'その他', '元 代表', '元 担当',
         'まちづくり', '全国', '', '', '山口県', '萩市', '', '', '2025-01-01T00:00:00Z'),
              ('citizen', '準備中の会', 'じゅんびちゅうのかい', 'review', 'active', 'その他', '準備 代表', '準備 担当',
         'まちづくり', '全国', '', '', '山口県', '萩市', '', '', NULL)`);
});
after(async () => { await srv?.stop(); await sink?.stop?.(); await sink?.dispose?.(); });
function sql(q) { return execFileSync('sqlite3', [path.join(srv.dataDir, 'civicnet.db'), q], { encoding: 'utf8' }).trim(); }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** A browser: cookie jar, GET, urlencoded and multipart POST with the page's CSRF token. */
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
  const csrfOf = async (p) => {
    const html = await (await send(p)).text();
    const m = html.match(/name="_csrf" value="([^"]+)"/);
    assert.ok(m, `a CSRF token on ${p}`);
    return m[1];
  };
  /** fields: values may be arrays (check boxes); files: {name: [bytes, filename, type]} */
  const post = async (p, fields, { from = p, files } = {}) => {
    const tok = await csrfOf(from);
    const entries = [['_csrf', tok]];
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) entries.push([k, one]);
    if (files) {
      const fd = new FormData();
      for (const [k, v] of entries) fd.append(k, v);
      for (const [k, [bytes, name, type]] of Object.entries(files)) fd.append(k, new Blob([bytes], { type }), name);
      return send(p, { method: 'POST', body: fd, headers: { origin: srv.url } });
    }
    return send(p, { method: 'POST', body: new URLSearchParams(entries).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  };
  return { jar, send, post };
}

/** Mails that arrived for `to`, waiting until at least n are there. */
async function mailsTo(to, n = 1, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const got = sink.messages().filter((m) => m.to.includes(to));
    if (got.length >= n) return got;
    if (Date.now() > deadline) assert.fail(`expected ${n} mail(s) to ${to}, got ${got.length}`);
    await sleep(100);
  }
}
const header = (m, name) => (m.headerList.find(([k]) => k.toLowerCase() === name.toLowerCase()) || [])[1];
const tokenOf = (loc) => new URL(loc, 'http://x').searchParams.get('d');

const GROUP = (name, email, extra = {}) => ({
  org_class: 'NPO法人', name, kana: 'てすとのかい', representative: '山口 太郎', guardian_consent: '1',
  rep_title: '理事長', contact_name: '周南 花子', fields: ['保健・医療・福祉', 'まちづくり'], target_area: '山口県内市町',
  target_municipalities: ['山口市', '宇部市'], purpose: '地域の福祉を高める', activities: '高齢者の見守り\r\n配食サービス',
  postal: '753-0001', prefecture: '山口県', municipality: '山口市', address: '中央1-2-3', phone: '083-000-0000',
  url_1: 'https://example.jp/', url_1_desc: '公式サイト', features: ['活動団体である'],
  registrant_name: '登録 一郎', registrant_phone: '083-111-2222', registrant_email: email,
  req_1: '1', req_2: '1', req_3: '1', req_4: '1', ...extra,
});

/** Kind → 「同意する」: the client is at the form; returns the draft token. */
async function startGroup(c, kind) {
  const res = await c.post('/register/group/terms', { kind }, { from: `/register/group/terms?kind=${kind}` });
  assert.equal(res.status, 303);
  const loc = res.headers.get('location');
  assert.match(loc, /^\/register\/group\/form\?d=[A-Za-z0-9_-]{43}$/);
  return tokenOf(loc);
}

const postGroupForm = (c, d, fields, files) =>
  c.post('/register/group/form', { d, ...fields }, { from: `/register/group/form?d=${d}`, files });

/** The whole registration; returns {c, d, id}. */
async function registerGroup(name, email, kind = 'npo', extra = {}) {
  const c = client();
  const d = await startGroup(c, kind);
  let res = await postGroupForm(c, d, GROUP(name, email, extra));
  assert.equal(res.status, 303, await res.text());
  res = await c.post('/register/group/confirm', { d }, { from: `/register/group/confirm?d=${d}` });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/register/group/done?d=${d}`);
  return { c, d, id: sql(`SELECT id FROM groups WHERE name='${name}'`) };
}

test('hub and kind pages link every submission; no form without consent to the terms', async () => {
  const c = client();
  const hub = await (await c.send('/register/')).text();
  for (const href of ['/register/group/terms?kind=citizen', '/register/group/terms?kind=npo',
    '/register/group/terms?kind=company', '/register/event', '/register/report', '/groups/change'])
    assert.ok(hub.includes(`href="${href}"`), `hub links ${href}`);
  const kinds = await (await c.send('/register/group')).text();
  for (const k of ['県民活動団体', 'NPO法人', '企業']) assert.ok(kinds.includes(k));
  let res = await c.send('/register/group/form');
  assert.equal(res.status, 303, 'no form without a draft');
  assert.equal(res.headers.get('location'), '/register/group');
  res = await c.send(`/register/group/form?d=${'A'.repeat(43)}`);
  assert.equal(res.headers.get('location'), '/register/group', 'a made-up token opens nothing');
  res = await c.send('/register/group/terms?kind=other');
  assert.equal(res.headers.get('location'), '/register/group');
  const terms = await (await c.send('/register/group/terms?kind=citizen')).text();
  assert.match(terms, /山口県県民活動スーパーネット登録規約/);
  assert.match(terms, /<form method="post" action="\/register\/group\/terms"[\s\S]*同意する/);
});

test('group registration: confirm screen, one 仮登録 record, encrypted registrant, two mails, no duplicates', async () => {
  const c = client();
  const d = await startGroup(c, 'npo');
  const form = await (await c.send(`/register/group/form?d=${d}`)).text();
  assert.match(form, /<option value="NPO法人" selected>NPO法人<\/option>/, 'NPO法人 preselected for NPO');
  for (const label of ['団体の分類', '団体名・企業名', 'ふりがな', '代表者名', '未成年者の方へ', '活動分野', '対象エリア',
    '対象市町', '活動目的', '主たる事務所', '前年度総決算', 'URL1の説明', '参考ファイル1', '特徴', '登録担当者Eメール', '【登録要件】'])
    assert.ok(form.includes(label), `form shows ${label}`);
  assert.doesNotMatch(form, /name="(activity|status|published_at|kind)"/, 'no staff workflow fields');
  assert.doesNotMatch(form, /CSR活動/, 'company-only fields left out');
  assert.match(form, /enctype="multipart\/form-data"/);

  let res = await postGroupForm(c, d, GROUP('やまぐち福祉ネット', 'reg1@example.jp'),
    { file_1: [PDF, '定款.pdf', 'application/pdf'] });
  assert.equal(res.status, 303, await res.text());
  assert.equal(res.headers.get('location'), `/register/group/confirm?d=${d}`);
  assert.equal(sql("SELECT count(*) FROM groups WHERE name='やまぐち福祉ネット'"), '0', 'nothing stored before the confirmation');
  const confirm = await (await c.send(`/register/group/confirm?d=${d}`)).text();
  for (const text of ['入力内容の確認', 'やまぐち福祉ネット', '保健・医療・福祉', 'まちづくり', '宇部市', '定款.pdf',
    '登録担当者Eメール', 'reg1@example.jp', 'この内容で登録する', '修正する'])
    assert.ok(confirm.includes(text), `confirm shows ${text}`);
  assert.match(confirm, new RegExp(`href="/register/group/form\\?d=${d}"`), '「修正する」 returns to the form');
  const back = await (await c.send(`/register/group/form?d=${d}`)).text();
  assert.match(back, /value="やまぐち福祉ネット"/, 'values kept when going back');
  assert.match(back, /添付済み：定款\.pdf/, 'the file is kept');

  res = await c.post('/register/group/confirm', { d }, { from: `/register/group/confirm?d=${d}` });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/register/group/done?d=${d}`);
  const row = sql("SELECT id||'|'||kind||'|'||status||'|'||activity||'|'||requirements_agreed||'|'||guardian_consent"
    + "||'|'||fields||'|'||target_municipalities FROM groups WHERE name='やまぐち福祉ネット'");
  const [id, kind, status, activity, agreed, guardian, fields, cities] = row.split('|');
  assert.deepEqual([kind, status, activity, agreed, guardian], ['npo', 'review', 'active', '1', '1']);
  assert.equal(fields, '保健・医療・福祉\nまちづくり', 'multi values stored newline-joined');
  assert.match(cities, /山口市/);
  const enc = sql(`SELECT registrant_name_enc||' '||registrant_phone_enc||' '||registrant_email_enc FROM groups WHERE id=${id}`);
  assert.match(enc, /^v1:\S+ v1:\S+ v1:\S+$/, 'registrant columns encrypted');
  assert.doesNotMatch(enc, /reg1@|登録 一郎|083-111/);
  assert.equal(sql(`SELECT u.owner_id||'|'||u.owner_kind FROM uploads u JOIN groups g ON g.file_1=u.id WHERE g.id=${id}`), `${id}|group`);
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE action='group_register' AND target='group:${id}'`), '1');

  const done = await (await c.send(`/register/group/done?d=${d}`)).text();
  assert.match(done, /仮登録を受け付けました/);
  assert.match(done, /あいかさねっとに登録/);
  // reload, second POST, back to the confirmation: still one group
  assert.equal((await c.send(`/register/group/done?d=${d}`)).status, 200);
  res = await c.post('/register/group/confirm', { d }, { from: `/register/group/done?d=${d}` });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/register/group/done?d=${d}`);
  assert.equal((await c.send(`/register/group/confirm?d=${d}`)).headers.get('location'), `/register/group/done?d=${d}`);
  res = await c.post('/register/group/form', { d, ...GROUP('やまぐち福祉ネット', 'reg1@example.jp') },
    { from: `/register/group/done?d=${d}` });
  assert.equal(res.headers.get('location'), `/register/group/done?d=${d}`, 'the form of a finished draft leads to its end');
  assert.equal(sql("SELECT count(*) FROM groups WHERE name='やまぐち福祉ネット'"), '1', 'exactly one group');

  const [mine] = await mailsTo('reg1@example.jp');
  assert.match(mine.subject, /仮登録を受け付けました/);
  assert.match(mine.body, /やまぐち福祉ネット/);
  assert.match(mine.body, /配食サービス/);
  const centre = (await mailsTo(CENTRE)).find((m) => /団体登録の申請がありました/.test(m.subject));
  assert.ok(centre, 'the centre is told');
  assert.match(centre.body, new RegExp(`/admin/groups/${id}\\b`));
  assert.doesNotMatch(centre.body, /reg1@example\.jp|登録 一郎/, 'no registrant data in the centre mail');
  await sleep(300);
  assert.equal(sink.messages().filter((m) => m.to.includes('reg1@example.jp')).length, 1, 'one mail, however often repeated');
});

test('group form rules: required fields, 登録要件, guardian consent, 対象市町, 都道府県/市町, duplicate names', async () => {
  const c = client();
  const d = await startGroup(c, 'citizen');
  let res = await postGroupForm(c, d, { org_class: '' });
  assert.equal(res.status, 422);
  let page = await res.text();
  assert.match(page, /<title>エラー：/);
  for (const msg of ['団体名・企業名を入力してください。', '代表者名を入力してください。', '活動分野を1つ以上選択してください。',
    '住所を入力してください。', '登録担当者Eメールを入力してください。', '「【登録要件】営利を目的とした活動ではありません」にチェックを入れてください。',
    '「【登録要件】暴力団又は暴力団員の統制の下にある団体ではありません」にチェックを入れてください。',
    '「未成年者の方への注意事項（下記）に同意する」にチェックを入れてください。'])
    assert.ok(page.includes(msg), `error: ${msg}`);
  assert.match(page, /class="error-summary" role="alert"/);
  assert.match(page, /href="#f-name"/, 'the summary links to the field');
  for (const col of ['name', 'kana', 'req_1', 'guardian_consent', 'fields'])
    assert.match(page, new RegExp(`id="f-${col}-error"`), `error shown next to ${col}`);

  // one 登録要件 box left unticked
  const ok = GROUP('新しい会', 'rules@example.jp', { org_class: '任意団体' });
  const { req_3, ...noReq3 } = ok;
  page = await (await postGroupForm(c, d, noReq3)).text();
  assert.match(page, /特定の公職者[^<]*」にチェックを入れてください/);
  assert.match(page, /value="新しい会"/, 'input kept');

  // 対象市町 is required only for 山口県内市町
  page = await (await postGroupForm(c, d, { ...ok, target_municipalities: [] })).text();
  assert.match(page, /対象エリアで「山口県内市町」を選んだときは、対象市町を1つ以上選択してください。/);
  res = await postGroupForm(c, d, { ...ok, target_area: '全国', target_municipalities: [] });
  assert.equal(res.status, 303, 'not required for 全国');

  // 都道府県 and 市町 must agree
  page = await (await postGroupForm(c, d, { ...ok, prefecture: '山口県', municipality: '山口県外' })).text();
  assert.match(page, /都道府県が山口県のときは、市町を19市町から選択してください。/);
  page = await (await postGroupForm(c, d, { ...ok, prefecture: '広島県', municipality: '山口市' })).text();
  assert.match(page, /都道府県が山口県以外のときは、市町は「山口県外」を選択してください。/);
  res = await postGroupForm(c, d, { ...ok, prefecture: '広島県', municipality: '山口県外' });
  assert.equal(res.status, 303);

  // a group of the same name exists (a withdrawn one does not count)
  page = await (await postGroupForm(c, d, { ...ok, name: '宇部みどりの会' })).text();
  assert.match(page, /<p class="field-error" id="f-name-error">.*同じ名前の団体がすでに登録されています/, 'next to the field');
  assert.equal((await postGroupForm(c, d, { ...ok, name: '準備中の会' })).status, 422, 'a group under review counts');
  assert.equal((await postGroupForm(c, d, { ...ok, name: '解散した会' })).status, 303, 'a withdrawn group does not');

  // a file sent with an error elsewhere is kept and shown
  page = await (await postGroupForm(c, d, { ...ok, name: '' }, { file_2: [PDF, '活動資料.pdf', 'application/pdf'] })).text();
  assert.match(page, /添付済み：活動資料\.pdf/);
  page = await (await postGroupForm(c, d, { ...ok, name: '' }, { file_3: [Buffer.from('<?php echo 1; ?>'), 'x.pdf', 'application/pdf'] })).text();
  assert.match(page, /ファイルの種類が対応していません/);
  // company: CSR required, no 登録要件 boxes
  const co = client();
  const dc = await startGroup(co, 'company');
  const coForm = await (await co.send(`/register/group/form?d=${dc}`)).text();
  assert.match(coForm, /CSR活動/);
  assert.doesNotMatch(coForm, /【登録要件】|name="fields"/);
  page = await (await postGroupForm(co, dc, { org_class: '株式会社', name: 'テスト株式会社' })).text();
  assert.match(page, /CSR活動（CSRの取り組み、社会貢献活動等の概要）を入力してください。/);
  assert.equal(sql("SELECT count(*) FROM groups WHERE name IN ('新しい会','テスト株式会社')"), '0', 'nothing stored by the form step');
});

test('CSRF: a POST without the token (or from another site) is refused with 403', async () => {
  const c = client();
  const count = sql('SELECT count(*) FROM inquiries');
  await c.send('/register/group/terms?kind=npo');
  const bare = (p, body) => c.send(p, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  assert.equal((await bare('/register/group/terms', 'kind=npo')).status, 403);
  assert.equal((await bare('/contact', 'name=a&email=a%40example.jp&subject=その他&body=x')).status, 403);
  assert.equal((await bare('/register/event', 'title=x')).status, 403);
  const tok = (await (await c.send('/contact')).text()).match(/name="_csrf" value="([^"]+)"/)[1];
  const res = await c.send('/contact', { method: 'POST', body: `_csrf=${tok}&name=a`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' } });
  assert.equal(res.status, 403);
  assert.equal(sql('SELECT count(*) FROM inquiries'), count);
});

test('「あいかさねっとに登録」: token-only URL, Aika form pre-filled, single use, bound to the browser', async () => {
  const { c, d, id } = await registerGroup('萩ボランティアの輪', 'hagi@example.jp', 'citizen',
    { org_class: '任意団体', kana: 'はぎぼらんてぃあのわ', municipality: '萩市', phone: '' });
  let res = await c.post('/register/group/aika', { d }, { from: `/register/group/done?d=${d}` });
  assert.equal(res.status, 303);
  const loc = res.headers.get('location');
  assert.match(loc, /^\/aikasanet\/signup\?handoff=[A-Za-z0-9_-]{43}$/, 'only a token in the URL');
  const token = loc.split('=')[1];
  assert.equal(sql(`SELECT count(*) FROM handoff_drafts WHERE target='aika' AND payload_enc LIKE 'v1:%'`), '1');
  assert.equal(sql(`SELECT count(*) FROM handoff_drafts WHERE id_hash='${token}'`), '0', 'only the hash is stored');

  // another browser cannot use the token
  const other = client();
  assert.match(await (await other.send(loc)).text(), /有効期限が切れているか、すでに使われています/);

  const kindPage = await (await c.send(loc)).text();
  assert.match(kindPage, /スーパーネットで登録した団体・企業の情報を引き継ぎます/);
  assert.match(kindPage, /<option value="group" selected>団体<\/option>/, 'kind preselected');
  assert.equal((await c.post('/aikasanet/signup', { kind: 'group' }, { from: loc })).status, 303);
  assert.equal((await c.post('/aikasanet/signup/terms', {}, { from: '/aikasanet/signup/terms' })).status, 303);
  const form = await (await c.send('/aikasanet/signup/form')).text();
  assert.match(form, /スーパーネットで登録した内容を入力済みです/);
  for (const [name, value] of [['org_name', '萩ボランティアの輪'], ['org_kana', 'はぎぼらんてぃあのわ'],
    ['representative', '山口 太郎'], ['rep_title', '理事長'], ['phone', '083-111-2222'], ['email', 'hagi@example.jp']])
    assert.match(form, new RegExp(`name="${name}" value="${value}"`), `${name} pre-filled`);
  assert.match(form, /<option value="任意団体" selected>/);
  assert.match(form, /<option value="萩市" selected>/);
  assert.match(form, /<option value="山口県" selected>/);

  // used up: a second visit shows a clear message and an empty form
  assert.match(await (await c.send(loc)).text(), /有効期限が切れているか、すでに使われています/);
  const again = await (await c.send(`/aikasanet/signup/form?handoff=${token}`)).text();
  assert.match(again, /有効期限が切れているか、すでに使われています/);
  assert.match(again, /name="org_name" value=""/);
  assert.equal(sql(`SELECT count(*) FROM handoff_drafts WHERE target='aika'`), '0');
  assert.ok(Number(id) > 0);
});

test('modification request: search, pre-filled form, only changed columns stored, the group untouched', async () => {
  const id = sql("SELECT id FROM groups WHERE name='宇部みどりの会'");
  const before = sql(`SELECT activities||'|'||pr||'|'||fields FROM groups WHERE id=${id}`);
  const c = client();
  let page = await (await c.send('/groups/change?q=' + encodeURIComponent('ミドリ'))).text();
  assert.match(page, new RegExp(`href="/groups/${id}/change"`), 'found by katakana of the ふりがな');
  assert.doesNotMatch(page, /準備中の会/);
  page = await (await c.send('/groups/change?q=' + encodeURIComponent('準備中'))).text();
  assert.match(page, /見つかりませんでした/, 'only published groups');
  const draftId = sql("SELECT id FROM groups WHERE name='準備中の会'");
  assert.equal((await c.send(`/groups/${draftId}/change`)).status, 404);

  const form = await (await c.send(`/groups/${id}/change`)).text();
  assert.match(form, /name="name" value="宇部みどりの会"/);
  assert.match(form, /name="activities"[^>]*>植樹と清掃<\/textarea>/);
  assert.doesNotMatch(form, /registrant_|name="file_1"/);
  const current = {
    org_class: '任意団体', name: '宇部みどりの会', kana: 'うべみどりのかい', representative: '宇部 太郎', rep_title: '',
    contact_name: '宇部 花子', fields: ['環境の保全'], target_area: '県内全域', purpose: '緑を守る',
    activities: '植樹と清掃', pr: '毎月第2日曜', prefecture: '山口県', municipality: '宇部市', address: '常盤町1-1',
  };
  const who = { requester_name: '宇部 花子', requester_email: 'ube@example.jp', note: '活動が増えました' };
  let res = await c.post(`/groups/${id}/change`, { ...current, ...who });
  assert.equal(res.status, 422);
  assert.match(await res.text(), /変更された項目がありません/);
  res = await c.post(`/groups/${id}/change`, { ...current, requester_name: '', requester_email: 'x' });
  assert.match(await res.text(), /依頼者のお名前を入力してください。/);
  res = await c.post(`/groups/${id}/change`, { ...current, ...who, activities: '植樹と清掃\r\n竹林の整備',
    fields: ['環境の保全', 'まちづくり'], pr: '' });
  assert.equal(res.status, 303, await res.text());
  const d = tokenOf(res.headers.get('location'));
  const confirm = await (await c.send(`/groups/${id}/change/confirm?d=${d}`)).text();
  assert.match(confirm, /変更前/);
  assert.match(confirm, /竹林の整備/);
  assert.match(confirm, /（空欄にする）/);
  res = await c.post(`/groups/${id}/change/confirm`, { d }, { from: `/groups/${id}/change/confirm?d=${d}` });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/groups/${id}/change/done?d=${d}`);
  assert.match(await (await c.send(res.headers.get('location'))).text(), /修正依頼を受け付けました/);
  const cr = sql(`SELECT id||'|'||type||'|'||status||'|'||ref_id||'|'||note FROM change_requests`).split('\n');
  assert.equal(cr.length, 1);
  const [cid, type, status, ref, note] = cr[0].split('|');
  assert.deepEqual([type, status, ref, note], ['group', 'review', id, '活動が増えました']);
  assert.match(sql(`SELECT requester_name_enc||' '||requester_email_enc FROM change_requests WHERE id=${cid}`), /^v1:\S+ v1:\S+$/);
  assert.equal(sql(`SELECT group_concat(col, ',') FROM (SELECT col FROM change_values WHERE change_id=${cid} ORDER BY col)`),
    'activities,fields,pr', 'only the changed columns');
  assert.equal(sql(`SELECT value FROM change_values WHERE change_id=${cid} AND col='pr'`), '');
  assert.equal(sql(`SELECT activities||'|'||pr||'|'||fields FROM groups WHERE id=${id}`), before, 'the group is not changed');
  // a second POST of the same draft stores nothing more
  await c.post(`/groups/${id}/change/confirm`, { d }, { from: '/contact' });
  assert.equal(sql('SELECT count(*) FROM change_requests'), '1');
  const centre = (await mailsTo(CENTRE)).find((m) => /団体情報の修正依頼がありました/.test(m.subject));
  assert.ok(centre);
  assert.match(centre.body, new RegExp(`/admin/changes/${cid}\\b`));
  const [mine] = await mailsTo('ube@example.jp');
  assert.match(mine.subject, /修正依頼を受け付けました/);
});

test('event and activity-report submissions are stored for review and mailed', async () => {
  const c = client();
  const ev = {
    kind: 'event', title: '秋の植樹祭', organiser: '宇部みどりの会', starts_on: '2026-11-03', ends_on: '2026-11-01',
    municipality: '宇部市', summary: 'みんなで木を植えます', fields: ['環境の保全'],
    submitter_name: '掲載 太郎', submitter_email: 'event@example.jp',
  };
  let res = await c.post('/register/event', ev);
  assert.equal(res.status, 422);
  assert.match(await res.text(), /終了日は開始日と同じか、それより後の日付を入力してください。/);
  res = await c.post('/register/event', { ...ev, ends_on: '2026-11-03' }, { files: { file_1: [PDF, 'チラシ.pdf', 'application/pdf'] } });
  assert.equal(res.status, 303, await res.text());
  let d = tokenOf(res.headers.get('location'));
  assert.match(await (await c.send(`/register/event/confirm?d=${d}`)).text(), /チラシ\.pdf/);
  res = await c.post('/register/event/confirm', { d }, { from: `/register/event/confirm?d=${d}` });
  assert.equal(res.headers.get('location'), `/register/event/done?d=${d}`);
  assert.equal(sql("SELECT status||'|'||kind||'|'||(file_1 IS NOT NULL) FROM events WHERE title='秋の植樹祭'"), 'review|event|1');
  assert.match(sql("SELECT submitter_email_enc FROM events WHERE title='秋の植樹祭'"), /^v1:/);
  const [em] = await mailsTo('event@example.jp');
  assert.match(em.subject, /掲載依頼を受け付けました/);
  assert.ok((await mailsTo(CENTRE)).some((m) => /イベント・募集の掲載依頼がありました/.test(m.subject)));

  res = await c.post('/register/report', { title: '植樹の報告', group_name: '宇部みどりの会', held_on: '2026-11-03',
    body: '50本を植えました', submitter_name: '報告 花子', submitter_email: 'report@example.jp' },
  { files: { photo_1: [PNG, '植樹.png', 'image/png'] } });
  assert.equal(res.status, 303, await res.text());
  d = tokenOf(res.headers.get('location'));
  res = await c.post('/register/report/confirm', { d }, { from: `/register/report/confirm?d=${d}` });
  assert.equal(res.status, 303);
  assert.equal(sql("SELECT status||'|'||(photo_1 IS NOT NULL) FROM reports WHERE title='植樹の報告'"), 'review|1');
  assert.equal(sql("SELECT count(*) FROM reports WHERE status='published'"), '0');
  await mailsTo('report@example.jp');
  // not public before review
  const pubId = sql("SELECT id FROM reports WHERE title='植樹の報告'");
  assert.equal((await c.send(`/reports/${pubId}`)).status, 404);
});

test('contact form: confirmation, stored encrypted, mailed to the centre with Reply-To and acknowledged', async () => {
  const c = client();
  const form = await (await c.send('/contact')).text();
  for (const label of ['お名前', 'Eメール', '電話番号', 'お問い合わせの種類', 'お問い合わせ内容'])
    assert.ok(form.includes(label));
  let res = await c.post('/contact', { name: '問合 太郎', email: 'ask@example.jp', phone: '', subject: 'その他', body: 'あ'.repeat(2001) });
  assert.equal(res.status, 422);
  assert.match(await res.text(), /お問い合わせ内容は2000文字以内で入力してください/);
  res = await c.post('/contact', { name: '問合 太郎', email: 'ask@example.jp', phone: '', subject: 'ハック', body: 'x' });
  assert.match(await res.text(), /お問い合わせの種類を一覧から選択してください。/);
  res = await c.post('/contact', { name: '問合 太郎', email: 'ask@example.jp', phone: '083-222-3333',
    subject: 'センターの利用について', body: '会議室を借りたいです。\r\n土曜日は空いていますか。' });
  assert.equal(res.status, 303);
  const d = tokenOf(res.headers.get('location'));
  assert.equal(sql('SELECT count(*) FROM inquiries'), '0', 'not sent before the confirmation');
  const confirm = await (await c.send(`/contact/confirm?d=${d}`)).text();
  assert.match(confirm, /会議室を借りたいです。<br>土曜日は空いていますか。/);
  res = await c.post('/contact/confirm', { d }, { from: `/contact/confirm?d=${d}` });
  assert.equal(res.headers.get('location'), `/contact/done?d=${d}`);
  assert.match(await (await c.send(`/contact/done?d=${d}`)).text(), /お問い合わせを受け付けました/);
  await c.post('/contact/confirm', { d }, { from: '/contact' });
  const rows = sql("SELECT subject||'|'||name_enc||'|'||email_enc||'|'||body_enc FROM inquiries").split('\n');
  assert.equal(rows.length, 1, 'stored once');
  const [subject, ...enc] = rows[0].split('|');
  assert.equal(subject, 'センターの利用について');
  for (const e of enc) assert.match(e, /^v1:/);
  const centre = (await mailsTo(CENTRE)).find((m) => /お問い合わせ：センターの利用について/.test(m.subject));
  assert.ok(centre);
  assert.equal(header(centre, 'Reply-To'), 'ask@example.jp');
  assert.match(centre.body, /土曜日は空いていますか/);
  const [ack] = await mailsTo('ask@example.jp');
  assert.match(ack.subject, /お問い合わせを受け付けました/);
});

test('drafts: the pages of another flow or an expired draft show nothing of it', async () => {
  const c = client();
  const res = await c.post('/contact', { name: '別 太郎', email: 'other@example.jp', subject: 'その他', body: 'x' });
  const d = tokenOf(res.headers.get('location'));
  // the contact draft does not open the event flow
  assert.equal((await c.send(`/register/event/confirm?d=${d}`)).headers.get('location'), '/register/event');
  sql("UPDATE handoff_drafts SET expires_at = 0 WHERE target='supernet'");
  assert.equal((await c.send(`/contact/confirm?d=${d}`)).headers.get('location'), '/contact');
  assert.match(await (await c.send(`/contact/done?d=${d}`)).text(), /表示期限が切れました/);
});

test('every page of the submission flows is valid HTML (html-validate standard)', async () => {
  const { HtmlValidate } = await import('html-validate');
  const validator = new HtmlValidate({ extends: ['html-validate:standard'], rules: { 'no-redundant-role': 'off' } });
  const c = client();
  const pages = [];
  const grab = async (p) => { const res = await c.send(p); pages.push([p, await res.text()]); return res; };
  for (const p of ['/register/', '/register/group', '/register/group/terms?kind=npo', '/register/event',
    '/register/report', '/contact', '/groups/change', '/groups/change?q=' + encodeURIComponent('周南')])
    await grab(p);
  const gid = sql("SELECT id FROM groups WHERE name='周南子ども食堂ネット'");
  await grab(`/groups/${gid}/change`);
  const d = await startGroup(c, 'npo');
  await grab(`/register/group/form?d=${d}`);
  const bad = await postGroupForm(c, d, { name: '' }, { file_1: [PDF, '規約.pdf', 'application/pdf'] });
  pages.push(['group form with errors', await bad.text()]);
  assert.equal((await postGroupForm(c, d, GROUP('検証の会', 'valid@example.jp'))).status, 303);
  await grab(`/register/group/confirm?d=${d}`);
  await c.post('/register/group/confirm', { d }, { from: `/register/group/confirm?d=${d}` });
  await grab(`/register/group/done?d=${d}`);
  const res = await c.post(`/groups/${gid}/change`, { org_class: 'NPO法人', name: '周南子ども食堂ネット 改', kana: 'しゅうなんこどもしょくどうねっと',
    representative: '周南 次郎', contact_name: '周南 三郎', fields: ['子どもの健全育成'], target_area: '県内全域', purpose: '子どもの居場所',
    activities: '食堂の運営', prefecture: '山口県', municipality: '周南市', address: '岐山通1-1',
    requester_name: '周南 三郎', requester_email: 'valid2@example.jp' });
  assert.equal(res.status, 303);
  await grab(res.headers.get('location'));
  await grab(`/contact/done?d=${'A'.repeat(43)}`);
  const problems = [];
  for (const [p, html] of pages) {
    const report = await validator.validateString(html, p);
    if (!report.valid)
      for (const r of report.results) for (const m of r.messages) problems.push(`${p}:${m.line}:${m.column} ${m.ruleId}: ${m.message}`);
  }
  assert.deepEqual(problems, []);
});
