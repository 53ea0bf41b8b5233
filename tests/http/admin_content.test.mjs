// admin_content.test.mjs — the staff screens for Supernet's content over
// real HTTP (C2–C5, C7, C11): for every type create (errors named per
// field, input kept) → edit → preview → publish through the confirmation
// → visible publicly → duplicate → delete; who may use them (editor,
// anonymous, member) and CSRF; the publication mail (exactly one, only for
// review → published, not on re-publishing); modification requests
// (diff, approve in one transaction, second approve refused, validation
// against today's master lists, reject with a mailed reason); the group CSV
// (BOM, Japanese headers, decrypted registrant columns, formula guard,
// filters); the dashboard against SQL counts; the top-page settings; file
// upload and removal on the edit form; every change in the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HtmlValidate } from 'html-validate';
import { startServer, userAdd } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';

let srv, sink, secret, editor;
before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ demo: true, env: { CIVICNET_SMTP: sink.url } });
  await userAdd(srv.dataDir, 'clerk', 'editor', 'clerk-password-1');
  secret = fs.readFileSync(path.join(srv.dataDir, 'secret.key'));
  editor = client();
  assert.equal((await editor.login('clerk', 'clerk-password-1')).status, 303);
});
after(async () => { await srv?.stop(); await sink?.stop?.(); await sink?.dispose?.(); });

// .timeout: the server writes at the same time (sessions, outbox)
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'civicnet.db'), q],
  { encoding: 'utf8' }).trim();
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

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
  const login = (l, pw) => post('/admin/login', { login: l, password: pw, next: '/admin/' });
  return { send, post, postMultipart, login };
}

// A member's session made the way the server stores one (authz.test.mjs).
function memberSession() {
  const sid = crypto.randomBytes(32).toString('base64url');
  const login = `member-${crypto.randomBytes(4).toString('hex')}`;
  sql(`INSERT INTO users(login, display_name, role, pw_hash) VALUES ('${login}', '${login}', 'member', 'x')`);
  const uid = sql(`SELECT id FROM users WHERE login='${login}'`);
  const hash = crypto.createHash('sha256').update(sid).digest('hex');
  sql(`INSERT INTO sessions(id_hash, user_id, created_at, last_seen) VALUES ('${hash}', ${uid}, strftime('%s','now'), strftime('%s','now'))`);
  return { cookie: `cn_sid=${sid}`, csrf: crypto.createHmac('sha256', secret).update('csrf:' + sid).digest('base64url') };
}

// pii.c's format, so tests can store what the public forms store:
// "v1:" + base64url(nonce | AES-256-GCM ciphertext | tag), column as AAD.
function piiEncrypt(column, plain) {
  const key = fs.readFileSync(path.join(srv.dataDir, 'keys', 'pii.key'));
  const nonce = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(Buffer.from(column));
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return 'v1:' + Buffer.concat([nonce, ct, c.getAuthTag()]).toString('base64url');
}

const idFrom = (res) => {
  const m = (res.headers.get('location') || '').match(/\/(\d+)\?done=/);
  assert.ok(m, `redirect to the record, got ${res.status} ${res.headers.get('location')}`);
  return m[1];
};

const uniq = () => crypto.randomBytes(3).toString('hex');

// A valid NPO group (urlencoded pairs; 活動分野 is a check-box group).
function groupFields(name, email, extra = []) {
  return [['kind', 'npo'], ['org_class', 'NPO法人'], ['name', name], ['kana', 'てすとのかい'],
    ['representative', '山口 太郎'], ['contact_name', '周南 花子'], ['fields', '保健・医療・福祉'], ['fields', '子どもの健全育成'],
    ['target_area', '県内全域'], ['purpose', '地域の子どもを支えます。'], ['activities', '毎週土曜日に読み聞かせ。'],
    ['prefecture', '山口県'], ['municipality', '山口市'], ['address', '中央1-2-3'], ['phone', '083-000-0000'],
    ['registrant_name', '登録 一郎'], ['registrant_phone', '090-1234-5678'], ['registrant_email', email],
    ['activity', 'active'], ...extra];
}

// One valid record per type, the title column, the public list prefix.
const TYPES = {
  groups: { title: 'name', fields: (t) => groupFields(t, `g${uniq()}@example.jp`), newPath: '/admin/groups/new?kind=npo' },
  events: { title: 'title', fields: (t) => [['kind', 'event'], ['title', t], ['organiser', '主催の会'], ['starts_on', '2026-12-05'],
    ['summary', '内容です。'], ['submitter_name', '依頼 者'], ['submitter_email', `e${uniq()}@example.jp`]] },
  grants: { title: 'title', fields: (t) => [['funder', '財団'], ['title', t], ['deadline', '2027-01-31']] },
  reports: { title: 'title', fields: (t) => [['title', t], ['group_name', '報告の会'], ['held_on', '2026-10-01'], ['body', '報告です。'],
    ['submitter_name', '報告 者'], ['submitter_email', `r${uniq()}@example.jp`]] },
  books: { title: 'title', fields: (t) => [['accession_no', `B-${uniq()}`], ['title', t]] },
  news: { title: 'title', fields: (t) => [['site', 'supernet'], ['category', 'news'], ['title', t], ['body', '本文です。']] },
  pages: { title: 'title', fields: (t) => [['site', 'supernet'], ['title', t], ['slug', `p-${uniq()}`], ['body', '# 見出し\n\n本文です。']] },
};

for (const [plural, spec] of Object.entries(TYPES)) {
  test(`${plural}: create with errors → create → edit → preview → publish (confirmed) → public → duplicate → delete`, async () => {
    const c = editor;
    const base = `/admin/${plural}/`;
    const newPath = spec.newPath || `${base}new`;
    let res = await c.send(base);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('cache-control') || '', /no-store/, 'admin pages are never cached');
    assert.match(await res.text(), /<nav class="state-counts"/);

    // errors: the title left empty, one other value kept
    const title = `テスト${plural}${uniq()}`;
    const bad = spec.fields(title).map(([k, v]) => [k, k === spec.title ? '' : v]);
    res = await c.post(`${base}new`, bad, newPath);
    assert.equal(res.status, 422);
    let html = await res.text();
    assert.match(html, /<title>エラー：/);
    assert.match(html, new RegExp(`<a href="#f-${spec.title}">[^<]*を入力してください`));
    const kept = bad.find(([k, v]) => k !== spec.title && v && !['kind', 'site', 'category', 'fields', 'activity', 'org_class'].includes(k));
    assert.ok(html.includes(`value="${kept[1]}"`) || html.includes(`>${kept[1]}</textarea>`), `input kept: ${kept[0]}`);

    res = await c.post(`${base}new`, spec.fields(title), newPath);
    assert.equal(res.status, 303, await res.text());
    const id = idFrom(res);
    assert.equal(sql(`SELECT status FROM ${plural} WHERE id=${id}`), 'draft', 'a new record is a draft');
    html = await (await c.send(`${base}${id}?done=created`)).text();
    assert.match(html, /作成しました/);
    assert.match(html, /下書/);

    // edit: a new title; everything else posted as shown
    const title2 = `${title}改`;
    res = await c.post(`${base}${id}`, spec.fields(title2), `${base}${id}`);
    assert.equal(res.status, 303);
    assert.equal(sql(`SELECT ${spec.title} FROM ${plural} WHERE id=${id}`), title2);

    // preview: like the public page, clearly marked
    html = await (await c.send(`${base}${id}/preview`)).text();
    assert.match(html, /プレビュー（未公開）/);
    assert.ok(html.includes(title2));

    // publishing goes through a confirmation page
    html = await (await c.send(`${base}${id}/status?to=published`)).text();
    assert.match(html, /誰でも見られるようになり/);
    assert.match(html, /<button type="submit">公開する<\/button>/);
    assert.equal(sql(`SELECT status FROM ${plural} WHERE id=${id}`), 'draft', 'the confirmation changes nothing');
    res = await c.post(`${base}${id}/status`, { to: 'published' }, `${base}${id}/status?to=published`);
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location'), /done=published/);
    assert.equal(sql(`SELECT status FROM ${plural} WHERE id=${id}`), 'published');
    html = await (await c.send(`${base}${id}`)).text();
    const pub = html.match(/<dt>公開ページ<\/dt><dd><a href="([^"]+)"/);
    assert.ok(pub, 'the edit page links the public page');
    const anon = await fetch(srv.url + pub[1]);
    assert.equal(anon.status, 200, `public ${pub[1]}`);
    assert.ok((await anon.text()).includes(title2), 'visible publicly');

    // duplicate: a draft copy named 「（複製）」
    res = await c.post(`${base}${id}/duplicate`, {}, `${base}${id}`);
    assert.equal(res.status, 303);
    const copy = idFrom(res);
    assert.notEqual(copy, id);
    assert.equal(sql(`SELECT ${spec.title} || '|' || status FROM ${plural} WHERE id=${copy}`), `${title2}（複製）|draft`);

    // delete: confirmation first, then gone (also publicly)
    html = await (await c.send(`${base}${id}/delete`)).text();
    assert.match(html, /削除すると元に戻せません/);
    assert.match(html, /公開中のため/);
    assert.equal(sql(`SELECT count(*) FROM ${plural} WHERE id=${id}`), '1');
    res = await c.post(`${base}${id}/delete`, {}, `${base}${id}/delete`);
    assert.equal(res.status, 303);
    assert.equal((await c.send(`${base}${id}`)).status, 404);
    assert.equal((await fetch(srv.url + pub[1])).status, 404);

    const type = plural === 'news' ? 'news' : plural.replace(/s$/, '');
    const audit = sql(`SELECT group_concat(action, ',') FROM (SELECT action FROM audit_log WHERE target IN ('${type}:${id}','${type}:${copy}') AND action != 'content_view' ORDER BY id)`);
    assert.equal(audit, 'content_create,content_update,content_status,content_duplicate,content_delete');
    // opening the edit form of a record with non-public personal data is itself audited (Y7)
    const views = sql(`SELECT count(*) FROM audit_log WHERE target = '${type}:${id}' AND action = 'content_view'`);
    assert.equal(views !== '0', ['groups', 'events', 'reports'].includes(plural), `${plural}: content_view audited only for types with personal data`);
    assert.equal(sql(`SELECT DISTINCT actor FROM audit_log WHERE target='${type}:${id}'`), 'clerk');
  });
}

test('groups: the form follows the kind; a company gets no 活動分野 but CSR', async () => {
  let html = await (await editor.send('/admin/groups/new')).text();
  assert.match(html, /はじめに組織形態を選んでください/);
  html = await (await editor.send('/admin/groups/new?kind=company')).text();
  assert.match(html, /企業の分類/);
  assert.match(html, /id="f-csr"/);
  assert.doesNotMatch(html, /id="f-fields"/);
  assert.match(html, /登録担当者Eメール/, 'staff-only fields are on the staff form');
  assert.doesNotMatch(html, /name="status"/, 'the state is not a form field');
  html = await (await editor.send('/admin/groups/new?kind=npo')).text();
  assert.match(html, /団体の分類/);
  assert.match(html, /id="f-fields"/);
});

test('who may use the staff screens: anonymous → login, member → 403, POST without CSRF → 403', async () => {
  for (const p of ['/admin/groups/', '/admin/news/new', '/admin/changes/', '/admin/settings/', '/admin/groups/export.csv']) {
    const anon = await fetch(srv.url + p, { redirect: 'manual' });
    assert.equal(anon.status, 303, p);
    assert.match(anon.headers.get('location'), /^\/admin\/login\?next=/);
    const m = memberSession();
    const res = await fetch(srv.url + p, { redirect: 'manual', headers: { cookie: m.cookie } });
    assert.equal(res.status, 403, `member ${p}`);
  }
  const m = memberSession();
  const res = await fetch(srv.url + '/admin/news/new', {
    method: 'POST', redirect: 'manual',
    headers: { cookie: m.cookie, origin: srv.url, 'content-type': 'application/x-www-form-urlencoded' },
    body: `_csrf=${m.csrf}&site=supernet&category=news&title=x&body=y`,
  });
  assert.equal(res.status, 403, 'a member cannot create news');
  const before = sql('SELECT count(*) FROM news');
  const noToken = await editor.send('/admin/news/new', {
    method: 'POST', headers: { origin: srv.url, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'site=supernet&category=news&title=csrf&body=y',
  });
  assert.equal(noToken.status, 403, 'no CSRF token');
  const anonPost = await fetch(srv.url + '/admin/news/new', { method: 'POST', redirect: 'manual',
    headers: { origin: srv.url, 'content-type': 'application/x-www-form-urlencoded' }, body: 'title=x' });
  assert.equal(anonPost.status, 403);
  assert.equal(sql('SELECT count(*) FROM news'), before);
});

// The mails in the outbox to one address (enqueued in the publishing
// transaction, so this is exact at once).
const outboxTo = (addr) => Number(sql(`SELECT count(*) FROM outbox WHERE to_addr=${q(addr)}`));

test('publishing a submitted (仮登録) group mails its registrant exactly once; re-publishing does not', async () => {
  const email = `pub${uniq()}@example.jp`;
  const name = `公開メールの会${uniq()}`;
  let res = await editor.post('/admin/groups/new', groupFields(name, email), '/admin/groups/new?kind=npo');
  const id = idFrom(res);
  res = await editor.post(`/admin/groups/${id}/status`, { to: 'review' }, `/admin/groups/${id}`);
  assert.equal(res.status, 303);
  const html = await (await editor.send(`/admin/groups/${id}/status?to=published`)).text();
  const masked = `${email[0]}***@example.jp`;
  assert.ok(html.includes(masked), 'the confirmation names the masked address');
  assert.ok(!html.includes(email), 'and not the full address');
  assert.match(html, /メールを1通送ります/);
  res = await editor.post(`/admin/groups/${id}/status`, { to: 'published' }, `/admin/groups/${id}/status?to=published`);
  assert.match(res.headers.get('location'), /done=published_mail/);
  assert.equal(outboxTo(email), 1);
  await sink.waitFor(1);
  let mails = [];
  for (let i = 0; i < 200 && !mails.length; i++) {
    mails = sink.messages().filter((m) => m.to.includes(email));
    if (!mails.length) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(mails.length, 1);
  assert.match(mails[0].subject, /団体・企業情報を公開しました/);
  assert.ok(mails[0].body.includes(name));
  assert.match(mails[0].body, new RegExp(`/groups/${id}\\b`), 'the mail links the public page');

  // unpublish, back to review, publish again: no second mail
  res = await editor.post(`/admin/groups/${id}/status`, { to: 'draft' }, `/admin/groups/${id}/status?to=draft`);
  assert.equal(res.status, 303);
  await editor.post(`/admin/groups/${id}/status`, { to: 'review' }, `/admin/groups/${id}`);
  const again = await (await editor.send(`/admin/groups/${id}/status?to=published`)).text();
  assert.match(again, /一度公開したことがあるため/);
  res = await editor.post(`/admin/groups/${id}/status`, { to: 'published' }, `/admin/groups/${id}/status?to=published`);
  assert.match(res.headers.get('location'), /done=published$/);
  assert.equal(outboxTo(email), 1, 're-publishing sends nothing');

  // a draft published directly (staff's own) mails nobody
  const email2 = `own${uniq()}@example.jp`;
  const id2 = idFrom(await editor.post('/admin/groups/new', groupFields(`職員作成${uniq()}`, email2), '/admin/groups/new?kind=npo'));
  await editor.post(`/admin/groups/${id2}/status`, { to: 'published' }, `/admin/groups/${id2}/status?to=published`);
  assert.equal(outboxTo(email2), 0);
  assert.match(sql(`SELECT detail FROM audit_log WHERE action='content_status' AND target='group:${id}' ORDER BY id LIMIT 1 OFFSET 1`),
    /review->published mail/);
});

test('publishing is refused while the record is invalid (master list changed since)', async () => {
  const id = idFrom(await editor.post('/admin/events/new', TYPES.events.fields(`不正イベント${uniq()}`), '/admin/events/new'));
  sql(`UPDATE events SET municipality='架空市' WHERE id=${id}`);
  const html = await (await editor.send(`/admin/events/${id}/status?to=published`)).text();
  assert.match(html, /公開できません/);
  assert.match(html, /開催市町を一覧から選択してください/);
  assert.doesNotMatch(html, /<button type="submit">公開する/);
  const res = await editor.post(`/admin/events/${id}/status`, { to: 'published' }, `/admin/events/${id}`);
  assert.equal(res.status, 303);
  assert.equal(sql(`SELECT status FROM events WHERE id=${id}`), 'draft', 'a stale form cannot publish it either');
});

test('edit form: validation keeps input; an unticked check box is stored; files upload, replace and go', async () => {
  const email = `file${uniq()}@example.jp`;
  const id = idFrom(await editor.post('/admin/groups/new', groupFields(`ファイルの会${uniq()}`, email, [['guardian_consent', '1']]),
    '/admin/groups/new?kind=npo'));
  assert.equal(sql(`SELECT guardian_consent FROM groups WHERE id=${id}`), '1');
  let res = await editor.post(`/admin/groups/${id}`, groupFields('', email).concat([['postal', '7530000']]), `/admin/groups/${id}`);
  assert.equal(res.status, 422);
  const html = await res.text();
  assert.match(html, /団体名・企業名を入力してください/);
  assert.match(html, /郵便番号は「753-0000」の形で/);
  assert.match(html, /value="7530000"/);
  res = await editor.post(`/admin/groups/${id}`, groupFields('ファイルの会', email), `/admin/groups/${id}`);
  assert.equal(res.status, 303);
  assert.equal(sql(`SELECT guardian_consent FROM groups WHERE id=${id}`), '0', 'unticking is saved');

  const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
  res = await editor.postMultipart(`/admin/groups/${id}`, groupFields('ファイルの会', email), { file_1: [PDF, '定款.pdf', 'application/pdf'] },
    `/admin/groups/${id}`);
  assert.equal(res.status, 303);
  const up = sql(`SELECT file_1 FROM groups WHERE id=${id}`);
  assert.ok(up);
  assert.equal(sql(`SELECT owner_kind || ':' || owner_id FROM uploads WHERE id=${up}`), `group:${id}`);
  assert.match(await (await editor.send(`/admin/groups/${id}`)).text(), /添付済み：定款\.pdf/);
  res = await editor.postMultipart(`/admin/groups/${id}`, groupFields('ファイルの会', email), { file_2: [Buffer.from('<?php echo 1; ?>'), 'x.pdf', 'application/pdf'] },
    `/admin/groups/${id}`);
  assert.equal(res.status, 422);
  assert.match(await res.text(), /ファイルの種類が対応していません/);
  res = await editor.post(`/admin/groups/${id}`, groupFields('ファイルの会', email).concat([['file_1_remove', '1']]), `/admin/groups/${id}`);
  assert.equal(res.status, 303);
  assert.equal(sql(`SELECT coalesce(file_1, 'null') FROM groups WHERE id=${id}`), 'null');
  assert.equal(sql(`SELECT count(*) FROM uploads WHERE id=${up}`), '0', 'the removed file is deleted');
});

test('list: filters by state, text and kind; counts per state are links', async () => {
  const tag = `絞込${uniq()}`;
  const a = idFrom(await editor.post('/admin/groups/new', groupFields(`${tag}A`, `a${uniq()}@example.jp`), '/admin/groups/new?kind=npo'));
  idFrom(await editor.post('/admin/groups/new', groupFields(`${tag}B`, `b${uniq()}@example.jp`), '/admin/groups/new?kind=npo'));
  await editor.post(`/admin/groups/${a}/status`, { to: 'review' }, `/admin/groups/${a}`);
  let html = await (await editor.send(`/admin/groups/?q=${encodeURIComponent(tag)}`)).text();
  assert.match(html, /全2件中/);
  assert.match(html, new RegExp(`href="/admin/groups/\\?status=review&amp;q=${encodeURIComponent(tag).replace(/%/g, '%')}"[^>]*>仮登録 <span class="count">1</span>`));
  assert.match(html, /下書 <span class="count">1<\/span>/);
  html = await (await editor.send(`/admin/groups/?status=review&q=${encodeURIComponent(tag)}`)).text();
  assert.match(html, /全1件中/);
  assert.ok(html.includes(`${tag}A`) && !html.includes(`${tag}B</a>`));
  html = await (await editor.send(`/admin/groups/?kind=company&q=${encodeURIComponent(tag)}`)).text();
  assert.match(html, /条件に合う団体・企業はありません/);
  const total = Number(sql('SELECT count(*) FROM groups'));
  html = await (await editor.send('/admin/groups/')).text();
  assert.match(html, new RegExp(`全${total}件中 1〜${Math.min(total, 50)}件`));
});

// ---- CSV -------------------------------------------------------------------

// RFC 4180 rows of a CSV text.
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', i = 0, quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      cell += ch; i++; continue;
    }
    if (ch === '"') { quoted = true; i++; continue; }
    if (ch === ',') { row.push(cell); cell = ''; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i += 2; continue; }
    cell += ch; i++;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

test('CSV export: BOM, Japanese headers, decrypted registrant, labels, formula guard, filters, audit', async () => {
  const email = `csv${uniq()}@example.jp`;
  const id = idFrom(await editor.post('/admin/groups/new', groupFields('=HYPERLINK("http://evil.example","x")', email),
    '/admin/groups/new?kind=npo'));
  const res = await editor.send('/admin/groups/export.csv?kind=npo');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  assert.match(res.headers.get('content-disposition'), /^attachment; filename="groups-\d{8}\.csv"; filename\*=UTF-8''%E5%9B%A3%E4%BD%93%E4%B8%80%E8%A6%A7-\d{8}\.csv$/);
  assert.match(res.headers.get('cache-control'), /no-store/);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  const text = bytes.subarray(3).toString('utf8');
  assert.ok(!/[^\r]\n(?=[^\n]*,)/.test(text.split('\r\n')[0]), 'rows end with CRLF');
  const rows = parseCsv(text);
  const head = rows[0];
  for (const h of ['番号', '組織形態', '団体の分類／企業の分類', '団体名・企業名', '活動分野', '登録担当者Eメール', '活動状況', '状態'])
    assert.ok(head.includes(h), `header ${h}`);
  const col = (h) => head.indexOf(h);
  const mine = rows.find((r) => r[0] === id);
  assert.ok(mine, 'the new group is exported');
  assert.equal(mine[col('団体名・企業名')], `'=HYPERLINK("http://evil.example","x")`, 'formula guarded');
  assert.equal(mine[col('登録担当者Eメール')], email, 'registrant decrypted for staff');
  assert.equal(mine[col('組織形態')], 'NPO法人');
  assert.equal(mine[col('活動分野')], '保健・医療・福祉、子どもの健全育成', 'multi values as labels');
  assert.equal(mine[col('活動状況')], '活動中');
  assert.equal(mine[col('状態')], '下書');
  assert.equal(rows.length - 1, Number(sql("SELECT count(*) FROM groups WHERE kind='npo'")), 'the filter is applied');
  assert.ok(rows.slice(1).every((r) => r[col('組織形態')] === 'NPO法人'));
  assert.ok(rows.every((r) => r.length === head.length), 'every row has every column');
  assert.match(sql("SELECT detail FROM audit_log WHERE action='groups_export' ORDER BY id DESC LIMIT 1"),
    new RegExp(`^rows=${rows.length - 1} filter=kind=npo$`));
  // the list links the export with its current filters
  const list = await (await editor.send('/admin/groups/?status=review&kind=npo')).text();
  assert.match(list, /href="\/admin\/groups\/export\.csv\?status=review&amp;kind=npo"/);
});

// ---- modification requests ------------------------------------------------

// A pending request for group gid as the public form stores it.
function changeRequest(gid, values, requester = { name: '依頼 花子', email: `req${uniq()}@example.jp` }) {
  const id = sql(`INSERT INTO change_requests(type, ref_id, requester_name_enc, requester_email_enc, note)
    VALUES ('group', ${gid}, ${q(piiEncrypt('requester_name', requester.name))}, ${q(piiEncrypt('requester_email', requester.email))},
    '電話番号が変わりました。') RETURNING id`);
  for (const [k, v] of Object.entries(values)) sql(`INSERT INTO change_values(change_id, col, value) VALUES (${id}, ${q(k)}, ${q(v)})`);
  return { id, ...requester };
}

async function publishedGroup() {
  const id = idFrom(await editor.post('/admin/groups/new', groupFields(`修正対象${uniq()}`, `t${uniq()}@example.jp`), '/admin/groups/new?kind=npo'));
  await editor.post(`/admin/groups/${id}/status`, { to: 'published' }, `/admin/groups/${id}/status?to=published`);
  return id;
}

test('a modification request shows a side-by-side diff and approving applies it in one transaction', async () => {
  const gid = await publishedGroup();
  const oldName = sql(`SELECT name FROM groups WHERE id=${gid}`);
  const ch = changeRequest(gid, { phone: '083-111-2222', fax: '083-999-0000', name: `${oldName}（新）`, fields: '保健・医療・福祉\n環境の保全' });
  let html = await (await editor.send('/admin/changes/')).text();
  assert.ok(html.includes(`修正依頼 ${ch.id}`));
  assert.match(html, /未処理/);
  html = await (await editor.send(`/admin/changes/${ch.id}`)).text();
  assert.match(html, /<th scope="col">項目<\/th><th scope="col">変更<\/th><th scope="col">現在の公開内容<\/th><th scope="col">修正依頼の内容<\/th>/);
  assert.match(html, /<tr class="changed">\s*<th scope="row">電話番号<\/th>\s*<td><strong class="change-mark">変更<\/strong><\/td>\s*<td class="pre">083-000-0000<\/td>\s*<td class="pre"><strong>083-111-2222<\/strong>/);
  assert.match(html, /保健・医療・福祉、環境の保全/, 'values shown as labels');
  assert.match(html, /<tr>\s*<th scope="row">代表者名<\/th>\s*<td><span class="visually-hidden">変更なし/);
  assert.ok(html.includes(ch.email) && html.includes(ch.name), 'the requester, decrypted for staff');
  assert.match(html, /変更のある項目：4件/);

  // a failure half-way (a trigger refuses the UPDATE) rolls everything back
  sql(`CREATE TRIGGER test_fail BEFORE UPDATE OF fax ON groups WHEN new.fax='083-999-0000' BEGIN SELECT RAISE(ABORT, 'test'); END`);
  let res = await editor.post(`/admin/changes/${ch.id}/approve`, {}, `/admin/changes/${ch.id}`);
  assert.equal(res.status, 500);
  sql('DROP TRIGGER test_fail');
  assert.equal(sql(`SELECT name || '|' || phone FROM groups WHERE id=${gid}`), `${oldName}|083-000-0000`, 'nothing applied');
  assert.equal(sql(`SELECT status FROM change_requests WHERE id=${ch.id}`), 'review');
  assert.equal(outboxTo(ch.email), 0, 'no mail for a rolled-back approval');

  res = await editor.post(`/admin/changes/${ch.id}/approve`, {}, `/admin/changes/${ch.id}`);
  assert.equal(res.status, 303);
  assert.equal(sql(`SELECT name || '|' || phone || '|' || fax || '|' || replace(fields, char(10), ',') FROM groups WHERE id=${gid}`),
    `${oldName}（新）|083-111-2222|083-999-0000|保健・医療・福祉,環境の保全`);
  const uid = sql("SELECT id FROM users WHERE login='clerk'");
  assert.equal(sql(`SELECT status || '|' || decided_by || '|' || (decided_at IS NOT NULL) FROM change_requests WHERE id=${ch.id}`), `approved|${uid}|1`);
  assert.equal(outboxTo(ch.email), 1);
  assert.match(sql(`SELECT subject FROM outbox WHERE to_addr=${q(ch.email)}`), /修正内容を公開しました/);
  assert.match(sql(`SELECT detail FROM audit_log WHERE action='change_approve' AND target='change:${ch.id}'`), new RegExp(`^group:${gid} `));

  // a second approval is refused and changes nothing
  sql(`UPDATE groups SET phone='083-000-0001' WHERE id=${gid}`);
  res = await editor.post(`/admin/changes/${ch.id}/approve`, {}, `/admin/changes/${ch.id}`);
  assert.equal(res.status, 409);
  assert.match(await res.text(), /すでに処理済みです（承認済み）/);
  assert.equal(sql(`SELECT phone FROM groups WHERE id=${gid}`), '083-000-0001');
  assert.equal(outboxTo(ch.email), 1);
});

test('approving re-validates against the master lists of today; rejecting needs a reason and mails it', async () => {
  const gid = await publishedGroup();
  const bad = changeRequest(gid, { municipality: '架空市', phone: '083-222-3333' });
  let res = await editor.post(`/admin/changes/${bad.id}/approve`, {}, `/admin/changes/${bad.id}`);
  assert.equal(res.status, 422);
  assert.match(await res.text(), /承認できません：市町を一覧から選択してください/);
  assert.equal(sql(`SELECT phone FROM groups WHERE id=${gid}`), '083-000-0000', 'no value applied');

  res = await editor.post(`/admin/changes/${bad.id}/reject`, { reason: '  ' }, `/admin/changes/${bad.id}`);
  assert.equal(res.status, 422);
  assert.match(await res.text(), /却下の理由を入力してください/);
  res = await editor.post(`/admin/changes/${bad.id}/reject`, { reason: '市町名をご確認ください。' }, `/admin/changes/${bad.id}`);
  assert.equal(res.status, 303);
  assert.equal(sql(`SELECT status || '|' || reason FROM change_requests WHERE id=${bad.id}`), 'rejected|市町名をご確認ください。');
  let mails = [];
  for (let i = 0; i < 200 && !mails.length; i++) {
    mails = sink.messages().filter((m) => m.to.includes(bad.email));
    if (!mails.length) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(mails.length, 1);
  assert.match(mails[0].body, /市町名をご確認ください。/);
  assert.match(mails[0].body, /依頼 花子 様/);
  res = await editor.post(`/admin/changes/${bad.id}/approve`, {}, `/admin/changes/${bad.id}`);
  assert.equal(res.status, 409, 'a rejected request cannot be approved');
});

// ---- dashboard and settings -------------------------------------------------

test('the dashboard equals the SQL counts', async () => {
  const html = await (await editor.send('/admin/')).text();
  const kinds = [['citizen', '県民活動団体'], ['npo', 'NPO法人'], ['company', '企業']];
  for (const [kind, label] of kinds) {
    const m = html.match(new RegExp(`>${label}</a></th><td>(\\d+)</td><td>(\\d+)</td><td>(\\d+)</td><td>(\\d+)</td>`));
    assert.ok(m, label);
    const n = (act) => sql(`SELECT count(*) FROM groups WHERE status='published' AND kind='${kind}' AND activity='${act}'`);
    assert.deepEqual(m.slice(1, 4), [n('active'), n('dissolved'), n('withdrawn')], label);
    assert.equal(m[4], sql(`SELECT count(*) FROM groups WHERE status='published' AND kind='${kind}'`));
  }
  const tot = html.match(/<tfoot><tr><th scope="row">計<\/th><td>\d+<\/td><td>\d+<\/td><td>\d+<\/td><td>(\d+)<\/td>/);
  assert.equal(tot[1], sql("SELECT count(*) FROM groups WHERE status='published'"));
  for (const [table, label] of [['groups', '団体・企業'], ['events', 'イベント・募集'], ['reports', '活動実績・事例']]) {
    const m = html.match(new RegExp(`>${label}<span class="visually-hidden">の確認待ち一覧</span></a></th><td>(\\d+)件`));
    assert.equal(m?.[1], sql(`SELECT count(*) FROM ${table} WHERE status='review'`), label);
  }
  const ch = html.match(/>修正依頼<span class="visually-hidden">の未処理一覧<\/span><\/a><\/th><td>(\d+)件/);
  assert.equal(ch[1], sql("SELECT count(*) FROM change_requests WHERE status='review'"));
  assert.match(html, /新着の登録・申請/);
});

test('settings: emergency notice, free block (Markdown) and centre notice reach the top pages', async () => {
  const note = `臨時休館のお知らせ${uniq()}`;
  let res = await editor.post('/admin/settings/', { supernet_emergency_notice: 'a\nb', supernet_free_block: '', supernet_centre_notice: '', aika_emergency_notice: '' });
  assert.equal(res.status, 422);
  assert.match(await res.text(), /緊急のお知らせに改行は入力できません/);
  res = await editor.post('/admin/settings/', {
    supernet_emergency_notice: note, supernet_free_block: '## 今月の催し\n\n[カレンダー](/events/calendar)\n\n<script>alert(1)</script><a href="javascript:alert(2)">x</a>',
    supernet_centre_notice: 'センターは月曜休館です。', aika_emergency_notice: `あいか${note}` });
  assert.equal(res.status, 303);
  const top = await (await fetch(srv.url + '/')).text();
  assert.ok(top.includes(note));
  assert.ok(top.includes('センターは月曜休館です。'));
  assert.match(top, /<h2>今月の催し<\/h2>/, 'the free block is Markdown');
  assert.match(top, /<a href="\/events\/calendar">カレンダー<\/a>/);
  assert.doesNotMatch(top, /alert\(1\)|javascript:/, 'and sanitised');
  assert.ok((await (await fetch(srv.url + '/aikasanet/')).text()).includes(`あいか${note}`));
  assert.match(sql("SELECT detail FROM audit_log WHERE action='settings_update' ORDER BY id DESC LIMIT 1"), /supernet\.emergency_notice/);
  res = await editor.post('/admin/settings/', { supernet_emergency_notice: '', supernet_free_block: '', supernet_centre_notice: '', aika_emergency_notice: '' });
  assert.equal(res.status, 303);
  assert.ok(!(await (await fetch(srv.url + '/')).text()).includes(note), 'empty hides it');
});

test('the staff content pages are valid HTML, also with errors and on the confirmation pages', async () => {
  const validator = new HtmlValidate({ extends: ['html-validate:standard'], rules: { 'no-redundant-role': 'off' } });
  const gid = await publishedGroup();
  const ch = changeRequest(gid, { phone: '083-555-0000' });
  const pages = [];
  const bad = await editor.post('/admin/groups/new', [['kind', 'npo'], ['name', '']], '/admin/groups/new?kind=npo');
  pages.push(['new group with errors', await bad.text()]);
  const badEdit = await editor.post(`/admin/events/new`, [['kind', 'event'], ['title', 'x'], ['starts_on', '2026-12-05'], ['ends_on', '2026-12-01']]);
  const badHtml = await badEdit.text();
  assert.match(badHtml, /終了日は開始日（2026-12-05）以降の日付を入力してください/);
  pages.push(['event with errors', badHtml]);
  for (const p of [`/admin/groups/${gid}`, `/admin/groups/${gid}/preview`, `/admin/groups/${gid}/status?to=draft`,
    `/admin/groups/${gid}/delete`, '/admin/groups/new', `/admin/changes/${ch.id}`, '/admin/changes/', '/admin/settings/', '/admin/'])
    pages.push([p, await (await editor.send(p)).text()]);
  const rej = await editor.post(`/admin/changes/${ch.id}/reject`, { reason: '' }, `/admin/changes/${ch.id}`);
  pages.push(['reject without reason', await rej.text()]);
  const problems = [];
  for (const [what, html] of pages) {
    const report = await validator.validateString(html, what);
    for (const r of report.results) for (const m of r.messages) problems.push(`${what}:${m.line}:${m.column} ${m.ruleId}: ${m.message}`);
  }
  assert.deepEqual(problems, []);
});
