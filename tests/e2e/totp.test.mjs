// totp.test.mjs — the TOTP screens in a real browser: set-up (QR code,
// key, code), a wrong code with its error summary, and the second sign-in
// step. axe (wcag2a/aa) must find nothing on /admin/totp and
// /admin/login/totp, at 375 px and 1280 px.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeCheck, formatViolations, launchBrowser, screenshot } from '../lib/browser.mjs';
import { startServer, userAdd } from '../lib/server.mjs';
import { freshCode, stepNow, totpCode } from '../lib/totp.mjs';

let srv, browser;
before(async () => {
  srv = await startServer({ demo: false });
  for (const w of [375, 1280]) await userAdd(srv.dataDir, `totp${w}`, 'editor', `totp-password-${w}`);
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

for (const width of [375, 1280]) {
  test(`TOTP set-up and second sign-in step at ${width}px`, async () => {
    const login = `totp${width}`, password = `totp-password-${width}`;
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP' });
    const page = await ctx.newPage();
    await signIn(page, login, password);
    await page.waitForURL(`${srv.url}/admin/`);
    await page.goto(`${srv.url}/admin/totp`);
    const qr = page.getByRole('img', { name: /QRコード/ });
    assert.ok(await qr.isVisible(), 'the QR code is an image with a name');
    const box = await qr.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= width, 'the QR code fits the screen');
    await noViolations(page, 'TOTP set-up');
    await screenshot(page, `totp-setup-${width}`);
    const secret = (await page.locator('#totp-secret').innerText()).replace(/ /g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);

    const field = page.getByLabel(/確認コード/);
    await field.fill(totpCode(secret, stepNow() + 5));
    await page.getByRole('button', { name: '有効にする' }).click();
    assert.match(await page.title(), /^エラー：/);
    assert.match(await page.getByRole('alert').innerText(), /確認コードが正しくありません/);
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    await noViolations(page, 'TOTP set-up with an error');
    await field.fill(await freshCode(secret));
    await page.getByRole('button', { name: '有効にする' }).click();
    await page.waitForURL(/done=enabled/);
    assert.match(await page.getByRole('status').innerText(), /有効にしました/);
    await noViolations(page, 'TOTP enabled');

    const ctx2 = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP' });
    const p2 = await ctx2.newPage();
    await signIn(p2, login, password);
    await p2.waitForURL(`${srv.url}/admin/login/totp`);
    await noViolations(p2, 'second sign-in step');
    const code = p2.getByLabel(/確認コード/);
    await code.fill(totpCode(secret, stepNow() + 5));
    await p2.getByRole('button', { name: 'ログイン' }).click();
    assert.match(await p2.getByRole('alert').innerText(), /確認コードが正しくありません/);
    await noViolations(p2, 'second sign-in step with an error');
    await screenshot(p2, `totp-login-error-${width}`);
    await code.fill(await freshCode(secret));
    await p2.getByRole('button', { name: 'ログイン' }).click();
    await p2.waitForURL(`${srv.url}/admin/`);
    assert.match(await p2.locator('h1').innerText(), /ダッシュボード/);
    await ctx.close(); await ctx2.close();
  });
}
