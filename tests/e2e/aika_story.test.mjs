// aika_story.test.mjs — the issue 5 story in a real browser with a real
// SMTP server: a group signs up, verifies its address from the mail,
// completes its details and posts a recruitment on its my page; staff
// publish the group and the recruitment; a matching individual (prepared
// beforehand through HTTP) receives the matching mail, follows its apply
// link, confirms, and the group receives the application mail with the
// centre as an envelope recipient (BCC); the same link again applies
// nothing; a tampered and an expired link get a clear error page. axe
// (WCAG 2.0 A/AA) finds nothing on the confirmation, done and error pages
// (the applicant's pages at 375 px, as on a phone).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { axeCheck, formatViolations, launchBrowser, screenshot } from '../lib/browser.mjs';
import { startServer, userAdd } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';

const CENTRE = 'centre@example.jp';
const F1 = '保健・医療・福祉';
const PW = 'Passw0rd-long';
let srv, sink, browser;

before(async () => {
  sink = await startSmtpSink();
  const conf = path.join(await fsp.mkdtemp('/tmp/civicnet-story-conf-'), 'civicnet.conf');
  await fsp.writeFile(conf, `centre_address = ${CENTRE}\n`);
  srv = await startServer({ demo: false, env: { CIVICNET_SMTP: sink.url }, args: ['--config', conf] });
  await userAdd(srv.dataDir, 'storyclerk', 'editor', 'clerk-password-story');
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await srv?.stop(); await sink?.stop?.(); await sink?.dispose?.(); });

const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'civicnet.db'), q],
  { encoding: 'utf8' }).trim();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function noViolations(page, what) {
  const v = await axeCheck(page);
  assert.equal(v.length, 0, formatViolations(v, `${what}: `));
}

const mailsTo = (to, re = /./) => sink.messages().filter((m) => m.to.includes(to) && re.test(m.subject));
async function waitMail(to, re, n = 1) {
  for (let i = 0; i < 200; i++) {
    const got = mailsTo(to, re);
    if (got.length >= n) return got[n - 1];
    await sleep(100);
  }
  assert.fail(`no mail ${n} to ${to} matching ${re}`);
}
const urlIn = (m, re) => m.body.match(re)[1];

/** The individual that will match, made through HTTP: sign-up, the
 * verification link, then its preferences and publication set directly. */
async function prepareVolunteer() {
  const jar = new Map();
  const send = async (p, opts = {}) => {
    const headers = { ...(opts.headers || {}) };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(p.startsWith('http') ? p : srv.url + p, { redirect: 'manual', ...opts, headers });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
    return res;
  };
  const post = async (p, fields, from = p) => {
    const tok = (await (await send(from)).text()).match(/name="_csrf" value="([^"]+)"/)[1];
    return send(p, { method: 'POST', body: new URLSearchParams({ _csrf: tok, ...fields }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  };
  await post('/aikasanet/signup', { kind: 'individual' });
  await post('/aikasanet/signup/terms', {});
  const res = await post('/aikasanet/signup/form', {
    login: 'hanako', password: PW, confirm: PW, person_name: '山口 花子', person_kana: 'やまぐち はなこ',
    prefecture: '山口県', municipality: '山口市', phone: '083-222-3333', email: 'hanako@example.jp',
    gender: 'female', birth_date: '1990-04-01' });
  assert.equal(res.status, 303);
  const link = urlIn(await waitMail('hanako@example.jp', /会員登録の確認/), /(\/aikasanet\/signup\/verify\?token=\S+)/);
  assert.equal((await post('/aikasanet/signup/verify', { token: link.split('token=')[1] }, link)).status, 303);
  sql(`UPDATE members SET status='published', published_at=strftime('%Y-%m-%dT%H:%M:%SZ','now'),
       activity_areas='山口市' || char(10) || '萩市', weekdays='土' || char(10) || '日', fields='${F1}', occupation='看護師'
       WHERE email_index IS NOT NULL AND kind='individual'`);
}

test('the Aika story: sign-up → recruitment → publish → matching mail → one-click apply', async () => {
  await prepareVolunteer();

  // ---------- a group signs up and verifies its address ----------
  const gctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
  const g = await gctx.newPage();
  await g.goto(`${srv.url}/aikasanet/signup`);
  await g.locator('#f-kind').selectOption('group');
  await g.getByRole('button', { name: '次へ（利用規約）' }).click();
  await g.getByRole('button', { name: '同意する' }).click();
  await g.waitForURL(/\/aikasanet\/signup\/form$/);
  await g.locator('#f-login').fill('himawari');
  await g.locator('#f-password').fill(PW);
  await g.locator('#f-confirm').fill(PW);
  await g.locator('#f-org_type').selectOption('NPO法人');
  await g.locator('#f-org_name').fill('ひまわり川の会');
  await g.locator('#f-org_kana').fill('ひまわりかわのかい');
  await g.locator('#f-representative').fill('代表 太郎');
  await g.locator('#f-rep_title').fill('理事長');
  await g.locator('#f-prefecture').selectOption('山口県');
  await g.locator('#f-municipality').selectOption('山口市');
  await g.locator('#f-phone').fill('083-999-0000');
  await g.locator('#f-email').fill('group@example.jp');
  await g.locator('#f-wants_recruit').check();
  for (let i = 1; i <= 4; i++) await g.locator(`#f-req_${i}`).check();
  await g.getByRole('button', { name: /登録する/ }).click();
  await g.waitForURL(/\/aikasanet\/signup\/sent$/);
  const verify = urlIn(await waitMail('group@example.jp', /会員登録の確認/), /(http:\/\/127\.0\.0\.1:\d+\/aikasanet\/signup\/verify\?token=\S+)/);
  await g.goto(verify);
  await g.getByRole('button', { name: '登録を確定する' }).click();
  await g.waitForURL(/\/aikasanet\/signup\/verified$/);

  // ---------- it logs in, completes its details and posts a recruitment ----------
  await g.goto(`${srv.url}/aikasanet/login`);
  await g.locator('#login').fill('himawari');
  await g.locator('#password').fill(PW);
  await g.getByRole('button', { name: 'ログイン' }).click();
  await g.waitForURL(/\/aikasanet\/mypage\//);
  await g.goto(`${srv.url}/aikasanet/mypage/details`);
  await g.locator('#f-postal').fill('753-0001');
  await g.locator('#f-address').fill('山口市中央1-2-3');
  await g.locator('#f-members_count').fill('25人');
  await g.locator('#f-founded_on').fill('2010-04-01');
  await g.locator('#f-founding_purpose').fill('川をきれいにするため');
  await g.locator('#f-main_activities').fill('河川清掃、環境学習');
  await g.locator('#f-contact_name').fill('担当 次郎');
  await g.locator('fieldset', { hasText: '活動可能地域' }).getByLabel('山口市', { exact: true }).check();
  await g.locator('fieldset', { hasText: '活動希望分野' }).getByLabel(F1, { exact: true }).check();
  await g.locator('fieldset', { hasText: '活動可能曜日' }).getByLabel('土', { exact: true }).check();
  await g.getByRole('button', { name: /登録する|保存する/ }).click();
  await g.waitForURL((u) => !u.pathname.endsWith('/details'));
  const gid = sql("SELECT id FROM members WHERE kind='group'");
  assert.equal(sql(`SELECT activity_areas FROM members WHERE id=${gid}`), '山口市');

  await g.goto(`${srv.url}/aikasanet/mypage/recruitments/new`);
  await g.locator('#f-title').fill('椹野川の河川清掃ボランティア');
  await g.locator('#f-organiser').fill('ひまわり川の会');
  await g.locator('fieldset', { hasText: '分野' }).first().getByLabel(F1, { exact: true }).check();
  await g.locator('#f-summary').fill('川辺のごみを拾います。軍手はこちらで用意します。');
  await g.locator('#f-anytime').check();
  await g.locator('fieldset', { hasText: '活動曜日' }).getByLabel('土', { exact: true }).check();
  await g.locator('fieldset', { hasText: '活動地域' }).getByLabel('山口市', { exact: true }).check();
  await g.locator('#f-place').fill('山口市中央公園');
  await g.getByRole('button', { name: '登録する（仮登録）' }).click();
  await g.waitForURL(/\/aikasanet\/mypage\/recruitments\//);
  const rid = sql("SELECT id FROM recruitments WHERE title='椹野川の河川清掃ボランティア'");
  assert.equal(sql(`SELECT status||'|'||member_id FROM recruitments WHERE id=${rid}`), `review|${gid}`);

  // ---------- staff publish the group, then the recruitment ----------
  const sctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
  const s = await sctx.newPage();
  await s.goto(`${srv.url}/admin/login`);
  await s.getByLabel('ログインID').fill('storyclerk');
  await s.getByLabel('パスワード', { exact: true }).fill('clerk-password-story');
  await s.getByRole('button', { name: 'ログイン' }).click();
  await s.waitForURL(`${srv.url}/admin/`);
  await s.goto(`${srv.url}/admin/members/${gid}/status?to=published`);
  await s.getByRole('button', { name: '公開する' }).click();
  await s.waitForURL(new RegExp(`/admin/members/${gid}`));
  assert.equal(sql(`SELECT status FROM members WHERE id=${gid}`), 'published');
  await s.goto(`${srv.url}/admin/recruitments/${rid}/status?to=published`);
  await s.getByRole('button', { name: '公開する' }).click();
  await s.waitForURL(new RegExp(`/admin/recruitments/${rid}`));
  assert.equal(sql(`SELECT status FROM recruitments WHERE id=${rid}`), 'published');

  // ---------- the matching mail reaches the individual ----------
  const match = await waitMail('hanako@example.jp', /あなたに合うボランティア募集/);
  assert.match(match.subject, /椹野川の河川清掃ボランティア/);
  const apply = urlIn(match, /(http:\/\/127\.0\.0\.1:\d+\/aikasanet\/m\/apply\?\S+)/);
  assert.match(match.body, /\/aikasanet\/m\/inquire\?/);

  // ---------- one-click apply, on a phone, without logging in ----------
  const actx = await browser.newContext({ viewport: { width: 375, height: 800 }, locale: 'ja-JP' });
  const a = await actx.newPage();
  await a.goto(apply);
  assert.match(await a.title(), /参加申込の確認/);
  assert.match(await a.locator('main').innerText(), /ご登録の個人会員様/);
  assert.match(await a.locator('main').innerText(), /椹野川の河川清掃ボランティア/);
  await noViolations(a, 'apply confirmation');
  await screenshot(a, 'aika-apply-confirm-375');
  assert.equal(sql('SELECT count(*) FROM applications'), '0', 'opening the link applies nothing');
  await a.getByRole('button', { name: '参加を申し込む' }).click();
  await a.waitForURL(/\/aikasanet\/m\/done\?what=apply/);
  assert.match(await a.locator('h1').innerText(), /参加申込を受け付けました/);
  await noViolations(a, 'apply done');
  await screenshot(a, 'aika-apply-done-375');

  // the group is told, with the centre as an envelope recipient (BCC)
  const told = await waitMail('group@example.jp', /参加申込/);
  assert.ok(told.to.includes(CENTRE), `the centre receives it (RCPT TO: ${told.to.join(', ')})`);
  assert.equal(told.headers.bcc, undefined, 'no Bcc header');
  assert.match(told.body, /山口 花子/);
  assert.match(told.body, /hanako@example\.jp/);
  assert.match(told.body, /083-222-3333/);
  assert.equal(sql(`SELECT kind||'|'||via FROM applications WHERE recruitment_id=${rid}`), 'apply|mail');

  // the same link again: no second application, no second mail
  await a.goto(apply);
  assert.match(await a.locator('main').innerText(), /すでに申し込み済みです/);
  assert.equal(await a.getByRole('button', { name: '参加を申し込む' }).count(), 0);
  await noViolations(a, 'already applied');
  await sleep(1500);
  assert.equal(mailsTo('group@example.jp', /参加申込/).length, 1);
  assert.equal(sql('SELECT count(*) FROM applications'), '1');

  // a tampered link and an expired one: clear error pages
  const u = new URL(apply);
  const t = u.searchParams.get('t');
  u.searchParams.set('t', (t[0] === 'A' ? 'B' : 'A') + t.slice(1));
  const bad = await a.goto(u.toString());
  assert.equal(bad.status(), 400);
  assert.match(await a.locator('h1').innerText(), /リンクが正しくありません/);
  assert.match(await a.locator('main').innerText(), /ログイン/);
  await noViolations(a, 'tampered link');
  const key = crypto.createHmac('sha256', fs.readFileSync(path.join(srv.dataDir, 'secret.key'))).update('match-link-v1').digest();
  const m = u.searchParams.get('m'), e = Math.floor(Date.now() / 1000) - 60;
  const tok = crypto.createHmac('sha256', key).update(`apply|${m}|${rid}|${e}`).digest('base64url');
  const old = await a.goto(`${srv.url}/aikasanet/m/apply?m=${m}&r=${rid}&e=${e}&t=${tok}`);
  assert.equal(old.status(), 410);
  assert.match(await a.locator('h1').innerText(), /有効期限が切れています/);
  await noViolations(a, 'expired link');
  await screenshot(a, 'aika-apply-expired-375');

  // the inquiry link's form is accessible too
  const inquire = urlIn(match, /(http:\/\/127\.0\.0\.1:\d+\/aikasanet\/m\/inquire\?\S+)/);
  await a.goto(inquire);
  await a.getByRole('button', { name: '問い合わせを送る' }).click();
  assert.match(await a.title(), /^エラー：/);
  await noViolations(a, 'inquiry form with an error');
  await a.getByLabel(/問い合わせ内容/).fill('駐車場はありますか？');
  await a.getByRole('button', { name: '問い合わせを送る' }).click();
  await a.waitForURL(/\/aikasanet\/m\/done\?what=inquire/);
  await noViolations(a, 'inquiry done');
  const q = await waitMail('group@example.jp', /問い合わせ/);
  assert.ok(q.to.includes(CENTRE));
  await Promise.all([gctx.close(), sctx.close(), actx.close()]);
});
