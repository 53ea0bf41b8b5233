// newsletters.test.mjs — the newsletter staff flow in a real browser (issue
// 6, C6): subscribers imported from a CSV file (dry-run report, then the
// import), a back number written with a validation error first, previewed
// as mail and as the public page, published through the confirmation, its
// progress page, the subscriber list with a stop; then the public back
// numbers of both sites and the subscribe page at 375 px and 1280 px.
// axe (wcag2a/aa) must find nothing on any page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeCheck, formatViolations, launchBrowser, screenshot } from '../lib/browser.mjs';
import { startServer, userAdd } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';

let srv, browser, sink;
before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ demo: true, env: { CIVICNET_SMTP: sink.url } });
  await userAdd(srv.dataDir, 'nlclerk', 'editor', 'clerk-password-e2e');
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await srv?.stop(); await sink?.stop?.(); await sink?.dispose?.(); });

async function noViolations(page, what) {
  const v = await axeCheck(page);
  assert.equal(v.length, 0, formatViolations(v, `${what}: `));
}

let published;
test('staff flow: import subscribers, write, preview, publish, progress, stop a subscriber', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
  const page = await ctx.newPage();
  await page.goto(`${srv.url}/admin/login`);
  await page.getByLabel('ログインID').fill('nlclerk');
  await page.getByLabel('パスワード', { exact: true }).fill('clerk-password-e2e');
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.waitForURL(`${srv.url}/admin/`);

  // subscribers: CSV import with its dry run
  await page.getByRole('link', { name: 'メールマガジンの会員', exact: true }).first().click();
  await page.waitForURL(`${srv.url}/admin/subscribers/`);
  await noViolations(page, 'subscriber list (empty)');
  await page.getByRole('link', { name: 'CSVから取り込む' }).click();
  await noViolations(page, 'import form');
  await page.getByRole('button', { name: /試しに読み込む/ }).click();
  assert.match(await page.locator('.error-summary').innerText(), /CSVファイルを選んでください/);
  await noViolations(page, 'import form with an error');
  await page.getByLabel('取り込むメールマガジン').selectOption('supernet');
  await page.locator('#f-file').setInputFiles({ name: 'list.csv', mimeType: 'text/csv',
    buffer: Buffer.from('メールアドレス\r\nyamada@example.jp\r\nsuzuki@example.jp\r\nwrong-address\r\nyamada@example.jp\r\n') });
  await page.getByRole('button', { name: /試しに読み込む/ }).click();
  await page.waitForSelector('#report-caption');
  const report = await page.locator('main').innerText();
  assert.match(report, /新しく登録するアドレス\s*2件/);
  assert.match(report, /4行目：wrong-address/);
  assert.match(report, /5行目：yamada@example\.jp — ファイルの2行目と同じ/);
  await noViolations(page, 'import report');
  await screenshot(page, 'newsletter-import-report');
  await page.getByRole('button', { name: '2件を取り込む' }).click();
  await page.waitForURL(/\/admin\/subscribers\/\?done=imported/);
  assert.match(await page.getByRole('status').innerText(), /取り込みました/);
  await noViolations(page, 'subscriber list');

  // a back number: validation error first
  await page.goto(`${srv.url}/admin/newsletters/`);
  await noViolations(page, 'back-number list');
  await page.getByRole('link', { name: 'バックナンバーを新規作成' }).click();
  await noViolations(page, 'new back number');
  await page.getByLabel('本文').fill('## 12月の講座\n\nボランティア入門講座を開きます。');
  await page.getByRole('button', { name: '保存する' }).click();
  assert.match(await page.locator('.error-summary').innerText(), /件名/);
  assert.equal(await page.getByLabel('本文').inputValue(), '## 12月の講座\n\nボランティア入門講座を開きます。', 'input kept');
  await noViolations(page, 'new back number with errors');
  await page.getByLabel('配信するメールマガジン').selectOption('supernet');
  await page.getByLabel('件名').fill('さぽ～とメール 12月号');
  await page.getByLabel('HTML版も送る').check();
  await page.getByLabel('状態').selectOption('review');
  await page.getByRole('button', { name: '保存する' }).click();
  await page.waitForURL(/\/admin\/newsletters\/\d+\?done=saved/);
  published = page.url().match(/newsletters\/(\d+)/)[1];
  await noViolations(page, 'edit form');

  await page.getByRole('link', { name: 'メールとしてプレビュー' }).click();
  assert.match(await page.locator('.mail-text').innerText(), /配信の停止はこちら/);
  assert.match(await page.locator('.mail-html h2').innerText(), /12月の講座/);
  await noViolations(page, 'mail preview');
  await screenshot(page, 'newsletter-preview-mail');
  await page.getByRole('link', { name: '公開ページとしてプレビュー' }).click();
  await noViolations(page, 'page preview');

  await page.goto(`${srv.url}/admin/newsletters/${published}`);
  await page.getByRole('link', { name: '公開して配信する' }).click();
  assert.match(await page.locator('main').innerText(), /配信中の会員 2人/);
  await noViolations(page, 'publish confirmation');
  await page.getByRole('button', { name: '公開して2人に配信する' }).click();
  await page.waitForURL(/\/progress\?done=published/);
  assert.equal(await page.locator('#nl-live').getAttribute('aria-live'), 'polite', 'the optional refresh announces politely');
  assert.equal(await page.locator('meta[http-equiv="refresh"]').count(), 0, 'no meta refresh');
  await noViolations(page, 'progress');
  for (let i = 0; i < 100; i++) {
    if (/送信済み\s*2通/.test(await page.locator('main').innerText())) break;
    await page.getByRole('link', { name: '最新の状況に更新' }).click();
    await page.waitForLoadState();
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.match(await page.locator('main').innerText(), /送信済み\s*2通/);
  await screenshot(page, 'newsletter-progress');

  // stop a subscriber with a reason
  await page.goto(`${srv.url}/admin/subscribers/`);
  await page.getByRole('link', { name: /メール停止\s*（suzuki@example\.jp）/ }).click();
  await noViolations(page, 'stop form');
  await page.getByLabel('停止の理由').fill('本人から電話');
  await page.getByRole('button', { name: 'メールを停止する' }).click();
  await page.waitForURL(/done=stopped/);
  assert.match(await page.locator('table').innerText(), /職員がメール停止：本人から電話/);
  await noViolations(page, 'list with a stopped subscriber');
  await page.getByRole('link', { name: /修正\s*（yamada@example\.jp）/ }).click();
  assert.equal(await page.getByLabel('メールアドレス').inputValue(), 'yamada@example.jp');
  await noViolations(page, 'edit form');
  await page.goto(`${srv.url}/admin/subscribers/`);
  await page.getByRole('link', { name: /削除\s*（yamada@example\.jp）/ }).click();
  await noViolations(page, 'delete confirmation');
  await ctx.close();
});

for (const width of [375, 1280]) {
  test(`public back numbers and subscription pages at ${width}px`, async () => {
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP' });
    const page = await ctx.newPage();
    await page.goto(`${srv.url}/mailmag/`);
    await noViolations(page, 'Supernet back numbers');
    await page.getByRole('link', { name: 'さぽ～とメール 12月号' }).click();
    await page.waitForURL(`${srv.url}/mailmag/${published}`);
    assert.match(await page.locator('h1').innerText(), /さぽ～とメール 12月号/);
    await noViolations(page, 'Supernet back number');
    await screenshot(page, `mailmag-detail-${width}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, 'no horizontal scrolling');
    await page.getByRole('link', { name: 'さぽ～とメールの登録はこちら' }).click();
    await page.waitForURL(`${srv.url}/mailmag/subscribe`);
    await noViolations(page, 'subscribe page');
    await page.goto(`${srv.url}/mailmag/unsubscribe`);
    await noViolations(page, 'unsubscribe page');
    await page.goto(`${srv.url}/aikasanet/mailmag/`);
    await noViolations(page, 'Aika back numbers');
    await ctx.close();
  });
}
