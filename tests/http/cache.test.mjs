// cache.test.mjs — the anonymous page cache (issue 2 §8): correctness
// first. A publish is visible on the very next request, whether it comes
// from this server process or another (the CLI, a second server).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });
const sql = (q) => execFileSync('sqlite3', [path.join(srv.dataDir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();

test('a repeated anonymous GET is served from the cache', async () => {
  await (await fetch(srv.url + '/news/')).text();
  const res = await fetch(srv.url + '/news/');
  assert.equal(res.headers.get('x-cache'), 'hit');
});

test('publishing a draft shows it on the next request, on every page that lists it', async () => {
  const id = sql("SELECT id FROM news WHERE site='supernet' AND category='news' AND status='draft' LIMIT 1");
  const title = sql(`SELECT title FROM news WHERE id=${id}`);
  for (const p of ['/', '/news/']) {
    await (await fetch(srv.url + p)).text();
    const again = await fetch(srv.url + p);
    assert.equal(again.headers.get('x-cache'), 'hit', `${p} cached before the publish`);
    assert.ok(!(await again.text()).includes(title));
  }
  assert.equal((await fetch(srv.url + `/news/${id}`)).status, 404);
  sql(`UPDATE news SET status='published', published_at=strftime('%Y-%m-%dT%H:%M:%SZ','now','+1 minute') WHERE id=${id}`);
  for (const p of ['/', '/news/']) {
    const res = await fetch(srv.url + p);
    assert.notEqual(res.headers.get('x-cache'), 'hit', `${p} not served stale`);
    assert.ok((await res.text()).includes(title), `${p} shows the published item`);
  }
  assert.equal((await fetch(srv.url + `/news/${id}`)).status, 200);
});

test('unpublishing removes the item on the next request', async () => {
  const id = sql("SELECT id FROM news WHERE site='aika' AND status='published' ORDER BY published_at DESC LIMIT 1");
  const title = sql(`SELECT title FROM news WHERE id=${id}`);
  assert.ok((await (await fetch(srv.url + '/aikasanet/')).text()).includes(title));
  sql(`UPDATE news SET status='draft' WHERE id=${id}`);
  assert.ok(!(await (await fetch(srv.url + '/aikasanet/')).text()).includes(title));
  assert.equal((await fetch(srv.url + `/aikasanet/news/${id}`)).status, 404);
});

test('signed-in and cookie-setting responses are never cached or shared', async () => {
  const res = await fetch(srv.url + '/admin/login');
  assert.match(res.headers.get('cache-control'), /no-store/);
  const a = await fetch(srv.url + '/admin/login');
  const b = await fetch(srv.url + '/admin/login');
  const tok = async (r) => (await r.text()).match(/name="_csrf" value="([^"]+)"/)[1];
  assert.notEqual(await tok(a), await tok(b), 'each visitor gets their own token');
  assert.notEqual(a.headers.get('x-cache'), 'hit');
});

test('operational writes (sign-ins, sessions, audit, mail queue) keep the cache', async () => {
  await (await fetch(srv.url + '/news/')).text();
  assert.equal((await fetch(srv.url + '/news/')).headers.get('x-cache'), 'hit');
  const page = await fetch(srv.url + '/admin/login');
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = (await page.text()).match(/name="_csrf" value="([^"]+)"/)[1];
  await fetch(srv.url + '/admin/login', { method: 'POST', redirect: 'manual',
    body: new URLSearchParams({ _csrf: csrf, login: 'nobody', password: 'wrong-password' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url, cookie } });
  sql("INSERT INTO login_throttle(login, failures, window_start) VALUES ('someone', 1, 0)");
  assert.ok(Number(sql('SELECT count(*) FROM audit_log')) > 0, 'the failed sign-in was written');
  assert.equal((await fetch(srv.url + '/news/')).headers.get('x-cache'), 'hit', 'still cached');
});

test('a change to any content table from another process is noticed', async () => {
  for (const [table, change] of [['settings', "UPDATE settings SET value='臨時休館のお知らせ（テスト）' WHERE site='supernet' AND key='emergency_notice'"],
    ['banners', "UPDATE banners SET label='新しいバナー（テスト）' WHERE site='supernet' AND sort=(SELECT min(sort) FROM banners WHERE site='supernet')"]]) {
    await (await fetch(srv.url + '/')).text();
    assert.equal((await fetch(srv.url + '/')).headers.get('x-cache'), 'hit', `${table}: cached before`);
    sql(change);
    const html = await (await fetch(srv.url + '/')).text();
    assert.ok(html.includes('（テスト）'), `${table}: change shown on the next request`);
  }
});
