// supernet_public.test.mjs — Supernet's public lists, detailed searches,
// detail pages and fixed pages over real HTTP (issue 4 part A: S2 S5 S6 S7
// S8 S11). Rows are inserted with the sqlite3 CLI to prove that filters
// narrow results, that 五十音 order and paging (with its filters kept)
// work, that drafts and 仮登録 records never appear, that staff-only and
// personal fields never leak, that bad filter values are ignored with a
// note (never a 500), that LIKE metacharacters and quotes are plain text,
// and that a fixed page's Markdown is rendered with <script> removed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HtmlValidate } from 'html-validate';
import { startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', path.join(srv.dataDir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();
const esc = (s) => String(s).replaceAll("'", "''");
const lit = (v) => (v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${esc(v)}'`);
const insert = (table, row) => {
  const cols = Object.keys(row);
  return Number(sql(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => lit(row[c])).join(', ')}); SELECT last_insert_rowid();`));
};
const NOW = '2026-01-01T00:00:00Z';
const pub = (row) => ({ status: 'published', published_at: NOW, ...row });
const get = async (p) => {
  const res = await fetch(srv.url + p, { redirect: 'manual' });
  return { status: res.status, html: await res.text(), headers: res.headers };
};
const main = (html) => html.slice(html.indexOf('<main'), html.indexOf('</main>'));
const q = (params) => `?${new URLSearchParams(params)}`;
// ids linked from a list page's results, e.g. ids(html, 'groups')
const ids = (html, base) => [...main(html).matchAll(new RegExp(`href="/${base}/(\\d+)"`, 'g'))].map((m) => Number(m[1]));
const count = (html) => (main(html).match(/(\d+)件中 (\d+)〜(\d+)件/) || []).slice(1).map(Number);
const decode = (s) => s.replaceAll('&amp;', '&');
const isoDay = (offset) => {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

test('every list and detailed-search page loads with a unique title and breadcrumbs', async () => {
  const pages = {
    '/groups/': '団体・企業',
    '/events/': 'イベント・募集',
    '/grants/': '助成',
    '/books/': '蔵書',
    '/reports/': '活動実績・事例',
    '/groups/search': '団体・企業の詳細検索',
    '/events/search': 'イベント・募集の詳細検索',
    '/grants/search': '助成の詳細検索',
    '/books/search': '蔵書の詳細検索',
  };
  const titles = new Set();
  for (const [p, title] of Object.entries(pages)) {
    const { status, html } = await get(p);
    assert.equal(status, 200, p);
    const t = html.match(/<title>([^<]*)<\/title>/)[1];
    assert.ok(t.startsWith(`${title}｜`), `${p}: title ${t}`);
    titles.add(t);
    assert.match(html, /<nav class="breadcrumbs"/, `${p}: breadcrumbs`);
    if (!p.endsWith('search')) assert.ok(count(html).length === 3, `${p}: result count 「N件中 a〜b件」`);
  }
  assert.equal(titles.size, Object.keys(pages).length, 'titles are unique');
  // without the trailing slash: redirected
  const r = await fetch(`${srv.url}/groups`, { redirect: 'manual' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/groups/');
});

test('group filters narrow the results: keyword, kind, field, area, municipality, activity, feature', async () => {
  const base = { kana: 'ふぃるたー', purpose: '絞り込み試験用の団体です。' };
  const a = insert('groups', pub({ ...base, kind: 'npo', name: 'フィルタ試験A会', municipality: '萩市', fields: '環境の保全\n子どもの健全育成', target_area: '県内全域', features: '' }));
  const b = insert('groups', pub({ ...base, kind: 'citizen', name: 'フィルタ試験B会', municipality: '山口市', fields: '子どもの健全育成', target_area: '山口県内市町', target_municipalities: '萩市\n長門市' }));
  const c = insert('groups', pub({ ...base, kind: 'company', name: 'フィルタ試験C社', municipality: '下関市', fields: '', activities: '絞り込み試験', activity: 'dissolved' }));
  const kw = '絞り込み試験';
  const find = async (params) => ids((await get(`/groups/${q({ q: kw, ...params })}`)).html, 'groups').sort((x, y) => x - y);
  assert.deepEqual(await find({}), [a, b, c]);
  assert.deepEqual(await find({ kind: 'npo' }), [a]);
  assert.deepEqual(await find({ field: '子どもの健全育成' }), [a, b]);
  assert.deepEqual(await find({ field: '環境の保全' }), [a]);
  assert.deepEqual(await find({ area: '山口県内市町' }), [b]);
  assert.deepEqual(await find({ municipality: '萩市' }), [a, b], 'office in 萩市 or 萩市 among the target municipalities');
  assert.deepEqual(await find({ municipality: '下関市' }), [c]);
  assert.deepEqual(await find({ activity: 'dissolved' }), [c]);
  assert.deepEqual(await find({ kind: 'citizen', field: '子どもの健全育成', municipality: '長門市' }), [b]);
  // the result list shows the conditions with a link that removes each one
  const { html } = await get(`/groups/${q({ q: kw, kind: 'npo' })}`);
  assert.match(main(html), /検索条件/);
  assert.match(main(html), /組織形態：<\/span>NPO法人/);
  const clear = [...main(html).matchAll(/<a href="([^"]+)" class="cond-clear">/g)].map((m) => decode(m[1]));
  assert.ok(clear.includes(`/groups/?q=${encodeURIComponent(kw)}`), `link removing 組織形態 keeps the keyword: ${clear}`);
  assert.ok(clear.includes('/groups/?kind=npo'), 'link removing the keyword keeps 組織形態');
  assert.match(main(html), /条件をすべて解除する/);
  assert.match(html, /<title>団体・企業の検索結果｜/);
  // the dissolved group is listed with its status
  const all = main((await get(`/groups/${q({ q: kw })}`)).html);
  assert.match(all, /フィルタ試験C社<\/a> <span class="tag tag-muted">解散<\/span>/);
  assert.ok(all.indexOf('フィルタ試験C社') > all.indexOf('フィルタ試験B会'), 'active groups come first');
});

test('groups sort in 五十音 order by ふりがな (あ before か), or newest first', async () => {
  const kw = '並び順試験';
  const ka = insert('groups', pub({ kind: 'citizen', name: `${kw}か`, kana: 'かきくけこ', published_at: '2026-03-01T00:00:00Z' }));
  const a = insert('groups', pub({ kind: 'citizen', name: `${kw}あ`, kana: 'あいうえお', published_at: '2026-01-01T00:00:00Z' }));
  const sa = insert('groups', pub({ kind: 'citizen', name: `${kw}さ`, kana: 'さしすせそ', published_at: '2026-02-01T00:00:00Z' }));
  assert.deepEqual(ids((await get(`/groups/${q({ q: kw })}`)).html, 'groups'), [a, ka, sa]);
  assert.deepEqual(ids((await get(`/groups/${q({ q: kw, sort: 'new' })}`)).html, 'groups'), [ka, sa, a]);
  const { html } = await get(`/groups/${q({ q: kw, sort: 'new' })}`);
  assert.match(main(html), /<span aria-current="true">新着順<\/span>/);
});

test('paging: 20 per page, 「N件中」 count, next/prev links keep the filters', async () => {
  const kw = 'ページ送り試験';
  const values = Array.from({ length: 25 }, (_, i) => `('citizen', '${kw}${String(i).padStart(2, '0')}', 'ぺーじ${String(i).padStart(2, '0')}', '萩市', 'published', '${NOW}')`);
  sql(`INSERT INTO groups (kind, name, kana, municipality, status, published_at) VALUES ${values.join(', ')}`);
  insert('groups', pub({ kind: 'npo', name: `${kw}NPO`, kana: 'ぺーじえぬぴーおー' }));
  let r = await get(`/groups/${q({ q: kw, kind: 'citizen' })}`);
  assert.deepEqual(count(r.html), [25, 1, 20]);
  assert.equal(ids(r.html, 'groups').length, 20);
  const next = decode(main(r.html).match(/<a href="([^"]+)" rel="next">/)[1]);
  const u = new URL(next, srv.url);
  assert.equal(u.pathname, '/groups/');
  assert.equal(u.searchParams.get('q'), kw);
  assert.equal(u.searchParams.get('kind'), 'citizen');
  assert.equal(u.searchParams.get('page'), '2');
  r = await get(next);
  assert.deepEqual(count(r.html), [25, 21, 25]);
  assert.equal(ids(r.html, 'groups').length, 5);
  assert.match(r.html, /<title>団体・企業の検索結果（2ページ目）｜/);
  const prev = decode(main(r.html).match(/<a href="([^"]+)" rel="prev">/)[1]);
  assert.equal(new URL(prev, srv.url).searchParams.get('kind'), 'citizen');
  assert.equal((await get(`/groups/${q({ q: kw, kind: 'citizen', page: 3 })}`)).status, 404, 'a page past the last one');
  // the keyword form carries the other conditions as hidden fields
  assert.match(main(r.html), /<input type="hidden" name="kind" value="citizen">/);
});

test('drafts and 仮登録 records appear in no list and have no detail page', async () => {
  const mk = { draft: {}, review: {} };
  for (const status of ['draft', 'review']) {
    const kw = `非公開試験${status}`;
    mk[status] = {
      groups: insert('groups', { kind: 'npo', name: kw, kana: 'ひこうかい', status }),
      events: insert('events', { title: kw, organiser: 'x', starts_on: isoDay(10), summary: kw, status }),
      grants: insert('grants', { title: kw, funder: 'x', deadline: isoDay(10), status }),
      books: insert('books', { title: kw, accession_no: `S-${status}`, status }),
      reports: insert('reports', { title: kw, group_name: 'x', held_on: isoDay(-10), body: kw, status }),
    };
    for (const [base, id] of Object.entries(mk[status])) {
      const list = await get(`/${base}/${q({ q: kw })}`);
      assert.equal(list.status, 200);
      assert.ok(!main(list.html).includes(kw.replace('試験', '')) || !ids(list.html, base).includes(id), `${base} list hides ${status}`);
      assert.deepEqual(ids(list.html, base), [], `${base}: nothing found for a ${status} record`);
      const d = await get(`/${base}/${id}`);
      assert.equal(d.status, 404, `/${base}/${id} (${status}) is 404`);
      assert.match(d.html, /ページが見つかりません/);
    }
  }
  // publishing makes it visible on the next request
  sql(`UPDATE groups SET status='published', published_at='${NOW}' WHERE id=${mk.review.groups}`);
  assert.equal((await get(`/groups/${mk.review.groups}`)).status, 200);
  assert.deepEqual(ids((await get(`/groups/${q({ q: '非公開試験review' })}`)).html, 'groups'), [mk.review.groups]);
});

test('staff-only and personal fields never appear on a group page', async () => {
  const id = insert('groups', pub({
    kind: 'npo', name: '個人情報試験の会', kana: 'こじんじょうほう', purpose: '公開される目的',
    registrant_name_enc: 'SECRETPIINAME', registrant_email_enc: 'SECRETPIIMAIL', registrant_phone_enc: 'SECRETPIIPHONE',
    registrant_title_enc: 'SECRETPIITITLE', requirements_agreed: 1, guardian_consent: 1,
  }));
  const { status, html } = await get(`/groups/${id}`);
  assert.equal(status, 200);
  assert.match(main(html), /公開される目的/);
  for (const secret of ['SECRETPII', '登録担当者', '活動状況', '状態', '公開日時', '保護者', '登録要件']) {
    assert.ok(!html.includes(secret), `${secret} must not appear`);
  }
  const list = await get(`/groups/${q({ q: '個人情報試験' })}`);
  assert.ok(!list.html.includes('SECRETPII'));
  // the same for events and reports (submitter fields)
  const ev = insert('events', pub({ title: '依頼者情報試験', organiser: '主催', starts_on: isoDay(5), summary: 's', submitter_name_enc: 'SECRETSUBMITTER', submitter_email_enc: 'SECRETSUBMAIL' }));
  const e = await get(`/events/${ev}`);
  assert.equal(e.status, 200);
  assert.ok(!e.html.includes('SECRETSUB') && !e.html.includes('掲載依頼者'));
});

test('detail pages: unique <title>, breadcrumbs, public fields, links and files', async () => {
  const g = insert('groups', pub({
    kind: 'npo', name: '詳細ページ試験の会', kana: 'しょうさい', purpose: '一行目\n二行目\n\n次の段落',
    municipality: '周南市', fields: '環境の保全\n子どもの健全育成', url_1: 'https://example.jp/a', url_1_desc: '公式サイト',
    url_2: 'javascript:alert(1)', email: 'info@example.jp', founded_on: '2010-04-01',
  }));
  const { html } = await get(`/groups/${g}`);
  assert.match(html, /<title>詳細ページ試験の会｜団体・企業｜/);
  const m = main(html);
  assert.match(html, /<nav class="breadcrumbs"[\s\S]*<a href="\/groups\/">団体・企業<\/a>[\s\S]*<span aria-current="page">詳細ページ試験の会<\/span>/);
  assert.match(m, /<p>一行目<br>二行目<\/p><p>次の段落<\/p>/);
  assert.match(m, /<li>環境の保全<\/li><li>子どもの健全育成<\/li>/, 'field labels from the master list');
  assert.match(m, /<a href="https:\/\/example.jp\/a">公式サイト<\/a>/);
  assert.ok(!/href="javascript/i.test(m), 'unsafe URL scheme is neutralised');
  assert.match(m, /<a href="mailto:info@example.jp">info@example.jp<\/a>/);
  assert.match(m, /2010年4月1日/);
  assert.match(m, new RegExp(`<a href="/groups/${g}/change">この団体の情報を修正する</a>`));

  // the group's events and reports are listed on its page
  const ev = insert('events', pub({ title: '団体のイベント試験', organiser: '詳細ページ試験の会', starts_on: isoDay(3), summary: 'x', group_id: g }));
  const rp = insert('reports', pub({ title: '団体の活動報告試験', group_name: '詳細ページ試験の会', held_on: isoDay(-3), body: 'x', group_id: g }));
  insert('events', { title: '団体の下書きイベント', organiser: 'x', starts_on: isoDay(3), summary: 'x', group_id: g, status: 'draft' });
  const m2 = main((await get(`/groups/${g}`)).html);
  assert.match(m2, new RegExp(`<a href="/events/${ev}">団体のイベント試験</a>`));
  assert.match(m2, new RegExp(`<a href="/reports/${rp}">団体の活動報告試験</a>`));
  assert.ok(!m2.includes('団体の下書きイベント'));

  const e = await get(`/events/${ev}`);
  assert.match(e.html, /<title>団体のイベント試験｜イベント・募集｜/);
  assert.match(main(e.html), new RegExp(`<a href="/groups/${g}">主催団体「詳細ページ試験の会」のページ</a>`));
  const gr = insert('grants', pub({ title: '詳細試験助成', funder: '財団', deadline: isoDay(30), amount: '上限50万円', amount_max: 50 }));
  assert.match((await get(`/grants/${gr}`)).html, /<title>詳細試験助成｜助成｜/);
  const bk = insert('books', pub({ title: '詳細試験の本', accession_no: 'T-0001', author: '山口太郎' }));
  const b = await get(`/books/${bk}`);
  assert.match(b.html, /<title>詳細試験の本｜蔵書｜/);
  assert.match(main(b.html), /山口太郎/);
  const r = await get(`/reports/${rp}`);
  assert.match(r.html, /<title>団体の活動報告試験｜活動実績・事例｜/);
  assert.equal((await get('/groups/99999999')).status, 404);
});

test('report photos are shown as images with alt text 「写真1：タイトル」', async () => {
  // a tiny PNG stored the way upload.c stores files
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  const rel = 'uploads/2026/01/0123456789abcdef0123456789abcdef.png';
  fs.mkdirSync(path.join(srv.dataDir, 'uploads/2026/01'), { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(srv.dataDir, rel), png, { mode: 0o600 });
  const rp = insert('reports', pub({ title: '写真つき報告', group_name: '写真の会', held_on: '2026-05-05', body: '本文' }));
  const up = insert('uploads', { stored_path: rel, original_name: 'photo.png', mime: 'image/png', size: png.length, sha256: 'x', owner_kind: 'report', owner_id: rp, field: 'photo_1' });
  sql(`UPDATE reports SET photo_1=${up} WHERE id=${rp}`);
  const { html } = await get(`/reports/${rp}`);
  assert.match(main(html), new RegExp(`<img src="/files/${up}" alt="写真1：写真つき報告">`));
  const f = await fetch(`${srv.url}/files/${up}`);
  assert.equal(f.status, 200);
  assert.equal(f.headers.get('content-type'), 'image/png');
  await f.arrayBuffer();
});

test('bad filter values never cause a 500: ignored with a visible note', async () => {
  const cases = [
    ['/groups/', { kind: 'evil' }, '組織形態：evil'],
    ['/groups/', { field: '<script>alert(1)</script>' }, '活動分野：&lt;script&gt;'],
    ['/groups/', { municipality: '東京都' }, '市町：東京都'],
    ['/groups/', { sort: 'random()' }, '並び順：random()'],
    ['/events/', { from: '2026-13-45' }, '開催日（この日から）：2026-13-45'],
    ['/events/', { to: '2026-02-30' }, '開催日（この日まで）：2026-02-30'],
    ['/events/', { open: 'yes' }, '申込受付中のものだけ：yes'],
    ['/grants/', { amount_min: '-5' }, '助成額の上限：-5'],
    ['/grants/', { amount_min: '1e9' }, '助成額の上限：1e9'],
    ['/grants/', { deadline_to: 'tomorrow' }, '締切日（この日まで）：tomorrow'],
    ['/books/', { year: '19' }, '発行年：19'],
    ['/groups/search', { kind: 'evil' }, '組織形態：evil'],
  ];
  for (const [p, params, shown] of cases) {
    const { status, html } = await get(p + q(params));
    assert.equal(status, 200, `${p} ${JSON.stringify(params)}`);
    assert.ok(main(html).includes(`条件『${shown}`), `${p} ${JSON.stringify(params)}: note shows ${shown}`);
    assert.match(main(html), /は使えないため無視しました/);
  }
  const long = await get(`/groups/${q({ q: 'あ'.repeat(101) })}`);
  assert.equal(long.status, 200);
  assert.match(main(long.html), /100文字を超えるため無視しました/);
  for (const p of ['/groups/?page=abc', '/events/?page=-1', '/grants/?page=0', '/books/?sort=', '/reports/?q=%00']) {
    const { status } = await get(p);
    assert.ok(status === 200 || status === 400, `${p}: ${status}`);
  }
  assert.equal((await get('/reports/?page=999999')).status, 404);
});

test('keywords with % _ \\ and quotes are plain text', async () => {
  const a = insert('groups', pub({ kind: 'npo', name: '達成率100%_の会', kana: 'たっせいりつ', purpose: "it's \"quoted\" \\ here" }));
  const b = insert('groups', pub({ kind: 'npo', name: '達成率100x9の会', kana: 'たっせいりつ2' }));
  let found = ids((await get(`/groups/${q({ q: '達成率100%_' })}`)).html, 'groups');
  assert.ok(found.includes(a) && !found.includes(b), '% and _ are not wildcards');
  found = ids((await get(`/groups/${q({ q: '100%' })}`)).html, 'groups');
  assert.ok(found.includes(a) && !found.includes(b));
  // a keyword of symbols only is matched literally (LIKE with ESCAPE)
  assert.deepEqual(ids((await get(`/groups/${q({ q: '%_' })}`)).html, 'groups'), [a]);
  assert.ok(!ids((await get(`/groups/${q({ q: '_' })}`)).html, 'groups').includes(b));
  assert.deepEqual(ids((await get(`/groups/${q({ q: "it's" })}`)).html, 'groups'), [a]);
  assert.deepEqual(ids((await get(`/groups/${q({ q: '"quoted"' })}`)).html, 'groups'), [a]);
  assert.deepEqual(ids((await get(`/groups/${q({ q: '\\ here' })}`)).html, 'groups'), [a]);
  const { status, html } = await get(`/groups/${q({ q: `'); DROP TABLE groups; --` })}`);
  assert.equal(status, 200);
  assert.ok(main(html).includes('value="&#39;); DROP TABLE groups; --"'), 'the keyword is kept, escaped, in the box');
  assert.ok(Number(sql('SELECT count(*) FROM groups')) > 0);
  // Japanese-aware matching through the search index: katakana, hiragana
  // and half-width spellings find the same group; two-character words
  // inside longer words are found
  const k = insert('groups', pub({ kind: 'citizen', name: 'ボランティアコーディネーター研究会', kana: 'ぼらんてぃあ', purpose: '福祉サービスの調整' }));
  for (const word of ['ボランティアコーディネーター', 'ぼらんてぃあこーでぃねーたー', 'ﾎﾞﾗﾝﾃｨｱｺｰﾃﾞｨﾈｰﾀｰ', '福祉']) {
    assert.ok(ids((await get(`/groups/${q({ q: word })}`)).html, 'groups').includes(k), word);
  }
  // several words: all must occur (full-width space separates too)
  assert.deepEqual(ids((await get(`/groups/${q({ q: '達成率　100%_' })}`)).html, 'groups'), [a]);
});

test('events: upcoming by default, 終了したイベントも表示, date range overlap, kind and 申込受付中', async () => {
  const kw = 'イベント絞込試験';
  const past = insert('events', pub({ kind: 'event', title: `${kw}過去`, organiser: 'o', starts_on: isoDay(-30), ends_on: isoDay(-29), summary: 's', municipality: '宇部市' }));
  const now = insert('events', pub({ kind: 'event', title: `${kw}開催中`, organiser: 'o', starts_on: isoDay(-2), ends_on: isoDay(2), summary: 's', apply_until: isoDay(-1) }));
  const soon = insert('events', pub({ kind: 'recruit', title: `${kw}募集`, organiser: 'o', starts_on: isoDay(20), summary: 's', apply_until: isoDay(10), municipality: 'online' }));
  const later = insert('events', pub({ kind: 'event', title: `${kw}先`, organiser: 'o', starts_on: isoDay(60), summary: 's' }));
  const find = async (params) => ids((await get(`/events/${q({ q: kw, ...params })}`)).html, 'events');
  assert.deepEqual(await find({}), [now, soon, later], 'not ended, soonest first');
  const withPast = await find({ past: '1' });
  assert.deepEqual(withPast, [now, soon, later, past], 'past events after the upcoming ones');
  assert.deepEqual(await find({ kind: 'recruit' }), [soon]);
  assert.deepEqual(await find({ municipality: 'online' }), [soon]);
  assert.deepEqual(await find({ from: isoDay(1), to: isoDay(25) }), [now, soon], 'overlap with the range');
  assert.deepEqual(await find({ from: isoDay(-31), to: isoDay(-29) }), [past], 'a past range shows past events');
  assert.deepEqual(await find({ open: '1' }), [soon, later], '申込締切 passed → not open');
  const { html } = await get(`/events/${q({ q: kw })}`);
  assert.match(main(html), /終了したイベントも表示/);
  assert.match(main(html), /href="\/events\/calendar"/, 'link to the calendar');
  assert.match(main(html), /href="\/events\/feed.atom"/, 'feed link');
  assert.match(main(html), /href="\/events\/calendar.ics"/, 'iCalendar link');
});

test('grants: deadline order, 募集中, amount and deadline range', async () => {
  const kw = '助成絞込試験';
  const closed = insert('grants', pub({ title: `${kw}終了`, funder: 'f', deadline: isoDay(-5), amount_max: 100, area: '全国' }));
  const near = insert('grants', pub({ title: `${kw}近い`, funder: 'f', deadline: isoDay(5), amount_max: 30, fields: '環境の保全' }));
  const far = insert('grants', pub({ title: `${kw}遠い`, funder: 'f', deadline: isoDay(50), amount_max: 200, area: '全国' }));
  const find = async (params) => ids((await get(`/grants/${q({ q: kw, ...params })}`)).html, 'grants');
  assert.deepEqual(await find({}), [near, far, closed], 'upcoming deadlines first, closed ones last');
  assert.deepEqual(await find({ open: '1' }), [near, far]);
  assert.deepEqual(await find({ amount_min: '100' }), [far, closed]);
  assert.deepEqual(await find({ deadline_from: isoDay(0), deadline_to: isoDay(10) }), [near]);
  assert.deepEqual(await find({ field: '環境の保全' }), [near]);
  assert.deepEqual(await find({ area: '全国', open: '1' }), [far]);
  const { html } = await get(`/grants/${q({ q: kw, amount_min: '100' })}`);
  assert.match(main(html), /助成額の上限：<\/span>100万円以上/);
  assert.match(main(html), /<span class="tag tag-muted">募集終了<\/span>/);
  assert.match(main(html), /href="\/grants\/calendar"/);
  assert.match(main(html), /href="\/grants\/deadlines.ics"/);
});

test('books: title, author, publisher, year and 登録番号 filters; 書名の五十音順', async () => {
  const kw = '蔵書絞込試験';
  const b1 = insert('books', pub({ title: `${kw}かがく`, title_kana: 'ぞうしょかがく', author: '周南花子', publisher: '防府出版', published_on: '2019年4月', accession_no: 'B-9001', description: 'd' }));
  const b2 = insert('books', pub({ title: `${kw}あそび`, title_kana: 'ぞうしょあそび', author: '萩次郎', publisher: '防府出版', published_on: '2021', accession_no: 'B-9002' }));
  const find = async (params) => ids((await get(`/books/${q(params)}`)).html, 'books');
  assert.deepEqual(await find({ q: kw }), [b2, b1], '書名ふりがな order');
  assert.deepEqual(await find({ title: 'ぞうしょかがく' }), [b1], 'title matches the ふりがな too');
  assert.deepEqual(await find({ author: '萩次郎' }), [b2]);
  assert.deepEqual(await find({ publisher: '防府出版', year: '2019' }), [b1]);
  assert.deepEqual(await find({ accession_no: 'B-9002' }), [b2]);
  assert.deepEqual(await find({ accession_no: 'B-90' }), [], '登録番号 matches exactly');
});

test('reports: keyword search and newest first', async () => {
  const kw = '報告検索試験';
  const old = insert('reports', pub({ title: `${kw}古い`, group_name: 'g', held_on: '2025-01-01', body: 'b' }));
  const recent = insert('reports', pub({ title: `${kw}新しい`, group_name: 'g', held_on: '2026-06-01', body: 'b' }));
  assert.deepEqual(ids((await get(`/reports/${q({ q: kw })}`)).html, 'reports'), [recent, old]);
});

test('the detailed-search form GETs the list with its conditions and keeps them when reopened', async () => {
  const { html } = await get(`/groups/search${q({ kind: 'npo', field: '環境の保全', q: 'みどり' })}`);
  const m = main(html);
  assert.match(m, /<form class="form search-form" method="get" action="\/groups\/">/);
  assert.match(m, /<label for="f-kind">組織形態<\/label>/);
  assert.match(m, /<option value="npo" selected>NPO法人<\/option>/);
  assert.match(m, /<option value="環境の保全" selected>環境の保全<\/option>/);
  assert.match(m, /<input type="text" id="f-q" name="q" value="みどり"/);
  assert.match(m, /<option value="萩市">萩市<\/option>/, 'municipalities from the master list');
  const list = await get(`/groups/${q({ kind: 'npo', q: 'みどり' })}`);
  const href = decode(main(list.html).match(/<a href="(\/groups\/search[^"]*)">詳細検索/)[1]);
  assert.equal(new URL(href, srv.url).searchParams.get('kind'), 'npo', 'the list links back to the form with its conditions');
  const ev = main((await get('/events/search')).html);
  assert.match(ev, /<input type="date" id="f-from" name="from"/);
  assert.match(ev, /<input type="checkbox" id="f-past" name="past" value="1">/);
  const gr = main((await get('/grants/search')).html);
  assert.match(gr, /<label for="f-amount_min">助成額の上限（万円以上）<\/label>/);
});

test('fixed pages: Markdown rendered, <script> removed, children listed, drafts and other sites 404', async () => {
  const body = '# 試験ページの見出し\n\n**太字**と[リンク](https://example.jp/)\n\n<script>alert("x")</script>\n\n<p onclick="alert(1)">段落</p>\n\n[危険](javascript:alert(1))';
  const top = insert('pages', pub({ site: 'supernet', slug: 'testpage', title: '試験の固定ページ', body }));
  insert('pages', pub({ site: 'supernet', parent_id: top, slug: 'child', title: '子ページ', body: '子の本文', menu_order: 1 }));
  insert('pages', { site: 'supernet', parent_id: top, slug: 'draftchild', title: '下書きの子', body: 'x', status: 'draft' });
  let r = await get('/p/testpage');
  assert.equal(r.status, 200);
  const m = main(r.html);
  assert.match(r.html, /<title>試験の固定ページ｜/);
  assert.match(m, /<h2>試験ページの見出し<\/h2>/);
  assert.match(m, /<strong>太字<\/strong>と<a href="https:\/\/example.jp\/">リンク<\/a>/);
  assert.ok(!/<script>alert/.test(m) && !m.includes('alert("x")'), 'script removed with its content');
  assert.ok(!m.includes('onclick') && !m.includes('javascript:'));
  assert.match(m, /<p>段落<\/p>/);
  assert.match(m, /<a href="\/p\/testpage\/child">子ページ<\/a>/);
  assert.ok(!m.includes('下書きの子'));
  r = await get('/p/testpage/child');
  assert.equal(r.status, 200);
  assert.match(r.html, /<a href="\/p\/testpage">試験の固定ページ<\/a>/, 'breadcrumb to the parent');
  assert.equal((await get('/p/testpage/draftchild')).status, 404);
  assert.equal((await get('/p/child')).status, 404, 'a child is not a top-level page');
  assert.equal((await get('/p/faq')).status, 404, 'draft page');
  assert.equal((await get('/p/about')).status, 404, "Aika's page is not Supernet's");
  const nf = await get('/p/no-such-page');
  assert.equal(nf.status, 404);
  assert.match(nf.html, /ページが見つかりません/);
  for (const [p, title] of [['/center/', 'センターについて'], ['/consult/', '相談する'], ['/policy', '情報登録規約・個人情報保護方針']]) {
    const x = await get(p);
    assert.equal(x.status, 200, p);
    assert.match(x.html, new RegExp(`<h1>${title}</h1>`));
  }
  assert.match(main((await get('/center/')).html), /<a href="\/p\/center\/access">アクセス<\/a>/);
  const acc = await get('/p/center/access');
  assert.match(acc.html, /<a href="\/center\/">センターについて<\/a>/);
});

test('lists with conditions and notes, search forms, details and fixed pages are valid HTML', async () => {
  const validator = new HtmlValidate({ extends: ['html-validate:standard'], rules: { 'no-redundant-role': 'off' } });
  const g = insert('groups', pub({ kind: 'npo', name: '検証の会', kana: 'けんしょう', fields: '環境の保全', url_1: 'https://example.jp/', email: 'a@example.jp' }));
  insert('events', pub({ title: '検証のイベント', organiser: 'o', starts_on: isoDay(2), summary: 's', group_id: g }));
  const pages = [
    `/groups/${q({ q: '検証', kind: 'npo', field: 'bad', sort: 'new' })}`,
    `/events/${q({ q: '検証', from: isoDay(0), open: '1', to: 'x' })}`,
    `/grants/${q({ amount_min: '10', open: '1' })}`,
    `/books/${q({ author: '著者', year: '2019' })}`,
    `/reports/${q({ q: 'なし' })}`,
    '/groups/search?kind=npo', '/events/search', '/grants/search', '/books/search',
    `/groups/${g}`, '/center/', '/p/center/access',
  ];
  const problems = [];
  for (const p of pages) {
    const { status, html } = await get(p);
    assert.equal(status, 200, p);
    const report = await validator.validateString(html, p);
    for (const r of report.results) for (const m of r.messages) problems.push(`${p}:${m.line}:${m.column} ${m.ruleId}: ${m.message}`);
  }
  assert.deepEqual(problems, []);
});
