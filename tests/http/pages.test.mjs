// pages.test.mjs — both sites' skeleton over real HTTP (issue 2 §7): top
// pages from the database, news lists and details, the admin entrance,
// central error pages in Japanese, security headers on every response.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const get = (p, opts = {}) => fetch(srv.url + p, { redirect: 'manual', ...opts });
const sql = (q) => execFileSync('sqlite3', [path.join(srv.dataDir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();

test('Supernet top page shows the S1 sections from the database', async () => {
  const res = await get('/');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<html lang="ja"/);
  for (const h of ['新着の団体・企業情報', '募集情報（新着3件）', '助成金情報（新着3件）', 'センターからのお知らせ', 'センターの利用について'])
    assert.ok(html.includes(h), `section ${h}`);
  const newest = sql("SELECT title FROM news WHERE site='supernet' AND category='news' AND status='published' ORDER BY published_at DESC LIMIT 1");
  assert.ok(html.includes(newest), 'newest published news is listed');
  const draft = sql("SELECT title FROM news WHERE site='supernet' AND status='draft' LIMIT 1");
  assert.ok(draft && !html.includes(draft), 'drafts never appear');
  const grant = sql("SELECT title FROM grants WHERE status='published' ORDER BY published_at DESC LIMIT 1");
  assert.ok(html.includes(grant), 'newest grant listed');
});

test('Aika top page shows live member counts and newest items', async () => {
  const res = await get('/aikasanet/');
  assert.equal(res.status, 200);
  const html = await res.text();
  const n = (k) => sql(`SELECT count(*) FROM members WHERE status='published' AND kind='${k}'`);
  const total = sql("SELECT count(*) FROM members WHERE status='published'");
  assert.ok(html.includes(`個人 ${n('individual')}件`), 'individual count');
  assert.ok(html.includes(`団体 ${n('group')}件`), 'group count');
  assert.ok(html.includes(`企業 ${n('company')}件`), 'company count');
  assert.ok(html.includes(`全 ${total}件`), 'total count');
  assert.match(html, /ボランティア募集情報/);
  const paused = sql("SELECT display_name FROM members WHERE status='paused' LIMIT 1");
  assert.ok(paused && !html.includes(paused), 'paused members are not listed');
});

test('titles are unique per page and name the site', async () => {
  const titles = new Set();
  for (const p of ['/', '/aikasanet/', '/news/', '/center-news/', '/aikasanet/news/', '/admin/login']) {
    const html = await (await get(p)).text();
    const t = html.match(/<title>([^<]+)<\/title>/)[1];
    assert.ok(!titles.has(t), `duplicate title ${t}`);
    titles.add(t);
  }
  assert.equal(titles.size, 6);
});

test('news list pages and links to published details only', async () => {
  const total = Number(sql("SELECT count(*) FROM news WHERE site='supernet' AND category='news' AND status='published'"));
  const html = await (await get('/news/')).text();
  assert.ok(html.includes(`全${total}件中 1〜${Math.min(10, total)}件を表示`));
  const ids = [...html.matchAll(/href="\/news\/(\d+)"/g)].map((m) => m[1]);
  assert.equal(ids.length, Math.min(10, total));
  const detail = await get(`/news/${ids[0]}`);
  assert.equal(detail.status, 200);
  const dhtml = await detail.text();
  const title = sql(`SELECT title FROM news WHERE id=${ids[0]}`);
  assert.ok(dhtml.includes(`<h1>${title}</h1>`) || dhtml.includes(title));
  assert.match(dhtml, /パンくずリスト/);
  if (total > 10) {
    const p2 = await (await get('/news/?page=2')).text();
    assert.ok(p2.includes(`全${total}件中 11〜`));
  }
  assert.equal((await get('/news/?page=999')).status, 404);
  const draftId = sql("SELECT id FROM news WHERE site='supernet' AND category='news' AND status='draft' LIMIT 1");
  assert.equal((await get(`/news/${draftId}`)).status, 404, 'a draft has no public page');
  const aikaId = sql("SELECT id FROM news WHERE site='aika' AND status='published' LIMIT 1");
  assert.equal((await get(`/news/${aikaId}`)).status, 404, 'an Aika item is not shown under Supernet');
  assert.equal((await get(`/aikasanet/news/${aikaId}`)).status, 200);
});

test('admin refuses anonymous visitors', async () => {
  const res = await get('/admin/');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/login?next=%2Fadmin%2F');
  const login = await get('/admin/login');
  assert.equal(login.status, 200);
  const html = await login.text();
  assert.match(html, /<label for="login">ログインID<\/label>/);
  assert.match(html, /<label for="password">パスワード<\/label>/);
  assert.match(login.headers.get('cache-control'), /no-store/);
});

test('healthz checks the database', async () => {
  const res = await get('/healthz');
  assert.equal(res.status, 200);
  assert.match(await res.text(), /^ok\nmigrations \d+/);
});

test('error pages are in Japanese inside the site layout', async () => {
  let res = await get('/no-such-page');
  assert.equal(res.status, 404);
  let html = await res.text();
  assert.match(html, /ページが見つかりません/);
  assert.match(html, /グローバルナビゲーション/, 'Supernet layout');
  res = await get('/aikasanet/no-such-page');
  html = await res.text();
  assert.equal(res.status, 404);
  assert.match(html, /<html lang="ja" class="[^"]*site-aika/, 'Aika layout for Aika paths');
  res = await get('/', { method: 'DELETE' });
  assert.equal(res.status, 405);
  assert.match(await res.text(), /この操作はできません/);
  res = await get('/news/', { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'GET, HEAD');
});

test('security headers on every kind of response', async () => {
  for (const p of ['/', '/news/', '/admin/login', '/no-such-page', '/static/css/site.css', '/admin/']) {
    const res = await get(p);
    const h = res.headers;
    const csp = h.get('content-security-policy') || '';
    assert.match(csp, /script-src 'self'/, `${p} CSP`);
    assert.doesNotMatch(csp, /unsafe-inline/, `${p} CSP without inline script`);
    assert.match(csp, /frame-ancestors 'none'/, `${p} frame-ancestors`);
    assert.equal(h.get('x-frame-options'), 'DENY', `${p} XFO`);
    assert.equal(h.get('x-content-type-options'), 'nosniff', `${p} nosniff`);
    assert.ok(h.get('referrer-policy'), `${p} Referrer-Policy`);
  }
});

test('pages contain no inline script or style attributes that CSP would block', async () => {
  for (const p of ['/', '/aikasanet/', '/news/', '/admin/login']) {
    const html = await (await get(p)).text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, `${p} inline script`);
    assert.doesNotMatch(html, /\sstyle="/i, `${p} style attribute`);
    assert.doesNotMatch(html, /\son[a-z]+="/i, `${p} event handler attribute`);
  }
});

test('static files are served with a type, dotfiles and traversal are not', async () => {
  const css = await get('/static/css/site.css');
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type'), /^text\/css/);
  assert.equal((await get('/static/css/nope.css')).status, 404);
  assert.equal((await get('/static/.hidden.css')).status, 404);
  assert.equal((await get('/static/css/site.exe')).status, 404);
});

test('display switcher sets a cookie, returns, and changes the markup without JavaScript', async () => {
  const res = await get('/settings/display?fs=xl&return=%2Fnews%2F');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/news/');
  const cookie = res.headers.get('set-cookie');
  assert.match(cookie, /cn_fs=xl/);
  assert.match(cookie, /Max-Age=\d+/, 'remembered across visits');
  const html = await (await get('/news/', { headers: { cookie: 'cn_fs=xl; cn_bg=k' } })).text();
  assert.match(html, /<html lang="ja" class="fs-xl bg-k/);
  const plain = await (await get('/news/')).text();
  assert.match(plain, /class="fs-m bg-w/, 'cache keeps preferences apart');
  const bad = await get('/settings/display?bg=zz&return=//evil.example/');
  assert.equal(bad.headers.get('location'), '/', 'no open redirect');
  assert.doesNotMatch(bad.headers.get('set-cookie') || '', /cn_bg=zz/);
});
