// analytics.test.mjs — the access analytics screens (C9) in a real
// browser: axe (WCAG 2.0 A/AA) finds nothing on the analytics page (by day
// and by month, with filter errors) and on the GA settings (also with
// errors), at 1280 px and 375 px, where nothing scrolls sideways; the SVG
// charts have an accessible name and are followed by their data tables;
// the period presets, the filter form and a CSV link work with the
// keyboard alone; with a GA measurement ID set, the public page runs the
// static configuration script under the CSP (no inline script, no CSP
// violation), and without one nothing is loaded.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { axeCheck, formatViolations, launchBrowser } from '../lib/browser.mjs';
import { activeElementInfo, focusIndicatorVisible } from '../lib/pagecheck.mjs';
import { startServer, userAdd } from '../lib/server.mjs';
import { freshCode } from '../lib/totp.mjs';

let srv, browser;
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'civicnet.db'), q],
  { encoding: 'utf8' }).trim();
const jstDay = (back = 0) => new Date(Date.now() + 9 * 3600e3 - back * 86400e3).toISOString().slice(0, 10);

before(async () => {
  srv = await startServer({ demo: true });
  await userAdd(srv.dataDir, 'e2eanclerk', 'editor', 'clerk-password-e2e-an');
  await userAdd(srv.dataDir, 'e2eanchief', 'admin', 'chief-password-e2e-an');
  const rows = [];
  for (let d = 0; d < 40; d++) {
    rows.push(`('${jstDay(d)}', 'supernet', 'view', '/', ${10 + (d * 7) % 13})`);
    rows.push(`('${jstDay(d)}', 'aika', 'view', '/aikasanet/', ${3 + d % 5})`);
    rows.push(`('${jstDay(d)}', 'supernet', 'view', '/groups/', ${d % 4})`);
  }
  sql(`INSERT INTO analytics_daily(day, site, kind, key, hits) VALUES ${rows.join(', ')}`);
  sql(`INSERT INTO analytics_daily(day, site, kind, key, hits, results) VALUES
    ('${jstDay(1)}', 'supernet', 'search', '福祉', 12, 34),
    ('${jstDay(1)}', 'supernet', 'search', 'フードバンク', 5, 0),
    ('${jstDay(2)}', 'aika', 'search', '手話', 3, 0),
    ('${jstDay(1)}', 'supernet', 'referrer', 'www.pref.yamaguchi.lg.jp', 7, -1),
    ('${jstDay(3)}', 'supernet', 'notfound', '/old/page.php', 4, -1)`);
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await srv?.stop(); });

async function signIn(page, login, password) {
  await page.goto(`${srv.url}/admin/login`);
  await page.getByLabel('ログインID').fill(login);
  await page.getByLabel('パスワード', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'ログイン' }).click();
}

let adminSecret;
async function adminSignIn(page) {
  await signIn(page, 'e2eanchief', 'chief-password-e2e-an');
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

async function check(page, what, width) {
  const v = await axeCheck(page);
  assert.equal(v.length, 0, formatViolations(v, `${what} at ${width}px: `));
  const o = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  assert.ok(o.sw <= o.cw + 1, `${what} at ${width}px scrolls sideways (${o.sw} > ${o.cw})`);
}

for (const width of [1280, 375]) {
  test(`analytics pages pass axe at ${width}px`, async () => {
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP' });
    const page = await ctx.newPage();
    await signIn(page, 'e2eanclerk', 'clerk-password-e2e-an');
    await page.waitForURL(`${srv.url}/admin/`);
    await page.getByRole('link', { name: 'アクセス解析', exact: true }).first().click();
    await page.waitForURL(`${srv.url}/admin/analytics/`);
    assert.equal(await page.title(), 'アクセス解析｜管理画面');
    const chart = page.getByRole('img', { name: '閲覧数の推移（両サイト）' });
    assert.equal(await chart.count(), 1);
    const box = await chart.boundingBox();
    assert.ok(box.width <= width, 'the chart fits the screen');
    assert.equal(await page.getByRole('table', { name: /の閲覧数（日ごと）/ }).count(), 1, 'data table after the chart');
    const zero = page.locator('tr', { hasText: 'フードバンク' });
    assert.match(await zero.innerText(), /0件/);
    assert.equal(await page.locator('tr', { hasText: '福祉' }).locator('.zero-result').count(), 0);
    await check(page, 'analytics (30 days)', width);

    await page.goto(`${srv.url}/admin/analytics/?period=365&site=supernet`);
    assert.equal(await page.getByRole('table', { name: /の閲覧数（月ごと）/ }).count(), 1);
    await check(page, 'analytics (a year, by month, Supernet)', width);

    await page.goto(`${srv.url}/admin/analytics/?from=2026-02-30&to=2026-01-01`);
    assert.match(await page.title(), /^エラー：/);
    assert.match(await page.getByRole('alert').innerText(), /入力内容を確認してください/);
    await check(page, 'analytics filter with errors', width);
    await ctx.close();

    const actx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP' });
    const apage = await actx.newPage();
    await adminSignIn(apage);
    await apage.goto(`${srv.url}/admin/analytics/settings`);
    await check(apage, 'GA settings', width);
    await apage.getByLabel('スーパーネットの測定ID').fill('UA-99');
    await apage.getByRole('button', { name: '保存する' }).click();
    assert.match(await apage.getByRole('alert').innerText(), /「G-」と英大文字・数字/);
    assert.equal(await apage.getByLabel('スーパーネットの測定ID').inputValue(), 'UA-99', 'input kept');
    await check(apage, 'GA settings with errors', width);
    await actx.close();
  });
}

test('keyboard only: a period preset, the filter form and a CSV link', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
  const page = await ctx.newPage();
  await signIn(page, 'e2eanclerk', 'clerk-password-e2e-an');
  await page.waitForURL(`${srv.url}/admin/`);
  await page.goto(`${srv.url}/admin/analytics/`);
  const tabTo = async (pred, what) => {
    for (let i = 0; i < 200; i++) {
      await page.keyboard.press('Tab');
      const info = await activeElementInfo(page);
      if (pred(info)) {
        assert.ok(focusIndicatorVisible(info), `focus visible on ${what}`);
        return info;
      }
    }
    throw new Error(`could not reach ${what} with Tab`);
  };
  await tabTo((i) => i.tag === 'a' && i.text === '直近7日', '直近7日');
  await page.keyboard.press('Enter');
  await page.waitForURL(/period=7$/);
  assert.equal(await page.getByRole('link', { name: '直近7日' }).getAttribute('aria-current'), 'page');

  await tabTo((i) => i.id === 'f-site', 'the site choice');
  await page.keyboard.press('ArrowDown'); // 両サイト → スーパーネット
  await page.keyboard.press('ArrowDown'); // → あいかさねっと
  assert.equal(await page.locator('#f-site').inputValue(), 'aika');
  await tabTo((i) => i.tag === 'button' && /この条件で表示/.test(i.text), 'the filter button');
  await page.keyboard.press('Enter');
  await page.waitForURL(/site=aika/);
  assert.equal(await page.getByRole('img', { name: '閲覧数の推移（あいかさねっと）' }).count(), 1);
  assert.match(await page.locator('main').innerText(), /手話/);

  await tabTo((i) => i.tag === 'a' && /サイト内検索の検索語をCSVでダウンロード/.test(i.text), 'the CSV link');
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  assert.match(download.suggestedFilename(), /^analytics-search-words-.*\.csv$/);
  await ctx.close();
});

test('with a GA measurement ID the public page runs the tag configuration under the CSP; without one nothing loads', async () => {
  sql("INSERT INTO settings(site, key, value) VALUES ('supernet', 'ga_id', 'G-E2ETEST123')");
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
  // no network to Google in tests: the tag itself is answered locally
  const gtagRequests = [];
  await ctx.route('https://www.googletagmanager.com/**', (route) => {
    gtagRequests.push(route.request().url());
    return route.fulfill({ status: 200, contentType: 'text/javascript', body: 'window.__gtagLoaded = true;' });
  });
  const page = await ctx.newPage();
  const cspErrors = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text()); });
  await page.goto(`${srv.url}/`);
  await page.waitForFunction(() => window.__gtagLoaded === true && Array.isArray(window.dataLayer));
  const layer = await page.evaluate(() => window.dataLayer.map((a) => Array.from(a)));
  assert.deepEqual(layer[1], ['config', 'G-E2ETEST123']);
  assert.deepEqual(gtagRequests, ['https://www.googletagmanager.com/gtag/js?id=G-E2ETEST123']);
  assert.deepEqual(cspErrors, []);

  await page.goto(`${srv.url}/aikasanet/`);
  assert.equal(await page.evaluate(() => typeof window.dataLayer), 'undefined', 'Aika has no ID: nothing loaded');
  assert.equal(gtagRequests.length, 1);
  await ctx.close();
});
