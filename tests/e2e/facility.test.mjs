// facility.test.mjs — facility calendar and health-app screens in a real
// browser (issue 6): axe (WCAG 2.0 A/AA) finds nothing on /facility/, the
// top page with the availability block, /admin/facility/ (grid, errors,
// resources) and /admin/health-export/, at 375 px and 1280 px, where no
// page scrolls sideways; a clerk marks a slot with the keyboard alone and
// the public page (reached with the keyboard too) shows it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { axeCheck, formatViolations, launchBrowser } from '../lib/browser.mjs';
import { activeElementInfo, focusIndicatorVisible } from '../lib/pagecheck.mjs';
import { startServer, userAdd } from '../lib/server.mjs';
import { freshCode } from '../lib/totp.mjs';

let srv, browser;
before(async () => {
  srv = await startServer({ demo: true });
  await userAdd(srv.dataDir, 'fce2eclerk', 'editor', 'clerk-password-fc');
  await userAdd(srv.dataDir, 'fce2echief', 'admin', 'chief-password-fc');
  browser = await launchBrowser();
  const day = jstDay(1);
  sql(`INSERT INTO facility_status(slot_id, day, status, note) VALUES (5, '${day}', 'reserved', '団体の会議'), (1, '${day}', 'closed', '')`);
  sql(`INSERT INTO facility_closed_days(day, note) VALUES ('${jstDay(4)}', '館内点検')`);
  sql("INSERT INTO settings(site, key, value) VALUES ('supernet', 'facility_home_block', '1')");
});
after(async () => { await browser?.close(); await srv?.stop(); });

const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'civicnet.db'), q],
  { encoding: 'utf8' }).trim();
const jstDay = (offset = 0) => new Date(Date.now() + 9 * 3600000 + offset * 86400000).toISOString().slice(0, 10);

async function signIn(page, login, password) {
  await page.goto(`${srv.url}/admin/login`);
  await page.getByLabel('ログインID').fill(login);
  await page.getByLabel('パスワード', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'ログイン' }).click();
}

let chiefSecret;
async function signInChief(page) {
  await signIn(page, 'fce2echief', 'chief-password-fc');
  await page.waitForURL(/\/admin\/(totp|login\/totp)$/);
  if (page.url().endsWith('/admin/totp')) {
    chiefSecret = (await page.locator('#totp-secret').innerText()).replace(/ /g, '');
    await page.getByLabel(/確認コード/).fill(await freshCode(chiefSecret));
    await page.getByRole('button', { name: '有効にする' }).click();
    await page.waitForURL(/done=enabled/);
  } else {
    await page.getByLabel(/確認コード/).fill(await freshCode(chiefSecret));
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL(`${srv.url}/admin/`);
  }
}

async function check(page, what, width) {
  const v = await axeCheck(page);
  assert.equal(v.length, 0, formatViolations(v, `${what} at ${width}px: `));
  const o = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  assert.ok(o.sw <= o.cw + 1, `${what} at ${width}px scrolls sideways (${o.sw} > ${o.cw})`);
}

for (const width of [375, 1280]) {
  test(`facility and health-app pages pass axe at ${width}px`, async () => {
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP' });
    const page = await ctx.newPage();
    await page.goto(`${srv.url}/facility/`);
    assert.match(await page.locator('h1').innerText(), /印刷機・交流コーナー（Zoomルーム）の予約状況/);
    assert.match(await page.locator('table').nth(4).innerText(), /予約済み\s*団体の会議/);
    await page.getByText('交流コーナー（Zoomルーム）の予約状況をリスト形式で見る').click();
    assert.match(await page.locator('#fac-list-2').innerText(), /午後 予約済み（団体の会議）/);
    await check(page, 'public calendar', width);
    await page.goto(`${srv.url}/`);
    const block = page.locator('section.fac-home');
    assert.match(await block.locator('caption').first().innerText(), /印刷機（プリンター）/);
    assert.match(await block.getByRole('region', { name: /交流コーナー（Zoomルーム）の空き状況/ }).innerText(), /予約済み/);
    await check(page, 'top page with the block', width);

    await signIn(page, 'fce2eclerk', 'clerk-password-fc');
    await page.waitForURL(`${srv.url}/admin/`);
    await page.goto(`${srv.url}/admin/facility/?resource=1&start=${jstDay(1)}&span=week`);
    await check(page, 'staff grid (week)', width);
    await page.goto(`${srv.url}/admin/facility/?resource=2&start=${jstDay(1)}&span=month`);
    await check(page, 'staff grid (month)', width);
    // maxlength stops typing at 60; the server must refuse a longer note sent anyway
    await page.getByLabel(/ 午前 交流コーナー（Zoomルーム）のメモ$/).first().evaluate((el) => { el.value = 'あ'.repeat(61); });
    await page.getByRole('button', { name: '保存する', exact: true }).click();
    assert.match(await page.title(), /^エラー：/);
    assert.match(await page.getByRole('alert').innerText(), /メモは60文字以内/);
    await check(page, 'staff grid with an error', width);
    await page.goto(`${srv.url}/admin/facility/resources`);
    await check(page, 'resources', width);
    await page.getByRole('button', { name: 'ログアウト' }).click();

    await signInChief(page);
    await page.goto(`${srv.url}/admin/health-export/`);
    assert.match(await page.locator('h1').innerText(), /ヘルスアプリ連携ファイル/);
    await check(page, 'health export', width);
    await page.getByLabel('アップロード先のアドレス').fill('http://example.jp/');
    await page.getByRole('button', { name: '設定を保存する' }).click();
    assert.match(await page.getByRole('alert').innerText(), /アップロード先は ftp:\/\//);
    await check(page, 'health export settings with an error', width);
    await ctx.close();
  });
}

// Press Tab until hit(info) holds; every stop on the way shows focus.
async function tabTo(page, hit, what) {
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

test('a clerk marks a slot with the keyboard alone; the public page shows it', async () => {
  const ctx = await browser.newContext({ viewport: { width: 375, height: 800 }, locale: 'ja-JP' });
  const page = await ctx.newPage();
  await signIn(page, 'fce2eclerk', 'clerk-password-fc');
  await page.waitForURL(`${srv.url}/admin/`);
  const day = jstDay(2);
  await page.goto(`${srv.url}/admin/facility/?resource=1&start=${day}&span=week`);
  await tabTo(page, (i) => i.id === `c-2-${day}`, 'the afternoon status of the day');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.locator(`#c-2-${day}`).inputValue(), 'reserved');
  await page.keyboard.press('Tab');
  assert.equal((await activeElementInfo(page)).id, `c-2-${day}-note`);
  await page.keyboard.type('キーボード');
  await tabTo(page, (i) => i.tag === 'button' && i.text === '保存する', 'the save button');
  await page.keyboard.press('Enter');
  await page.waitForURL(/done=saved/);
  assert.match(await page.getByRole('status').innerText(), /保存しました/);
  await page.goto(`${srv.url}/`);
  await tabTo(page, (i) => i.href === '/facility/', 'the link to the calendar');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${srv.url}/facility/`);
  await tabTo(page, (i) => i.tag === 'summary' && /印刷機/.test(i.text), 'the printer list');
  await page.keyboard.press('Enter');
  assert.match(await page.locator('#fac-list-1').innerText(), /午後 予約済み（キーボード）/);
  await ctx.close();
});
