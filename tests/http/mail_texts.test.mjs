// mail_texts.test.mjs — editable texts of the automatic mails (C8) over real
// HTTP and a real SMTP sink: the list of mails with when they are sent, the
// edit form with its placeholders, the preview with sample data, refusal
// of unknown placeholders and syntax errors (Japanese error next to the
// field, input kept), saving → the next contact-form mail uses the new
// text, history with 「この版に戻す」, 「初期の文面に戻す」, audit entries,
// and who may use the screens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { startServer, userAdd } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';
import { enableTotp } from '../lib/totp.mjs';

const CENTRE = 'centre@example.jp';
let srv, sink;
before(async () => {
  sink = await startSmtpSink();
  const conf = path.join(await fsp.mkdtemp('/tmp/civicnet-mailtexts-conf-'), 'civicnet.conf');
  await fsp.writeFile(conf, `centre_address = ${CENTRE}\n`);
  srv = await startServer({ demo: false, env: { CIVICNET_SMTP: sink.url }, args: ['--config', conf] });
  await userAdd(srv.dataDir, 'clerk', 'editor', 'clerk-password-1');
});
after(async () => { await srv?.stop(); await sink?.stop?.(); await sink?.dispose?.(); });
const sql = (q) => execFileSync('sqlite3', [path.join(srv.dataDir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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
  const csrfOf = async (p) => {
    const m = (await (await send(p)).text()).match(/name="_csrf" value="([^"]+)"/);
    assert.ok(m, `a CSRF token on ${p}`);
    return m[1];
  };
  const post = async (p, fields, from = p) => {
    const tok = await csrfOf(from);
    return send(p, { method: 'POST', body: new URLSearchParams({ _csrf: tok, ...fields }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  };
  return { send, post };
}

let clerkClient;
async function clerk() {
  if (clerkClient) return clerkClient;
  const c = client();
  assert.equal((await c.post('/admin/login', { login: 'clerk', password: 'clerk-password-1', next: '/admin/' })).status, 303);
  if ((await c.send('/admin/')).headers.get('location') === '/admin/totp') await enableTotp(c);
  return (clerkClient = c);
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

/** Sends the contact form as a visitor; resolves when it is accepted. */
async function contact(email) {
  const v = client();
  const res = await v.post('/contact', { name: '問合 太郎', email, phone: '', subject: 'センターの利用について', body: '土曜日は空いていますか。' });
  assert.equal(res.status, 303);
  const d = new URL(res.headers.get('location'), 'http://x').searchParams.get('d');
  const done = await v.post('/contact/confirm', { d }, `/contact/confirm?d=${d}`);
  assert.equal(done.headers.get('location'), `/contact/done?d=${d}`);
}

const BASE = '/admin/mail-texts/contact_received';
const SUBJECT = '【テスト】受付番号{{ id }}のお問い合わせ';
const BODY = 'お問い合わせありがとうございます（新しい文面）。\n{% for v in values %}{{ v.label }}：{{ v.text }}\n{% endfor %}--\n{{ centre }}\n';

test('the list names every automatic mail in Japanese with when it is sent', async () => {
  const c = await clerk();
  const res = await c.send('/admin/mail-texts/');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<title>自動送信メールの文面/);
  assert.match(html, /<a href="\/admin\/mail-texts\/contact_received">お問い合わせの受付（スーパーネット）<\/a>/);
  assert.match(html, /会員登録の確認（あいかさねっと）/);
  assert.match(html, /お問い合わせフォームを送信した人に、受付の確認として送ります。/);
  assert.ok((html.match(/初期の文面/g) || []).length >= 30, 'every mail starts with the shipped text');
});

test('the edit form shows the current text and the placeholders; the preview uses sample data', async () => {
  const c = await clerk();
  const html = await (await c.send(BASE)).text();
  assert.match(html, /<label for="f-subject">件名/);
  assert.match(html, /value="【山口県県民活動スーパーネット】お問い合わせを受け付けました"/);
  assert.match(html, /<code>\{\{ id \}\}<\/code><\/th><td>受付番号・登録番号<\/td><td>1024<\/td>/);
  assert.match(html, /<code>\{\{ x.label \}\}<\/code>/);
  const prev = await (await c.send(`${BASE}/preview`)).text();
  assert.match(prev, /<dd class="mail-subject">【山口県県民活動スーパーネット】お問い合わせを受け付けました<\/dd>/);
  assert.match(prev, /1024/, 'the sample id is filled in');
  assert.match(prev, /hanako@example\.jp/, 'the sample list values are filled in');
  const mail = prev.match(/<section aria-labelledby="h-preview"[\s\S]*?<\/section>/)[0];
  assert.doesNotMatch(mail, /\{\{|\{%/, 'no template syntax reaches the recipient');
});

test('unknown placeholders and syntax errors are refused with a Japanese message next to the field; input is kept', async () => {
  const c = await clerk();
  let res = await c.post(BASE, { subject: '件名 {{ id }}', body: '一行目\n{{ password }} です', action: 'save' });
  assert.equal(res.status, 422);
  let html = await res.text();
  assert.match(html, /<title>エラー：/);
  assert.match(html, /<a href="#f-body">本文：このメールでは使えない差し込み項目があります：2行目の「password」/);
  assert.match(html, /id="f-body-error"><span class="visually-hidden">エラー：<\/span>このメールでは使えない差し込み項目があります/);
  assert.match(html, /aria-invalid="true"/);
  assert.match(html, /<textarea[^>]*>一行目\n\{\{ password \}\} です<\/textarea>/, 'input kept');
  assert.match(html, /value="件名 \{\{ id \}\}"/);
  res = await c.post(BASE, { subject: '{{ link }}', body: 'x', action: 'save' });
  assert.match(await res.text(), /id="f-subject-error">[\s\S]*「link」/, 'another mail\'s placeholder is unknown here');
  res = await c.post(BASE, { subject: '件名', body: 'a\nb\n{% if id %}未完了\n', action: 'save' });
  assert.equal(res.status, 422);
  assert.match(await res.text(), /本文の3行目に誤りがあります/);
  assert.equal(sql("SELECT count(*) FROM mail_texts"), '0', 'nothing saved');
});

test('preview of an edit before saving, then saving: the next contact mail uses the new text', async () => {
  const c = await clerk();
  let res = await c.post(BASE, { subject: SUBJECT, body: BODY, action: 'preview' });
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /プレビュー（まだ保存していません）/);
  assert.match(html, /<dd class="mail-subject">【テスト】受付番号1024のお問い合わせ<\/dd>/);
  assert.equal(sql("SELECT count(*) FROM mail_texts"), '0', 'preview does not save');
  res = await c.post(BASE, { subject: SUBJECT, body: BODY.replace(/\n/g, '\r\n'), action: 'save' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `${BASE}?done=saved`);
  assert.match(await (await c.send(`${BASE}?done=saved`)).text(), /保存しました。/);
  assert.match(sql("SELECT actor||' '||action||' '||target FROM audit_log WHERE action='mail_text_update'"),
    /^clerk mail_text_update mail_text:contact_received$/);
  assert.match(await (await c.send('/admin/mail-texts/')).text(), /変更あり（[^）]*・clerk）/);

  await contact('ask1@example.jp');
  const [ack] = await mailsTo('ask1@example.jp');
  const id = sql('SELECT max(id) FROM inquiries');
  assert.equal(ack.subject, `【テスト】受付番号${id}のお問い合わせ`);
  assert.match(ack.body, /お問い合わせありがとうございます（新しい文面）。/);
  assert.match(ack.body, /土曜日は空いていますか。/);
  // the centre's copy (another mail) keeps its shipped text
  const centre = (await mailsTo(CENTRE)).find((m) => /お問い合わせ：センターの利用について/.test(m.subject));
  assert.ok(centre);
});

test('history keeps every previous text; 「この版に戻す」 and 「初期の文面に戻す」', async () => {
  const c = await clerk();
  // a second version on top of the first
  let res = await c.post(BASE, { subject: '第二版 {{ id }}', body: '第二版の本文\n{{ centre }}', action: 'save' });
  assert.equal(res.status, 303);
  let html = await (await c.send(`${BASE}/history`)).text();
  assert.match(html, /<title>お問い合わせの受付（スーパーネット）の変更履歴/);
  assert.match(html, /第二版 \{\{ id \}\}/, 'the current text is shown');
  const versions = [...html.matchAll(/name="version" value="(\d+)"/g)].map((m) => m[1]);
  assert.equal(versions.length, 2);
  assert.match(html, /clerk（編集）/);
  assert.match(html, /この変更の前の文面（初期の文面）/);
  assert.match(html, /【テスト】受付番号\{\{ id \}\}のお問い合わせ/, 'the first version is kept');
  // restore the first edited version (the text before the second edit)
  res = await c.post(`${BASE}/restore`, { version: versions[0] }, `${BASE}/history`);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `${BASE}?done=restored`);
  html = await (await c.send(`${BASE}?done=restored`)).text();
  assert.match(html, /選んだ版の文面に戻しました。/);
  assert.match(html, /value="【テスト】受付番号\{\{ id \}\}のお問い合わせ"/);
  assert.equal(sql("SELECT count(*) FROM audit_log WHERE action='mail_text_restore'"), '1');
  await contact('ask2@example.jp');
  assert.match((await mailsTo('ask2@example.jp'))[0].subject, /^【テスト】受付番号\d+のお問い合わせ$/);
  // back to the shipped file
  res = await c.post(`${BASE}/reset`, {}, BASE);
  assert.equal(res.status, 303);
  html = await (await c.send(`${BASE}?done=reset`)).text();
  assert.match(html, /初期の文面に戻しました。/);
  assert.match(html, /初期の文面（変更されていません）/);
  assert.equal(sql("SELECT count(*) FROM mail_texts"), '0');
  assert.equal(sql("SELECT count(*) FROM mail_text_history WHERE name='contact_received'"), '4');
  assert.equal(sql("SELECT count(*) FROM audit_log WHERE action='mail_text_reset' AND actor='clerk'"), '1');
  await contact('ask3@example.jp');
  assert.equal((await mailsTo('ask3@example.jp'))[0].subject, '【山口県県民活動スーパーネット】お問い合わせを受け付けました');
  // an unknown mail or version
  assert.equal((await c.send('/admin/mail-texts/no_such_mail')).status, 404);
  assert.equal((await c.post(`${BASE}/restore`, { version: '999999' }, BASE)).status, 404);
});

test('only staff reach the mail-text screens', async () => {
  const anon = client();
  const res = await anon.send('/admin/mail-texts/');
  assert.ok([302, 303, 403].includes(res.status), `anonymous: ${res.status}`);
  const tok = 'x';
  const post = await fetch(srv.url + BASE, { method: 'POST', redirect: 'manual', body: `_csrf=${tok}&subject=a&body=b`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  assert.ok([302, 303, 403].includes(post.status));
  assert.equal(sql("SELECT count(*) FROM mail_texts"), '0');
});
