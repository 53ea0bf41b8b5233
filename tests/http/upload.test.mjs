// upload.test.mjs — uploaded files over real HTTP (IPA item 13; 別紙4 item
// 17 参考ファイル on the group sign-up): the form is multipart with file
// inputs; a PHP file and a 6 MB file are refused with the Japanese
// messages; files sent with a form that has other errors are kept on the
// server (「添付済み：…」, removable); a path in the client's file name has
// no effect; GET /files/{id} serves the bytes as an attachment with nosniff
// to staff, 404 to anonymous visitors while the member is unpublished, and
// to everyone once published.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, userAdd } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';

let srv, sink;
before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ demo: false, env: { CIVICNET_SMTP: sink.url } });
  await userAdd(srv.dataDir, 'filestaff', 'editor', 'filestaff-password-1');
});
after(async () => { await srv?.stop(); await sink?.stop?.(); await sink?.dispose?.(); });
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
  /** multipart POST: fields plus files {name: [bytes, filename, type]} */
  const postMultipart = async (p, fields, files = {}, from = p) => {
    const fd = new FormData();
    fd.append('_csrf', await csrfOf(from));
    for (const [k, v] of Object.entries(fields)) fd.append(k, v);
    for (const [k, [bytes, name, type]] of Object.entries(files))
      fd.append(k, new Blob([bytes], { type: type || 'application/octet-stream' }), name);
    return send(p, { method: 'POST', body: fd, headers: { origin: srv.url } });
  };
  return { send, post, postMultipart };
}

async function startGroupSignup() {
  const c = client();
  assert.equal((await c.post('/aikasanet/signup', { kind: 'group' })).status, 303);
  assert.equal((await c.post('/aikasanet/signup/terms', {})).status, 303);
  return c;
}

const GROUP = (login, email) => ({
  login, password: 'Passw0rd-long', confirm: 'Passw0rd-long', org_type: 'NPO法人', org_name: 'ファイルの会',
  org_kana: 'ふぁいるのかい', representative: '代表 花子', rep_title: '代表', prefecture: '山口県',
  municipality: '山口市', phone: '083-000-0000', email, req_1: '1', req_2: '1', req_3: '1', req_4: '1',
});
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const TYPE_MSG = 'ファイルの種類が対応していません（PDF、Word、Excel、JPEG、PNG）';

test('the group form is multipart with the three 参考ファイル inputs', async () => {
  const c = await startGroupSignup();
  const html = await (await c.send('/aikasanet/signup/form')).text();
  assert.match(html, /<form method="post" action="\/aikasanet\/signup\/form" class="form" enctype="multipart\/form-data"/);
  for (const label of ['団体の定款又は規約ファイル', '活動内容が分かる資料ファイル', 'その他参考ファイル'])
    assert.ok(html.includes(label), label);
  assert.match(html, /<input type="file" id="f-ref_file_1" name="ref_file_1" accept="[^"]*\.pdf[^"]*"/);
  // individuals have no 参考ファイル (別紙4 item 17: 「―」) and a urlencoded form
  const p = client();
  await p.post('/aikasanet/signup', { kind: 'individual' });
  await p.post('/aikasanet/signup/terms', {});
  const person = await (await p.send('/aikasanet/signup/form')).text();
  assert.doesNotMatch(person, /type="file"|multipart/);
});

test('a PHP file named .pdf and a 6 MB file are refused with the Japanese messages; nothing is stored', async () => {
  const c = await startGroupSignup();
  let res = await c.postMultipart('/aikasanet/signup/form', GROUP('phpgroup', 'php@example.jp'),
    { ref_file_1: [Buffer.from("<?php system($_GET['c']); ?>\n"), 'shell.pdf', 'application/pdf'] });
  assert.equal(res.status, 422);
  let html = await res.text();
  assert.ok(html.includes(TYPE_MSG), 'type message');
  assert.match(html, /aria-invalid="true"[^>]*|id="f-ref_file_1-error"/);
  const big = Buffer.alloc(6 * 1024 * 1024, 0x20);
  PDF.copy(big);
  res = await c.postMultipart('/aikasanet/signup/form', GROUP('phpgroup', 'php@example.jp'),
    { ref_file_1: [big, 'big.pdf', 'application/pdf'] });
  assert.ok(res.status === 422 || res.status === 413, `status ${res.status}`);
  html = await res.text();
  if (res.status === 422) assert.ok(html.includes('ファイルが大きすぎます（5MBまで）'), 'size message');
  assert.equal(sql("SELECT count(*) FROM uploads"), '0');
  assert.equal(sql("SELECT count(*) FROM users WHERE login='phpgroup'"), '0');
});

test('files sent with a form that has errors are kept, removable, and pass to the member; the client path has no effect', async () => {
  const c = await startGroupSignup();
  const { org_name: _drop, ...missingName } = GROUP('filegroup', 'files@example.jp');
  let res = await c.postMultipart('/aikasanet/signup/form', missingName, {
    ref_file_1: [PDF, '../../x.pdf', 'application/pdf'],
    ref_file_2: [PDF, '活動資料.jpg', 'image/jpeg'], // a PDF whatever the name says
  });
  assert.equal(res.status, 422);
  let html = await res.text();
  assert.ok(html.includes('添付済み：x.pdf'), 'kept file 1 shown');
  assert.ok(html.includes('添付済み：活動資料.jpg'), 'kept file 2 shown');
  assert.match(html, /<input type="checkbox" id="f-ref_file_2-remove" name="ref_file_2_remove" value="1">/);
  assert.equal(sql('SELECT count(*) FROM uploads WHERE owner_id IS NULL'), '2');
  for (const p of sql('SELECT stored_path FROM uploads').split('\n')) {
    assert.match(p, /^uploads\/\d{4}\/\d{2}\/[0-9a-f]{32}\.pdf$/, 'random name, detected type');
    assert.equal((fs.statSync(path.join(srv.dataDir, p)).mode & 0o777), 0o600);
  }
  assert.ok(!fs.existsSync(path.join(srv.dataDir, '..', 'x.pdf')) && !fs.existsSync(path.join(srv.dataDir, 'x.pdf')),
    'nothing written where the client name pointed');

  // second round: fix the form, remove file 2, send nothing new
  res = await c.postMultipart('/aikasanet/signup/form', { ...GROUP('filegroup', 'files@example.jp'), ref_file_2_remove: '1' });
  assert.equal(res.status, 303, await res.text());
  const mid = sql("SELECT m.id FROM members m JOIN users u ON u.id=m.user_id WHERE u.login='filegroup'");
  assert.equal(sql(`SELECT group_concat(field||'|'||original_name||'|'||owner_kind||'|'||owner_id) FROM uploads`),
    `ref_file_1|x.pdf|member|${mid}`);
  assert.equal(sql('SELECT count(*) FROM signup_draft_uploads'), '0');
});

test('GET /files/{id}: staff always, anonymous only once the member is published; attachment, nosniff', async () => {
  const c = await startGroupSignup();
  const res0 = await c.postMultipart('/aikasanet/signup/form', GROUP('dlgroup', 'dl@example.jp'),
    { ref_file_3: [PDF, '定款 "最新".pdf', 'application/pdf'] });
  assert.equal(res0.status, 303, await res0.text());
  const mid = sql("SELECT m.id FROM members m JOIN users u ON u.id=m.user_id WHERE u.login='dlgroup'");
  const id = sql(`SELECT id FROM uploads WHERE owner_id=${mid}`);
  assert.match(id, /^\d+$/);

  const anon = client();
  let res = await anon.send(`/files/${id}/x.pdf`);
  assert.equal(res.status, 404, 'unpublished: not for anonymous visitors');
  await res.arrayBuffer();

  const staff = client();
  assert.equal((await staff.post('/admin/login', { login: 'filestaff', password: 'filestaff-password-1', next: '/admin/' })).status, 303);
  res = await staff.send(`/files/${id}/x.pdf`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  const cd = res.headers.get('content-disposition');
  assert.match(cd, /^attachment; /);
  // RFC 8187 name (FormData sends the quotes as %22, which is kept as text)
  assert.match(cd, /; filename\*=UTF-8''%E5%AE%9A%E6%AC%BE%20[A-Za-z0-9%._-]*\.pdf$/, cd);
  assert.match(cd, /; filename="file\.pdf"; /, 'ASCII fallback');
  assert.doesNotMatch(cd, /[\r\n]/);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), PDF);
  assert.match(res.headers.get('cache-control'), /no-store/);

  sql(`UPDATE members SET status='published', published_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=${mid}`);
  res = await anon.send(`/files/${id}`);
  assert.equal(res.status, 200, 'published: public');
  assert.match(res.headers.get('content-disposition'), /^attachment; /);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), PDF);

  // a file still waiting in a draft, and ids that do not exist: 404
  res = await staff.send('/files/999999/x.pdf');
  assert.equal(res.status, 404);
  await res.arrayBuffer();
  res = await anon.send('/static/../uploads/x.pdf');
  assert.notEqual(res.status, 200);
  await res.arrayBuffer();

  // the member deletes the account: the file's row and bytes go with it
  const stored = sql(`SELECT stored_path FROM uploads WHERE id=${id}`);
  assert.ok(fs.existsSync(path.join(srv.dataDir, stored)));
  const m = client();
  assert.equal((await m.post('/aikasanet/login', { login: 'dlgroup', password: 'Passw0rd-long', next: '/aikasanet/mypage/' })).status, 303);
  res = await m.post('/aikasanet/mypage/status', { action: 'delete', current: 'Passw0rd-long' }, '/aikasanet/mypage/status?action=delete');
  assert.equal(res.status, 303);
  assert.equal(sql(`SELECT count(*) FROM uploads WHERE id=${id}`), '0');
  assert.ok(!fs.existsSync(path.join(srv.dataDir, stored)), 'the stored file is removed');
  res = await anon.send(`/files/${id}`);
  assert.equal(res.status, 404);
  await res.arrayBuffer();
});
