// calendar_feeds.test.mjs — Supernet's calendars, feeds and sitemaps over
// real HTTP (issue 4; REQUIREMENTS S5, S7): the events calendar shows an
// event on every day it runs (also across a month end), the grant deadline
// calendar on the deadline day, drafts never; prev/next month links; bad
// ?ym; Atom feeds are well-formed XML with escaped titles and absolute
// links; iCalendar files (libical) have all-day dates with an exclusive
// DTEND and folded lines; sitemap.xml lists published items only; the HTML
// sitemap and robots.txt.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';

let srv;
const ids = {};

const get = (p, opts = {}) => fetch(srv.url + p, { redirect: 'manual', ...opts });
const sql = (q) =>
  execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();
const q = (s) => `'${s.replaceAll("'", "''")}'`;

// Test content in months the demo data does not use (2031), so the
// assertions do not depend on today's date.
const EV_SPAN = '月またぎテスト交流会';
const EV_DRAFT = '下書きテスト行事';
const EV_REVIEW = '仮登録テスト行事';
const EV_COMMA = 'カンマ, セミコロン; を含む とても長い名前の 県民活動 交流イベント 二〇三一 春の部';
const GR_PUB = '締切テスト助成';
const GR_DRAFT = '下書きテスト助成';
const NEWS_AMP = '防災 & 減災 <特集> "号外" のお知らせ';
const NEWS_DRAFT = '下書きのお知らせ（非公開）';

function insert(table, cols) {
  const names = Object.keys(cols).join(', ');
  const vals = Object.values(cols).map((v) => (v === null ? 'NULL' : typeof v === 'number' ? v : q(v))).join(', ');
  return Number(sql(`INSERT INTO ${table} (${names}) VALUES (${vals}); SELECT last_insert_rowid();`));
}

before(async () => {
  srv = await startServer();
  ids.span = insert('events', { title: EV_SPAN, organiser: 'テスト実行委員会', starts_on: '2031-01-30', ends_on: '2031-02-02',
    place: '山口市 テスト会館', summary: '月末から翌月にかけての催しです。', status: 'published', published_at: '2031-01-05T00:00:00Z' });
  ids.draft = insert('events', { title: EV_DRAFT, starts_on: '2031-01-20', ends_on: '2031-01-20', status: 'draft' });
  ids.review = insert('events', { title: EV_REVIEW, starts_on: '2031-01-21', ends_on: '', status: 'review' });
  ids.comma = insert('events', { title: EV_COMMA, starts_on: '2031-03-10', ends_on: '', place: '周南市',
    summary: '一日だけの催しです。', status: 'published', published_at: '2031-01-04T00:00:00Z' });
  ids.grant = insert('grants', { title: GR_PUB, funder: 'テスト財団', amount: '上限10万円', deadline: '2031-01-15',
    summary: 'テスト用の助成です。', status: 'published', published_at: '2031-01-03T00:00:00Z' });
  ids.grantDraft = insert('grants', { title: GR_DRAFT, deadline: '2031-01-16', status: 'draft' });
  ids.news = insert('news', { site: 'supernet', category: 'news', title: NEWS_AMP, body: '本文 & <b>太字ではない</b>',
    status: 'published', published_at: '2031-01-02T00:00:00Z' });
  ids.newsDraft = insert('news', { site: 'supernet', category: 'news', title: NEWS_DRAFT, status: 'draft',
    published_at: '2031-01-06T00:00:00Z' });
  ids.group = insert('groups', { kind: 'citizen', name: 'サイトマップ公開テスト団体', status: 'published',
    published_at: '2030-12-01T00:00:00Z' });
  ids.groupDraft = insert('groups', { kind: 'citizen', name: 'サイトマップ下書きテスト団体', status: 'draft' });
  ids.pageTop = insert('pages', { site: 'supernet', slug: 'testguide', title: 'テスト案内', status: 'published',
    published_at: '2030-12-01T00:00:00Z', in_menu: 1 });
  ids.pageChild = insert('pages', { site: 'supernet', parent_id: ids.pageTop, slug: 'first-steps', title: 'はじめての方へ（テスト）',
    status: 'published', published_at: '2030-12-02T00:00:00Z' });
  ids.pageHidden = insert('pages', { site: 'supernet', slug: 'hiddenparent', title: '非公開の親ページ', status: 'draft' });
  sql(`INSERT OR IGNORE INTO pages (site, slug, title, status, published_at) VALUES ('supernet', 'policy', '情報登録規約・個人情報保護方針', 'published', '2030-12-01T00:00:00Z');
       UPDATE pages SET status='published' WHERE site='supernet' AND parent_id IS NULL AND slug='policy'`);
  ids.policyChild = insert('pages', { site: 'supernet', parent_id: Number(sql("SELECT id FROM pages WHERE site='supernet' AND parent_id IS NULL AND slug='policy'")),
    slug: 'testprivacy', title: '個人情報の取扱い（テスト）', status: 'published', published_at: '2030-12-02T00:00:00Z' });
  ids.pageOrphan = insert('pages', { site: 'supernet', parent_id: ids.pageHidden, slug: 'orphan', title: '親が非公開の子ページ',
    status: 'published', published_at: '2030-12-02T00:00:00Z' });
});
after(async () => { await srv.stop(); });

// The <td> of day n in a calendar page ("" when there is none).
function cell(html, day) {
  const m = html.match(new RegExp(`<td[^>]*>\\s*<span class="cal-day">${day}<[\\s\\S]*?</td>`));
  return m ? m[0] : '';
}

async function page(p, status = 200) {
  const res = await get(p);
  assert.equal(res.status, status, `GET ${p}`);
  return res.text();
}

test('events calendar: a multi-day event appears on each of its days, across the month end', async () => {
  const jan = await page('/events/calendar?ym=2031-01');
  assert.match(jan, /<caption[^>]*>2031年1月のイベント・募集<\/caption>/);
  for (const w of ['日', '月', '火', '水', '木', '金', '土']) assert.match(jan, new RegExp(`<th scope="col"[^>]*>${w}</th>`));
  const link = `<a href="/events/${ids.span}">${EV_SPAN}</a>`;
  assert.ok(cell(jan, 30).includes(link), 'on 30 January');
  assert.ok(cell(jan, 31).includes(link), 'on 31 January');
  assert.ok(!cell(jan, 29).includes(EV_SPAN), 'not the day before it starts');
  const feb = await page('/events/calendar?ym=2031-02');
  assert.ok(cell(feb, 1).includes(link) && cell(feb, 2).includes(link), 'on 1 and 2 February');
  assert.ok(!cell(feb, 3).includes(EV_SPAN), 'not the day after it ends');
  // the list alternative: once, with its dates
  const list = jan.slice(jan.indexOf('id="cal-list"'));
  assert.equal(list.split(EV_SPAN).length - 1, 1, 'listed once below the table');
  assert.match(list, /<time datetime="2031-01-30">1月30日（木）<\/time>〜<time datetime="2031-02-02">2月2日（日）<\/time>/);
  assert.match(list, /山口市 テスト会館/);
});

test('events calendar: a busy day shows four links and 「ほかN件」 pointing to the full list', async () => {
  for (let i = 1; i <= 6; i++)
    insert('events', { title: `混雑日テスト${i}`, starts_on: '2031-04-10', status: 'published', published_at: '2030-12-01T00:00:00Z' });
  const html = await page('/events/calendar?ym=2031-04');
  const c = cell(html, 10);
  assert.equal((c.match(/混雑日テスト\d/g) || []).length, 4, 'four links in the cell');
  assert.match(c, /<a class="cal-more" href="#cal-list">ほか2件<span class="visually-hidden">（10日の全件を一覧で見る）<\/span><\/a>/);
  const list = html.slice(html.indexOf('id="cal-list"'));
  for (let i = 1; i <= 6; i++) assert.ok(list.includes(`混雑日テスト${i}`), `all six in the list (${i})`);
});

test('events calendar: drafts and items under review never appear', async () => {
  const jan = await page('/events/calendar?ym=2031-01');
  assert.ok(!jan.includes(EV_DRAFT), 'draft hidden');
  assert.ok(!jan.includes(EV_REVIEW), 'review hidden');
  assert.ok(!jan.includes(`/events/${ids.draft}"`));
});

test('calendar: previous/next month links are plain links with the month in words', async () => {
  const jan = await page('/events/calendar?ym=2031-01');
  assert.match(jan, /<a href="\?ym=2030-12" rel="prev">前の月（2030年12月）<\/a>/);
  assert.match(jan, /<a href="\?ym=2031-02" rel="next">次の月（2031年2月）<\/a>/);
  const next = await page('/events/calendar?ym=2031-02');
  assert.match(next, /<title>イベント・募集カレンダー（2031年2月）｜/);
  // the ends of the supported range have no link beyond it
  const first = await page('/events/calendar?ym=2000-01');
  assert.ok(!first.includes('前の月'), 'no month before 2000-01');
  const last = await page('/grants/calendar?ym=2100-12');
  assert.ok(!last.includes('次の月'), 'no month after 2100-12');
  // breadcrumbs back to the list
  assert.match(jan, /<nav class="breadcrumbs"[\s\S]*<a href="\/events\/">イベント・募集<\/a>/);
});

test('calendar: a malformed ym is 400, a year out of range 404, both in Japanese', async () => {
  for (const ym of ['abc', '2031-13', '2031-00', '2031-1', '20310-01', '２０３１-01']) {
    const html = await page(`/events/calendar?ym=${encodeURIComponent(ym)}`, 400);
    assert.match(html, /リクエストが正しくありません/, ym);
  }
  for (const ym of ['1999-12', '2101-01']) {
    const html = await page(`/grants/calendar?ym=${ym}`, 404);
    assert.match(html, /ページが見つかりません/, ym);
  }
});

test('calendar without ym shows the current month in Japan time with today marked', async () => {
  const jst = () => {
    const d = new Date(Date.now() + 9 * 3600 * 1000);
    return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
  };
  const before = jst();
  const html = await page('/events/calendar');
  const after = jst();
  const ok = [before, after].some((t) => html.includes(`<caption id="cal-caption">${t.y}年${t.m}月のイベント・募集</caption>`)
    && new RegExp(`<td[^>]*aria-current="date"[^>]*>\\s*<span class="cal-day">${t.d}<`).test(html));
  assert.ok(ok, 'current month in the caption and today\'s cell has aria-current="date"');
  assert.match(html, /<span class="cal-today-label">今日<\/span>/);
  assert.equal(html.split('aria-current="date"').length - 1, 1, 'exactly one day is today');
});

test('grant deadline calendar: a grant appears on its deadline day only; drafts never', async () => {
  const html = await page('/grants/calendar?ym=2031-01');
  assert.match(html, /<h1>募集締め切りカレンダー/);
  assert.ok(cell(html, 15).includes(`href="/grants/${ids.grant}"`), 'on the deadline day');
  assert.ok(cell(html, 15).includes(GR_PUB));
  assert.ok(!cell(html, 14).includes(GR_PUB) && !cell(html, 16).includes(GR_PUB), 'only that day');
  assert.ok(!html.includes(GR_DRAFT), 'draft hidden');
  assert.match(html, /締切 <time datetime="2031-01-15">1月15日（水）<\/time>/);
});

test('calendar pages link their feeds visibly and in <head>', async () => {
  const ev = await page('/events/calendar?ym=2031-01');
  assert.match(ev, /<link rel="alternate" type="application\/atom\+xml" title="[^"]+" href="\/events\/feed.atom">/);
  assert.match(ev, /<a href="\/events\/feed.atom" type="application\/atom\+xml">[^<]+<\/a>/);
  assert.match(ev, /<a href="\/events\/calendar.ics" type="text\/calendar">[^<]+<\/a>/);
  const gr = await page('/grants/calendar?ym=2031-01');
  assert.match(gr, /<a href="\/grants\/deadlines.ics" type="text\/calendar">/);
  assert.match(gr, /<a href="\/grants\/feed.atom" type="application\/atom\+xml">/);
});

// xmllint when installed, else a small well-formedness check.
function assertWellFormedXml(xml, what) {
  const lint = spawnSync('xmllint', ['--noout', '-'], { input: xml, encoding: 'utf8' });
  if (!lint.error) {
    assert.equal(lint.status, 0, `${what} is not well-formed XML:\n${lint.stderr}`);
    return;
  }
  assert.match(xml, /^<\?xml version="1.0" encoding="utf-8"\?>\n/);
  const stack = [];
  for (const m of xml.replace(/<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([A-Za-z][\w:.-]*)[^>]*?(\/?)>|&(?!(amp|lt|gt|quot|#39|apos);)/g)) {
    assert.ok(m[2], `${what}: bare & at ${m.index}`);
    if (m[3]) continue;
    if (m[1]) assert.equal(stack.pop(), m[2], `${what}: mismatched </${m[2]}>`);
    else stack.push(m[2]);
  }
  assert.equal(stack.length, 0, `${what}: unclosed ${stack.join(',')}`);
}

test('Atom feeds: well-formed, newest published first, titles escaped, absolute links', async () => {
  const res = await get('/news/feed.atom');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/atom+xml; charset=utf-8');
  const xml = await res.text();
  assertWellFormedXml(xml, '/news/feed.atom');
  assert.match(xml, /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
  const firstEntry = xml.slice(xml.indexOf('<entry>'), xml.indexOf('</entry>'));
  assert.ok(firstEntry.includes('<title>防災 &amp; 減災 &lt;特集&gt; &quot;号外&quot; のお知らせ</title>'), 'newest, escaped');
  assert.ok(!xml.includes('<特集>'), 'no raw markup from the title');
  assert.ok(firstEntry.includes(`<link rel="alternate" type="text/html" href="${srv.url}/news/${ids.news}"/>`), 'absolute link');
  assert.ok(!xml.includes(NEWS_DRAFT), 'drafts never');
  assert.ok((xml.match(/<entry>/g) || []).length <= 20, 'at most 20 entries');
  assert.match(xml, /<link rel="self" type="application\/atom\+xml" href="http:\/\/127\.0\.0\.1:\d+\/news\/feed.atom"\/>/);
  assert.match(xml, /<updated>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/updated>/);

  const centre = await (await get('/center-news/feed.atom')).text();
  assertWellFormedXml(centre, '/center-news/feed.atom');
  assert.ok(!centre.includes('防災 &amp; 減災'), 'centre feed has only centre news');
  const centreTitle = sql("SELECT title FROM news WHERE site='supernet' AND category='centre' AND status='published' ORDER BY published_at DESC LIMIT 1");
  if (centreTitle) assert.ok(centre.includes(centreTitle.replaceAll('&', '&amp;')), 'newest centre news');

  const ev = await (await get('/events/feed.atom')).text();
  assertWellFormedXml(ev, '/events/feed.atom');
  assert.ok(ev.indexOf(EV_SPAN) > 0 && ev.indexOf(EV_SPAN) < ev.indexOf(EV_COMMA), 'newest event first');
  assert.ok(ev.includes(`${srv.url}/events/${ids.span}`));
  assert.ok(!ev.includes(EV_DRAFT) && !ev.includes(EV_REVIEW));
  assert.match(ev, /開催日：2031年1月30日〜2031年2月2日/);

  const gr = await (await get('/grants/feed.atom')).text();
  assertWellFormedXml(gr, '/grants/feed.atom');
  assert.ok(gr.includes(`<title>${GR_PUB}</title>`) && !gr.includes(GR_DRAFT));
  assert.match(gr, /締切：2031年1月15日/);
});

// Split an iCalendar body into physical lines (checking CRLF) and unfold.
function icsLines(body) {
  assert.ok(!/[^\r]\n/.test(body), 'every line ends with CRLF');
  const physical = body.split('\r\n');
  assert.equal(physical.pop(), '', 'ends with CRLF');
  for (const l of physical) assert.ok(Buffer.byteLength(l, 'utf8') <= 75, `line longer than 75 octets: ${l}`);
  return body.replace(/\r\n[ \t]/g, '').split('\r\n').slice(0, -1);
}

function vevent(lines, uid) {
  const at = lines.indexOf(`UID:${uid}`);
  assert.ok(at > 0, `VEVENT ${uid} present`);
  let s = at, e = at;
  while (lines[s] !== 'BEGIN:VEVENT') s--;
  while (lines[e] !== 'END:VEVENT') e++;
  return lines.slice(s, e + 1);
}

test('events iCalendar: all-day dates, exclusive DTEND, escaped text, folded lines', async () => {
  const res = await get('/events/calendar.ics');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/calendar; charset=utf-8');
  const lines = icsLines(await res.text());
  assert.equal(lines[0], 'BEGIN:VCALENDAR');
  assert.ok(lines.includes('VERSION:2.0') && lines.some((l) => l.startsWith('PRODID:')));
  const ev = vevent(lines, `event-${ids.span}@civicnet`);
  assert.ok(ev.includes('DTSTART;VALUE=DATE:20310130'), ev.join('\n'));
  assert.ok(ev.includes('DTEND;VALUE=DATE:20310203'), 'DTEND is the day after ends_on');
  assert.ok(ev.includes(`SUMMARY:${EV_SPAN}`));
  assert.ok(ev.includes('LOCATION:山口市 テスト会館'));
  assert.ok(ev.includes(`URL:${srv.url}/events/${ids.span}`));
  assert.ok(ev.some((l) => l.startsWith('DTSTAMP:')) && ev.some((l) => l.startsWith('DESCRIPTION:')));
  const one = vevent(lines, `event-${ids.comma}@civicnet`);
  assert.ok(one.includes('DTSTART;VALUE=DATE:20310310') && one.includes('DTEND;VALUE=DATE:20310311'), 'one-day event');
  assert.ok(one.includes(`SUMMARY:${EV_COMMA.replace(',', '\\,').replace(';', '\\;')}`), 'TEXT escaping');
  const all = lines.join('\n');
  assert.ok(!all.includes(`event-${ids.draft}@`) && !all.includes(`event-${ids.review}@`), 'drafts never');
  assert.equal(lines.at(-1), 'END:VCALENDAR');
});

test('grant deadlines iCalendar: one all-day event per deadline, 「締切：」 summary', async () => {
  const res = await get('/grants/deadlines.ics');
  assert.equal(res.headers.get('content-type'), 'text/calendar; charset=utf-8');
  const lines = icsLines(await res.text());
  const ev = vevent(lines, `grant-${ids.grant}@civicnet`);
  assert.ok(ev.includes(`SUMMARY:締切：${GR_PUB}`));
  assert.ok(ev.includes('DTSTART;VALUE=DATE:20310115') && ev.includes('DTEND;VALUE=DATE:20310116'));
  assert.ok(!lines.join('\n').includes(GR_DRAFT));
});

test('sitemap.xml: fixed public pages and published items only', async () => {
  const res = await get('/sitemap.xml');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/xml/);
  const xml = await res.text();
  assertWellFormedXml(xml, '/sitemap.xml');
  assert.match(xml, /<urlset xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/);
  const locs = [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
  const has = (p) => locs.includes(srv.url + p);
  assert.ok(has('/') && has('/news/') && has('/events/calendar') && has('/grants/calendar') && has('/sitemap'), 'fixed pages');
  assert.ok(has(`/groups/${ids.group}`), 'published group');
  assert.ok(!has(`/groups/${ids.groupDraft}`), 'draft group absent');
  assert.ok(has(`/events/${ids.span}`) && !has(`/events/${ids.draft}`) && !has(`/events/${ids.review}`));
  assert.ok(has(`/grants/${ids.grant}`) && !has(`/grants/${ids.grantDraft}`));
  assert.ok(has(`/news/${ids.news}`) && !has(`/news/${ids.newsDraft}`));
  assert.ok(has('/p/testguide') && has('/p/testguide/first-steps'), 'fixed pages by their parent chain');
  assert.ok(!locs.some((l) => l.includes('hiddenparent') || l.includes('/orphan')), 'no page under an unpublished parent');
  // a top-level page with its own route (/policy shows the page 'policy') is listed once, by that route
  assert.ok(has('/policy') && !has('/p/policy'), '/policy, not /p/policy');
  for (const bad of ['/admin', '/settings', '/static', '/files', '.atom', '.ics', 'robots.txt', '/aikasanet/mypage'])
    assert.ok(!locs.some((l) => l.includes(bad)), `nothing like ${bad}`);
  assert.ok(locs.length <= 50000);
  assert.match(xml, new RegExp(`<loc>${srv.url}/groups/${ids.group}</loc><lastmod>2030-12-01</lastmod>`));
  assert.equal((await get('/sitemap.xml?part=1')).status, 200, 'part 1 is the whole small sitemap');
  assert.equal((await get('/sitemap.xml?part=2')).status, 404, 'no part 2 for a small site');
  assert.equal((await get('/sitemap.xml?part=x')).status, 404);
});

test('HTML sitemap: navigation sections, sub-pages, feeds and fixed pages in hierarchy', async () => {
  const html = await page('/sitemap');
  assert.match(html, /<title>サイトマップ｜/);
  for (const href of ['/groups/', '/events/', '/grants/', '/news/', '/events/calendar', '/grants/calendar',
    '/events/feed.atom', '/grants/deadlines.ics', '/center-news/', '/contact'])
    assert.ok(html.includes(`<a href="${href}">`), `links ${href}`);
  // the child page is nested inside its parent's <li>
  assert.match(html, /<a href="\/p\/testguide">テスト案内<\/a>\s*<ul>\s*<li><a href="\/p\/testguide\/first-steps">はじめての方へ（テスト）<\/a>/);
  assert.ok(!html.includes('非公開の親ページ') && !html.includes('親が非公開の子ページ'));
  assert.ok(!html.includes('href="/p/policy"'), 'the policy page is linked by its own route');
  assert.match(html, /<a href="\/policy">[^<]+<\/a>\s*<ul>\s*<li><a href="\/p\/policy\/testprivacy">個人情報の取扱い（テスト）<\/a>/,
    'sub-pages of /policy are listed under it');
});

test('robots.txt: allow all but the private areas, point to the sitemap', async () => {
  const res = await get('/robots.txt');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
  const txt = await res.text();
  assert.match(txt, /^User-agent: \*$/m);
  for (const d of ['/admin/', '/aikasanet/mypage/', '/settings/', '/files/']) assert.match(txt, new RegExp(`^Disallow: ${d}$`, 'm'));
  assert.match(txt, new RegExp(`^Sitemap: ${srv.url}/sitemap.xml$`, 'm'));
});

test('feeds and calendars are refreshed after a publish (page cache)', async () => {
  const before = await page('/events/calendar?ym=2031-01');
  assert.ok(!before.includes('公開直後テスト'));
  const id = insert('events', { title: '公開直後テスト', starts_on: '2031-01-08', status: 'published', published_at: '2031-01-07T00:00:00Z' });
  const html = await page('/events/calendar?ym=2031-01');
  assert.ok(cell(html, 8).includes(`/events/${id}`));
  assert.ok((await (await get('/events/feed.atom')).text()).includes('公開直後テスト'));
  sql(`UPDATE events SET status='draft' WHERE id=${id}`);
  assert.ok(!(await page('/events/calendar?ym=2031-01')).includes('公開直後テスト'), 'withdrawn again');
});

test('sitemap.xml over 50,000 URLs becomes an index of parts with no URL twice', async () => {
  sql(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50001)
       INSERT INTO books (title, status, published_at) SELECT '蔵書テスト' || i, 'published', '2030-01-01T00:00:00Z' FROM n`);
  const lastBook = sql("SELECT max(id) FROM books WHERE status='published'");
  const index = await (await get('/sitemap.xml')).text();
  assertWellFormedXml(index, 'sitemap index');
  assert.match(index, /<sitemapindex xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/);
  const parts = [...index.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
  assert.deepEqual(parts, [`${srv.url}/sitemap.xml?part=1`, `${srv.url}/sitemap.xml?part=2`]);
  const seen = new Set();
  for (const u of parts) {
    const xml = await (await fetch(u)).text();
    assertWellFormedXml(xml, u);
    const locs = [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
    assert.ok(locs.length > 0 && locs.length <= 50000, `${u}: ${locs.length} URLs`);
    for (const l of locs) {
      assert.ok(!seen.has(l), `${l} listed twice`);
      seen.add(l);
    }
  }
  assert.ok(seen.has(`${srv.url}/`) && seen.has(`${srv.url}/groups/${ids.group}`) && seen.has(`${srv.url}/books/${lastBook}`));
  assert.equal((await get('/sitemap.xml?part=3')).status, 404);
});
