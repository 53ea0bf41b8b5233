// Keyboard operation (WCAG 2.1.1 / 2.1.2 — JIS X 8341-3 keyboard, no trap):
// pressing Tab from the top of each site's home page reaches every link,
// button and form field, each with a visible focus indicator, and focus
// finally leaves the page or wraps to the start (no keyboard trap).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser } from '../lib/browser.mjs';
import { activeElementInfo, focusIndicatorVisible, markFocusables } from '../lib/pagecheck.mjs';
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

for (const [path, width] of [['/', 1280], ['/', 375], ['/aikasanet/', 1280]]) {
  test(`Tab reaches every control on ${path} at ${width}px without a trap`, async () => {
    const ctx = await browser.newContext({ viewport: { width, height: 800 }, locale: 'ja-JP' });
    try {
      const page = await ctx.newPage();
      await page.goto(srv.url + path);
      const items = await markFocusables(page);
      assert.ok(items.length > 0, 'no focusable elements found');

      const visited = new Set();
      const noIndicator = [];
      const sequence = [];
      let leftPage = false;
      let wrapped = false;
      const limit = items.length * 2 + 10;
      for (let i = 0; i < limit; i++) {
        await page.keyboard.press('Tab');
        const info = await activeElementInfo(page);
        if (info.tag === 'body') {
          if (visited.size) { leftPage = true; break; }
          continue;
        }
        const idx = info.kbdIndex;
        sequence.push(idx ?? `?${info.path}`);
        if (idx !== null && visited.has(idx) && idx === sequence[0]) {
          wrapped = true; // back at the first stop without passing through the body
          break;
        }
        if (idx !== null) visited.add(idx);
        if (!focusIndicatorVisible(info)) noIndicator.push(`${info.path} «${info.text}»`);
      }

      const missed = items.filter((it) => !visited.has(String(it.index)));
      assert.deepEqual(
        missed.map((m) => `${m.tag}${m.href ? ` href=${m.href}` : ''} «${m.text}»`),
        [],
        `${missed.length} of ${items.length} controls never received focus with Tab (order seen: ${sequence.join(',')})`,
      );
      assert.ok(leftPage || wrapped,
        `focus never left the page or wrapped after ${limit} Tab presses: possible keyboard trap (order: ${sequence.join(',')})`);
      assert.deepEqual(noIndicator, [], 'controls without a visible focus indicator (outline or box-shadow)');
    } finally {
      await ctx.close();
    }
  });
}
