// supernet_public.test.mjs — Supernet's public lists, detailed-search
// forms, detail pages and a fixed page in real Chromium: zero axe
// violations (WCAG 2.0 A/AA = JIS X 8341-3 AA) at 1280 px and 375 px, no
// horizontal scrolling on a phone, and the detailed search used with the
// keyboard only in a browser without JavaScript, finding the expected
// group.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { axeCheck, formatViolations, launchBrowser } from '../lib/browser.mjs';
import { activeElementInfo, horizontalOverflow } from '../lib/pagecheck.mjs';
import { startServer } from '../lib/server.mjs';

const WIDTHS = [1280, 375];
let srv;
let browser;
const contexts = new Map();

const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', path.join(srv.dataDir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();

// Rows this test relies on (the demo data may change): a group with an
// event and a report, a grant and a book, all published.
let ids = {};
before(async () => {
  srv = await startServer({ demo: true });
  const one = (q) => Number(sql(`${q}; SELECT last_insert_rowid();`));
  const g = one(`INSERT INTO groups (kind, name, kana, purpose, activities, municipality, fields, target_area, url_1, url_1_desc, status, published_at)
    VALUES ('npo', 'キーボード検索試験の会', 'きーぼーどけんさくしけん', '鍵盤で探せることを確かめる団体です。', '試験', '萩市',
    '環境の保全' || char(10) || '社会教育', '県内全域', 'https://example.jp/', '公式サイト', 'published', '2026-01-01T00:00:00Z')`);
  one(`INSERT INTO groups (kind, name, kana, purpose, status, published_at)
    VALUES ('citizen', 'キーボード検索試験の別の会', 'きーぼーどけんさくしけん2', '種類が違う団体。', 'published', '2026-01-01T00:00:00Z')`);
  const e = one(`INSERT INTO events (kind, title, organiser, starts_on, summary, group_id, status, published_at)
    VALUES ('event', 'アクセシビリティ試験のイベント', 'キーボード検索試験の会', date('now', '+7 days'), '内容', ${g}, 'published', '2026-01-01T00:00:00Z')`);
  const r = one(`INSERT INTO reports (title, group_name, held_on, body, group_id, status, published_at)
    VALUES ('アクセシビリティ試験の報告', 'キーボード検索試験の会', '2026-01-10', '報告の本文です。', ${g}, 'published', '2026-01-11T00:00:00Z')`);
  const t = one(`INSERT INTO grants (title, funder, deadline, amount, amount_max, summary, status, published_at)
    VALUES ('アクセシビリティ試験の助成', '試験財団', date('now', '+30 days'), '上限30万円', 30, '備考', 'published', '2026-01-01T00:00:00Z')`);
  const b = one(`INSERT INTO books (title, title_kana, author, accession_no, description, status, published_at)
    VALUES ('アクセシビリティ試験の本', 'あくせしびりてぃ', '著者名', 'E2E-1', '内容紹介', 'published', '2026-01-01T00:00:00Z')`);
  ids = { g, e, r, t, b };
  browser = await launchBrowser();
  for (const w of WIDTHS) contexts.set(w, await browser.newContext({ viewport: { width: w, height: 800 }, locale: 'ja-JP' }));
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

const PAGES = () => [
  ['groups list', '/groups/'],
  ['groups results with conditions', `/groups/?q=${encodeURIComponent('試験')}&kind=npo&sort=new`],
  ['groups detailed search', '/groups/search'],
  ['group detail', `/groups/${ids.g}`],
  ['events list', '/events/'],
  ['events detailed search', '/events/search'],
  ['event detail', `/events/${ids.e}`],
  ['grants list', '/grants/'],
  ['grants detailed search', '/grants/search'],
  ['grant detail', `/grants/${ids.t}`],
  ['books list', '/books/'],
  ['books detailed search', '/books/search'],
  ['book detail', `/books/${ids.b}`],
  ['reports list', '/reports/'],
  ['report detail', `/reports/${ids.r}`],
  ['fixed page /center/', '/center/'],
  ['fixed child page', '/p/center/access'],
  ['list with an ignored condition', '/grants/?amount_min=abc'],
];

describe('axe and layout at PC and phone widths', () => {
  for (const w of WIDTHS) {
    test(`${w} px: every list, search form, detail and fixed page has no axe violations`, async () => {
      const page = await contexts.get(w).newPage();
      try {
        for (const [name, p] of PAGES()) {
          const res = await page.goto(srv.url + p);
          assert.equal(res.status(), 200, `${name} ${p}`);
          const v = await axeCheck(page);
          assert.equal(v.length, 0, formatViolations(v, `${name} (${p}) at ${w}px: `));
          if (w === 375) {
            const o = await horizontalOverflow(page, 375);
            assert.ok(o.scrollWidth <= o.clientWidth, `${name} scrolls sideways at 375px: ${o.offenders.join(', ')}`);
          }
        }
      } finally {
        await page.close();
      }
    });
  }
});

test('detailed search by keyboard only, without JavaScript, finds the expected group', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
  try {
    const page = await ctx.newPage();
    await page.goto(`${srv.url}/groups/search`);
    // Tab to the keyword field
    const tabTo = async (id, max = 80) => {
      for (let i = 0; i < max; i++) {
        const info = await activeElementInfo(page);
        if (info.id === id) return;
        await page.keyboard.press('Tab');
      }
      assert.fail(`#${id} not reached with Tab`);
    };
    await tabTo('f-q');
    await page.keyboard.type('キーボード検索試験');
    await page.keyboard.press('Tab');
    assert.equal((await activeElementInfo(page)).id, 'f-kind', 'Tab moves from the keyword to 組織形態');
    // choose NPO法人 (after 指定しない, 県民活動団体) with the arrow keys
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.$eval('#f-kind', (s) => s.value), 'npo');
    // on to the submit button and press Enter
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      const info = await activeElementInfo(page);
      if (info.tag === 'button' && info.text.includes('この条件で検索する')) break;
    }
    const info = await activeElementInfo(page);
    assert.ok(info.tag === 'button' && info.text.includes('この条件で検索する'), `focus on the submit button, got ${JSON.stringify(info)}`);
    await Promise.all([page.waitForURL(/\/groups\/\?/), page.keyboard.press('Enter')]);
    const url = new URL(page.url());
    assert.equal(url.pathname, '/groups/');
    assert.equal(url.searchParams.get('q'), 'キーボード検索試験');
    assert.equal(url.searchParams.get('kind'), 'npo');
    const main = page.locator('main');
    assert.equal(await main.getByRole('link', { name: 'キーボード検索試験の会', exact: true }).count(), 1);
    assert.equal(await main.getByRole('link', { name: 'キーボード検索試験の別の会' }).count(), 0, 'the citizen group is filtered out');
    assert.match(await main.innerText(), /1件中 1〜1件/);
    assert.match(await main.innerText(), /組織形態：NPO法人/);
    // remove the kind condition with its link: both groups now
    await Promise.all([page.waitForURL((u) => !new URL(u).searchParams.has('kind')), main.getByRole('link', { name: /この条件を外す\s*（組織形態）/ }).click()]);
    assert.match(await page.locator('main').innerText(), /2件中 1〜2件/);
  } finally {
    await ctx.close();
  }
});
