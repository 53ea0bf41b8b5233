// register.test.mjs — Supernet's submission forms in a real browser (issue
// 4, S3 S4 S5 S11): a group registers (kind → terms → form → confirmation →
// complete), first sending the form with errors (input kept, the error
// summary focusable and its links leading to the fields), then going back
// from the confirmation with 「修正する」; axe (wcag2a/aa) finds nothing on
// any step at 375 px and 1280 px and nothing overflows sideways; the
// contact form is filled in and sent with the keyboard alone; everything
// works with JavaScript turned off.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeCheck, formatViolations, launchBrowser } from '../lib/browser.mjs';
import { activeElementInfo, horizontalOverflow } from '../lib/pagecheck.mjs';
import { startServer } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';

let srv, browser, sink;
before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ demo: true, env: { CIVICNET_SMTP: sink.url } });
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await srv?.stop(); await sink?.stop?.(); await sink?.dispose?.(); });

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

/** axe finds nothing, and at narrow widths nothing sticks out sideways. */
async function pageOk(page, what, width) {
  const v = await axeCheck(page);
  assert.equal(v.length, 0, formatViolations(v, `${what} at ${width}px: `));
  const o = await horizontalOverflow(page, width);
  assert.ok(o.scrollWidth <= o.clientWidth, `${what} at ${width}px overflows: ${o.offenders.join(', ')}`);
}

/** Press Tab until the focused element satisfies want (by id or text). */
async function tabTo(page, want, limit = 120) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const info = await activeElementInfo(page);
    if ((want.id && info.id === want.id) || (want.text && info.text === want.text)) return info;
  }
  assert.fail(`Tab never reached ${JSON.stringify(want)} on ${page.url()}`);
}

for (const width of [1280, 375]) {
  test(`a group registers in the browser at ${width}px: errors first, 修正する, complete, Aika offer`, async () => {
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP' });
    const page = await ctx.newPage();
    const name = `ブラウザ登録の会${width}`;
    await page.goto(`${srv.url}/`);
    await page.getByRole('navigation', { name: 'グローバルナビゲーション' }).getByRole('link', { name: '掲載登録' }).click();
    await page.waitForURL(/\/register\/$/);
    await pageOk(page, 'hub', width);
    await page.goto(`${srv.url}/register/group`);
    await pageOk(page, 'kind choice', width);
    await page.getByRole('link', { name: 'NPO法人', exact: true }).click();
    await page.waitForURL(/\/register\/group\/terms\?kind=npo$/);
    await pageOk(page, 'terms', width);
    await page.getByRole('button', { name: '同意する' }).click();
    await page.waitForURL(/\/register\/group\/form\?d=/);
    assert.match(await page.title(), /^団体・企業の新規登録（NPO法人）/);
    assert.equal(await page.locator('#f-org_class').inputValue(), 'NPO法人', 'NPO法人 preselected');
    await pageOk(page, 'form', width);

    // first with errors
    await page.locator('#f-name').fill(name);
    await page.locator('#f-kana').fill('ぶらうざとうろくのかい');
    await page.locator('#f-file_1').setInputFiles({ name: '会則.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.getByRole('button', { name: '入力内容を確認する' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.title(), /^エラー：/);
    const summary = page.locator('.error-summary');
    assert.match(await page.getByRole('alert').innerText(), /入力内容を確認してください/);
    await summary.focus();
    assert.equal(await summary.evaluate((el) => el === document.activeElement), true, 'the error summary takes focus');
    assert.equal(await page.locator('#f-name').inputValue(), name, 'input kept');
    assert.match(await page.locator('#f-file_1-attached').innerText(), /添付済み：会則\.pdf/, 'the file is kept');
    await summary.getByRole('link', { name: /代表者名を入力してください/ }).click();
    assert.equal((await activeElementInfo(page)).id, 'f-representative', 'a summary link leads to its field');
    await pageOk(page, 'form with errors', width);

    await page.locator('#f-representative').fill('山口 太郎');
    await page.locator('#f-guardian_consent').check();
    await page.locator('#f-contact_name').fill('周南 花子');
    await page.getByRole('checkbox', { name: '保健・医療・福祉' }).check();
    await page.locator('#f-target_area').selectOption('山口県内市町');
    await page.getByRole('group', { name: /対象市町/ }).getByRole('checkbox', { name: '山口市' }).check();
    await page.locator('#f-purpose').fill('地域の福祉を高める');
    await page.locator('#f-activities').fill('高齢者の見守り\n配食サービス');
    await page.locator('#f-prefecture').selectOption('山口県');
    await page.locator('#f-municipality').selectOption('山口市');
    await page.locator('#f-address').fill('中央1-2-3');
    await page.locator('#f-registrant_name').fill('登録 一郎');
    await page.locator('#f-registrant_phone').fill('083-111-2222');
    await page.locator('#f-registrant_email').fill(`reg${width}@example.jp`);
    for (const n of [1, 2, 3, 4]) await page.locator(`#f-req_${n}`).check();
    await page.getByRole('button', { name: '入力内容を確認する' }).click();
    await page.waitForURL(/\/register\/group\/confirm\?d=/);
    assert.match(await page.locator('main').innerText(), new RegExp(name));
    assert.match(await page.locator('main').innerText(), /会則\.pdf/);
    await pageOk(page, 'confirmation', width);

    await page.getByRole('link', { name: '修正する' }).click();
    await page.waitForURL(/\/register\/group\/form\?d=/);
    assert.equal(await page.locator('#f-address').inputValue(), '中央1-2-3', 'values back in the form');
    await page.locator('#f-pr').fill('誰でも参加できます');
    await page.getByRole('button', { name: '入力内容を確認する' }).click();
    await page.waitForURL(/\/register\/group\/confirm\?d=/);
    assert.match(await page.locator('main').innerText(), /誰でも参加できます/);
    await page.getByRole('button', { name: 'この内容で登録する' }).click();
    await page.waitForURL(/\/register\/group\/done\?d=/);
    assert.match(await page.getByRole('status').first().innerText(), /仮登録を受け付けました/);
    await pageOk(page, 'complete', width);
    await page.reload();
    assert.match(await page.locator('main').innerText(), /仮登録を受け付けました/, 'a reload shows the same page');

    await page.getByRole('button', { name: 'あいかさねっとに登録' }).click();
    await page.waitForURL(/\/aikasanet\/signup\?handoff=/);
    assert.doesNotMatch(page.url(), /reg\d+|%40|example/, 'no personal data in the URL');
    assert.equal(await page.locator('#f-kind').inputValue(), 'group');
    await pageOk(page, 'Aika sign-up with the hand-off', width);
    await page.getByRole('button', { name: '次へ（利用規約）' }).click();
    await page.getByRole('button', { name: '同意する' }).click();
    await page.waitForURL(/\/aikasanet\/signup\/form$/);
    assert.equal(await page.locator('#f-org_name').inputValue(), name, 'the Aika form is pre-filled');
    assert.equal(await page.locator('#f-email').inputValue(), `reg${width}@example.jp`);
    await pageOk(page, 'Aika form pre-filled', width);
    await ctx.close();
  });

  test(`the other submission pages pass axe at ${width}px`, async () => {
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP' });
    const page = await ctx.newPage();
    for (const [path, what] of [['/register/event', 'event form'], ['/register/report', 'report form'],
      ['/contact', 'contact form'], ['/groups/change', 'change search']]) {
      await page.goto(srv.url + path);
      await pageOk(page, what, width);
    }
    await page.goto(`${srv.url}/register/event`);
    await page.getByRole('button', { name: '入力内容を確認する' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.title(), /^エラー：/);
    await pageOk(page, 'event form with errors', width);
    await page.goto(`${srv.url}/groups/change`);
    await page.getByLabel('団体名・企業名またはふりがな').fill('会');
    await page.getByRole('button', { name: '検索' }).last().click();
    await page.waitForURL(/\/groups\/change\?q=/);
    await pageOk(page, 'change search results', width);
    await page.getByRole('link', { name: /修正を依頼する/ }).first().click();
    await page.waitForURL(/\/groups\/\d+\/change$/);
    await pageOk(page, 'change form', width);
    await page.locator('#f-pr').fill(`新しいアピール${width}`);
    await page.locator('#f-requester_name').fill('修正 太郎');
    await page.locator('#f-requester_email').fill(`change${width}@example.jp`);
    await page.getByRole('button', { name: '入力内容を確認する' }).click();
    await page.waitForURL(/\/change\/confirm\?d=/);
    assert.match(await page.locator('main').innerText(), /変更前/);
    await pageOk(page, 'change confirmation', width);
    await page.getByRole('button', { name: 'この内容で修正を依頼する' }).click();
    await page.waitForURL(/\/change\/done\?d=/);
    await pageOk(page, 'change complete', width);
    await ctx.close();
  });
}

test('the contact form is filled in and sent with the keyboard alone', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
  const page = await ctx.newPage();
  await page.goto(`${srv.url}/contact`);
  await tabTo(page, { id: 'f-name' });
  await page.keyboard.type('鍵盤 太郎');
  await page.keyboard.press('Tab');
  await page.keyboard.type('keyboard@example.jp');
  await page.keyboard.press('Tab');
  await page.keyboard.type('083-000-1111');
  await page.keyboard.press('Tab');
  assert.equal((await activeElementInfo(page)).id, 'f-subject');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
  assert.equal(await page.locator('#f-subject').inputValue(), 'センターの利用について');
  await page.keyboard.press('Tab');
  assert.equal((await activeElementInfo(page)).id, 'f-body');
  await page.keyboard.type('キーボードだけで送っています。');
  await tabTo(page, { text: '入力内容を確認する' });
  await Promise.all([page.waitForURL(/\/contact\/confirm\?d=/), page.keyboard.press('Enter')]);
  assert.match(await page.locator('main').innerText(), /キーボードだけで送っています。/);
  await tabTo(page, { text: 'この内容で送信する' });
  await Promise.all([page.waitForURL(/\/contact\/done\?d=/), page.keyboard.press('Enter')]);
  assert.match(await page.locator('main').innerText(), /お問い合わせを受け付けました/);
  await ctx.close();
});

test('without JavaScript: an event submission and a contact go through', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 900 }, locale: 'ja-JP' });
  const page = await ctx.newPage();
  await page.goto(`${srv.url}/register/event`);
  await page.locator('#f-kind').selectOption('recruit');
  await page.locator('#f-title').fill('JavaScriptなしの募集');
  await page.locator('#f-organiser').fill('テストの会');
  await page.locator('#f-starts_on').fill('2026-12-01');
  await page.locator('#f-summary').fill('スタッフを募集します');
  await page.locator('#f-submitter_name').fill('掲載 花子');
  await page.locator('#f-submitter_email').fill('nojs@example.jp');
  await page.locator('#f-file_1').setInputFiles({ name: 'ちらし.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.getByRole('button', { name: '入力内容を確認する' }).click();
  await page.waitForURL(/\/register\/event\/confirm\?d=/);
  assert.match(await page.locator('main').innerText(), /ちらし\.pdf/);
  await page.getByRole('button', { name: 'この内容で掲載を依頼する' }).click();
  await page.waitForURL(/\/register\/event\/done\?d=/);
  assert.match(await page.locator('main').innerText(), /掲載依頼を受け付けました/);

  await page.goto(`${srv.url}/contact`);
  await page.locator('#f-name').fill('無効 太郎');
  await page.locator('#f-email').fill('nojs2@example.jp');
  await page.locator('#f-subject').selectOption('その他');
  await page.locator('#f-body').fill('JavaScriptを切っています');
  await page.getByRole('button', { name: '入力内容を確認する' }).click();
  await page.waitForURL(/\/contact\/confirm\?d=/);
  await page.getByRole('link', { name: '修正する' }).click();
  assert.equal(await page.locator('#f-body').inputValue(), 'JavaScriptを切っています');
  await page.getByRole('button', { name: '入力内容を確認する' }).click();
  await page.getByRole('button', { name: 'この内容で送信する' }).click();
  await page.waitForURL(/\/contact\/done\?d=/);
  assert.match(await page.locator('main').innerText(), /お問い合わせを受け付けました/);
  await ctx.close();
});
