// admin_content.test.mjs — the staff content screens in a real browser
// (C2–C5, C7, C11): axe (WCAG 2.0 A/AA) finds nothing on the dashboard,
// a content list, the kind choice, an edit form with errors, the preview,
// the publish confirmation, the delete confirmation, the modification
// request list and diff, and the settings — at 1280 px and 375 px, where
// no page scrolls sideways; and a group in review is published with the
// keyboard alone (sign-in, dashboard link, list, edit page, confirmation).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { axeCheck, formatViolations, launchBrowser } from '../lib/browser.mjs';
import { activeElementInfo, focusIndicatorVisible } from '../lib/pagecheck.mjs';
import { startServer, userAdd } from '../lib/server.mjs';

let srv, browser;
before(async () => {
  srv = await startServer({ demo: true });
  await userAdd(srv.dataDir, 'e2eclerk', 'editor', 'clerk-password-e2e');
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await srv?.stop(); });

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

// A complete NPO group in state review, as the public registration leaves it.
function reviewGroup(name) {
  return sql(`INSERT INTO groups(kind, org_class, name, kana, representative, contact_name, fields, target_area, purpose,
      activities, prefecture, municipality, address, registrant_name_enc, registrant_phone_enc, registrant_email_enc,
      activity, status)
    VALUES ('npo', 'NPO法人', ${lit(name)}, 'けいじばんのかい', '代表 太郎', '担当 花子', '保健・医療・福祉', '県内全域',
      '目的です。', '活動です。', '山口県', '山口市', '中央1-1', ${lit(piiEncrypt('registrant_name', '登録 一郎'))},
      ${lit(piiEncrypt('registrant_phone', '090-0000-0000'))}, ${lit(piiEncrypt('registrant_email', 'kbd@example.jp'))},
      'active', 'review') RETURNING id`);
}

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
  test(`staff content screens pass axe at ${width}px`, async () => {
    const gid = reviewGroup(`アクセシビリティの会${width}`);
    const ch = sql(`INSERT INTO change_requests(type, ref_id, requester_name_enc, requester_email_enc, note)
      VALUES ('group', ${gid}, ${lit(piiEncrypt('requester_name', '依頼 花子'))}, ${lit(piiEncrypt('requester_email', 'req@example.jp'))},
      '住所が変わりました。') RETURNING id`);
    sql(`INSERT INTO change_values(change_id, col, value) VALUES (${ch}, 'address', '中央2-2-2'), (${ch}, 'phone', '083-111-1111')`);
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP' });
    const page = await ctx.newPage();
    await signIn(page);
    await check(page, 'dashboard', width);
    assert.match(await page.locator('h1').innerText(), /ダッシュボード/);

    await page.goto(`${srv.url}/admin/groups/`);
    await check(page, 'group list', width);
    await page.goto(`${srv.url}/admin/events/?status=published`);
    await check(page, 'filtered event list', width);

    await page.goto(`${srv.url}/admin/groups/`);
    await page.getByRole('link', { name: '団体・企業を新規作成' }).click();
    await check(page, 'kind choice', width);
    await page.getByLabel('NPO法人').check();
    await page.getByRole('button', { name: '入力画面へ進む' }).click();
    await page.getByLabel(/^代表者名/).fill('入力 保持');
    await page.getByRole('button', { name: '下書として保存する' }).click();
    assert.match(await page.title(), /^エラー：/);
    assert.match(await page.getByRole('alert').innerText(), /入力内容を確認してください/);
    assert.equal(await page.getByLabel(/^代表者名/).inputValue(), '入力 保持', 'input kept');
    await check(page, 'new group form with errors', width);

    await page.goto(`${srv.url}/admin/groups/${gid}`);
    await check(page, 'group edit page', width);
    await page.getByRole('link', { name: 'プレビューを見る' }).click();
    assert.match(await page.locator('.preview-banner').innerText(), /プレビュー（未公開）/);
    await check(page, 'preview', width);
    await page.goto(`${srv.url}/admin/groups/${gid}/status?to=published`);
    assert.match(await page.locator('main').innerText(), /k\*\*\*@example\.jp/);
    await check(page, 'publish confirmation', width);
    await page.goto(`${srv.url}/admin/groups/${gid}/delete`);
    await check(page, 'delete confirmation', width);

    await page.goto(`${srv.url}/admin/changes/`);
    await check(page, 'modification requests', width);
    await page.goto(`${srv.url}/admin/changes/${ch}`);
    const row = page.locator('tr.changed', { hasText: '住所' });
    assert.match(await row.innerText(), /変更/);
    await check(page, 'modification diff', width);
    await page.getByRole('button', { name: '却下する' }).click();
    assert.match(await page.getByRole('alert').innerText(), /却下の理由を入力してください/);
    await check(page, 'reject without reason', width);

    await page.goto(`${srv.url}/admin/settings/`);
    await check(page, 'settings', width);
    await ctx.close();
  });
}

// Press Tab until the focused element's text matches re; assert a visible
// focus indicator on the way there.
async function tabTo(page, re, what) {
  const hit = typeof re === 'function' ? re : (info) => re.test(info.text.replace(/\s+/g, ''));
  for (let i = 0; i < 300; i++) {
    await page.keyboard.press('Tab');
    const info = await activeElementInfo(page);
    if (info.tag !== 'body' && hit(info)) {
      assert.ok(focusIndicatorVisible(info), `${what}: focus is visible`);
      return info;
    }
  }
  throw new Error(`Tab never reached ${what}`);
}

test('a group in review is published with the keyboard alone', async () => {
  const name = `キーボードの会${crypto.randomBytes(2).toString('hex')}`;
  const gid = reviewGroup(name);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
  const page = await ctx.newPage();
  await page.goto(`${srv.url}/admin/login`);
  await tabTo(page, (info) => info.tag === 'input' && info.id === 'login', 'the login field');
  await page.keyboard.type('e2eclerk');
  await page.keyboard.press('Tab');
  await page.keyboard.type('clerk-password-e2e');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${srv.url}/admin/`);

  await tabTo(page, /^団体・企業の確認待ち一覧$/, 'the pending groups link');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/admin\/groups\/\?status=review$/);
  await tabTo(page, new RegExp(`^${name}$`), 'the group');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${srv.url}/admin/groups/${gid}`);
  await tabTo(page, /^公開する（確認へ進む）$/, 'the publish link');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${srv.url}/admin/groups/${gid}/status?to=published`);
  assert.match(await page.locator('main').innerText(), /1通送ります/);
  await tabTo(page, /^公開する$/, 'the publish button');
  await page.keyboard.press('Enter');
  await page.waitForURL(/done=published_mail$/);
  assert.match(await page.getByRole('status').innerText(), /公開しました/);
  assert.equal(sql(`SELECT status FROM groups WHERE id=${gid}`), 'published');
  await ctx.close();
});
