// aika_member.test.mjs — the member's own side of Aika in a real browser
// (issue 5, part F): a group verifies its address (the page offers
// 「スーパーネットに登録」 and the button opens Supernet's registration with
// the shared fields filled in), signs in, the my page asks for the details,
// the 詳細登録 form first with errors then saved, the my page with its
// 「公開」/「非公開」 marks, 会員情報修正, and the group's recruitments (new
// with an error first, list, edit, delete confirmation). axe (wcag2a/aa)
// finds nothing on any page at 1280 and 375 px, nothing overflows at
// 375 px, and the same steps work with JavaScript turned off.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeCheck, formatViolations, launchBrowser } from '../lib/browser.mjs';
import { horizontalOverflow } from '../lib/pagecheck.mjs';
import { startServer } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';

let srv, browser, sink;
before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ demo: false, env: { CIVICNET_SMTP: sink.url } });
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await srv?.stop(); await sink?.stop?.(); await sink?.dispose?.(); });

// With JavaScript off the page cannot run axe (page.evaluate needs it):
// the JS runs check the same pages.
async function check(page, width, what) {
  if (page.noJs) return;
  const v = await axeCheck(page);
  assert.equal(v.length, 0, formatViolations(v, `${what} (${width}px): `));
  if (width <= 375) {
    const o = await horizontalOverflow(page, width);
    assert.ok(o.scrollWidth <= o.clientWidth && !o.offenders.length,
      `${what}: nothing wider than ${width}px (${o.offenders.join(', ')})`);
  }
}

async function mailTo(to) {
  for (let i = 0; i < 150; i++) {
    const got = sink.messages().filter((m) => m.to.includes(to));
    if (got.length) return got[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no mail to ${to}`);
}

/** A group signed up over HTTP (the sign-up pages have their own browser
 * test); returns the verification link. */
async function signUpGroup(login, email, name) {
  const jar = new Map();
  const send = async (p, opts = {}) => {
    const headers = { ...(opts.headers || {}) };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(srv.url + p, { redirect: 'manual', ...opts, headers });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
    return res;
  };
  const post = async (p, fields) => {
    const html = await (await send(p)).text();
    const tok = html.match(/name="_csrf" value="([^"]+)"/)[1];
    return send(p, { method: 'POST', body: new URLSearchParams({ _csrf: tok, ...fields }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  };
  await post('/aikasanet/signup', { kind: 'group' });
  await post('/aikasanet/signup/terms', {});
  const res = await post('/aikasanet/signup/form', {
    login, password: 'Passw0rd-long', confirm: 'Passw0rd-long', org_type: '任意団体', org_name: name,
    org_kana: 'しゅうなんこどもしょくどう', representative: '周南 一子', rep_title: '代表', prefecture: '山口県',
    municipality: '周南市', phone: '0834-00-1111', email, wants_recruit: '1', req_1: '1', req_2: '1', req_3: '1', req_4: '1',
  });
  assert.equal(res.status, 303);
  return (await mailTo(email)).body.match(/(http:\/\/127\.0\.0\.1:\d+\/aikasanet\/[^\s]+)/)[1];
}

async function run(width, js) {
  const tag = `${width}${js ? '' : 'nojs'}`;
  const login = `e2e-f-${tag}`, email = `e2e-f-${tag}@example.jp`, name = `周南こども食堂${tag}`;
  const link = await signUpGroup(login, email, name);
  const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ja-JP', javaScriptEnabled: js });
  const page = await ctx.newPage();
  page.noJs = !js;
  const click = async (name) => {
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name, exact: true }).click()]);
  };

  // verification → 「スーパーネットに登録」 → Supernet's form, filled in
  await page.goto(link);
  await click('登録を確定する');
  await page.waitForURL(/\/aikasanet\/signup\/verified$/);
  await check(page, width, 'verified page with the Supernet offer');
  await click('スーパーネットに登録');
  await page.waitForURL(/\/register\/group\/terms\?kind=citizen&handoff=/);
  assert.match(await page.getByRole('status').innerText(), /引き継ぎます/);
  await check(page, width, 'Supernet terms with the hand-off');
  await click('同意する');
  await page.waitForURL(/\/register\/group\/form\?d=/);
  assert.equal(await page.locator('#f-name').inputValue(), name);
  assert.equal(await page.locator('#f-representative').inputValue(), '周南 一子');
  assert.equal(await page.locator('#f-municipality').inputValue(), '周南市');
  assert.equal(await page.locator('#f-registrant_email').inputValue(), email);

  // sign in: the my page asks for the details
  await page.goto(`${srv.url}/aikasanet/login`);
  await page.locator('#login').fill(login);
  await page.locator('#password').fill('Passw0rd-long');
  await click('ログイン');
  await page.waitForURL(/\/aikasanet\/mypage\/$/);
  assert.match(await page.locator('main').innerText(), /詳細情報を入力してください/);
  await check(page, width, 'my page before the details');
  await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: '詳細情報を入力する' }).click()]);
  await page.waitForURL(/\/aikasanet\/mypage\/details$/);
  await check(page, width, 'details form');

  // errors first: summary, messages at the fields, input kept
  await page.locator('#f-members_count').fill('12人');
  await click('登録する');
  assert.match(await page.title(), /^エラー：詳細情報の登録/);
  assert.match(await page.getByRole('alert').innerText(), /入力内容を確認してください/);
  assert.match(await page.locator('#f-contact_name-error').innerText(), /担当者名を入力してください/);
  assert.equal(await page.locator('#f-members_count').inputValue(), '12人');
  await check(page, width, 'details form with errors');

  await page.locator('#f-postal').fill('745-0001');
  await page.locator('#f-address').fill('1-2-3');
  await page.locator('#f-founded_on').fill('2015-06-01');
  await page.locator('#f-founding_purpose').fill('地域の子どもに温かい食事を');
  await page.locator('#f-main_activities').fill('月2回の子ども食堂');
  await page.locator('#f-contact_name').fill('周南 二子');
  await page.locator('#f-activity_areas').getByLabel('周南市', { exact: true }).check();
  await page.locator('#f-fields').getByLabel('子どもの健全育成').check();
  await page.locator('#f-weekdays').getByLabel('土', { exact: true }).check();
  await click('登録する');
  await page.waitForURL(/\/aikasanet\/mypage\/\?done=details$/);
  assert.match(await page.getByRole('status').innerText(), /詳細情報を登録しました/);
  const info = await page.locator('.mypage-info').innerText();
  assert.match(info, /担当者名\s*非公開\s*周南 二子/);
  assert.match(info, /活動可能地域\s*公開\s*周南市/);
  await check(page, width, 'my page after the details');

  await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: '会員情報を修正する' }).click()]);
  assert.equal(await page.locator('#f-org_name').inputValue(), name);
  await check(page, width, 'profile form');
  await page.locator('#f-rep_title').fill('理事長');
  await click('保存する');
  await page.waitForURL(/done=saved$/);
  assert.match(await page.locator('.mypage-info').innerText(), /理事長/);

  // the group's recruitments
  await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: 'ボランティア募集', exact: true }).click()]);
  await page.waitForURL(/\/aikasanet\/mypage\/recruitments\/$/);
  await check(page, width, 'recruitments list (empty)');
  await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: '募集を新しく登録する' }).click()]);
  assert.equal(await page.locator('#f-organiser').inputValue(), name);
  await check(page, width, 'new recruitment form');
  await page.locator('#f-title').fill('配膳ボランティア');
  await click('登録する（仮登録）');
  assert.match(await page.title(), /^エラー：/);
  await check(page, width, 'new recruitment form with errors');
  await page.locator('#f-fields').getByLabel('子どもの健全育成').check();
  await page.locator('#f-summary').fill('子ども食堂での配膳と片付け');
  await page.locator('#f-anytime').check();
  await page.locator('#f-weekdays').getByLabel('土', { exact: true }).check();
  await page.locator('#f-areas').getByLabel('周南市', { exact: true }).check();
  await click('登録する（仮登録）');
  await page.waitForURL(/\/aikasanet\/mypage\/recruitments\/\?done=created$/);
  const list = await page.locator('main').innerText();
  assert.match(list, /配膳ボランティア/);
  assert.match(list, /仮登録/);
  await check(page, width, 'recruitments list');

  await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: /修正する\s*（配膳ボランティア）/ }).click()]);
  assert.equal(await page.locator('#f-title').inputValue(), '配膳ボランティア');
  await check(page, width, 'edit recruitment form');
  await page.locator('#f-headcount').fill('5人');
  await click('修正して仮登録する');
  await page.waitForURL(/done=saved$/);
  await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: /削除する\s*（配膳ボランティア）/ }).click()]);
  await check(page, width, 'delete confirmation');
  await click('削除する');
  await page.waitForURL(/done=deleted$/);
  assert.match(await page.getByRole('status').innerText(), /募集を削除しました/);
  await ctx.close();
}

for (const width of [1280, 375]) {
  test(`group: verify, Supernet hand-off, details, my page, recruitments at ${width}px (axe clean)`, async () => {
    await run(width, true);
  });
}

test('the same steps work without JavaScript', async () => {
  await run(1280, false);
});
