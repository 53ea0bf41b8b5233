// calendar.test.mjs — the month calendars (/events/calendar,
// /grants/calendar) and the HTML sitemap in a real browser: axe (WCAG 2.0
// A/AA, i.e. JIS X 8341-3 AA) finds nothing at 1280 and 375 px, also in the
// black and blue colour schemes; the page never scrolls sideways at 375 px
// (the table scrolls inside its own focusable region); Tab reaches every
// link of the calendar with a visible focus ring, and Enter on 「次の月」
// opens the next month without JavaScript being needed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axeCheck, formatViolations, launchBrowser } from '../lib/browser.mjs';
import { activeElementInfo, focusIndicatorVisible, horizontalOverflow, markFocusables } from '../lib/pagecheck.mjs';
import { startServer } from '../lib/server.mjs';

let srv;
let browser;

before(async () => {
  srv = await startServer({ demo: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

// The current month (today marked) and a month with demo items.
const PAGES = [
  { name: 'events-calendar', path: '/events/calendar' },
  { name: 'events-calendar-dec', path: '/events/calendar?ym=2026-12' },
  { name: 'grants-calendar', path: '/grants/calendar' },
  { name: 'grants-calendar-jan', path: '/grants/calendar?ym=2027-01' },
  { name: 'sitemap', path: '/sitemap' },
  { name: 'events-calendar-black', path: '/events/calendar', cookies: { cn_bg: 'k', cn_fs: 'xl' } },
  { name: 'grants-calendar-blue', path: '/grants/calendar', cookies: { cn_bg: 'b', cn_fs: 'l' } },
];

async function newPage(width, cookies, t) {
  const ctx = await browser.newContext({ viewport: { width, height: 800 }, locale: 'ja-JP' });
  t.after(() => ctx.close());
  if (cookies) await ctx.addCookies(Object.entries(cookies).map(([name, value]) => ({ name, value, url: srv.url })));
  return ctx.newPage();
}

for (const p of PAGES) {
  describe(p.path + (p.cookies ? ` (${Object.values(p.cookies).join(', ')})` : ''), () => {
    for (const width of [1280, 375]) {
      test(`${p.name} at ${width}px: no axe violations, no sideways page scroll`, async (t) => {
        const page = await newPage(width, p.cookies, t);
        const res = await page.goto(srv.url + p.path, { waitUntil: 'load' });
        assert.equal(res.status(), 200);
        assert.equal(await page.getAttribute('html', 'lang'), 'ja');
        const v = await axeCheck(page);
        assert.equal(v.length, 0, formatViolations(v, `${p.path} at ${width}px: `));
        if (width === 375) {
          const o = await horizontalOverflow(page, 375);
          assert.ok(o.scrollWidth <= 375, `page scrollWidth ${o.scrollWidth}px at 375px:\n  ${o.offenders.join('\n  ')}`);
        }
      });
    }
  });
}

test('the calendar table is a labelled table with column headers and today marked', async (t) => {
  const page = await newPage(1280, null, t);
  await page.goto(`${srv.url}/events/calendar`);
  const table = page.getByRole('table', { name: /\d{4}年\d{1,2}月のイベント・募集/ });
  assert.equal(await table.count(), 1);
  assert.equal(await page.getByRole('columnheader').count(), 7);
  assert.equal(await page.locator('td[aria-current="date"]').count(), 1);
  assert.match(await page.locator('td[aria-current="date"]').innerText(), /今日/);
  // the scrolling wrapper is a named, focusable region
  const region = page.getByRole('region', { name: /のイベント・募集/ });
  assert.equal(await region.getAttribute('tabindex'), '0');
});

for (const width of [1280, 375]) {
  test(`keyboard at ${width}px: Tab reaches every calendar link with a focus ring; Enter on 次の月 opens the next month`, async (t) => {
    const page = await newPage(width, null, t);
    await page.goto(`${srv.url}/events/calendar?ym=2026-12`);
    const items = await markFocusables(page);
    const inTable = await page.$$eval('.cal-wrap, .cal-wrap a[href]', (els) => els.map((e) => e.getAttribute('data-kbd-index')));
    assert.ok(inTable.length >= 2, 'the demo month has links in the table');
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
    assert.equal(next.text, '次の月（2027年1月）');
    await Promise.all([page.waitForURL(/ym=2027-01$/), page.keyboard.press('Enter')]);
    assert.match(await page.locator('caption').innerText(), /2027年1月のイベント・募集/);
    assert.match(await page.title(), /^イベント・募集カレンダー（2027年1月）｜/);
  });
}

test('the first 次の月 link is reachable before the table, and works without JavaScript', async (t) => {
  const ctx = await browser.newContext({ viewport: { width: 375, height: 800 }, locale: 'ja-JP', javaScriptEnabled: false });
  t.after(() => ctx.close());
  const page = await ctx.newPage();
  await page.goto(`${srv.url}/grants/calendar?ym=2026-12`);
  await Promise.all([page.waitForURL(/ym=2027-01$/), page.getByRole('link', { name: '次の月（2027年1月）' }).first().click()]);
  assert.match(await page.locator('caption').innerText(), /2027年1月の助成の募集締め切り/);
  await page.getByRole('link', { name: '前の月（2026年12月）' }).first().click();
  await page.waitForURL(/ym=2026-12$/);
});
