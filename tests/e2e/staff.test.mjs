// staff.test.mjs — the staff-account screens in a real browser: sign in,
// a form with errors (summary links to fields, input kept), creating an
// account, the forced password change with the show/hide toggle, and the
// lock after five failures. axe (wcag2a/aa) must find nothing on any of
// these pages, at 375 px and 1280 px. The administrator sets up TOTP at the
// first sign-in (required for admins) and types a code at the second.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeCheck, formatViolations, launchBrowser, screenshot } from '../lib/browser.mjs';
import { startServer, userAdd } from '../lib/server.mjs';
import { freshCode } from '../lib/totp.mjs';

let srv, browser;
before(async () => {
  srv = await startServer({ demo: false });
  await userAdd(srv.dataDir, 'e2eadmin', 'admin', 'admin-password-e2e');
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await srv?.stop(); });

async function noViolations(page, what) {
  const v = await axeCheck(page);
  assert.equal(v.length, 0, formatViolations(v, `${what}: `));
}

async function signIn(page, login, password) {
  await page.goto(`${srv.url}/admin/login`);
  await page.getByLabel('ログインID').fill(login);
  await page.getByLabel('パスワード', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'ログイン' }).click();
}

// Administrators: set up TOTP on the first sign-in, type a code afterwards.
let adminSecret;
async function secondFactor(page) {
  await page.waitForURL(/\/admin\/(totp|login\/totp)$/);
  if (page.url().endsWith('/admin/totp')) {
    adminSecret = (await page.locator('#totp-secret').innerText()).replace(/ /g, '');
    await page.getByLabel(/確認コード/).fill(await freshCode(adminSecret));
    await page.getByRole('button', { name: '有効にする' }).click();
    await page.waitForURL(/done=enabled/);
    await page.goto(`${srv.url}/admin/`);
  } else {
    await page.getByLabel(/確認コード/).fill(await freshCode(adminSecret));
    await page.getByRole('button', { name: 'ログイン' }).click();
  }
}

for (const width of [375, 1280]) {
  test(`staff screens at ${width}px: errors, create, forced change, lock`, async () => {
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP' });
    const page = await ctx.newPage();
    await signIn(page, 'e2eadmin', 'admin-password-e2e');
    await secondFactor(page);
    await page.waitForURL(`${srv.url}/admin/`);
    await noViolations(page, 'dashboard');

    await page.goto(`${srv.url}/admin/staff/`);
    await noViolations(page, 'staff list');
    await page.getByRole('link', { name: '職員アカウントを追加' }).click();
    await noViolations(page, 'new staff form');
    const login = `staff${width}`;
    await page.getByLabel('ログインID').fill('bad id!');
    await page.getByRole('button', { name: '保存する' }).click();
    assert.match(await page.title(), /^エラー：/);
    const summary = page.getByRole('alert');
    assert.match(await summary.innerText(), /入力内容を確認してください/);
    await noViolations(page, 'form with errors');
    await screenshot(page, `staff-form-errors-${width}`);
    assert.equal(await page.getByLabel('ログインID').inputValue(), 'bad id!', 'input kept');
    await summary.getByRole('link', { name: /ログインID/ }).click();
    assert.equal(await page.evaluate(() => location.hash), '#f-login', 'summary links to the field');

    await page.getByLabel('ログインID').fill(login);
    await page.getByLabel('氏名（表示名）').fill('周南 次郎');
    await page.getByLabel('権限').selectOption('editor');
    await page.getByLabel('初期パスワード').fill('first-pass-123');
    await page.getByRole('button', { name: '保存する' }).click();
    await page.waitForURL(/\/admin\/staff\/\?done=created/);
    assert.match(await page.getByRole('status').innerText(), /アカウントを作成しました/);

    const ctx2 = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP' });
    const p2 = await ctx2.newPage();
    await signIn(p2, login, 'first-pass-123');
    await p2.waitForURL(`${srv.url}/admin/password`);
    await noViolations(p2, 'forced password change');
    const field = p2.getByLabel(/^新しいパスワード( 必須)?$/);
    await field.fill('second-pass-456');
    const toggle = p2.getByRole('button', { name: 'パスワードを表示する' }).nth(1);
    await toggle.click();
    assert.equal(await field.getAttribute('type'), 'text', 'the toggle shows the password');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    await toggle.click();
    assert.equal(await field.getAttribute('type'), 'password');
    await p2.getByLabel('現在のパスワード').fill('first-pass-123');
    await p2.getByLabel('新しいパスワード（確認）').fill('second-pass-456');
    await p2.getByRole('button', { name: '変更する' }).click();
    await p2.waitForURL(/done=password/);
    await p2.goto(`${srv.url}/admin/`);
    assert.match(await p2.locator('h1').innerText(), /ダッシュボード/);

    const p3 = await (await browser.newContext({ viewport: { width, height: 900 } })).newPage();
    for (let i = 0; i < 5; i++) await signIn(p3, login, `wrong-${i}-password`);
    assert.match(await p3.getByRole('alert').innerText(), /30分間停止/);
    await noViolations(p3, 'locked sign-in');
    await page.goto(`${srv.url}/admin/staff/`);
    const row = page.getByRole('row', { name: new RegExp(login) });
    assert.match(await row.innerText(), /ロック中/);
    await row.getByRole('button', { name: /ロック解除/ }).click();
    await page.waitForURL(/done=unlocked/);
    await ctx.close(); await ctx2.close(); await p3.context().close();
  });
}
