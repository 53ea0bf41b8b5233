// admin_members.test.mjs — the staff screens for member accounts in a real
// browser: the list with its filter, the detail (registered data, sign-in
// state, suspend and resume by button) and the delete confirmation page.
// axe (wcag2a/aa) must find nothing on any of them, at 375 px and 1280 px.
// Members are made by the real sign-up and the mailed verification link.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeCheck, formatViolations, launchBrowser, screenshot } from '../lib/browser.mjs';
import { startServer, userAdd } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';
import { freshCode } from '../lib/totp.mjs';

let srv, browser, sink;
after(async () => { await browser?.close(); await srv?.stop(); await sink?.stop?.(); await sink?.dispose?.(); });

async function noViolations(page, what) {
  const v = await axeCheck(page);
  assert.equal(v.length, 0, formatViolations(v, `${what}: `));
}

/** Sign up and verify over plain HTTP (the sign-up screens have their own e2e test). */
async function signUpMember(login, email) {
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
  const post = async (p, fields, from = p) => {
    const tok = (await (await send(from)).text()).match(/name="_csrf" value="([^"]+)"/)[1];
    return send(p, { method: 'POST', body: new URLSearchParams({ _csrf: tok, ...fields }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  };
  await post('/aikasanet/signup', { kind: 'individual' });
  await post('/aikasanet/signup/terms', {});
  const res = await post('/aikasanet/signup/form', {
    login, password: 'Passw0rd-long', confirm: 'Passw0rd-long', person_name: '下関 ふく', person_kana: 'しものせき ふく',
    prefecture: '山口県', municipality: '下関市', phone: '083-111-2222', email, gender: 'none', birth_date: '1975-01-20' });
  assert.equal(res.status, 303);
  let mail;
  for (let i = 0; i < 150 && !mail; i++) {
    mail = sink.messages().find((m) => m.to.includes(email));
    if (!mail) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(mail, `verification mail to ${email}`);
  const link = mail.body.match(/http:\/\/127\.0\.0\.1:\d+(\/aikasanet\/[^\s]+)/)[1];
  assert.equal((await post('/aikasanet/signup/verify', { token: link.split('token=')[1] }, link)).status, 303);
}

before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ demo: false, env: { CIVICNET_SMTP: sink.url } });
  await userAdd(srv.dataDir, 'e2eadmin', 'admin', 'admin-password-e2e');
  await signUpMember('fuku375', 'fuku375@example.jp');
  await signUpMember('fuku1280', 'fuku1280@example.jp');
  browser = await launchBrowser();
});

// The administrator sets up TOTP at the first sign-in, types a code afterwards.
let adminSecret;
async function signInAdmin(page) {
  await page.goto(`${srv.url}/admin/login`);
  await page.getByLabel('ログインID').fill('e2eadmin');
  await page.getByLabel('パスワード', { exact: true }).fill('admin-password-e2e');
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.waitForURL(/\/admin\/(totp|login\/totp)$/);
  if (page.url().endsWith('/admin/totp')) {
    adminSecret = (await page.locator('#totp-secret').innerText()).replace(/ /g, '');
    await page.getByLabel(/確認コード/).fill(await freshCode(adminSecret));
    await page.getByRole('button', { name: '有効にする' }).click();
    await page.waitForURL(/done=enabled/);
  } else {
    await page.getByLabel(/確認コード/).fill(await freshCode(adminSecret));
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL(`${srv.url}/admin/`);
  }
}

for (const width of [375, 1280]) {
  test(`member-account screens at ${width}px: list, filter, detail, suspend, delete confirmation`, async () => {
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP' });
    const page = await ctx.newPage();
    await signInAdmin(page);
    await page.goto(`${srv.url}/admin/`);
    await page.getByRole('link', { name: '会員（あいかさねっと）' }).click();
    await page.waitForURL(`${srv.url}/admin/members/`);
    await noViolations(page, 'member list');
    await screenshot(page, `admin-members-list-${width}`);

    await page.getByLabel('登録の種類').selectOption('individual');
    await page.getByLabel('状態', { exact: true }).selectOption('draft'); // verified, details not yet entered
    await page.getByRole('button', { name: '絞り込む' }).click();
    await page.waitForURL(/kind=individual&status=draft/);
    await noViolations(page, 'filtered list');
    const login = `fuku${width}`;
    await page.getByRole('link', { name: new RegExp(login) }).click();
    await page.waitForURL(/\/admin\/members\/\d+$/);
    assert.match(await page.locator('main').innerText(), new RegExp(`${login}@example\\.jp`), 'e-mail decrypted');
    await noViolations(page, 'member detail');
    await screenshot(page, `admin-members-detail-${width}`);

    await page.getByRole('button', { name: '一時利用停止する' }).click();
    await page.waitForURL(/done=suspended/);
    assert.match(await page.getByRole('status').innerText(), /一時利用停止にしました/);
    await noViolations(page, 'suspended member detail');
    await page.getByRole('button', { name: '利用を再開する' }).click();
    await page.waitForURL(/done=resumed/);

    await page.getByRole('link', { name: 'この会員を削除する（確認へ進む）' }).click();
    await page.waitForURL(/\/delete$/);
    assert.match(await page.locator('main').innerText(), /元に戻せません/);
    await noViolations(page, 'delete confirmation');
    await screenshot(page, `admin-members-delete-${width}`);
    await page.getByRole('button', { name: '削除する' }).click();
    await page.waitForURL(/\/admin\/members\/\?done=deleted/);
    assert.match(await page.getByRole('status').innerText(), /会員を削除しました/);
    await noViolations(page, 'list after deletion');
    await ctx.close();
  });
}
