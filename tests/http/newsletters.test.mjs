// newsletters.test.mjs — さぽ～とメール / メルマガ (issue 6, C6/A10) over real
// HTTP and a real SMTP server: staff create a back number (errors in
// Japanese next to the fields, input kept), preview it as mail (text and
// HTML parts) and as the public page, publish it through a confirmation
// that names the number of recipients; the SMTP server receives one mail
// per active subscriber with text (+HTML) parts, a per-recipient
// List-Unsubscribe header whose one-click POST works, and nothing for
// stopped, pending or other-list subscribers; failed deliveries are
// retried; three permanent rejections stop a subscriber with the reason
// shown; CSV import (dry run, then real) and export; public back numbers;
// every staff action audited.
//
// The SMTP server is aiosmtpd (Debian, /usr/bin/python3) with a handler
// that refuses RCPT TO (550) for the addresses listed in a file the test
// edits, and logs every accepted message (parsed) as a JSON line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HtmlValidate } from 'html-validate';
import { startServer, userAdd, freePort } from '../lib/server.mjs';
import { enableTotp } from '../lib/totp.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------- an SMTP sink that can refuse recipients ----------
const SINK = String.raw`
import asyncio, email, email.policy, json, os, signal, sys, threading
from aiosmtpd.controller import Controller
host, port, out, rejfile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def log(rec):
    with open(out, "a", encoding="utf-8") as f:
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")
class H:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        try:
            rej = {l.strip().lower() for l in open(rejfile, encoding="utf-8") if l.strip()}
        except FileNotFoundError:
            rej = set()
        if address.lower() in rej:
            log({"rejected": address})
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = html = None
        for part in msg.walk():
            ct = part.get_content_type()
            if ct == "text/plain" and text is None: text = part.get_content()
            elif ct == "text/html" and html is None: html = part.get_content()
        log({"to": envelope.rcpt_tos, "subject": str(msg.get("Subject", "")),
             "messageId": str(msg.get("Message-ID", "")), "contentType": msg.get_content_type(),
             "listUnsubscribe": str(msg.get("List-Unsubscribe", "")),
             "listUnsubscribePost": str(msg.get("List-Unsubscribe-Post", "")),
             "listId": str(msg.get("List-Id", "")), "text": text, "html": html})
        return "250 OK"
c = Controller(H(), hostname=host, port=port)
c.start()
print("ready", flush=True)
ev = threading.Event()
signal.signal(signal.SIGTERM, lambda *a: ev.set())
ev.wait()
c.stop()
`;

export async function startRejectingSink() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civicnet-nlsink-'));
  const out = path.join(dir, 'mail.jsonl');
  const rej = path.join(dir, 'reject.txt');
  fs.writeFileSync(rej, '');
  const port = await freePort();
  const proc = spawn('/usr/bin/python3', ['-c', SINK, '127.0.0.1', String(port), out, rej],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    proc.stdout.once('data', resolve);
    proc.once('exit', (c) => reject(new Error(`SMTP sink exited (${c})`)));
  });
  const records = () => {
    try {
      return fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    } catch { return []; }
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages: () => records().filter((r) => r.to),
    rejections: () => records().filter((r) => r.rejected).map((r) => r.rejected),
    reject: (addrs) => fs.writeFileSync(rej, addrs.join('\n') + '\n'),
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

let srv, sink, editor, admin;
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'civicnet.db'), q],
  { encoding: 'utf8' }).trim();

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
    const body = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields));
    body.set('_csrf', await csrfOf(from));
    return send(p, { method: 'POST', body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  };
  const postMultipart = async (p, fields, files, from = p) => {
    const fd = new FormData();
    fd.append('_csrf', await csrfOf(from));
    for (const [k, v] of Object.entries(fields)) fd.append(k, v);
    for (const [k, [bytes, name]] of Object.entries(files)) fd.append(k, new Blob([bytes], { type: 'text/csv' }), name);
    return send(p, { method: 'POST', body: fd, headers: { origin: srv.url } });
  };
  const login = (l, pw) => post('/admin/login', { login: l, password: pw, next: '/admin/' });
  return { send, post, postMultipart, login };
}

async function until(what, fn, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(150);
  }
}

const mailsTo = (addr) => sink.messages().filter((m) => m.to.includes(addr));

before(async () => {
  sink = await startRejectingSink();
  srv = await startServer({ demo: true, env: { CIVICNET_SMTP: sink.url } });
  await userAdd(srv.dataDir, 'clerk', 'editor', 'clerk-password-1');
  await userAdd(srv.dataDir, 'boss', 'admin', 'boss-password-1');
  editor = client();
  assert.equal((await editor.login('clerk', 'clerk-password-1')).status, 303);
  admin = client();
  assert.equal((await admin.login('boss', 'boss-password-1')).status, 303);
  await enableTotp(admin);
});
after(async () => { await srv?.stop(); await sink?.stop(); });

// Create a back number; returns its id.
async function createNl(fields) {
  const res = await editor.post('/admin/newsletters/new', { list: 'supernet', status: 'draft', ...fields });
  assert.equal(res.status, 303, `create: HTTP ${res.status}`);
  const m = res.headers.get('location').match(/^\/admin\/newsletters\/(\d+)\?done=saved$/);
  assert.ok(m, res.headers.get('location'));
  return m[1];
}

async function addSubscriber(list, email) {
  const res = await editor.post('/admin/subscribers/new', { list, email });
  assert.equal(res.status, 303, `add ${email}: HTTP ${res.status}`);
  return sql(`SELECT id FROM newsletter_subscribers WHERE list='${list}' ORDER BY id DESC LIMIT 1`);
}

async function publish(id) {
  const form = await (await editor.send(`/admin/newsletters/${id}/publish`)).text();
  const n = form.match(/配信中の会員 <strong>(\d+)人<\/strong>/);
  assert.ok(n, 'the confirmation names the number of recipients');
  const res = await editor.post(`/admin/newsletters/${id}/publish`, {});
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/admin/newsletters/${id}/progress?done=published`);
  return Number(n[1]);
}

const progressOf = async (id) => {
  const html = await (await editor.send(`/admin/newsletters/${id}/progress`)).text();
  const num = (label) => Number(html.match(new RegExp(`<th scope="row">${label}</th><td[^>]*>(\\d+)`))[1]);
  return { html, waiting: num('送信待ち'), sent: num('送信済み'), failed: num('失敗') };
};

test('only staff reach the newsletter screens; CSV export is for administrators', async () => {
  const anon = client();
  assert.equal((await anon.send('/admin/newsletters/')).status, 303);
  assert.equal((await anon.send('/admin/subscribers/')).status, 303);
  assert.equal((await editor.send('/admin/newsletters/')).status, 200);
  assert.equal((await editor.send('/admin/subscribers/export.csv')).status, 403);
  const dash = await (await editor.send('/admin/')).text();
  assert.match(dash, /href="\/admin\/newsletters\/"/);
  assert.match(dash, /href="\/admin\/subscribers\/"/);
});

test('validation: errors in Japanese next to the fields and in the summary, input kept', async () => {
  const res = await editor.post('/admin/newsletters/new', { list: 'supernet', subject: '', body: '残す本文です', status: 'draft' });
  assert.equal(res.status, 422);
  const html = await res.text();
  assert.match(html, /<title>エラー：/);
  assert.match(html, /class="error-summary"/);
  assert.match(html, /id="f-subject-error"[^>]*><span class="visually-hidden">エラー：<\/span>[^<]*件名/);
  assert.match(html, /残す本文です<\/textarea>/, 'the body is kept');
  const bad = await editor.post('/admin/newsletters/new', { list: 'nope', subject: 'x', body: 'y', status: 'draft' });
  assert.equal(bad.status, 422);
  assert.match(await bad.text(), /配信するメールマガジン/);
});

let first; // the first back number (Supernet), published in the next test
const BODY = '## 今月のお知らせ\n\nボランティア講座を開きます。\n\n- 日時：12月5日\n- 場所：[センター](https://example.jp/center)\n';

test('create, edit, preview as mail and as the public page, duplicate', async () => {
  first = await createNl({ subject: 'さぽ～とメール 第1号', body: BODY, send_html: '1' });
  let html = await (await editor.send(`/admin/newsletters/${first}?done=saved`)).text();
  assert.match(html, /保存しました/);
  assert.match(html, /value="さぽ～とメール 第1号"/);
  // edit: to review
  const res = await editor.post(`/admin/newsletters/${first}`, { list: 'supernet', subject: 'さぽ～とメール 第1号', body: BODY,
    send_html: '1', status: 'review' });
  assert.equal(res.status, 303);
  assert.equal(sql(`SELECT status FROM newsletters WHERE id=${first}`), 'review');
  // preview as mail
  html = await (await editor.send(`/admin/newsletters/${first}/preview`)).text();
  assert.match(html, /<h2 id="h-text">テキスト版<\/h2>/);
  assert.match(html, /## 今月のお知らせ/, 'the text part is the Markdown as written');
  assert.match(html, /配信の停止はこちら：/);
  assert.match(html, /<div class="mail-html">[\s\S]*<h2>今月のお知らせ<\/h2>/, 'the HTML part rendered');
  assert.match(html, /List-Unsubscribe-Post<\/dt><dd><code>List-Unsubscribe=One-Click/);
  // preview as the public page
  html = await (await editor.send(`/admin/newsletters/${first}/preview?as=page`)).text();
  assert.match(html, /<article class="mailmag-article">[\s\S]*<h1>さぽ～とメール 第1号<\/h1>/);
  // not public before publication
  assert.equal((await client().send(`/mailmag/${first}`)).status, 404);
  // duplicate → a new draft
  const dup = await editor.post(`/admin/newsletters/${first}/duplicate`, {}, `/admin/newsletters/${first}`);
  assert.equal(dup.status, 303);
  const dupId = dup.headers.get('location').match(/\/admin\/newsletters\/(\d+)\?done=duplicated/)[1];
  assert.equal(sql(`SELECT status || '|' || subject FROM newsletters WHERE id=${dupId}`), 'draft|さぽ～とメール 第1号');
  // a draft cannot be published
  html = await (await editor.send(`/admin/newsletters/${dupId}/publish`)).text();
  assert.match(html, /下書のバックナンバーは配信できません/);
  assert.equal((await editor.post(`/admin/newsletters/${dupId}/publish`, {}, `/admin/newsletters/${dupId}`)).status, 400);
});

let active1, active2, stoppedId, bounceId, fixmeId;
test('publish: one mail per active subscriber with text+HTML parts and RFC 8058 headers; none for others', async () => {
  active1 = await addSubscriber('supernet', 'taro@example.jp');
  active2 = await addSubscriber('supernet', 'hanako@example.jp');
  stoppedId = await addSubscriber('supernet', 'stopped@example.jp');
  bounceId = await addSubscriber('supernet', 'bounce@example.jp');
  fixmeId = await addSubscriber('supernet', 'fixme@example.jp');
  await addSubscriber('aika', 'aika-only@example.jp');
  // a pending subscriber through the public form (double opt-in)
  const pub = client();
  assert.equal((await pub.post('/mailmag/subscribe', { email: 'pending@example.jp' })).status, 303);
  const confirm = await until('the confirmation mail', () => mailsTo('pending@example.jp')[0]);
  assert.match(confirm.subject, /さぽ～とメール登録の確認/);
  assert.match(confirm.text, /\/mailmag\/confirm\?t=/);
  // staff stop one, with a reason shown in the list
  const st = await editor.post(`/admin/subscribers/${stoppedId}/stop`, { reason: '本人から電話' });
  assert.equal(st.status, 303);
  let list = await (await editor.send('/admin/subscribers/?list=supernet&status=stopped')).text();
  assert.match(list, /stopped@example\.jp[\s\S]*職員がメール停止：本人から電話/);
  sink.reject(['bounce@example.jp', 'fixme@example.jp']);
  // a fast feed for the test
  assert.equal((await editor.post('/admin/newsletters/rate', { rate: '600' }, '/admin/newsletters/')).status, 303);
  const n = await publish(first);
  assert.equal(n, 4, 'taro, hanako, bounce, fixme: not the stopped, pending or Aika subscriber');
  const p = await until('the send to finish', async () => {
    const pr = await progressOf(first);
    return pr.sent === 2 && pr.failed === 2 && pr.waiting === 0 ? pr : null;
  });
  assert.match(p.html, /最新の状況に更新/);
  assert.match(p.html, /失敗した配信を再送/);
  for (const addr of ['taro@example.jp', 'hanako@example.jp']) {
    const got = mailsTo(addr);
    assert.equal(got.length, 1, `exactly one mail to ${addr}`);
    const m = got[0];
    assert.equal(m.subject, 'さぽ～とメール 第1号');
    assert.equal(m.contentType, 'multipart/alternative');
    assert.match(m.text, /## 今月のお知らせ/);
    assert.match(m.html, /<h2>今月のお知らせ<\/h2>/);
    const key = sql(`SELECT unsub_key FROM newsletter_subscribers WHERE list='supernet' AND id=${addr.startsWith('taro') ? active1 : active2}`);
    assert.equal(m.listUnsubscribe, `<${srv.url}/mailmag/unsubscribe?k=${key}>`, 'per-recipient List-Unsubscribe');
    assert.equal(m.listUnsubscribePost, 'List-Unsubscribe=One-Click');
    assert.match(m.listId, /<supernet\.newsletter\.[^>]+>/);
    assert.ok(m.text.includes(`${srv.url}/mailmag/unsubscribe?k=${key}`), 'the footer link');
  }
  for (const addr of ['stopped@example.jp', 'pending@example.jp', 'aika-only@example.jp'])
    assert.equal(mailsTo(addr).filter((m) => m.subject.includes('第1号')).length, 0, `nothing to ${addr}`);
  // the published back number is public and cacheable
  const page = await client().send(`/mailmag/${first}`);
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.headers.get('cache-control') || '', /no-store/);
  const ph = await page.text();
  assert.match(ph, /<h1>さぽ～とメール 第1号<\/h1>/);
  assert.match(ph, /<h2>今月のお知らせ<\/h2>/);
  assert.match(ph, /href="\/mailmag\/subscribe"/);
  assert.match(await (await client().send('/mailmag/')).text(), new RegExp(`href="/mailmag/${first}">さぽ～とメール 第1号<`));
  assert.equal((await client().send(`/aikasanet/mailmag/${first}`)).status, 404, 'not on the other site');
  // published: read-only
  const edit = await editor.post(`/admin/newsletters/${first}`, { list: 'supernet', subject: 'x', body: 'y', status: 'draft' });
  assert.equal(edit.status, 400);
});

test('one-click unsubscribe (RFC 8058 POST without cookies or CSRF token)', async () => {
  const m = mailsTo('hanako@example.jp')[0];
  const url = m.listUnsubscribe.slice(1, -1);
  const res = await fetch(url, { method: 'POST', body: 'List-Unsubscribe=One-Click',
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(res.status, 200);
  assert.match(await res.text(), /さぽ～とメールの配信を停止しました/);
  assert.equal(sql(`SELECT status || '|' || stop_reason FROM newsletter_subscribers WHERE id=${active2}`), 'stopped|unsubscribed');
  const list = await (await editor.send('/admin/subscribers/?q=hanako%40example.jp')).text();
  assert.match(list, /本人が配信を停止/);
});

test('retry of failed deliveries', async () => {
  sink.reject(['bounce@example.jp']); // fixme's server is fixed
  const res = await editor.post(`/admin/newsletters/${first}/retry`, {}, `/admin/newsletters/${first}/progress`);
  assert.equal(res.status, 303);
  assert.match(res.headers.get('location'), /done=retry&n=2$/);
  await until('fixme delivered after the retry', async () => {
    const pr = await progressOf(first);
    return pr.sent === 3 && pr.failed === 1 && mailsTo('fixme@example.jp').length === 1;
  });
  assert.equal(sink.rejections().filter((a) => a === 'bounce@example.jp').length, 2, 'bounce was tried again');
  // a mail refused again counts once; a delivered one resets the count
  assert.equal(sql(`SELECT bounce_count FROM newsletter_subscribers WHERE id=${bounceId}`), '1');
  assert.equal(sql(`SELECT bounce_count FROM newsletter_subscribers WHERE id=${fixmeId}`), '0');
});

test('three permanent rejections stop a subscriber, with the reason shown', async () => {
  for (const k of [2, 3]) {
    const id = await createNl({ subject: `さぽ～とメール 第${k}号`, body: `第${k}号の本文です。`, status: 'review' });
    await publish(id);
    await until(`rejection ${k}`, () => Number(sql(`SELECT bounce_count FROM newsletter_subscribers WHERE id=${bounceId}`)) === k);
    await until(`第${k}号 sent`, async () => (await progressOf(id)).waiting === 0);
    assert.equal(mailsTo('taro@example.jp').filter((m) => m.subject === `さぽ～とメール 第${k}号`).length, 1);
    assert.equal(mailsTo('taro@example.jp')[k - 1].contentType, k === 1 ? 'multipart/alternative' : 'text/plain');
  }
  assert.equal(sql(`SELECT status || '|' || stop_reason FROM newsletter_subscribers WHERE id=${bounceId}`),
    'stopped|配信不能（恒久的なエラーが3回）');
  const list = await (await editor.send('/admin/subscribers/?status=stopped')).text();
  assert.match(list, /bounce@example\.jp[\s\S]*?配信不能（恒久的なエラーが3回）/);
  assert.match(sql("SELECT count(*) FROM audit_log WHERE action='newsletter_autostop'"), /^1$/);
  // resume clears the count
  assert.equal((await editor.post(`/admin/subscribers/${bounceId}/resume`, {}, '/admin/subscribers/')).status, 303);
  assert.equal(sql(`SELECT status || '|' || bounce_count FROM newsletter_subscribers WHERE id=${bounceId}`), 'active|0');
});

test('Aika メルマガ: its own subscribers, unsubscribe path and public back numbers', async () => {
  const id = await createNl({ list: 'aika', subject: 'あいかさねっとメルマガ 11月号', body: 'ボランティア募集のお知らせです。', status: 'review' });
  const n = await publish(id);
  assert.equal(n, 1);
  const m = await until('the Aika mail', () => mailsTo('aika-only@example.jp').find((x) => x.subject.includes('11月号')));
  assert.match(m.listUnsubscribe, /\/aikasanet\/newsletter\/unsubscribe\?k=/);
  assert.match(m.listId, /<aika\.newsletter\./);
  assert.equal(mailsTo('taro@example.jp').filter((x) => x.subject.includes('11月号')).length, 0);
  const list = await (await client().send('/aikasanet/mailmag/')).text();
  assert.match(list, new RegExp(`href="/aikasanet/mailmag/${id}">あいかさねっとメルマガ 11月号<`));
  assert.doesNotMatch(list, /さぽ～とメール 第1号/);
  assert.equal((await client().send(`/aikasanet/mailmag/${id}`)).status, 200);
  assert.equal((await client().send(`/mailmag/${id}`)).status, 404);
});

test('CSV import: dry-run report (new, duplicates, invalid with line numbers), then the import', async () => {
  const csv = '\ufeffメールアドレス,名前\r\nnew1@example.jp,一\r\ntaro@example.jp,既存\r\nnew2@example.jp,二\r\n' +
    'NEW1@example.jp,重複\r\nnot-an-address,誤り\r\n\r\n';
  const before = Number(sql("SELECT count(*) FROM newsletter_subscribers WHERE list='supernet'"));
  let res = await editor.postMultipart('/admin/subscribers/import', { list: 'supernet' }, { file: [csv, 'list.csv'] });
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /新しく登録するアドレス<\/th><td>2件/);
  assert.match(html, /重複（登録しない）<\/th><td>2件/);
  assert.match(html, /正しくないアドレス（登録しない）<\/th><td>1件/);
  assert.match(html, /3行目：taro@example\.jp — すでに登録済み（配信中）/);
  assert.match(html, /5行目：NEW1@example\.jp — ファイルの2行目と同じ/);
  assert.match(html, /6行目：not-an-address — メールアドレスの形式が正しくありません/);
  assert.equal(Number(sql("SELECT count(*) FROM newsletter_subscribers WHERE list='supernet'")), before, 'the dry run stores nothing');
  const data = html.match(/name="data" value="([^"]*)"/)[1].replace(/&#10;/g, '\n').replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  res = await editor.post('/admin/subscribers/import/confirm', { list: 'supernet', data }, '/admin/subscribers/import');
  assert.equal(res.status, 303);
  assert.equal(Number(sql("SELECT count(*) FROM newsletter_subscribers WHERE list='supernet'")), before + 2);
  assert.equal(sql("SELECT group_concat(status || ':' || source) FROM newsletter_subscribers WHERE list='supernet' AND source='import'"),
    'active:import,active:import');
  // no header: the first column, from line 1 on
  res = await editor.postMultipart('/admin/subscribers/import', { list: 'aika' }, { file: ['x1@example.jp\nアドレス\nx1@example.jp\n', 'n.csv'] });
  const h2 = await res.text();
  assert.match(h2, /新しく登録するアドレス<\/th><td>1件/);
  assert.match(h2, /2行目：アドレス — メールアドレスの形式が正しくありません/);
  assert.match(h2, /3行目：x1@example\.jp — ファイルの1行目と同じ/);
  // a file that is not CSV text
  res = await editor.postMultipart('/admin/subscribers/import', { list: 'supernet' }, { file: ['"unterminated\n', 'x.csv'] });
  assert.equal(res.status, 422);
  assert.match(await res.text(), /class="error-summary"/);
});

test('CSV export (administrators), delete with confirmation, audit trail', async () => {
  const res = await admin.send('/admin/subscribers/export.csv?list=supernet');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/csv/);
  const body = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'BOM for Excel');
  const text = body.toString('utf8');
  assert.match(text, /番号,メールマガジン,メールアドレス,状態,停止の理由/);
  assert.match(text, /taro@example\.jp,配信中/);
  assert.doesNotMatch(text, /aika-only@example\.jp/);
  // edit an address: a taken one is refused, input kept
  let ed = await editor.post(`/admin/subscribers/${active2}/edit`, { list: 'supernet', email: 'taro@example.jp' });
  assert.equal(ed.status, 422);
  assert.match(await ed.text(), /このメールアドレスはすでに登録されています[\s\S]*value="taro@example\.jp"/);
  ed = await editor.post(`/admin/subscribers/${active2}/edit`, { list: 'supernet', email: 'hanako.new@example.jp' });
  assert.equal(ed.status, 303);
  assert.match(await (await editor.send('/admin/subscribers/?q=hanako.new%40example.jp')).text(), /hanako\.new@example\.jp/);
  // delete
  const form = await (await editor.send(`/admin/subscribers/${fixmeId}/delete`)).text();
  assert.match(form, /fixme@example\.jp/);
  assert.equal((await editor.post(`/admin/subscribers/${fixmeId}/delete`, {})).status, 303);
  assert.equal(sql(`SELECT count(*) FROM newsletter_subscribers WHERE id=${fixmeId}`), '0');
  const actions = sql('SELECT DISTINCT action FROM audit_log').split('\n');
  for (const a of ['newsletter_create', 'newsletter_update', 'newsletter_duplicate', 'newsletter_publish', 'newsletter_retry',
    'newsletter_rate', 'newsletter_subscriber_add', 'newsletter_subscriber_update', 'newsletter_subscriber_stop', 'newsletter_subscriber_resume',
    'newsletter_subscriber_delete', 'newsletter_import_dry_run', 'newsletter_import', 'newsletter_subscribers_export'])
    assert.ok(actions.includes(a), `audited: ${a}`);
  assert.equal((await client().send('/admin/subscribers/export.csv')).status, 303);
});

test('every newsletter page is valid HTML', async () => {
  const validator = new HtmlValidate({ extends: ['html-validate:standard'], rules: { 'no-redundant-role': 'off' } });
  const pages = [];
  for (const p of ['/admin/newsletters/', '/admin/newsletters/new', `/admin/newsletters/${first}`,
    `/admin/newsletters/${first}/preview`, `/admin/newsletters/${first}/preview?as=page`, `/admin/newsletters/${first}/publish`,
    `/admin/newsletters/${first}/progress`, '/admin/subscribers/', '/admin/subscribers/new', '/admin/subscribers/import',
    `/admin/subscribers/${active1}/stop`, `/admin/subscribers/${active1}/edit`, `/admin/subscribers/${active1}/delete`])
    pages.push([p, await (await editor.send(p)).text()]);
  const bad = await editor.post('/admin/newsletters/new', { list: 'supernet', subject: '', body: '', status: 'draft' });
  pages.push(['new with errors', await bad.text()]);
  const rep = await editor.postMultipart('/admin/subscribers/import', { list: 'aika' }, { file: ['a@example.jp\nbad\n', 'x.csv'] });
  pages.push(['import report', await rep.text()]);
  for (const p of ['/mailmag/', `/mailmag/${first}`, '/mailmag/subscribe', '/mailmag/unsubscribe', '/aikasanet/mailmag/'])
    pages.push([p, await (await client().send(p)).text()]);
  const problems = [];
  for (const [what, html] of pages) {
    const report = await validator.validateString(html, what);
    for (const r of report.results) for (const m of r.messages) problems.push(`${what}:${m.line}:${m.column} ${m.ruleId}: ${m.message}`);
  }
  assert.deepEqual(problems, []);
});
