// masters.test.mjs — the master-list screens (マスタ管理) in a real browser
// as an editor: the catalogue, a list with its add form, the error summary
// after an empty submit, adding, the edit form (?edit=) and stopping an
// entry. axe (wcag2a/aa) must find nothing on any of them, at 375 px and
// 1280 px.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeCheck, formatViolations, launchBrowser, screenshot } from '../lib/browser.mjs';
import { startServer, userAdd } from '../lib/server.mjs';

let srv, browser;
before(async () => {
  srv = await startServer({ demo: false });
  await userAdd(srv.dataDir, 'e2eclerk', 'editor', 'clerk-password-e2e');
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await srv?.stop(); });

async function noViolations(page, what) {
  const v = await axeCheck(page);
  assert.equal(v.length, 0, formatViolations(v, `${what}: `));
}

for (const width of [375, 1280]) {
  test(`master-list screens at ${width}px: catalogue, list, errors, add, edit, stop`, async () => {
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP' });
    const page = await ctx.newPage();
    await page.goto(`${srv.url}/admin/login`);
    await page.getByLabel('ログインID').fill('e2eclerk');
    await page.getByLabel('パスワード', { exact: true }).fill('clerk-password-e2e');
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL(`${srv.url}/admin/`);
    await page.getByRole('link', { name: 'マスタ管理' }).click();
    await page.waitForURL(`${srv.url}/admin/masters/`);
    await noViolations(page, 'catalogue');
    await screenshot(page, `admin-masters-index-${width}`);

    await page.getByRole('link', { name: '市町（山口県内19市町）' }).click();
    await page.waitForURL(`${srv.url}/admin/masters/municipality/`);
    assert.equal(await page.locator('tbody tr').count(), 19);
    await noViolations(page, 'municipality list');
    await screenshot(page, `admin-masters-list-${width}`);

    await page.goto(`${srv.url}/admin/masters/field/`);
    await page.getByRole('button', { name: '追加する' }).click();
    await page.waitForURL(`${srv.url}/admin/masters/field/`);
    assert.match(await page.locator('.error-summary').innerText(), /表示名を入力してください/);
    await noViolations(page, 'add form with errors');
    const label = `環境保全${width}`;
    await page.getByLabel('表示名').fill(label);
    await page.getByLabel('ふりがな').fill('かんきょうほぜん');
    await page.getByRole('button', { name: '追加する' }).click();
    await page.waitForURL(/done=added/);
    assert.match(await page.getByRole('status').innerText(), /項目を追加しました/);
    await noViolations(page, 'list after adding');

    await page.getByRole('link', { name: new RegExp(`編集.*${label}`) }).click();
    await page.waitForURL(/\?edit=/);
    await noViolations(page, 'edit form');
    await screenshot(page, `admin-masters-edit-${width}`);
    await page.getByLabel('使用を停止する').check();
    await page.getByRole('button', { name: '変更を保存する' }).click();
    await page.waitForURL(/done=stopped/);
    assert.match(await page.getByRole('status').innerText(), /使用を停止しました/);
    assert.match(await page.getByRole('row', { name: new RegExp(label) }).innerText(), /使用停止/);
    await noViolations(page, 'list after stopping');
    await ctx.close();
  });
}
