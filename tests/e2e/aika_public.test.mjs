// aika_public.test.mjs — Aika's public pages in real Chromium (issue 5,
// part G): zero axe violations (WCAG 2.0 A/AA = JIS X 8341-3 AA) at 1280 and
// 375 px on every page type — top, recruitments (open, past, calendar,
// search, detail for visitors and for a signed-in member), member search
// and pages, interview reports, fixed pages, sitemap, forms, newsletter
// (form, errors, confirmation, unsubscribe, invalid link) — and no sideways
// scrolling on a phone; the recruitment calendar used with the keyboard;
// searching recruitments and subscribing to the newsletter without
// JavaScript.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { axeCheck, formatViolations, launchBrowser } from '../lib/browser.mjs';
import { activeElementInfo, focusIndicatorVisible, horizontalOverflow, markFocusables } from '../lib/pagecheck.mjs';
import { startServer } from '../lib/server.mjs';

const WIDTHS = [1280, 375];
let srv;
let browser;
const ids = {};

const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', path.join(srv.dataDir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();
const one = (q) => Number(sql(`${q}; SELECT last_insert_rowid();`));
const NL = " || char(10) || ";
const TOKEN = crypto.randomBytes(32).toString('base64url');
const UNSUB = crypto.randomBytes(32).toString('base64url');
let memberCookie;

before(async () => {
  srv = await startServer({ demo: true });
  ids.group = one(`INSERT INTO members(kind, display_name, org_name, org_kana, representative, municipality, prefecture, activity_areas, fields, weekdays,
      sales_point, main_activities, wants_recruit, status, published_at)
    VALUES ('group', 'アクセシビリティ試験の会', 'アクセシビリティ試験の会', 'あくせしびりてぃしけんのかい', '試験 代表', '萩市', '山口県', '萩市'${NL}'阿武町',
      '環境の保全'${NL}'社会教育', '土'${NL}'日', '誰でも参加できる活動をしています。', '清掃活動', 1, 'published', '2026-01-01T00:00:00Z')`);
  ids.person = one(`INSERT INTO members(kind, display_name, municipality, prefecture, occupation, sales_point, activity_areas, fields, weekdays, status, published_at)
    VALUES ('individual', '試験の個人', '萩市', '山口県', '会社員', '週末に活動できます。', '萩市', '環境の保全', '土', 'published', '2026-01-02T00:00:00Z')`);
  const rec = (title, extra) => one(`INSERT INTO recruitments(member_id, title, organiser, summary, place, areas, weekdays, fields, anytime,
      starts_on, ends_on, apply_until, status, published_at)
    VALUES (${ids.group}, '${title}', 'アクセシビリティ試験の会', '竹林で枝を運びます。', '萩市の竹林', '萩市', '土', '環境の保全', ${extra}, 'published', '2026-01-03T00:00:00Z')`);
  ids.open = rec('鍵盤試験の竹林整備', "0, date('now', '+9 hours', '+7 days'), date('now', '+9 hours', '+9 days'), ''");
  ids.past = rec('鍵盤試験の終わった清掃', "0, date('now', '+9 hours', '-20 days'), date('now', '+9 hours', '-20 days'), ''");
  ids.month = sql(`SELECT substr(starts_on, 1, 7) FROM recruitments WHERE id=${ids.open}`);
  ids.interview = one(`INSERT INTO interviews(title, subject, held_on, body, status, published_at)
    VALUES ('アクセシビリティ試験の取材', 'アクセシビリティ試験の会', '2026-10-01', '## 活動の様子\n\n竹を運び出しました。', 'published', '2026-01-04T00:00:00Z')`);
  const hash = crypto.createHash('sha256').update(TOKEN).digest('hex');
  sql(`INSERT INTO newsletter_subscribers(list, email_enc, email_index, status, token_hash, token_expires, unsub_key)
       VALUES ('aika', 'v1:x', 'e2e-pending', 'pending', '${hash}', strftime('%s','now') + 3600, '${crypto.randomBytes(32).toString('base64url')}'),
              ('aika', 'v1:y', 'e2e-active', 'active', NULL, NULL, '${UNSUB}')`);
  // a signed-in individual member (the session made the way the server stores it)
  const uid = one("INSERT INTO users(login, display_name, role, pw_hash) VALUES ('e2e-aika-member', '試験の個人', 'member', 'x')");
  sql(`UPDATE members SET user_id=${uid} WHERE id=${ids.person}`);
  const sid = crypto.randomBytes(32).toString('base64url');
  sql(`INSERT INTO sessions(id_hash, user_id, created_at, last_seen) VALUES ('${crypto.createHash('sha256').update(sid).digest('hex')}', ${uid},
       strftime('%s','now'), strftime('%s','now'))`);
  memberCookie = sid;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

const enc = encodeURIComponent;
const PAGES = () => [
  ['top', '/aikasanet/'],
  ['recruitments open', '/aikasanet/recruitments/'],
  ['recruitments with conditions', `/aikasanet/recruitments/?q=${enc('竹林')}&area=${enc('萩市')}&weekday=${enc('土')}&sort=date`],
  ['recruitments detailed search', '/aikasanet/recruitments/search'],
  ['recruitments past', '/aikasanet/recruitments/past'],
  ['recruitments calendar', '/aikasanet/recruitments/calendar'],
  ['recruitments calendar with items', `/aikasanet/recruitments/calendar?ym=${ids.month}`],
  ['recruitment detail', `/aikasanet/recruitments/${ids.open}`],
  ['recruitment detail (past)', `/aikasanet/recruitments/${ids.past}`],
  ['recruitment detail (signed-in member)', `/aikasanet/recruitments/${ids.open}`, { member: true }],
  ['members', '/aikasanet/members/'],
  ['members with conditions', `/aikasanet/members/?kind=group&area=${enc('萩市')}&field=${enc('環境の保全')}`],
  ['members search form', '/aikasanet/members/search'],
  ['member detail (group)', `/aikasanet/members/${ids.group}`],
  ['member detail (individual)', `/aikasanet/members/${ids.person}`],
  ['interviews', '/aikasanet/interviews/'],
  ['interview detail', `/aikasanet/interviews/${ids.interview}`],
  ['Q&A', '/aikasanet/qa'],
  ['Q&A sub-page', '/aikasanet/p/qa/members'],
  ['guide', '/aikasanet/guide'],
  ['links', '/aikasanet/links'],
  ['privacy', '/aikasanet/privacy'],
  ['sitemap', '/aikasanet/sitemap'],
  ['forms', '/aikasanet/forms'],
  ['newsletter', '/aikasanet/newsletter'],
  ['newsletter sent', '/aikasanet/newsletter?done=sent'],
  ['newsletter confirm', `/aikasanet/newsletter/confirm?t=${TOKEN}`],
  ['newsletter invalid link', `/aikasanet/newsletter/confirm?t=${'A'.repeat(43)}`, { status: 410 }],
  ['newsletter unsubscribe form', '/aikasanet/newsletter/unsubscribe'],
  ['newsletter unsubscribe button', `/aikasanet/newsletter/unsubscribe?k=${UNSUB}`],
  ['list with an ignored condition', `/aikasanet/members/?area=${enc('どこか')}`],
];

describe('axe and layout at PC and phone widths', () => {
  for (const w of WIDTHS) {
    test(`${w} px: every Aika page type has no axe violations and no sideways scrolling`, async () => {
      const ctx = await browser.newContext({ viewport: { width: w, height: 800 }, locale: 'ja-JP' });
      const memberCtx = await browser.newContext({ viewport: { width: w, height: 800 }, locale: 'ja-JP' });
      await memberCtx.addCookies([{ name: 'cn_sid', value: memberCookie, url: srv.url }]);
      try {
        for (const [name, p, opt = {}] of PAGES()) {
          const page = await (opt.member ? memberCtx : ctx).newPage();
          const res = await page.goto(srv.url + p);
          assert.equal(res.status(), opt.status ?? 200, `${name} ${p}`);
          assert.equal(await page.getAttribute('html', 'lang'), 'ja');
          if (opt.member) assert.equal(await page.getByRole('button', { name: '参加する' }).count(), 1, 'the member sees 参加する');
          const v = await axeCheck(page);
          assert.equal(v.length, 0, formatViolations(v, `${name} (${p}) at ${w}px: `));
          if (w === 375) {
            const o = await horizontalOverflow(page, 375);
            assert.ok(o.scrollWidth <= o.clientWidth, `${name} scrolls sideways at 375px: ${o.offenders.join(', ')}`);
          }
          await page.close();
        }
        // the form with errors (422) is checked too
        const page = await ctx.newPage();
        await page.goto(`${srv.url}/aikasanet/newsletter`);
        await page.getByLabel('Eメール').fill('not-an-address');
        await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '確認のメールを送る' }).click()]);
        assert.match(await page.locator('.error-summary').innerText(), /入力内容を確認してください/);
        const v = await axeCheck(page);
        assert.equal(v.length, 0, formatViolations(v, `newsletter errors at ${w}px: `));
        await page.close();
      } finally {
        await ctx.close();
        await memberCtx.close();
      }
    });
  }
});

for (const width of WIDTHS) {
  test(`recruitment calendar by keyboard at ${width}px: Tab reaches every link with a focus ring; Enter on 次の月`, async (t) => {
    const ctx = await browser.newContext({ viewport: { width, height: 800 }, locale: 'ja-JP' });
    t.after(() => ctx.close());
    const page = await ctx.newPage();
    await page.goto(`${srv.url}/aikasanet/recruitments/calendar?ym=${ids.month}`);
    assert.equal(await page.getByRole('table', { name: /ボランティア募集/ }).count(), 1);
    const items = await markFocusables(page);
    const inTable = await page.$$eval('.cal-wrap, .cal-wrap a[href]', (els) => els.map((e) => e.getAttribute('data-kbd-index')));
    assert.ok(inTable.length >= 2, 'the month has the test recruitment in its table');
    const seen = new Set();
    const noRing = [];
    let next = null;
    for (let i = 0; i < items.length + 5 && !next; i++) {
      await page.keyboard.press('Tab');
      const info = await activeElementInfo(page);
      if (info.kbdIndex !== null) seen.add(info.kbdIndex);
      if (!focusIndicatorVisible(info)) noRing.push(`${info.path} «${info.text}»`);
      if (info.tag === 'a' && info.text.startsWith('次の月') && inTable.every((k) => seen.has(k))) next = info;
    }
    assert.deepEqual(inTable.filter((k) => !seen.has(k)), [], 'every link in the calendar (and the region) gets focus');
    assert.deepEqual(noRing, [], 'visible focus indicator on every stop');
    assert.ok(next, 'Tab reaches 「次の月」 after the table');
    const [y, m] = ids.month.split('-').map(Number);
    const following = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
    assert.equal(next.text, `次の月（${following.replace(/^(\d+)-0?(\d+)$/, '$1年$2月')}）`);
    await Promise.all([page.waitForURL(new RegExp(`ym=${following}$`)), page.keyboard.press('Enter')]);
    assert.match(await page.title(), /^募集カレンダー（\d{4}年\d{1,2}月）｜あいかさねっと/);
  });
}

describe('without JavaScript', () => {
  test('recruitments: the detailed search by keyboard finds the test recruitment; a day link opens its page', async (t) => {
    const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 800 }, locale: 'ja-JP' });
    t.after(() => ctx.close());
    const page = await ctx.newPage();
    await page.goto(`${srv.url}/aikasanet/recruitments/search`);
    const tabTo = async (id, max = 80) => {
      for (let i = 0; i < max; i++) {
        if ((await activeElementInfo(page)).id === id) return;
        await page.keyboard.press('Tab');
      }
      assert.fail(`#${id} not reached with Tab`);
    };
    await tabTo('f-q');
    await page.keyboard.type('鍵盤試験');
    await page.locator('#f-weekday').selectOption('土');
    await page.locator('#f-weekday').focus();
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      const info = await activeElementInfo(page);
      if (info.tag === 'button') break;
    }
    await Promise.all([page.waitForURL(/\/aikasanet\/recruitments\/\?/), page.keyboard.press('Enter')]);
    const main = page.locator('main');
    assert.equal(await main.getByRole('link', { name: '鍵盤試験の竹林整備', exact: true }).count(), 1);
    assert.equal(await main.getByRole('link', { name: '鍵盤試験の終わった清掃' }).count(), 0, 'past ones are not open');
    assert.match(await main.innerText(), /活動曜日：土/);
    await page.goto(`${srv.url}/aikasanet/recruitments/calendar?ym=${ids.month}`);
    await Promise.all([page.waitForURL(/\/aikasanet\/recruitments\/\d+$/),
      page.locator('.cal-wrap').getByRole('link', { name: '鍵盤試験の竹林整備' }).first().click()]);
    assert.match(await page.locator('h1').innerText(), /鍵盤試験の竹林整備/);
    assert.equal(await page.getByRole('link', { name: 'ログインする' }).count(), 1, 'visitors are asked to log in');
  });

  test('newsletter: subscribing shows the same neutral answer', async (t) => {
    const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
    t.after(() => ctx.close());
    const page = await ctx.newPage();
    await page.goto(`${srv.url}/aikasanet/newsletter`);
    await page.getByLabel('Eメール').fill('e2e-reader@example.jp');
    await Promise.all([page.waitForURL(/done=sent$/), page.getByRole('button', { name: '確認のメールを送る' }).click()]);
    assert.match(await page.getByRole('status').innerText(), /確認のメールを送りました。/);
  });
});
