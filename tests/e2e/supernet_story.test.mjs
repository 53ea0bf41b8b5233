// supernet_story.test.mjs — issue 4's "done when", end to end in one real
// browser with a real SMTP server: a newcomer registers a group (S3), the
// centre and the registrant get their mails, the group waits in the staff
// review list, an editor publishes it (C2, the registrant is told), a
// citizen finds it with a two-character word in the whole-site search
// (S10), submits a modification (S4), the editor approves it from the diff
// (C3) and the public page changes; finally the CSV export (C5) carries
// the group with its non-public registrant in Japanese headers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeCheck, formatViolations, launchBrowser } from '../lib/browser.mjs';
import { startServer, userAdd } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

let srv, browser, sink;
before(async () => {
  sink = await startSmtpSink();
  const conf = path.join(await fsp.mkdtemp(path.join(os.tmpdir(), 'cn-story-')), 'civicnet.conf');
  await fsp.writeFile(conf, 'centre_address = centre-story@example.jp\n');
  srv = await startServer({ demo: true, env: { CIVICNET_SMTP: sink.url }, args: ['--config', conf] });
  await userAdd(srv.dataDir, 'storyclerk', 'editor', 'story-password-1');
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await srv?.stop(); await sink?.stop?.(); });

async function mailTo(to, re, n = 1) {
  for (let i = 0; i < 200; i++) {
    const got = sink.messages().filter((m) => m.to.includes(to) && (!re || re.test(m.subject + '\n' + m.body)));
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no mail to ${to} matching ${re}`);
}

async function noViolations(page, what) {
  const v = await axeCheck(page);
  assert.equal(v.length, 0, formatViolations(v, `${what}: `));
}

test('register → review list + mails → publish → two-character search → modification → approve → CSV', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP', acceptDownloads: true });
  const page = await ctx.newPage();
  const name = 'みらい里山ボランティア協議会';
  const email = 'satoyama-story@example.jp';

  // 1. a newcomer registers a group from the navigation
  await page.goto(`${srv.url}/`);
  await page.getByRole('navigation', { name: 'グローバルナビゲーション' }).getByRole('link', { name: '掲載登録' }).click();
  await page.getByRole('link', { name: '県民活動団体として登録する' }).click();
  await page.getByRole('button', { name: '同意する' }).click();
  await page.locator('#f-org_class').selectOption('任意団体');
  await page.locator('#f-name').fill(name);
  await page.locator('#f-kana').fill('みらいさとやまぼらんてぃあきょうぎかい');
  await page.locator('#f-representative').fill('里山 一郎');
  await page.locator('#f-guardian_consent').check();
  await page.locator('#f-contact_name').fill('里山 花子');
  await page.getByRole('checkbox', { name: '環境の保全' }).check();
  await page.locator('#f-target_area').selectOption('県内全域');
  await page.locator('#f-purpose').fill('里山の竹林を整備し、ホタルの棲む川を取り戻す');
  await page.locator('#f-activities').fill('毎月第2日曜日に竹林の間伐と清掃を行っています');
  await page.locator('#f-prefecture').selectOption('山口県');
  await page.locator('#f-municipality').selectOption('萩市');
  await page.locator('#f-address').fill('大字椿1-1');
  await page.locator('#f-registrant_name').fill('登録 三郎');
  await page.locator('#f-registrant_phone').fill('0838-00-0000');
  await page.locator('#f-registrant_email').fill(email);
  for (const n of [1, 2, 3, 4]) await page.locator(`#f-req_${n}`).check();
  await page.getByRole('button', { name: '入力内容を確認する' }).click();
  await noViolations(page, 'confirm screen');
  assert.match(await page.locator('main').innerText(), new RegExp(name));
  await page.getByRole('button', { name: 'この内容で登録する' }).click();
  await page.waitForURL(/\/register\/group\/done/);
  assert.match(await page.locator('main').innerText(), /仮登録/);

  // 2. mails at the SMTP server: the registrant, and the centre
  const [ack] = await mailTo(email, /仮登録/);
  assert.match(ack.body, new RegExp(name));
  const [centre] = await mailTo('centre-story@example.jp', new RegExp(name));
  assert.match(centre.body, /\/admin\/groups\/\d+/, 'the centre mail links to the review screen');

  // 3. it waits in the staff review list; the editor publishes it
  await page.goto(`${srv.url}/admin/login`);
  await page.getByLabel('ログインID').fill('storyclerk');
  await page.getByLabel('パスワード', { exact: true }).fill('story-password-1');
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.waitForURL(`${srv.url}/admin/`);
  await page.getByRole('link', { name: /団体・企業\s*の確認待ち一覧/ }).click();
  await page.getByRole('link', { name, exact: true }).click();
  await page.getByRole('link', { name: '公開する（確認へ進む）' }).click();
  assert.match(await page.locator('main').innerText(), /1通送ります/);
  await page.getByRole('button', { name: '公開する', exact: true }).click();
  assert.match(await page.getByRole('status').innerText(), /公開しました/);
  await mailTo(email, /公開/);

  // 4. a citizen finds it by a two-character word of its purpose
  const citizen = await browser.newContext({ viewport: { width: 375, height: 800 }, locale: 'ja-JP' });
  const cp = await citizen.newPage();
  let found = false;
  for (let i = 0; i < 40 && !found; i++) { // the index follows within seconds
    await cp.goto(`${srv.url}/search?q=${encodeURIComponent('竹林')}`);
    found = await cp.getByRole('link', { name, exact: false }).count() > 0;
    if (!found) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(found, 'the new group is found by 「竹林」');
  await noViolations(cp, 'search results');
  await cp.getByRole('link', { name, exact: false }).first().click();
  await cp.waitForURL(/\/groups\/\d+$/);
  const groupUrl = cp.url();
  assert.doesNotMatch(await cp.locator('main').innerText(), /登録 三郎|0838-00-0000/, 'the registrant is never public');

  // 5. the citizen asks for a modification
  await cp.getByRole('link', { name: 'この団体の情報を修正する' }).click();
  await cp.locator('#f-activity_times').fill('毎月第2・第4日曜日 9時～12時');
  await cp.locator('#f-requester_name').fill('里山 一郎');
  await cp.locator('#f-requester_email').fill(email);
  await cp.getByRole('button', { name: '入力内容を確認する' }).click();
  await cp.getByRole('button', { name: 'この内容で修正を依頼する' }).click();
  await cp.goto(groupUrl);
  assert.doesNotMatch(await cp.locator('main').innerText(), /第2・第4日曜日/, 'not applied before approval');

  // 6. the editor approves it from the side-by-side diff
  await page.goto(`${srv.url}/admin/changes/`);
  await page.getByRole('row', { name: new RegExp(name) }).getByRole('link', { name: /修正依頼/ }).click();
  const diff = await page.locator('main').innerText();
  assert.match(diff, /活動日時/);
  assert.match(diff, /第2・第4日曜日/);
  await noViolations(page, 'change diff');
  await page.getByRole('button', { name: '承認して反映する' }).click();
  await mailTo(email, /修正/, 1);
  await cp.goto(groupUrl);
  assert.match(await cp.locator('main').innerText(), /毎月第2・第4日曜日 9時～12時/, 'applied after approval');

  // 7. CSV export with the list's filter
  await page.goto(`${srv.url}/admin/groups/?q=${encodeURIComponent('里山')}`);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: /この条件でCSVを出力する/ }).click(),
  ]);
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  const csv = Buffer.concat(chunks);
  assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with BOM for Excel');
  const text = csv.toString('utf8');
  assert.match(text.split('\r\n')[0], /団体名・企業名/);
  assert.match(text, new RegExp(name));
  assert.match(text, /登録 三郎/, 'staff export carries the non-public registrant');
  assert.doesNotMatch(text, /いわくに防災ネットワーク/, 'the filter applies to the export');
  await citizen.close();
  await ctx.close();
});
