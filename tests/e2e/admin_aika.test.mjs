// admin_aika.test.mjs — Aika's staff screens in a real browser (C2–C5):
// axe (WCAG 2.0 A/AA) finds nothing, at 1280 px and 375 px (where no page
// scrolls sideways), on the members list (review queue), a member's
// detail, its edit form (also with errors), the publish confirmation, the
// NG form (also with its error), the mail-stop form; the recruitments list,
// a recruitment's edit page and publish confirmation; the interview and
// download lists and forms. And a recruitment in review is published with
// the keyboard alone: sign-in, the dashboard's pending link, the list, the
// edit page, the confirmation. Members come from the real sign-up and the
// mailed verification link; their 詳細登録 is filled in with sqlite3.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { axeCheck, formatViolations, launchBrowser } from '../lib/browser.mjs';
import { activeElementInfo, focusIndicatorVisible } from '../lib/pagecheck.mjs';
import { startServer, userAdd } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';

let srv, browser, sink, person, group;
after(async () => { await browser?.close(); await srv?.stop(); await sink?.stop?.(); await sink?.dispose?.(); });

const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'civicnet.db'), q],
  { encoding: 'utf8' }).trim();
const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;

function piiEncrypt(column, plain) {
  const key = fs.readFileSync(path.join(srv.dataDir, 'keys', 'pii.key'));
  const nonce = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(Buffer.from(column));
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return 'v1:' + Buffer.concat([nonce, ct, c.getAuthTag()]).toString('base64url');
}

/** Sign up and verify over plain HTTP (the sign-up screens have their own e2e test). */
async function signUp(kind, fields) {
  const jar = new Map();
  const send = async (p, opts = {}) => {
    const headers = { ...(opts.headers || {}) };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(srv.url + p, { redirect: 'manual', ...opts, headers });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
    return res;
  };
  const post = async (p, f, from = p) => {
    const tok = (await (await send(from)).text()).match(/name="_csrf" value="([^"]+)"/)[1];
    return send(p, { method: 'POST', body: new URLSearchParams({ _csrf: tok, ...f }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  };
  await post('/aikasanet/signup', { kind });
  await post('/aikasanet/signup/terms', {});
  const res = await post('/aikasanet/signup/form', fields);
  assert.equal(res.status, 303);
  let mail;
  for (let i = 0; i < 150 && !mail; i++) {
    mail = sink.messages().find((m) => m.to.includes(fields.email));
    if (!mail) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(mail, `verification mail to ${fields.email}`);
  const link = mail.body.match(/http:\/\/127\.0\.0\.1:\d+(\/aikasanet\/[^\s]+)/)[1];
  assert.equal((await post('/aikasanet/signup/verify', { token: link.split('token=')[1] }, link)).status, 303);
  return sql(`SELECT m.id FROM members m JOIN users u ON u.id=m.user_id WHERE u.login=${lit(fields.login)}`);
}

/** 詳細登録 as the member's details screen stores it: then 仮登録. */
function completeDetails(id, over = {}) {
  const v = { postal_enc: piiEncrypt('postal', '750-0001'), address_enc: piiEncrypt('address', '竹崎町1-1'),
    activity_areas: '下関市', fields: '保健・医療・福祉', weekdays: '土', ...over };
  const set = Object.entries(v).map(([k, x]) => `${k}=${lit(x)}`).join(', ');
  sql(`UPDATE members SET ${set}, details_completed_at=strftime('%Y-%m-%dT%H:%M:%SZ','now'), status='review' WHERE id=${id}`);
}

function reviewRecruitment(title) {
  return sql(`INSERT INTO recruitments(member_id, title, organiser, summary, fields, weekdays, areas, anytime, status)
    VALUES (${group}, ${lit(title)}, '下関うみの会', '海岸の清掃をします。', '環境の保全', '土', '下関市', 1, 'review') RETURNING id`);
}

before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ demo: false, env: { CIVICNET_SMTP: sink.url } });
  await userAdd(srv.dataDir, 'e2eclerk', 'editor', 'clerk-password-e2e');
  person = await signUp('individual', { login: 'umi', password: 'Passw0rd-long', confirm: 'Passw0rd-long',
    person_name: '下関 うみ', person_kana: 'しものせき うみ', prefecture: '山口県', municipality: '下関市',
    phone: '083-222-3333', email: 'umi@example.jp', gender: 'none', birth_date: '1990-03-03' });
  completeDetails(person, { occupation: '教員' });
  group = await signUp('group', { login: 'uminokai', password: 'Passw0rd-long', confirm: 'Passw0rd-long',
    org_type: '任意団体', org_name: '下関うみの会', org_kana: 'しものせきうみのかい', representative: '下関 太郎',
    rep_title: '会長', prefecture: '山口県', municipality: '下関市', phone: '083-222-4444', email: 'uminokai@example.jp',
    wants_recruit: '1', req_1: '1', req_2: '1', req_3: '1', req_4: '1' });
  completeDetails(group, { members_count: '12人', founded_on: '2015-05-01', founding_purpose: '海を守る。',
    main_activities: '海岸清掃。', contact_name_enc: piiEncrypt('contact_name', '担当 なぎさ') });
  sql(`UPDATE members SET status='published', published_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=${group}`);
  browser = await launchBrowser();
});

async function signIn(page) {
  await page.goto(`${srv.url}/admin/login`);
  await page.getByLabel('ログインID').fill('e2eclerk');
  await page.getByLabel('パスワード', { exact: true }).fill('clerk-password-e2e');
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.waitForURL(`${srv.url}/admin/`);
}

async function check(page, what, width) {
  const v = await axeCheck(page);
  assert.equal(v.length, 0, formatViolations(v, `${what} at ${width}px: `));
  const o = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  assert.ok(o.sw <= o.cw + 1, `${what} at ${width}px scrolls sideways (${o.sw} > ${o.cw})`);
}

for (const width of [1280, 375]) {
  test(`Aika staff screens pass axe at ${width}px`, async () => {
    const rid = reviewRecruitment(`海岸清掃ボランティア${width}`);
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP' });
    const page = await ctx.newPage();
    await signIn(page);
    await check(page, 'dashboard with the member table', width);

    // members: the review queue, the detail, edit, confirmation, NG, mail stop
    await page.goto(`${srv.url}/admin/members/?status=review`);
    await check(page, 'member review queue', width);
    await page.locator(`main a[href="/admin/members/${person}"]`).click();
    await page.waitForURL(`${srv.url}/admin/members/${person}`);
    const main = await page.locator('main').innerText();
    assert.match(main, /umi@example\.jp/, 'e-mail decrypted');
    assert.match(main, /竹崎町1-1/, 'address decrypted');
    await check(page, 'member detail', width);
    await page.getByRole('link', { name: '登録内容を編集する' }).click();
    await page.waitForURL(/\/edit$/);
    await check(page, 'member edit form', width);
    await page.getByRole('textbox', { name: /^職業/ }).fill('');
    await page.getByRole('button', { name: '変更を保存する' }).click();
    assert.match(await page.title(), /^エラー：/);
    assert.match(await page.getByRole('alert').innerText(), /職業を入力してください/);
    await check(page, 'member edit form with errors', width);
    await page.goto(`${srv.url}/admin/members/${person}/status?to=published`);
    assert.match(await page.locator('main').innerText(), /u\*\*\*@example\.jp/);
    await check(page, 'member publish confirmation', width);
    await page.goto(`${srv.url}/admin/members/${person}/ng`);
    await page.getByRole('button', { name: 'NGとして確認メモを保存する' }).click();
    assert.match(await page.getByRole('alert').innerText(), /確認メモ（NGの理由・連絡の記録）を入力してください/);
    await check(page, 'NG form with its error', width);
    await page.goto(`${srv.url}/admin/members/${person}/mail-stop`);
    await check(page, 'mail-stop form', width);
    await page.goto(`${srv.url}/admin/members/${group}`);
    await check(page, 'group member detail', width);

    // recruitments
    await page.goto(`${srv.url}/admin/recruitments/?status=review`);
    await check(page, 'recruitment list', width);
    await page.goto(`${srv.url}/admin/recruitments/${rid}`);
    await check(page, 'recruitment edit page', width);
    await page.goto(`${srv.url}/admin/recruitments/${rid}/status?to=published`);
    assert.match(await page.locator('main').innerText(), /マッチングメール/);
    await check(page, 'recruitment publish confirmation', width);

    // interview reports and downloadable forms
    for (const p of ['interviews', 'downloads']) {
      await page.goto(`${srv.url}/admin/${p}/`);
      await check(page, `${p} list`, width);
      await page.goto(`${srv.url}/admin/${p}/new`);
      await check(page, `${p} form`, width);
    }
    await ctx.close();
  });
}

// Press Tab until the focused element's text matches re; assert a visible
// focus indicator on the way there.
async function tabTo(page, re, what) {
  const hit = typeof re === 'function' ? re : (info) => re.test(info.text.replace(/\s+/g, ''));
  for (let i = 0; i < 400; i++) {
    await page.keyboard.press('Tab');
    const info = await activeElementInfo(page);
    if (info.tag !== 'body' && hit(info)) {
      assert.ok(focusIndicatorVisible(info), `${what}: focus is visible`);
      return info;
    }
  }
  throw new Error(`Tab never reached ${what}`);
}

test('a recruitment in review is published with the keyboard alone', async () => {
  const title = `キーボード募集${crypto.randomBytes(2).toString('hex')}`;
  const rid = reviewRecruitment(title);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
  const page = await ctx.newPage();
  await page.goto(`${srv.url}/admin/login`);
  await tabTo(page, (info) => info.tag === 'input' && info.id === 'login', 'the login field');
  await page.keyboard.type('e2eclerk');
  await page.keyboard.press('Tab');
  await page.keyboard.type('clerk-password-e2e');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${srv.url}/admin/`);

  await tabTo(page, /^ボランティア募集の確認待ち一覧$/, 'the pending recruitments link');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/admin\/recruitments\/\?status=review$/);
  await tabTo(page, new RegExp(`^${title}$`), 'the recruitment');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${srv.url}/admin/recruitments/${rid}`);
  await tabTo(page, /^公開する（確認へ進む）$/, 'the publish link');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${srv.url}/admin/recruitments/${rid}/status?to=published`);
  assert.match(await page.locator('main').innerText(), /1通送ります/);
  await tabTo(page, /^公開する$/, 'the publish button');
  await page.keyboard.press('Enter');
  await page.waitForURL(/done=published_mail$/);
  assert.match(await page.getByRole('status').innerText(), /公開しました/);
  assert.equal(sql(`SELECT status FROM recruitments WHERE id=${rid}`), 'published');
  assert.equal(sql(`SELECT count(*) FROM outbox WHERE to_addr='uminokai@example.jp' AND idem_key LIKE 'published:recruitment:${rid}:%'`), '1');
  await ctx.close();
});
