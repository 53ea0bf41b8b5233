// member.test.mjs — the member sign-up in a real browser (issue 3
// "Members"; A5, A6): kind → terms (「同意する」) → the 別紙4 form, first
// with errors → check-your-mail → the verification mail from the real
// SMTP server → confirm page → verified → login → my page → logout →
// password reset pages. axe (wcag2a/aa) must find nothing on any page of
// the flow, at 375 px and 1280 px.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeCheck, formatViolations, launchBrowser, screenshot } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';

let srv, browser, sink;
before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ demo: false, env: { CIVICNET_SMTP: sink.url } });
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await srv?.stop(); await sink?.stop?.(); await sink?.dispose?.(); });

async function noViolations(page, what) {
  const v = await axeCheck(page);
  assert.equal(v.length, 0, formatViolations(v, `${what}: `));
}

async function mailTo(to, n = 1) {
  for (let i = 0; i < 150; i++) {
    const got = sink.messages().filter((m) => m.to.includes(to));
    if (got.length >= n) return got[n - 1];
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no mail ${n} to ${to}`);
}
const linkIn = (m) => m.body.match(/(http:\/\/127\.0\.0\.1:\d+\/aikasanet\/[^\s]+)/)[1];

for (const width of [375, 1280]) {
  test(`member sign-up, verification, login, my page and reset at ${width}px`, async () => {
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP' });
    const page = await ctx.newPage();
    const login = `member${width}`, email = `member${width}@example.jp`;

    await page.goto(`${srv.url}/aikasanet/signup`);
    await noViolations(page, 'kind choice');
    await page.locator('#f-kind').selectOption('individual');
    await page.getByRole('button', { name: '次へ（利用規約）' }).click();
    await page.waitForURL(/\/aikasanet\/signup\/terms$/);
    await noViolations(page, 'terms');
    await page.getByRole('button', { name: '同意する' }).click();
    await page.waitForURL(/\/aikasanet\/signup\/form$/);
    await noViolations(page, 'form');

    await page.locator('#f-login').fill('bad id!');
    await page.getByRole('button', { name: /登録する/ }).click();
    assert.match(await page.title(), /^エラー：/);
    assert.match(await page.getByRole('alert').innerText(), /入力内容を確認してください/);
    await noViolations(page, 'form with errors');
    await screenshot(page, `member-signup-errors-${width}`);

    await page.locator('#f-login').fill(login);
    await page.locator('#f-password').fill('Passw0rd-long');
    await page.locator('#f-confirm').fill('Passw0rd-long');
    await page.locator('#f-person_name').fill('周南 花子');
    await page.locator('#f-person_kana').fill('しゅうなん はなこ');
    await page.locator('#f-prefecture').selectOption('山口県');
    await page.locator('#f-municipality').selectOption('周南市');
    await page.locator('#f-phone').fill('0834-00-0000');
    await page.locator('#f-email').fill(email);
    await page.locator('#f-gender').selectOption('none');
    await page.locator('#f-birth_date').fill('1985-05-05');
    await page.getByRole('button', { name: /登録する/ }).click();
    await page.waitForURL(/\/aikasanet\/signup\/sent$/);
    await noViolations(page, 'check your mail');

    const link = linkIn(await mailTo(email));
    await page.goto(link);
    await noViolations(page, 'confirm page');
    await page.getByRole('button', { name: '登録を確定する' }).click();
    await page.waitForURL(/\/aikasanet\/signup\/verified$/);
    await noViolations(page, 'verified');

    await page.goto(`${srv.url}/aikasanet/login`);
    await noViolations(page, 'login');
    await page.locator('#login').fill(login);
    await page.locator('#password').fill('wrong-password');
    await page.getByRole('button', { name: 'ログイン' }).click();
    assert.match(await page.getByRole('alert').innerText(), /ログインIDまたはパスワードが正しくありません/);
    await noViolations(page, 'login failed');
    await page.locator('#login').fill(login);
    await page.locator('#password').fill('Passw0rd-long');
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL(/\/aikasanet\/mypage\/$/);
    assert.match(await page.locator('main').innerText(), new RegExp(email));
    assert.match(await page.locator('.signed-in').innerText(), /ログイン中/);
    await noViolations(page, 'my page');
    await page.getByRole('link', { name: 'パスワードを変更する' }).click();
    await noViolations(page, 'password change');
    await page.goto(`${srv.url}/aikasanet/mypage/status?action=pause`);
    await noViolations(page, 'pause confirmation');
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.waitForURL(/\/aikasanet\/login\?done=1$/);

    await page.goto(`${srv.url}/aikasanet/password-reset`);
    await noViolations(page, 'reset ask');
    await page.locator('#f-email').fill(email);
    await page.getByRole('button', { name: '再設定のメールを送る' }).click();
    await page.waitForURL(/done=1/);
    assert.match(await page.getByRole('status').innerText(), /登録されている場合は/);
    await noViolations(page, 'reset asked');
    const reset = linkIn(await mailTo(email, 3));
    await page.goto(reset);
    await noViolations(page, 'reset set');
    await page.locator('#f-password').fill('Brand-new-pw-1');
    await page.locator('#f-confirm').fill('Brand-new-pw-1');
    await page.getByRole('button', { name: 'パスワードを設定する' }).click();
    await page.waitForURL(/password-reset\/done$/);
    await noViolations(page, 'reset done');
    await page.goto(reset);
    assert.match(await page.locator('h1').innerText(), /リンクが無効です/);
    await noViolations(page, 'invalid link');

    // five wrong passwords: the lock message, then even the right one is refused
    for (let i = 0; i < 5; i++) {
      await page.goto(`${srv.url}/aikasanet/login`);
      await page.locator('#login').fill(login);
      await page.locator('#password').fill(`wrong-${i}-password`);
      await page.getByRole('button', { name: 'ログイン' }).click();
    }
    assert.match(await page.getByRole('alert').innerText(), /30分間停止しています/);
    await noViolations(page, 'locked login');
    await page.locator('#login').fill(login);
    await page.locator('#password').fill('Brand-new-pw-1');
    await page.getByRole('button', { name: 'ログイン' }).click();
    assert.match(await page.getByRole('alert').innerText(), /30分間停止しています/);
    await ctx.close();
  });
}

test('group sign-up with a 参考ファイル: file input, kept after an error (「添付済み」), axe clean', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
  const page = await ctx.newPage();
  await page.goto(`${srv.url}/aikasanet/signup`);
  await page.locator('#f-kind').selectOption('group');
  await page.getByRole('button', { name: '次へ（利用規約）' }).click();
  await page.getByRole('button', { name: '同意する' }).click();
  await page.waitForURL(/\/aikasanet\/signup\/form$/);
  await noViolations(page, 'group form with file inputs');
  await page.locator('#f-ref_file_1').setInputFiles({
    name: '規約.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n'),
  });
  await page.locator('#f-login').fill('e2egroup');
  await page.getByRole('button', { name: /登録する/ }).click();
  assert.match(await page.title(), /^エラー：/);
  assert.match(await page.locator('#f-ref_file_1-attached').innerText(), /添付済み：規約\.pdf/);
  await noViolations(page, 'group form with errors and a kept file');
  await screenshot(page, 'member-signup-group-attached');
  await ctx.close();
});
