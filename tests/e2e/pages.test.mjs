// Every page type of both public sites, the admin login and the 404 page, at
// a phone (375 px) and a PC (1280 px) width: JIS X 8341-3:2016 AA via axe
// (X1), lang="ja", unique titles, no horizontal scroll on phones (X3), a skip
// link as the first Tab stop with a visible focus indicator, and the text-size
// / background switcher on every public page (S12).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axeCheck, formatViolations, launchBrowser, screenshot } from '../lib/browser.mjs';
import {
  activeElementInfo, focusIndicatorVisible, fragmentTargetExists, horizontalOverflow, onScreen, switchName,
} from '../lib/pagecheck.mjs';
import { startServer, userAdd } from '../lib/server.mjs';

const WIDTHS = [375, 1280];

// path: fixed URL path, or resolve(srv, browser) for pages found by following links.
const PAGES = [
  { name: 'supernet-top', label: 'Supernet top /', path: '/', public: true },
  { name: 'aika-top', label: 'Aika top /aikasanet/', path: '/aikasanet/', public: true },
  { name: 'news-list', label: 'news list /news/', path: '/news/', public: true },
  { name: 'news-detail', label: 'news detail (first item of /news/)', resolve: firstNewsItem, public: true },
  { name: 'aika-news-list', label: 'Aika news list /aikasanet/news/', path: '/aikasanet/news/', public: true },
  { name: 'centre-news-list', label: 'centre news list /center-news/', path: '/center-news/', public: true },
  { name: 'admin-login', label: 'admin login /admin/login', path: '/admin/login', public: false },
  { name: 'admin-dashboard', label: 'admin dashboard /admin/ (signed in)', path: '/admin/', public: false, staff: true },
  { name: 'supernet-top-black-xl', label: 'Supernet top, black background, extra-large text', path: '/', public: true,
    cookies: { cn_bg: 'k', cn_fs: 'xl' }, sameTitleAs: 'Supernet top /' },
  { name: 'aika-top-blue-large', label: 'Aika top, blue background, large text', path: '/aikasanet/', public: true,
    cookies: { cn_bg: 'b', cn_fs: 'l' }, sameTitleAs: 'Aika top /aikasanet/' },
  { name: 'not-found', label: '404 page /no-such-page', path: '/no-such-page', public: true, status: 404 },
  { name: 'search', label: 'search results /search?q=福祉', path: `/search?q=${encodeURIComponent('福祉')}`, public: true },
  { name: 'search-black-xl', label: 'search results, black background, extra-large text', public: true,
    path: `/search?q=${encodeURIComponent('福祉')}`, cookies: { cn_bg: 'k', cn_fs: 'xl' }, sameTitleAs: 'search results /search?q=福祉' },
  { name: 'search-empty', label: 'search without a query /search', path: '/search', public: true },
  { name: 'aika-search', label: 'Aika search results /aikasanet/search?q=ボランティア',
    path: `/aikasanet/search?q=${encodeURIComponent('ボランティア')}`, public: true },
];

let srv;
let browser;
const contexts = new Map();
const titles = new Map(); // page name -> title (at 1280 px)

async function firstNewsItem() {
  const ctx = await browser.newContext();
  try {
    const page = await ctx.newPage();
    await page.goto(`${srv.url}/news/`);
    const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.href));
    const item = hrefs
      .map((h) => new URL(h))
      .find((u) => u.origin === srv.url && /^\/news\/[^/]+\/?$/.test(u.pathname));
    assert.ok(item, `no link to a news item (/news/{id}) in /news/; links found: ${hrefs.join(', ')}`);
    return item.pathname;
  } finally {
    await ctx.close();
  }
}

const STAFF_PW = 'e2e-staff-password';
const special = new Map(); // "name@width" -> context with cookies or a staff session

before(async () => {
  srv = await startServer({ demo: true });
  await userAdd(srv.dataDir, 'e2estaff', 'editor', STAFF_PW);
  browser = await launchBrowser();
  for (const w of WIDTHS) {
    contexts.set(w, await browser.newContext({ viewport: { width: w, height: 800 }, locale: 'ja-JP' }));
  }
});

// A page's browser context: the shared one, or one with display-preference
// cookies, or one signed in as staff through the real login form.
async function contextFor(p, width) {
  if (!p.cookies && !p.staff) return contexts.get(width);
  const key = `${p.name}@${width}`;
  if (special.has(key)) return special.get(key);
  const ctx = await browser.newContext({ viewport: { width, height: 800 }, locale: 'ja-JP' });
  if (p.cookies) {
    await ctx.addCookies(Object.entries(p.cookies).map(([name, value]) => ({ name, value, url: srv.url })));
  }
  if (p.staff) {
    const page = await ctx.newPage();
    await page.goto(`${srv.url}/admin/login`);
    await page.getByLabel('ログインID').fill('e2estaff');
    await page.getByLabel('パスワード').fill(STAFF_PW);
    await Promise.all([page.waitForURL(`${srv.url}/admin/`), page.getByRole('button', { name: 'ログイン' }).click()]);
    await page.close();
  }
  special.set(key, ctx);
  return ctx;
}

after(async () => {
  for (const ctx of special.values()) await ctx.close();
  await browser?.close();
  await srv?.stop();
});

const resolved = new Map();
async function pathOf(p) {
  if (p.path) return p.path;
  if (!resolved.has(p.name)) resolved.set(p.name, p.resolve());
  return resolved.get(p.name);
}

for (const p of PAGES) {
  describe(p.label, () => {
    for (const width of WIDTHS) {
      test(`${p.label} at ${width}px`, async (t) => {
        const url = srv.url + (await pathOf(p));
        const page = await (await contextFor(p, width)).newPage();
        t.after(() => page.close());
        const res = await page.goto(url, { waitUntil: 'load' });

        await t.test(`HTTP status ${p.status ?? 200}`, () => {
          assert.equal(res.status(), p.status ?? 200, `GET ${url}`);
        });

        await t.test('html lang="ja"', async () => {
          assert.equal(await page.getAttribute('html', 'lang'), 'ja');
        });

        await t.test('non-empty title', async () => {
          const title = (await page.title()).trim();
          assert.ok(title.length > 0, `empty <title> on ${url}`);
          if (width === 1280 && !p.sameTitleAs) titles.set(p.label, title);
        });

        await t.test('no axe violations (wcag2a, wcag2aa)', async () => {
          const v = await axeCheck(page);
          assert.equal(v.length, 0, formatViolations(v, `${url} at ${width}px: `));
        });

        if (width === 375) {
          await t.test('no horizontal scroll at 375px', async () => {
            const o = await horizontalOverflow(page, 375);
            assert.ok(
              o.scrollWidth <= 375,
              `document scrollWidth ${o.scrollWidth}px > 375px on ${url}; elements beyond 375px:\n  ${o.offenders.join('\n  ')}`,
            );
          });
        }

        if (p.public) {
          await t.test('text-size and background switcher present (S12)', async () => {
            for (const label of ['標準', '大', '特大', '白', '黒', '青']) {
              const n = await page.getByRole('link', { name: switchName(label) })
                .or(page.getByRole('button', { name: switchName(label) })).count();
              assert.ok(n >= 1, `no link or button labelled 「${label}」 on ${url}`);
            }
          });
        }

        await screenshot(page, `${p.name}-${width}`);

        await t.test('first Tab stop is a skip link to an existing target', async () => {
          await page.keyboard.press('Tab');
          const info = await activeElementInfo(page);
          assert.equal(info.tag, 'a', `first Tab stop is not a link: ${JSON.stringify(info)}`);
          assert.ok(info.href?.startsWith('#') && info.href.length > 1,
            `first Tab stop is not an in-page (#…) link: href=${info.href} (${info.path})`);
          assert.ok(await fragmentTargetExists(page, info.href),
            `skip link ${info.href} («${info.text}») points to no element`);
        });

        await t.test('focused skip link is visible with a focus indicator', async () => {
          const info = await activeElementInfo(page);
          assert.ok(onScreen(info), `focused element is off screen or zero-sized: ${info.path} ${JSON.stringify(info.rect)}`);
          assert.ok(focusIndicatorVisible(info),
            `no visible focus indicator on ${info.path}: outline ${info.outlineStyle} ${info.outlineWidth}, box-shadow ${info.boxShadow}`);
        });
      });
    }
  });
}

test('each page has its own title', () => {
  const byTitle = new Map();
  for (const [label, title] of titles) {
    byTitle.set(title, [...(byTitle.get(title) ?? []), label]);
  }
  const dups = [...byTitle].filter(([, labels]) => labels.length > 1);
  const distinct = PAGES.filter((p) => !p.sameTitleAs).length;
  assert.equal(titles.size, distinct, `titles collected for ${titles.size} of ${distinct} pages`);
  assert.deepEqual(dups, [], `pages sharing a title:\n${dups.map(([t, l]) => `  「${t}」: ${l.join(', ')}`).join('\n')}`);
});
