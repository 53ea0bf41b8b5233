// aika_member.test.mjs — the member's own side of Aika over real HTTP with a
// real SMTP server (issue 5, part F; A5 end, A7, 連携機能): a verified member
// is 'draft' and the my page asks for the 詳細登録; the details form per kind
// (individual: 職業; group/company: 担当者名 …) with errors that keep the
// input; non-public items encrypted at rest; draft → review with the
// centre's mail; my page marks every item 「公開」/「非公開」; 会員情報修正 of
// a published member stays published and is audited; メルマガ opt-in makes
// and stops an 'aika' subscriber; a group's recruitments (list incl. past,
// new, edit → back to 仮登録, delete; mails to centre and group; 403 for an
// individual, 404 for another group's, CSRF); 「スーパーネットに登録」 from
// the verified page and from my page pre-fills Supernet's registration once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';

const CENTRE = 'centre-f@example.jp';
let srv, sink;
before(async () => {
  sink = await startSmtpSink();
  const conf = path.join(await fsp.mkdtemp('/tmp/civicnet-aika-member-conf-'), 'civicnet.conf');
  await fsp.writeFile(conf, `centre_address = ${CENTRE}\n`);
  srv = await startServer({ demo: false, env: { CIVICNET_SMTP: sink.url }, args: ['--config', conf] });
});
after(async () => { await srv?.stop(); await sink?.stop?.(); await sink?.dispose?.(); });

const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'civicnet.db'), q],
  { encoding: 'utf8' }).trim();
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
  const csrfOf = async (p) => {
    const html = await (await send(p)).text();
    const m = html.match(/name="_csrf" value="([^"]+)"/);
    assert.ok(m, `a CSRF token on ${p}`);
    return m[1];
  };
  /** POST fields (urlencoded; arrays repeat the name) with the token of page `from`. */
  const post = async (p, fields, from = p) => {
    const tok = await csrfOf(from);
    const body = new URLSearchParams({ _csrf: tok });
    for (const [k, v] of Object.entries(fields)) for (const one of [].concat(v)) body.append(k, one);
    return send(p, { method: 'POST', body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  };
  /** POST multipart/form-data (files: {name: {filename, type, data}}). */
  const postMultipart = async (p, fields, files = {}, from = p) => {
    const tok = await csrfOf(from);
    const fd = new FormData();
    fd.append('_csrf', tok);
    for (const [k, v] of Object.entries(fields)) for (const one of [].concat(v)) fd.append(k, one);
    for (const [k, f] of Object.entries(files)) fd.append(k, new Blob([f.data], { type: f.type }), f.filename);
    return send(p, { method: 'POST', body: fd, headers: { origin: srv.url } });
  };
  const login = (l, p) => post('/aikasanet/login', { login: l, password: p, next: '/aikasanet/mypage/' });
  return { jar, send, post, postMultipart, login };
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
const centreMails = (re) => sink.messages().filter((m) => m.to.includes(CENTRE) && re.test(m.subject));
async function centreMail(re, n = 1) {
  for (let i = 0; i < 150; i++) {
    const got = centreMails(re);
    if (got.length >= n) return got;
    await sleep(100);
  }
  assert.fail(`expected ${n} centre mail(s) matching ${re}`);
}
const linkIn = (m) => m.body.match(/http:\/\/127\.0\.0\.1:\d+(\/aikasanet\/[^\s]+)/)[1];
const PW = 'Passw0rd-long';

const SIGNUP = {
  individual: (login, email) => ({
    login, password: PW, confirm: PW, person_name: '山口 花子', person_kana: 'やまぐち はなこ', prefecture: '山口県',
    municipality: '山口市', phone: '083-000-0000', email, gender: 'female', birth_date: '1990-04-01',
  }),
  group: (login, email, name = 'ふしの川を守る会') => ({
    login, password: PW, confirm: PW, org_type: 'NPO法人', org_name: name, org_kana: 'ふしのがわをまもるかい',
    representative: '椹野 一郎', rep_title: '理事長', prefecture: '山口県', municipality: '山口市', phone: '083-111-2222',
    email, wants_recruit: '1', wants_join: '1', req_1: '1', req_2: '1', req_3: '1', req_4: '1',
  }),
  company: (login, email) => ({
    login, password: PW, confirm: PW, org_type: '株式会社', org_name: '東京みらい商事', org_kana: 'とうきょうみらいしょうじ',
    representative: '東 太郎', rep_title: '代表取締役', prefecture: '東京都', municipality: '―', phone: '03-0000-1111', email,
  }),
};

/** Mail to `to` whose subject matches re (the n-th such), waiting for it. */
async function mailMatching(to, re, n = 1) {
  for (let i = 0; i < 150; i++) {
    const got = sink.messages().filter((m) => m.to.includes(to) && re.test(m.subject));
    if (got.length >= n) return got[n - 1];
    await sleep(100);
  }
  assert.fail(`expected mail ${n} to ${to} matching ${re}`);
}

/** Sign up, verify with the same client (it keeps the verified page's
 * offer), log in unless told not to; returns the client and the member id. */
async function member(kind, login, email, extra = {}, { signIn = true } = {}) {
  const c = client();
  let res = await c.post('/aikasanet/signup', { kind });
  assert.equal(res.status, 303);
  res = await c.post('/aikasanet/signup/terms', {});
  assert.equal(res.headers.get('location'), '/aikasanet/signup/form');
  res = await c.post('/aikasanet/signup/form', { ...SIGNUP[kind](login, email), ...extra });
  assert.equal(res.status, 303, await res.text());
  const [m] = await mailsTo(email);
  const link = linkIn(m);
  res = await c.post('/aikasanet/signup/verify', { token: link.split('token=')[1] }, link);
  assert.equal(res.headers.get('location'), '/aikasanet/signup/verified');
  if (signIn) {
    res = await c.login(login, PW);
    assert.equal(res.status, 303);
  }
  const id = sql(`SELECT m.id FROM members m JOIN users u ON u.id=m.user_id WHERE u.login='${login}'`);
  return { c, id };
}

const DETAILS = {
  individual: {
    postal: '753-0001', address: '中央1-2-3 花子ハイツ101', fax: '083-000-0009', occupation: '看護師',
    qualifications: '看護師免許', sales_point: '子どもの見守りが得意です', activity_areas: ['山口市', '防府市'],
    fields: ['保健・医療・福祉', '子どもの健全育成'], weekdays: ['土', '日'], probono_content: '救急法の講習',
  },
  group: {
    postal: '753-0002', address: '小郡1-1', members_count: '25人', founded_on: '2010-04-01',
    founding_purpose: '川を守る', main_activities: '河川清掃', dept: '事務局', contact_name: '担当 次郎',
    contact_title: '事務局長', activity_areas: ['山口市'], fields: ['環境の保全'], weekdays: ['土'],
  },
  company: {
    postal: '100-0001', address: '千代田1-1', members_count: '120人', founded_on: '1985-04-01',
    founding_purpose: '流通', main_activities: '卸売業', contact_name: '総務 花子', volunteer_record: '清掃活動',
    activity_areas: ['下関市'], fields: ['環境の保全'], weekdays: ['金'],
  },
};

test('a verified member is 仮登録 (draft) and the my page asks for the details; the form per kind', async () => {
  const { c, id } = await member('individual', 'f-hanako', 'f-hanako@example.jp');
  assert.equal(sql(`SELECT status||'|'||(details_completed_at IS NULL) FROM members WHERE id=${id}`), 'draft|1');
  let html = await (await c.send('/aikasanet/mypage/')).text();
  assert.match(html, /詳細情報を入力してください/);
  assert.match(html, /href="\/aikasanet\/mypage\/details"/);
  assert.match(html, /仮登録（詳細情報の入力待ち）/);
  assert.doesNotMatch(html, /href="\/aikasanet\/mypage\/recruitments\/"/, 'no recruitments for individuals');
  assert.doesNotMatch(html, /スーパーネットに登録/, 'no cross-registration for individuals');

  html = await (await c.send('/aikasanet/mypage/details')).text();
  assert.match(html, /<title>詳細情報の登録｜/);
  for (const label of ['郵便番号', '住所', 'FAX', '職業', '資格', 'セールスポイント', '活動可能地域', '活動希望分野', '活動可能曜日', '一芸・プロボノの分野', 'メルマガ配信を希望する'])
    assert.ok(html.includes(label), `individual details form shows ${label}`);
  for (const col of ['contact_name', 'members_count', 'founding_purpose', 'dept']) assert.ok(!html.includes(`name="${col}"`), `no ${col} for individuals`);
  assert.match(html, /<label for="f-occupation">職業 <span class="req">必須<\/span>/);
  assert.match(html, /公開されません/);

  // empty required items: 422 with the messages next to the fields and in the summary; input kept
  let res = await c.post('/aikasanet/mypage/details', { sales_point: '残しておく文', postal: '7530001' });
  assert.equal(res.status, 422);
  html = await res.text();
  assert.match(html, /<title>エラー：詳細情報の登録｜/);
  assert.match(html, /職業を入力してください/);
  assert.match(html, /郵便番号は「753-0000」の形で入力してください/);
  assert.match(html, /住所を入力してください/);
  assert.match(html, /活動可能地域を1つ以上選択してください/);
  assert.match(html, /href="#f-occupation"/);
  assert.match(html, />残しておく文<\/textarea>/, 'input kept');
  assert.match(html, /value="7530001"/);
  assert.equal(sql(`SELECT status FROM members WHERE id=${id}`), 'draft', 'nothing saved');

  // a group: 担当者名 etc. required, no 職業
  const g = await member('group', 'f-group1', 'f-group1@example.jp');
  html = await (await g.c.send('/aikasanet/mypage/details')).text();
  for (const label of ['会員数', '設立年月日', '設立目的', '主な活動内容', '担当部署名', '担当者名', '担当者の役職名', '活動可能地域'])
    assert.ok(html.includes(label), `group details form shows ${label}`);
  for (const col of ['occupation', 'probono_fields', 'volunteer_record']) assert.ok(!html.includes(`name="${col}"`), `no ${col} for groups`);
  for (const label of ['一芸・プロボノ', 'ボランティア実績', '社員数']) assert.ok(!html.includes(label), `no ${label} for groups`);
  res = await g.c.post('/aikasanet/mypage/details', { ...DETAILS.group, contact_name: '' });
  assert.equal(res.status, 422);
  html = await res.text();
  assert.match(html, /担当者名を入力してください/);
  assert.doesNotMatch(html, /会員数を入力してください/);
  assert.match(html, /value="25人"/);
  assert.match(html, /value="山口市" checked/, 'ticked boxes kept');

  // a company: its own wording and ボランティア実績
  const co = await member('company', 'f-company1', 'f-company1@example.jp');
  html = await (await co.c.send('/aikasanet/mypage/details')).text();
  for (const label of ['社員数', '創立年月日', '事業概要', 'ボランティア実績', '担当者名']) assert.ok(html.includes(label), `company form shows ${label}`);
  assert.ok(!html.includes('name="occupation"'), 'no 職業 for companies');
  res = await co.c.post('/aikasanet/mypage/details', { ...DETAILS.company, members_count: '', founded_on: '1985-13-01' });
  assert.equal(res.status, 422);
  html = await res.text();
  assert.match(html, /社員数を入力してください/);
  assert.match(html, /創立年月日は「2026-04-01」の形で、正しい日付を入力してください/);

  // a staff member or another role never reaches these screens as a member
  const anon = client();
  res = await anon.send('/aikasanet/mypage/details');
  assert.equal(res.status, 303);
  assert.match(res.headers.get('location'), /\/aikasanet\/login\?next=/);
});

test('saving the details: non-public items encrypted at rest, draft → review, the centre is told once', async () => {
  const { c, id } = await member('individual', 'f-taro', 'f-taro@example.jp');
  let res = await c.post('/aikasanet/mypage/details', DETAILS.individual);
  assert.equal(res.status, 303, await res.text());
  assert.equal(res.headers.get('location'), '/aikasanet/mypage/?done=details');
  assert.equal(sql(`SELECT status||'|'||(details_completed_at IS NOT NULL) FROM members WHERE id=${id}`), 'review|1');
  const enc = sql(`SELECT postal_enc||' '||address_enc||' '||fax_enc FROM members WHERE id=${id}`);
  for (const part of enc.split(' ')) assert.match(part, /^v1:/, 'non-public items are stored encrypted');
  assert.doesNotMatch(enc, /753-0001|花子ハイツ|083-000-0009/);
  assert.equal(sql(`SELECT occupation||'|'||activity_areas||'|'||weekdays FROM members WHERE id=${id}`), '看護師|山口市\n防府市|土\n日');

  const [mail] = await centreMail(/会員の詳細登録がありました/);
  assert.match(mail.subject, new RegExp(`会員番号 ${id}`));
  assert.doesNotMatch(mail.body, /花子|753-0001|f-taro@example/, 'no personal data in the centre mail');
  const audit = sql(`SELECT action||'|'||target||'|'||detail FROM audit_log WHERE action='member_details' AND target='member:${id}'`);
  assert.match(audit, /status=review/);
  assert.match(audit, /postal/);
  assert.doesNotMatch(audit, /753-0001|看護師/, 'the audit log names columns, not values');

  // my page: decrypted, each item marked
  let html = await (await c.send('/aikasanet/mypage/?done=details')).text();
  assert.match(html, /詳細情報を登録しました/);
  assert.doesNotMatch(html, /詳細情報を入力してください/);
  assert.match(html, /仮登録（センターで確認中）/);
  const mark = (label) => {
    const m = html.match(new RegExp(`<dt>${label} <span class="tag pub-tag( pub-private)?">(公開|非公開)</span></dt>\\s*<dd>([\\s\\S]*?)</dd>`));
    assert.ok(m, `my page shows ${label}`);
    return [m[2], m[3].trim()];
  };
  assert.deepEqual(mark('郵便番号'), ['非公開', '753-0001']);
  assert.deepEqual(mark('住所'), ['非公開', '中央1-2-3 花子ハイツ101']);
  assert.deepEqual(mark('氏名'), ['非公開', '山口 花子']);
  assert.deepEqual(mark('Eメール'), ['非公開', 'f-taro@example.jp']);
  assert.deepEqual(mark('電話番号'), ['非公開', '083-000-0000']);
  assert.deepEqual(mark('生年月日'), ['非公開', '1990-04-01']);
  assert.deepEqual(mark('ログインID'), ['非公開', 'f-taro']);
  assert.deepEqual(mark('職業'), ['公開', '看護師']);
  assert.equal(mark('活動可能地域')[0], '公開');
  assert.match(mark('活動可能地域')[1], /<li>山口市<\/li><li>防府市<\/li>/);
  assert.equal(mark('市町')[0], '公開');
  assert.doesNotMatch(html, /確認メモ|メール停止/, 'the centre\'s workflow items are not shown');

  // saving again while in review: no second centre mail, status unchanged
  res = await c.post('/aikasanet/mypage/details', { ...DETAILS.individual, occupation: '保健師' });
  assert.equal(res.headers.get('location'), '/aikasanet/mypage/?done=saved');
  assert.equal(sql(`SELECT status||'|'||occupation FROM members WHERE id=${id}`), 'review|保健師');
  await sleep(500);
  assert.equal(centreMails(new RegExp(`会員の詳細登録がありました.*会員番号 ${id}）`)).length, 1);
});

test('会員情報修正: items 3–16 and 19–42 in one form; a published member stays published, audited; the rules apply', async () => {
  const { c, id } = await member('individual', 'f-jiro', 'f-jiro@example.jp');
  await c.post('/aikasanet/mypage/details', DETAILS.individual);
  sql(`UPDATE members SET status='published', published_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=${id}`);
  let html = await (await c.send('/aikasanet/mypage/profile')).text();
  assert.match(html, /<title>会員情報の修正｜/);
  assert.match(html, /name="person_name" value="山口 花子"/, 'decrypted values pre-filled');
  assert.match(html, /name="phone" value="083-000-0000"/);
  assert.match(html, /name="postal" value="753-0001"/);
  assert.match(html, /name="occupation" value="看護師"/);
  assert.doesNotMatch(html, /name="login"|name="password"|name="email"/, 'login, password and e-mail have their own screens');
  assert.match(html, /公開中の内容は、保存するとすぐに変わります/);

  const all = {
    person_name: '山口 花子', person_kana: 'やまぐち はなこ', prefecture: '山口県', municipality: '山口市',
    phone: '083-999-0000', gender: 'female', birth_date: '1990-04-01', ...DETAILS.individual, occupation: '保育士',
  };
  let res = await c.post('/aikasanet/mypage/profile', { ...all, municipality: '山口県外' });
  assert.equal(res.status, 422);
  assert.match(await res.text(), /都道府県が山口県のときは、市町を19市町から選択してください/);
  const before = sql(`SELECT phone_enc FROM members WHERE id=${id}`);
  res = await c.post('/aikasanet/mypage/profile', all);
  assert.equal(res.headers.get('location'), '/aikasanet/mypage/?done=saved');
  assert.equal(sql(`SELECT status||'|'||occupation FROM members WHERE id=${id}`), 'published|保育士', 'no second review');
  const after = sql(`SELECT phone_enc FROM members WHERE id=${id}`);
  assert.notEqual(after, before);
  assert.match(after, /^v1:/);
  const audit = sql(`SELECT detail FROM audit_log WHERE action='member_profile' AND target='member:${id}'`);
  assert.equal(audit, 'phone occupation');
  html = await (await c.send('/aikasanet/mypage/?done=saved')).text();
  assert.match(html, /会員情報を保存しました/);
  assert.match(html, /083-999-0000/);
  assert.match(html, /公開中/);

  // a group's organisation name change follows into the list name and the header
  const g = await member('group', 'f-group2', 'f-group2@example.jp', { org_name: '旧名の会' });
  await g.c.post('/aikasanet/mypage/details', DETAILS.group);
  html = await (await g.c.send('/aikasanet/mypage/profile')).text();
  assert.match(html, /name="org_name" value="旧名の会"/);
  assert.match(html, /name="contact_name" value="担当 次郎"/);
  res = await g.c.post('/aikasanet/mypage/profile', {
    org_type: 'NPO法人', org_name: '新名の会', org_kana: 'しんめいのかい', representative: '椹野 一郎', rep_title: '理事長',
    prefecture: '山口県', municipality: '宇部市', phone: '083-111-2222', wants_recruit: '1', ...DETAILS.group,
  });
  assert.equal(res.status, 303, await res.text());
  assert.equal(sql(`SELECT display_name||'|'||area||'|'||wants_join FROM members WHERE id=${g.id}`), '新名の会|宇部市|0', 'unticked box saved');
  assert.match(await (await g.c.send('/aikasanet/mypage/')).text(), /新名の会 さん（ログイン中）/);
});

test('メルマガ opt-in makes an active aika subscriber; unticking stops it; ticking again restarts it', async () => {
  const { c, id } = await member('individual', 'f-mag', 'F-Mag@example.jp');
  let res = await c.post('/aikasanet/mypage/details', { ...DETAILS.individual, newsletter_opt_in: '1' });
  assert.equal(res.status, 303);
  const row = () => sql(`SELECT list||'|'||status||'|'||coalesce(member_id,'')||'|'||length(unsub_key)||'|'||substr(email_enc,1,3)||'|'||(confirmed_at IS NOT NULL) FROM newsletter_subscribers WHERE member_id=${id}`);
  assert.equal(row(), `aika|active|${id}|64|v1:|1`);
  assert.equal(sql(`SELECT newsletter_opt_in FROM members WHERE id=${id}`), '1');
  assert.doesNotMatch(sql('SELECT email_enc||email_index FROM newsletter_subscribers'), /mag@example/i, 'the address is not stored in clear');
  let html = await (await c.send('/aikasanet/mypage/')).text();
  assert.match(html, /<dt>メルマガ配信を希望する <span class="tag pub-tag pub-private">非公開<\/span><\/dt>/);

  res = await c.post('/aikasanet/mypage/details', DETAILS.individual);
  assert.equal(res.status, 303);
  assert.equal(sql(`SELECT status||'|'||stop_reason||'|'||(stopped_at IS NOT NULL) FROM newsletter_subscribers WHERE member_id=${id}`), 'stopped|member|1');
  res = await c.post('/aikasanet/mypage/details', { ...DETAILS.individual, newsletter_opt_in: '1' });
  assert.equal(sql(`SELECT count(*)||'|'||max(status) FROM newsletter_subscribers WHERE member_id=${id}`), '1|active', 'one row per address');
  html = await (await c.send('/aikasanet/mypage/details')).text();
  assert.match(html, /name="newsletter_opt_in" value="1" checked/);
});

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const RECRUIT = {
  title: '河川清掃ボランティア', organiser: 'ふしの川を守る会', organiser_contact: '083-111-2222',
  fields: ['環境の保全'], summary: '椹野川の河原のごみを拾います。', starts_on: '2099-05-10', ends_on: '2099-05-10',
  weekdays: ['日'], time_text: '9時〜11時', areas: ['山口市'], place: '椹野川河川敷', headcount: '20人',
};

test('a group\'s recruitments: list incl. past, new (仮登録, mails), edit (back to 仮登録), delete; others refused', async () => {
  const A = await member('group', 'f-groupa', 'f-groupa@example.jp');
  await A.c.post('/aikasanet/mypage/details', DETAILS.group);
  let html = await (await A.c.send('/aikasanet/mypage/')).text();
  assert.match(html, /href="\/aikasanet\/mypage\/recruitments\/">ボランティア募集<\/a>/);
  html = await (await A.c.send('/aikasanet/mypage/recruitments/')).text();
  assert.match(html, /<title>ボランティア募集の一覧｜/);
  assert.match(html, /まだ募集を登録していません/);
  html = await (await A.c.send('/aikasanet/mypage/recruitments/new')).text();
  assert.match(html, /name="organiser" value="ふしの川を守る会"/, 'organiser defaults to the group');
  assert.match(html, /enctype="multipart\/form-data"/);

  let res = await A.c.postMultipart('/aikasanet/mypage/recruitments/new', { title: '', fields: [], weekdays: [], areas: [] },
    {}, '/aikasanet/mypage/recruitments/new');
  assert.equal(res.status, 422);
  html = await res.text();
  for (const msg of ['募集タイトルを入力してください', '活動内容を入力してください', '活動曜日を1つ以上選択してください',
    '活動地域を1つ以上選択してください', '随時募集でないときは、活動開始日を入力してください'])
    assert.ok(html.includes(msg), msg);

  res = await A.c.postMultipart('/aikasanet/mypage/recruitments/new', { ...RECRUIT, ends_on: '2099-05-01' }, {},
    '/aikasanet/mypage/recruitments/new');
  assert.equal(res.status, 422);
  assert.match(await res.text(), /活動終了日は活動開始日より後の日付を入力してください/);

  res = await A.c.postMultipart('/aikasanet/mypage/recruitments/new', RECRUIT,
    { file_1: { filename: 'チラシ.pdf', type: 'application/pdf', data: PDF } }, '/aikasanet/mypage/recruitments/new');
  assert.equal(res.status, 303, await res.text());
  assert.equal(res.headers.get('location'), '/aikasanet/mypage/recruitments/?done=created');
  const rid = sql(`SELECT id FROM recruitments WHERE member_id=${A.id}`);
  assert.equal(sql(`SELECT status||'|'||weekdays||'|'||areas||'|'||(published_at IS NULL) FROM recruitments WHERE id=${rid}`), 'review|日|山口市|1');
  assert.equal(sql(`SELECT u.owner_kind||'|'||u.owner_id FROM recruitments r JOIN uploads u ON u.id=r.file_1 WHERE r.id=${rid}`), `recruitment|${rid}`);
  const [c1] = await centreMail(/ボランティア募集の登録がありました/);
  assert.match(c1.subject, /河川清掃ボランティア/);
  assert.match(c1.body, new RegExp(`/admin/recruitments/${rid}`));
  const got = await mailMatching('f-groupa@example.jp', /ボランティア募集の仮登録が完了しました/);
  assert.match(got.subject, /河川清掃ボランティア/);

  html = await (await A.c.send('/aikasanet/mypage/recruitments/?done=created')).text();
  assert.match(html, /募集を登録しました（仮登録）/);
  assert.match(html, /河川清掃ボランティア/);
  assert.match(html, /<span class="tag">仮登録<\/span><span class="tag pub-tag pub-private">募集中ではありません<\/span>/);
  assert.match(html, /団体の会員情報がセンターで公開されるまで、募集は公開されません/);

  // the centre publishes group and recruitment: 公開, 募集中; a past one stays listed
  sql(`UPDATE members SET status='published' WHERE id=${A.id}`);
  sql(`UPDATE recruitments SET status='published', published_at='2026-01-01T00:00:00Z' WHERE id=${rid}`);
  sql(`INSERT INTO recruitments(member_id, title, organiser, starts_on, summary, weekdays, areas, fields, status, published_at)
       VALUES (${A.id}, '昨年の清掃', 'ふしの川を守る会', '2020-05-10', '終わった募集', '日', '山口市', '環境の保全', 'published', '2020-01-01T00:00:00Z')`);
  html = await (await A.c.send('/aikasanet/mypage/recruitments/')).text();
  assert.match(html, /河川清掃ボランティア<\/h3>\s*<p class="my-recruit-meta"><span class="tag">公開<\/span><span class="tag pub-tag">募集中<\/span>/);
  assert.match(html, /昨年の清掃<\/h3>\s*<p class="my-recruit-meta"><span class="tag">公開<\/span><span class="tag pub-tag pub-private">募集中ではありません/);

  // edit: values pre-filled, back to 仮登録 with mails; published_at kept
  html = await (await A.c.send(`/aikasanet/mypage/recruitments/${rid}/edit`)).text();
  assert.match(html, /name="title" value="河川清掃ボランティア"/);
  assert.match(html, /添付済み：チラシ\.pdf/);
  assert.match(html, /この募集は公開中です。修正して保存すると、センターが確認するまで公開されなくなります/);
  res = await A.c.postMultipart(`/aikasanet/mypage/recruitments/${rid}/edit`, { ...RECRUIT, headcount: '30人', file_1_remove: '1' }, {},
    `/aikasanet/mypage/recruitments/${rid}/edit`);
  assert.equal(res.status, 303, await res.text());
  assert.equal(res.headers.get('location'), '/aikasanet/mypage/recruitments/?done=saved');
  assert.equal(sql(`SELECT status||'|'||headcount||'|'||published_at||'|'||coalesce(file_1,'none') FROM recruitments WHERE id=${rid}`),
    'review|30人|2026-01-01T00:00:00Z|none');
  assert.equal(sql("SELECT count(*) FROM uploads WHERE owner_kind='recruitment'"), '0', 'the removed file is deleted');
  await centreMail(/ボランティア募集の修正がありました/);
  assert.match((await mailMatching('f-groupa@example.jp', /ボランティア募集の仮登録が完了しました/, 2)).body, /修正していただき/);
  assert.match(sql(`SELECT detail FROM audit_log WHERE action='recruitment_update' AND target='recruitment:${rid}'`), /headcount.*status=published->review/);

  // another group: 404 for A's recruitment; an individual: 403; CSRF
  const B = await member('group', 'f-groupb', 'f-groupb@example.jp', { org_name: '別の会' });
  for (const p of [`/aikasanet/mypage/recruitments/${rid}/edit`, `/aikasanet/mypage/recruitments/${rid}/delete`])
    assert.equal((await B.c.send(p)).status, 404, p);
  res = await B.c.postMultipart(`/aikasanet/mypage/recruitments/${rid}/edit`, RECRUIT, {}, '/aikasanet/mypage/recruitments/new');
  assert.equal(res.status, 404);
  res = await B.c.post(`/aikasanet/mypage/recruitments/${rid}/delete`, {}, '/aikasanet/mypage/recruitments/');
  assert.equal(res.status, 404);
  assert.doesNotMatch(await (await B.c.send('/aikasanet/mypage/recruitments/')).text(), /河川清掃/, 'only its own');
  const I = await member('individual', 'f-indiv', 'f-indiv@example.jp');
  for (const p of ['/aikasanet/mypage/recruitments/', '/aikasanet/mypage/recruitments/new', `/aikasanet/mypage/recruitments/${rid}/edit`]) {
    res = await I.c.send(p);
    assert.equal(res.status, 403, p);
    assert.match(await res.text(), /権限がありません/);
  }
  res = await I.c.post('/aikasanet/mypage/recruitments/new', { title: 'x' }, '/aikasanet/mypage/');
  assert.equal(res.status, 403);
  res = await A.c.send(`/aikasanet/mypage/recruitments/${rid}/delete`, { method: 'POST', body: '_csrf=forged',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  assert.equal(res.status, 403, 'CSRF');
  assert.equal(sql(`SELECT count(*) FROM recruitments WHERE id=${rid}`), '1');

  // delete with confirmation
  html = await (await A.c.send(`/aikasanet/mypage/recruitments/${rid}/delete`)).text();
  assert.match(html, /次の募集を削除します/);
  assert.match(html, /河川清掃ボランティア/);
  res = await A.c.post(`/aikasanet/mypage/recruitments/${rid}/delete`, {}, `/aikasanet/mypage/recruitments/${rid}/delete`);
  assert.equal(res.headers.get('location'), '/aikasanet/mypage/recruitments/?done=deleted');
  assert.equal(sql(`SELECT count(*) FROM recruitments WHERE id=${rid}`), '0');
  assert.match(await (await A.c.send('/aikasanet/mypage/recruitments/?done=deleted')).text(), /募集を削除しました/);
});

/** Follow a hand-off to Supernet's form: terms page, 「同意する」, the form. */
async function supernetForm(c, location) {
  const [, kind] = location.match(/kind=(citizen|company)/);
  const terms = await (await c.send(location)).text();
  const res = await c.post('/register/group/terms', { kind }, location);
  assert.equal(res.status, 303);
  const form = await (await c.send(res.headers.get('location'))).text();
  return { terms, form };
}

test('「スーパーネットに登録」: from the verified page and my page, the shared fields pre-filled once', async () => {
  // an individual's verified page has no offer
  const I = await member('individual', 'f-noffer', 'f-noffer@example.jp', {}, { signIn: false });
  assert.doesNotMatch(await (await I.c.send('/aikasanet/signup/verified')).text(), /スーパーネットに登録/);

  // the page right after verification, in the same browser (not signed in)
  const G = await member('group', 'f-handoff', 'f-handoff@example.jp', { org_name: '引継ぎの会', org_kana: 'ひきつぎのかい' },
    { signIn: false });
  let html = await (await G.c.send('/aikasanet/signup/verified')).text();
  assert.match(html, /<form method="post" action="\/aikasanet\/signup\/supernet"[\s\S]*スーパーネットに登録/);
  let res = await G.c.post('/aikasanet/signup/supernet', {}, '/aikasanet/signup/verified');
  assert.equal(res.status, 303);
  const loc = res.headers.get('location');
  assert.match(loc, /^\/register\/group\/terms\?kind=citizen&handoff=[A-Za-z0-9_-]{43}$/, 'only a token in the URL');
  const { terms, form } = await supernetForm(G.c, loc);
  assert.match(terms, /あいかさねっとで登録した団体・企業の情報を引き継ぎます/);
  assert.match(form, /name="name" value="引継ぎの会"/);
  assert.match(form, /name="kana" value="ひきつぎのかい"/);
  assert.match(form, /name="representative" value="椹野 一郎"/);
  assert.match(form, /name="rep_title" value="理事長"/);
  assert.match(form, /name="phone" value="083-111-2222"/);
  assert.match(form, /name="registrant_email" value="f-handoff@example.jp"/);
  assert.match(form, /<option value="NPO法人" selected>/);
  assert.match(form, /<option value="山口市" selected>/);

  // used: the same token again says so and the form stays empty
  const again = await supernetForm(G.c, loc);
  assert.match(again.terms, /有効期限が切れているか、すでに使われています/);
  assert.doesNotMatch(again.form, /引継ぎの会/);
  // another browser cannot use a token it saw
  const other = client();
  const seen = await (await other.send(loc)).text();
  assert.match(seen, /有効期限が切れているか、すでに使われています/);

  // my page of a company outside Yamaguchi, after its details: kind company, 「―」 → 山口県外, 担当者名
  const C = await member('company', 'f-handco', 'f-handco@example.jp');
  await C.c.post('/aikasanet/mypage/details', DETAILS.company);
  html = await (await C.c.send('/aikasanet/mypage/')).text();
  assert.match(html, /<form method="post" action="\/aikasanet\/mypage\/supernet"/);
  res = await C.c.post('/aikasanet/mypage/supernet', {}, '/aikasanet/mypage/');
  const cloc = res.headers.get('location');
  assert.match(cloc, /^\/register\/group\/terms\?kind=company&handoff=/);
  const co = await supernetForm(C.c, cloc);
  assert.match(co.form, /name="name" value="東京みらい商事"/);
  assert.match(co.form, /<option value="株式会社" selected>/);
  assert.match(co.form, /<option value="東京都" selected>/);
  assert.match(co.form, /<option value="山口県外" selected>/);
  assert.match(co.form, /name="contact_name" value="総務 花子"/);
  assert.match(sql(`SELECT detail FROM audit_log WHERE action='member_handoff_supernet' AND target='member:${C.id}'`), /company/);
  // an individual may not
  await I.c.login('f-noffer', PW);
  res = await I.c.post('/aikasanet/mypage/supernet', {}, '/aikasanet/mypage/');
  assert.equal(res.status, 403);
});

test('every member-side page is valid HTML (html-validate, standard preset)', async () => {
  const { HtmlValidate } = await import('html-validate');
  const validator = new HtmlValidate({ extends: ['html-validate:standard'], rules: { 'no-redundant-role': 'off' } });
  const problems = [];
  const validate = async (c, p, res) => {
    const html = await (res ?? await c.send(p)).text();
    const report = await validator.validateString(html, p);
    if (!report.valid)
      for (const r of report.results) for (const m of r.messages) problems.push(`${p}:${m.line}: ${m.ruleId} ${m.message}`);
  };
  const G = await member('group', 'f-valid', 'f-valid@example.jp', { org_name: '検証の会' }, { signIn: false });
  await validate(G.c, '/aikasanet/signup/verified');
  await G.c.login('f-valid', PW);
  for (const p of ['/aikasanet/mypage/', '/aikasanet/mypage/details', '/aikasanet/mypage/profile', '/aikasanet/mypage/recruitments/',
    '/aikasanet/mypage/recruitments/new'])
    await validate(G.c, p);
  await validate(G.c, 'details with errors', await G.c.post('/aikasanet/mypage/details', {}));
  await G.c.post('/aikasanet/mypage/details', DETAILS.group);
  await validate(G.c, '/aikasanet/mypage/?done=details');
  const res = await G.c.postMultipart('/aikasanet/mypage/recruitments/new', RECRUIT, {}, '/aikasanet/mypage/recruitments/new');
  assert.equal(res.status, 303);
  const rid = sql(`SELECT id FROM recruitments WHERE member_id=${G.id}`);
  for (const p of ['/aikasanet/mypage/recruitments/?done=created', `/aikasanet/mypage/recruitments/${rid}/edit`,
    `/aikasanet/mypage/recruitments/${rid}/delete`])
    await validate(G.c, p);
  assert.deepEqual(problems, []);
});
