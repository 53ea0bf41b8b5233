// analytics.test.mjs — access analytics (C9) over real HTTP: page views
// (also those served from the page cache), an external referrer (host
// only), site searches with and without results, a 404 — counted without
// cookies or IP addresses and aggregated into the database by the
// background job (CIVICNET_ANALYTICS_INTERVAL=1); bots, HEAD, static files
// and staff are not counted. Editors see the figures, the date filter and
// the CSV exports (audited); anonymous visitors are sent to the login.
// Google Analytics: an administrator sets a measurement ID per site; then
// that site's public pages load the tag and their CSP allows exactly the
// Google hosts; without an ID nothing is loaded and the CSP is unchanged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer, userAdd } from '../lib/server.mjs';
import { enableTotp } from '../lib/totp.mjs';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36';
const ZERO_WORD = 'ぞぞぞ存在しない語';
const BASE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
  + "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

let srv;
before(async () => {
  srv = await startServer({ demo: true, env: { CIVICNET_ANALYTICS_INTERVAL: '1' } });
  await userAdd(srv.dataDir, 'anclerk', 'editor', 'clerk-password-an');
  await userAdd(srv.dataDir, 'anchief', 'admin', 'chief-password-an');
});
after(async () => { await srv.stop(); });

const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'civicnet.db'), q],
  { encoding: 'utf8' }).trim();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const hits = (kind, key, site = 'supernet') =>
  Number(sql(`SELECT coalesce(sum(hits), 0) FROM analytics_daily WHERE kind='${kind}' AND site='${site}' AND key='${key}'`));

// A visitor without cookies (fetch keeps none).
async function visit(p, { ua = UA, referer, method = 'GET' } = {}) {
  const headers = { 'user-agent': ua };
  if (referer) headers.referer = referer;
  const res = await fetch(srv.url + p, { method, headers, redirect: 'manual' });
  await res.arrayBuffer();
  return res;
}

function client() {
  const jar = new Map();
  const send = async (p, opts = {}) => {
    const headers = { 'user-agent': UA, ...(opts.headers || {}) };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(srv.url + p, { redirect: 'manual', ...opts, headers });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      if (/Max-Age=0/.test(c)) jar.delete(kv.slice(0, i)); else jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
    return res;
  };
  const csrfOf = async (p) => (await (await send(p)).text()).match(/name="_csrf" value="([^"]+)"/)[1];
  const post = async (p, fields, from = p) => {
    const tok = await csrfOf(from);
    return send(p, { method: 'POST', body: new URLSearchParams({ _csrf: tok, ...fields }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  };
  const login = (l, pw) => post('/admin/login', { login: l, password: pw, next: '/admin/' });
  return { send, post, login };
}

let clerkClient, chiefClient;
async function clerk() {
  if (clerkClient) return clerkClient;
  const c = client();
  assert.equal((await c.login('anclerk', 'clerk-password-an')).status, 303);
  return (clerkClient = c);
}
async function chief() {
  if (chiefClient) return chiefClient;
  const c = client();
  assert.equal((await c.login('anchief', 'chief-password-an')).status, 303);
  await enableTotp(c);
  return (chiefClient = c);
}

async function waitFor(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    if (fn()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

test('anonymous visitors are sent to the login; editors may not change the GA settings', async () => {
  for (const p of ['/admin/analytics/', '/admin/analytics/export.csv?table=pages', '/admin/analytics/settings']) {
    const res = await visit(p);
    assert.equal(res.status, 303, p);
    assert.match(res.headers.get('location'), /^\/admin\/login\?next=/);
  }
  const c = await clerk();
  assert.equal((await c.send('/admin/analytics/settings')).status, 403);
});

test('views, cached views, a referrer, searches and a 404 are counted by the background job — no cookie, no IP', async () => {
  let res = await visit('/');
  assert.equal(res.headers.get('set-cookie'), null, 'no cookie on a public page');
  res = await visit('/');
  assert.equal(res.headers.get('x-cache'), 'hit', 'the second view comes from the page cache');
  assert.equal(res.headers.get('set-cookie'), null);
  res = await visit('/groups/', { referer: 'https://www.example.org/list/of/links?secret=1' });
  assert.equal(res.headers.get('set-cookie'), null);
  await visit('/groups/', { referer: `${srv.url}/` }); // own site: not a referrer
  res = await visit('/search?q=' + encodeURIComponent('福祉'));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('set-cookie'), null);
  res = await visit('/search?q=' + encodeURIComponent(ZERO_WORD));
  assert.equal(res.status, 200);
  await visit('/search?q=' + encodeURIComponent(ZERO_WORD)); // from the cache: still counted
  await visit('/search?q=taro%40example.jp'); // looks like an e-mail address: never stored as typed
  await visit('/aikasanet/');
  const gid = sql("SELECT id FROM groups WHERE status='published' ORDER BY id LIMIT 1");
  assert.equal((await visit(`/groups/${gid}`)).status, 200);
  assert.equal((await visit('/no-such-page-an')).status, 404);
  // not counted: bots, HEAD, static files, non-HTML
  await visit('/reports/', { ua: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' });
  await visit('/reports/', { ua: '' });
  await visit('/reports/', { method: 'HEAD' });
  await visit('/static/css/site.css');
  await visit('/sitemap.xml');

  await waitFor('the background job', () => hits('notfound', '/no-such-page-an') === 1);
  assert.equal(hits('view', '/'), 2);
  assert.equal(hits('view', '/groups/'), 2);
  assert.equal(hits('view', '/aikasanet/', 'aika'), 1);
  assert.equal(hits('referrer', 'www.example.org'), 1);
  assert.equal(hits('referrer', '127.0.0.1'), 0);
  assert.equal(hits('search', '福祉'), 1);
  assert.equal(hits('search', ZERO_WORD), 2);
  assert.equal(sql(`SELECT results FROM analytics_daily WHERE kind='search' AND key='${ZERO_WORD}'`), '0');
  assert.ok(Number(sql("SELECT results FROM analytics_daily WHERE kind='search' AND key='福祉'")) > 0);
  assert.equal(hits('view', '/reports/'), 0, 'bots and HEAD are not counted');
  assert.equal(Number(sql("SELECT count(*) FROM analytics_daily WHERE key LIKE '/static%' OR key LIKE '/sitemap%'")), 0);
  // nothing identifying is stored
  assert.equal(sql("SELECT group_concat(name) FROM pragma_table_info('analytics_daily')"), 'day,site,kind,key,hits,results');
  assert.equal(Number(sql("SELECT count(*) FROM analytics_daily WHERE key LIKE '%127.0.0.1%' OR key LIKE '%secret%'"
    + " OR key LIKE '%@%' OR key LIKE '%/list/of%' OR key LIKE '%Mozilla%'")), 0);
  assert.equal(Number(sql("SELECT count(*) FROM analytics_daily WHERE key GLOB '*[0-9].[0-9]*.[0-9]*.[0-9]*'")), 0);
  assert.equal(hits('search', '(個人情報の可能性があるため記録しません)'), 1);
  assert.equal(sql("SELECT DISTINCT day FROM analytics_daily"),
    new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10), 'days are Japan time');
});

test('editors see the figures: chart with a data table, top pages, referrers, search words with 0件, 404s, registrations', async () => {
  const c = await clerk();
  // staff browsing is not counted
  await c.send('/');
  await c.send('/groups/');
  const res = await c.send('/admin/analytics/');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const html = await res.text();
  assert.match(html, /<title>アクセス解析｜/);
  assert.match(html, /<html lang="ja" class="[^"]*site-admin">/, 'the admin layout');
  assert.match(html, /<a href="\/admin\/analytics\/\?period=30" aria-current="page">直近30日<\/a>/);
  // the SVG chart: accessible name, description, followed by the table
  assert.match(html, /<svg [^>]*role="img"[^>]*aria-labelledby="chart-views-title chart-views-desc"/);
  assert.match(html, /<title id="chart-views-title">閲覧数の推移（両サイト）<\/title>/);
  assert.match(html, /<desc id="chart-views-desc">[^<]*合計10件/);
  assert.match(html, /<caption id="cap-views">/);
  assert.match(html, /期間中の閲覧数は合計10件です/);
  assert.match(html, /<th scope="row"><a href="\/">\/<\/a><\/th><td>トップページ（スーパーネット）<\/td><td>2<\/td>/);
  assert.match(html, /<th scope="row"><a href="\/groups\/">\/groups\/<\/a><\/th><td>団体・企業を探す<\/td><td>2<\/td>/,
    'staff views not counted');
  assert.match(html, /<th scope="row">www\.example\.org<\/th><td>1<\/td>/);
  const gid = sql("SELECT id FROM groups WHERE status='published' ORDER BY id LIMIT 1");
  const gname = sql(`SELECT name FROM groups WHERE id=${gid}`).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  assert.ok(html.includes(`<th scope="row"><a href="/groups/${gid}">/groups/${gid}</a></th><td>${gname}</td><td>1</td>`),
    'a detail page is listed with its title');
  assert.match(html, new RegExp(`<th scope="row">${ZERO_WORD}</th><td>スーパーネット</td><td>2</td><td><strong class="zero-result">0件<span class="visually-hidden">（該当なし）</span></strong></td>`));
  assert.match(html, /<th scope="row">福祉<\/th><td>スーパーネット<\/td><td>1<\/td><td>[1-9]\d*<\/td>/);
  assert.match(html, /結果が0件だった検索語が1語あります（「0件」の印）/);
  assert.match(html, /<th scope="row">\/no-such-page-an<\/th><td>1<\/td>/);
  assert.match(html, /<h2 id="h-registrations">登録・投稿の推移<\/h2>/);
  assert.match(html, /<title id="chart-registrations-title">/);
  assert.match(html, /<th scope="col">団体・企業の登録<\/th>/);
  assert.match(html, /<th scope="col">あいかさねっと会員登録<\/th>/);
  assert.match(html, /href="\/admin\/analytics\/export\.csv\?table=search&amp;period=30"/);

  // site filter: Aika only
  const aika = await (await c.send('/admin/analytics/?period=7&site=aika')).text();
  assert.match(aika, /<option value="aika" selected>/);
  assert.match(aika, /<th scope="row"><a href="\/aikasanet\/">\/aikasanet\/<\/a><\/th><td>トップページ（あいかさねっと）<\/td><td>1<\/td>/);
  assert.doesNotMatch(aika, /\/no-such-page-an/);
  assert.doesNotMatch(aika, /<th scope="col">団体・企業の登録<\/th>/);

  // a range without data, a long range by month, and errors named per field
  const old = await (await c.send('/admin/analytics/?from=2001-01-01&to=2001-01-31')).text();
  assert.match(old, /2001年1月1日〜2001年1月31日（31日間、両サイト）/);
  assert.doesNotMatch(old, /no-such-page-an/);
  assert.match(old, /この期間のデータはありません。/);
  const year = await (await c.send('/admin/analytics/?from=2000-01-01&to=2000-12-31')).text();
  assert.match(year, /<th scope="col">月<\/th>/);
  assert.match(year, /<th scope="row">2000年12月<\/th>/);
  let bad = await c.send('/admin/analytics/?from=2026-13-01&to=2026-01-01');
  assert.equal(bad.status, 422);
  let text = await bad.text();
  assert.match(text, /<title>エラー：アクセス解析/);
  assert.match(text, /<a href="#f-from">開始日は「2026-04-01」の形で/);
  assert.match(text, /id="f-from" name="from" value="2026-13-01"/, 'input kept');
  bad = await c.send('/admin/analytics/?from=2026-05-01&to=2026-04-01');
  assert.equal(bad.status, 422);
  assert.match(await bad.text(), /終了日は開始日と同じか、それより後の日付にしてください。/);
});

test('CSV export of each table, with a byte-order mark, audited', async () => {
  const c = await clerk();
  const before = Number(sql("SELECT count(*) FROM audit_log WHERE action='analytics_export'"));
  let res = await c.send('/admin/analytics/export.csv?table=search&period=30');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/csv/);
  assert.match(res.headers.get('content-disposition'), /attachment; filename="analytics-search-words-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv"/);
  const buf = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const csv = buf.toString('utf8').slice(1);
  assert.match(csv, /^検索語,サイト,検索回数,結果の件数\r\n/);
  assert.match(csv, new RegExp(`${ZERO_WORD},スーパーネット,2,0\\r\\n`));
  const tables = { views: /^日付,スーパーネット,あいかさねっと,合計\r\n/, pages: /\/groups\/,団体・企業を探す,2\r\n/,
    referrers: /www\.example\.org,1\r\n/, notfound: /\/no-such-page-an,1\r\n/, registrations: /^日付,団体・企業の登録,/ };
  for (const [t, re] of Object.entries(tables)) {
    res = await c.send(`/admin/analytics/export.csv?table=${t}&period=30`);
    assert.equal(res.status, 200, t);
    assert.match((await res.text()).replace(/^\uFEFF/, ''), re, t);
  }
  assert.equal((await c.send('/admin/analytics/export.csv?table=nope')).status, 404);
  assert.equal(Number(sql("SELECT count(*) FROM audit_log WHERE action='analytics_export'")), before + 6);
  assert.match(sql("SELECT detail FROM audit_log WHERE action='analytics_export' ORDER BY id LIMIT 1"),
    /^table=search from=\d{4}-\d\d-\d\d to=\d{4}-\d\d-\d\d site=all rows=\d+$/);
});

test('Google Analytics: set per site by an administrator → tag and CSP hosts; empty → nothing; the cache follows', async () => {
  // fill the page cache without GA first
  await visit('/');
  let res = await visit('/');
  assert.equal(res.headers.get('x-cache'), 'hit');
  assert.equal(res.headers.get('content-security-policy'), BASE_CSP);

  const a = await chief();
  let form = await (await a.send('/admin/analytics/settings')).text();
  assert.match(form, /<label for="f-supernet_ga_id">スーパーネットの測定ID<\/label>/);
  assert.match(form, /id="f-retention_days" name="retention_days" value="1095"/);
  res = await a.post('/admin/analytics/settings', { supernet_ga_id: 'UA-1234-1', aika_ga_id: '', retention_days: '10' });
  assert.equal(res.status, 422);
  form = await res.text();
  assert.match(form, /<a href="#f-supernet_ga_id">スーパーネットの測定IDは「G-」と英大文字・数字4〜20文字で入力してください/);
  assert.match(form, /<a href="#f-retention_days">アクセス数の保存日数は30〜3650日の範囲で入力してください。/);
  assert.match(form, /value="UA-1234-1"/, 'input kept');
  res = await a.post('/admin/analytics/settings', { supernet_ga_id: ' g-abc123def4 ', aika_ga_id: '', retention_days: '1095' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/analytics/settings?done=saved');
  assert.equal(sql("SELECT value FROM settings WHERE site='supernet' AND key='ga_id'"), 'G-ABC123DEF4');
  assert.match(sql("SELECT detail FROM audit_log WHERE action='analytics_settings'"), /supernet\.ga_id=G-ABC123DEF4/);

  res = await fetch(srv.url + '/', { headers: { 'user-agent': UA } });
  assert.notEqual(res.headers.get('x-cache'), 'hit', 'the setting empties the page cache');
  let html = await res.text();
  assert.match(html, /<script async src="https:\/\/www\.googletagmanager\.com\/gtag\/js\?id=G-ABC123DEF4"><\/script>/);
  assert.match(html, /<script src="\/static\/js\/ga\.js" data-ga-id="G-ABC123DEF4" defer><\/script>/);
  assert.doesNotMatch(html, /<script>/, 'no inline script');
  const csp = res.headers.get('content-security-policy');
  const dir = Object.fromEntries(csp.split('; ').map((d) => { const [k, ...v] = d.split(' '); return [k, v.join(' ')]; }));
  assert.equal(dir['script-src'], "'self' https://www.googletagmanager.com");
  assert.equal(dir['img-src'], "'self' data: https://*.google-analytics.com https://*.googletagmanager.com");
  assert.equal(dir['connect-src'],
    "'self' https://*.google-analytics.com https://*.analytics.google.com https://*.googletagmanager.com");
  assert.equal(dir['default-src'], "'self'");
  assert.equal(dir['style-src'], "'self'");
  assert.equal(dir['frame-ancestors'], "'none'");
  // the cached copy carries the same CSP
  res = await visit('/');
  assert.equal(res.headers.get('x-cache'), 'hit');
  assert.equal(res.headers.get('content-security-policy'), csp);
  // the other site has no ID: nothing loaded, CSP unchanged; staff pages never
  res = await fetch(srv.url + '/aikasanet/', { headers: { 'user-agent': UA } });
  assert.doesNotMatch(await res.text(), /googletagmanager|ga\.js/);
  assert.equal(res.headers.get('content-security-policy'), BASE_CSP);
  res = await a.send('/admin/analytics/');
  html = await res.text();
  assert.doesNotMatch(html, /<script[^>]*googletagmanager/);
  assert.equal(res.headers.get('content-security-policy'), BASE_CSP);
  assert.match(html, /スーパーネット：測定ID G-ABC123DEF4 を読み込んでいます/);
  // the static configuration script
  res = await fetch(srv.url + '/static/js/ga.js');
  assert.equal(res.status, 200);
  assert.match(await res.text(), /getAttribute\('data-ga-id'\)/);

  // cleared → nothing is loaded again
  res = await a.post('/admin/analytics/settings', { supernet_ga_id: '', aika_ga_id: '', retention_days: '1095' });
  assert.equal(res.status, 303);
  res = await fetch(srv.url + '/', { headers: { 'user-agent': UA } });
  assert.doesNotMatch(await res.text(), /googletagmanager|ga\.js/);
  assert.equal(res.headers.get('content-security-policy'), BASE_CSP);
});

test('daily counts older than the retention period are deleted', async () => {
  sql("INSERT INTO analytics_daily(day, site, kind, key, hits) VALUES ('2001-02-03', 'supernet', 'view', '/old-an', 5)");
  const a = await chief();
  const res = await a.post('/admin/analytics/settings', { supernet_ga_id: '', aika_ga_id: '', retention_days: '365' });
  assert.equal(res.status, 303);
  assert.equal(sql("SELECT value FROM settings WHERE site='global' AND key='analytics_retention_days'"), '365');
  assert.equal(hits('view', '/old-an'), 0, 'the old row is gone');
  assert.equal(hits('view', '/groups/'), 2, 'recent rows stay');
});

test('raw counts stay bounded: beyond 2,000 keys a day new ones are counted under (その他)', async () => {
  const day = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
  sql(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
    INSERT OR IGNORE INTO analytics_daily(day, site, kind, key, hits) SELECT '${day}', 'aika', 'notfound', '/aikasanet/junk-' || i, 1 FROM n`);
  assert.equal((await visit('/aikasanet/brand-new-missing-page')).status, 404);
  await waitFor('the background job', () => hits('notfound', '(その他)', 'aika') === 1);
  assert.equal(hits('notfound', '/aikasanet/brand-new-missing-page', 'aika'), 0);
  assert.equal(Number(sql(`SELECT count(*) FROM analytics_daily WHERE day='${day}' AND site='aika' AND kind='notfound'`)), 2001);
  // a very long address is cut to 200 bytes before it is kept
  const long = '/x' + 'あ'.repeat(300);
  assert.equal((await visit(encodeURI(long))).status, 404);
  await waitFor('the background job', () => Number(sql("SELECT count(*) FROM analytics_daily WHERE key LIKE '/xあ%'")) === 1);
  assert.ok(Number(sql("SELECT length(CAST(key AS BLOB)) FROM analytics_daily WHERE key LIKE '/xあ%'")) <= 200);
});
