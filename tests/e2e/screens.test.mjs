// screens.test.mjs — every staff screen, taken from the route table (issue
// 8 O3 and issue 9 X1): signed in as an administrator in chromium, each
// GET route under /admin/ is opened (path parameters filled from links on
// its list page), must answer 200 with a page title of its own and zero
// axe violations, and is photographed for the operations manual
// (TEST_OUT/screens/ROUTE.jpg plus index.json; `make docs` copies them to
// docs/運用マニュアル/画面/). Downloads (CSV) are checked for their type.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { OUTPUT_DIR, axeCheck, formatViolations, launchBrowser } from '../lib/browser.mjs';
import { runCli, startServer, userAdd } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';
import { freshCode } from '../lib/totp.mjs';

let srv, sink, browser;
before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ demo: true, env: { CIVICNET_SMTP: sink.url } });
  await userAdd(srv.dataDir, 'screens', 'admin', 'screens-password-1');
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await srv?.stop(); await sink?.stop?.(); await sink?.dispose?.(); });

/** The route table as `civicnet routes` prints it. */
async function routes() {
  const r = await runCli(['routes']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => {
    const [name, methods, pattern, role] = l.split('\t');
    return { name, methods, pattern, role };
  });
}

const patternRe = (p) => new RegExp('^' + p.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
  .replace(/\{\w+:int\}/g, '\\d+').replace(/\{\w+:slug\}/g, '[A-Za-z0-9_-]+').replace(/\{\w+:path\}/g, '.+') + '$');

test('every staff screen opens, has its own title, passes axe, and is photographed', async () => {
  const all = (await routes()).filter((r) => /GET/.test(r.methods) && r.pattern.startsWith('/admin')
    && !['anonymous'].includes(r.role) && !/logout/.test(r.name));
  assert.ok(all.length > 60, `staff GET routes found: ${all.length}`);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP', acceptDownloads: true });
  const page = await ctx.newPage();
  await page.goto(`${srv.url}/admin/login`);
  await page.getByLabel('ログインID').fill('screens');
  await page.getByLabel('パスワード', { exact: true }).fill('screens-password-1');
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.waitForURL(/\/admin\/totp$/);
  const secret = (await page.locator('#totp-secret').innerText()).replace(/ /g, '');
  await page.getByLabel(/確認コード/).fill(await freshCode(secret));
  await page.getByRole('button', { name: '有効にする' }).click();
  await page.waitForURL(/done=enabled/);

  const outDir = path.join(OUTPUT_DIR, 'screens');
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const index = [];
  const problems = [];
  const titles = new Map();
  const linksOf = new Map();
  for (const r of all) {
    // path parameters, one at a time, from the links of the page above each
    let url = r.pattern;
    while (url && /\{/.test(url)) {
      const open = url.indexOf('{'), close = url.indexOf('}', open);
      const parent = url.slice(0, open);
      if (!linksOf.has(parent)) {
        const res = await page.goto(srv.url + parent);
        linksOf.set(parent, res && res.ok()
          ? await page.$$eval('a[href]', (as) => as.map((a) => { const u = new URL(a.href); return u.pathname + u.search; })) : []);
      }
      const re = new RegExp(patternRe(url.slice(0, close + 1)).source.replace(/\$$/, '(?:/|$)'));
      const hit = linksOf.get(parent).map((h) => h.split('?')[0]).find((h) => re.test(h));
      const value = hit && hit.slice(parent.length).split('/')[0];
      url = value ? parent + value + url.slice(close + 1) : null;
    }
    if (!url) { index.push({ route: r.name, pattern: r.pattern, role: r.role, skipped: 'no sample link' }); continue; }
    // a screen reached with a query (a confirmation "?to=published", a CSV
    // "?table=views"): as linked from the page above it (with or without "/")
    if (/\{/.test(r.pattern) || /\.csv$/.test(r.pattern)) {
      const dir = url.slice(0, url.replace(/\/$/, '').lastIndexOf('/') + 1);
      for (const above of [dir.replace(/\/$/, '') || '/', dir]) {
        if (above === url) continue;
        if (!linksOf.has(above)) {
          const res = await page.goto(srv.url + above);
          linksOf.set(above, res && res.ok()
            ? await page.$$eval('a[href]', (as) => as.map((a) => { const u = new URL(a.href); return u.pathname + u.search; })) : []);
        }
        const withQuery = linksOf.get(above).find((h) => h.startsWith(url + '?'));
        if (withQuery) { url = withQuery; break; }
      }
    }
    if (/\.csv$/.test(r.pattern)) {
      const res = await page.request.get(srv.url + url);
      if (res.status() !== 200 || !/text\/csv/.test(res.headers()['content-type'] || ''))
        problems.push(`${r.name} ${url}: ${res.status()} ${res.headers()['content-type']}`);
      index.push({ route: r.name, pattern: r.pattern, role: r.role, url, download: 'CSV' });
      continue;
    }
    const res = await page.goto(srv.url + url);
    if (!res || res.status() !== 200) { problems.push(`${r.name} ${url}: HTTP ${res && res.status()}`); continue; }
    const landed = new URL(page.url());
    if (landed.pathname + landed.search !== url) { // e.g. the NG form of a member not in review
      index.push({ route: r.name, pattern: r.pattern, role: r.role, url, skipped: `redirected to ${landed.pathname}` });
      continue;
    }
    const title = await page.title();
    if (!title) problems.push(`${r.name} ${url}: no title`);
    const v = await axeCheck(page);
    if (v.length) problems.push(formatViolations(v, `${r.name} ${url}: `));
    const key = `${title}`;
    if (titles.has(key) && titles.get(key) !== r.pattern) problems.push(`${r.name}: the title 「${title}」 is also ${titles.get(key)}'s`);
    titles.set(key, r.pattern);
    await page.screenshot({ path: path.join(outDir, `${r.name}.jpg`), type: 'jpeg', quality: 50 });
    index.push({ route: r.name, pattern: r.pattern, role: r.role, url, title });
  }
  fs.writeFileSync(path.join(outDir, 'index.json'), JSON.stringify(index, null, 1));
  await ctx.close();
  const skipped = index.filter((i) => i.skipped);
  assert.deepEqual(problems, [], problems.join('\n'));
  assert.ok(skipped.length <= all.length / 10, `screens without a sample: ${skipped.map((s) => s.route).join(', ')}`);
});
