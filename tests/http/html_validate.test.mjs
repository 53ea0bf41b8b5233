// html_validate.test.mjs — every page type is valid HTML (issue 4
// "Quality": HTML validation, zero errors) and reachable by following
// links. A crawler starts at both sites' top pages (anonymous) and at the
// admin dashboard (an editor), follows same-site links breadth-first, and
// validates the first page of each URL shape (digits folded, query
// dropped) with html-validate's "standard" preset — the HTML standard's
// rules, not style preferences. It also proves that the sections the
// issue names are reachable from the navigation, not only by typing URLs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { HtmlValidate } from 'html-validate';
import { startServer, userAdd } from '../lib/server.mjs';

let srv;
const validator = new HtmlValidate({
  extends: ['html-validate:standard'],
  rules: {
    // the layout's text-size/colour switcher uses a nav with an ordinary
    // list; these two fire on widely accepted patterns only
    'no-redundant-role': 'off',
  },
});

before(async () => {
  srv = await startServer({ demo: true });
  await userAdd(srv.dataDir, 'clerk', 'editor', 'clerk-password-1');
});
after(async () => { await srv.stop(); });

function client() {
  const jar = new Map();
  const send = async (p, opts = {}) => {
    const headers = { ...(opts.headers || {}) };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(srv.url + p, { redirect: 'manual', ...opts, headers });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      if (/Max-Age=0/.test(c)) jar.delete(kv.slice(0, i)); else jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
    return res;
  };
  const post = async (p, fields) => {
    const tok = (await (await send(p)).text()).match(/name="_csrf" value="([^"]+)"/)[1];
    return send(p, { method: 'POST', body: new URLSearchParams({ _csrf: tok, ...fields }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  };
  return { send, post };
}

const shape = (p) => p.split('?')[0].replace(/\d+/g, 'N');
const SKIP = /^\/(static|files)\/|\.(atom|ics|xml|txt|csv)$|\/logout$|^\/settings\/display/;

/** Breadth-first crawl from starts; returns {visited shapes → path, failures}. */
async function crawl(c, starts, within, limit = 400) {
  const queue = [...starts];
  const seenPath = new Set(queue);
  const shapes = new Map();
  const problems = [];
  while (queue.length && shapes.size < limit) {
    const p = queue.shift();
    const s = shape(p);
    if (shapes.has(s)) continue;
    const res = await c.send(p);
    const type = res.headers.get('content-type') || '';
    if (res.status !== 200 || !type.startsWith('text/html')) {
      shapes.set(s, p);
      if (res.status >= 400) problems.push(`${p}: HTTP ${res.status}`);
      continue;
    }
    const html = await res.text();
    shapes.set(s, p);
    const report = await validator.validateString(html, p);
    if (!report.valid)
      for (const r of report.results)
        for (const m of r.messages) problems.push(`${p}:${m.line}:${m.column} ${m.ruleId}: ${m.message}`);
    for (const [, href] of html.matchAll(/<a [^>]*href="([^"#]+)/g)) {
      const u = href.replace(/&amp;/g, '&');
      if (!u.startsWith('/') || u.startsWith('//') || SKIP.test(u) || !within(u)) continue;
      if (seenPath.has(u)) continue;
      seenPath.add(u);
      queue.push(u);
    }
  }
  return { shapes, problems };
}

test('public pages of both sites are valid HTML and the sections are linked', async () => {
  const { shapes, problems } = await crawl(client(), ['/', '/aikasanet/'], (u) => !u.startsWith('/admin'));
  assert.deepEqual(problems, [], problems.join('\n'));
  // S1–S13 sections reachable from the navigation (not only by URL)
  for (const s of ['/groups/', '/events/', '/grants/', '/reports/', '/books/', '/news/', '/center-news/',
                   '/search', '/sitemap', '/contact', '/register/', '/events/calendar', '/grants/calendar',
                   '/groups/N', '/events/N', '/grants/N', '/books/N', '/news/N'])
    assert.ok(shapes.has(s), `${s} is reachable by links from the top page`);
  assert.ok(shapes.size >= 25, `crawled ${shapes.size} page shapes`);
});

test('staff pages are valid HTML', async () => {
  const c = client();
  assert.equal((await c.post('/admin/login', { login: 'clerk', password: 'clerk-password-1', next: '/admin/' })).status, 303);
  const { shapes, problems } = await crawl(c, ['/admin/'], (u) => u.startsWith('/admin') && !/\/(delete|duplicate|status)\b/.test(u));
  assert.deepEqual(problems, [], problems.join('\n'));
  for (const s of ['/admin/groups/', '/admin/groups/N', '/admin/events/', '/admin/grants/', '/admin/changes/'])
    assert.ok(shapes.has(s), `${s} is linked from the dashboard`);
});
