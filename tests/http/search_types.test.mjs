// search_types.test.mjs — whole-site search S10 over the Supernet types
// of issue 4, over real HTTP: a two-character word inside a longer word is
// found in an activity report, a book and a fixed page, each under its own
// heading (活動実績・事例, 蔵書, ページ) and linked to its public page
// (/reports/N, /books/N, /p/<path of slugs>); drafts and 仮登録 are never
// found; groups, events and grants are found by their richer public text
// (活動内容, 目的, 対象事業 …) but never by encrypted personal data; fixed
// pages are indexed as text, without Markdown syntax, per site.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();
const insert = (q) => sql(`${q}; SELECT last_insert_rowid();`);
const get = (p) => fetch(srv.url + p, { redirect: 'manual' });
const search = async (q, site = '') => {
  const res = await get(`${site}/search?q=${encodeURIComponent(q)}`);
  assert.equal(res.status, 200, `search ${q}`);
  const html = await res.text();
  return html.slice(html.indexOf('<main'), html.indexOf('</main>'));
};
const heading = (label) => new RegExp(`<h2 id="search-group-\\d+">${label}</h2>`);
const NOT_FOUND = /に一致する情報は見つかりませんでした/;
const PUB = "'published', '2026-11-01T00:00:00Z'";

test('a two-character word inside a longer word is found in a report, a book and a page, each linked', async () => {
  const report = insert(`INSERT INTO reports(title, body, group_name, held_on, place, status, published_at) VALUES
    ('川辺の蛍鑑賞会を開きました', '夕方から親子30人で川辺を歩き、蛍の光を観察しました。', '錦川ほたるの会', '2026-06-20', '岩国市 錦川の河川敷', ${PUB})`);
  const book = insert(`INSERT INTO books(accession_no, title, title_kana, author, publisher, published_on, description, status, published_at) VALUES
    ('T-0001', '雑木林の四季図鑑', 'ぞうきばやしのしきずかん', '林田 こずえ', '森の本舎', '2020年5月', '雑木林の植物と虫を季節ごとに紹介します。', ${PUB})`);
  const parent = sql("SELECT id FROM pages WHERE site='supernet' AND slug='center' AND parent_id IS NULL");
  assert.ok(parent, 'the demo has the センターについて page');
  const page = insert(`INSERT INTO pages(site, parent_id, slug, title, body, status, published_at) VALUES
    ('supernet', ${parent}, 'tour', '施設見学のご案内', '## 団体での施設見学\n\n**5人以上**の団体見学は[お問い合わせフォーム](/contact)から、2週間前までにお申し込みください。', ${PUB})`);

  let m = await search('鑑賞');
  assert.match(m, heading('活動実績・事例'));
  assert.ok(m.includes(`<a href="/reports/${report}">川辺の蛍<mark>鑑賞</mark>会を開きました</a>`), 'report linked, word marked');

  m = await search('図鑑');
  assert.match(m, heading('蔵書'));
  assert.ok(m.includes(`<a href="/books/${book}">雑木林の四季<mark>図鑑</mark></a>`), 'book linked, word marked');

  m = await search('見学');
  assert.match(m, heading('ページ'));
  assert.ok(m.includes(`<a href="/p/center/tour">施設<mark>見学</mark>のご案内</a>`), 'page linked by its path of slugs');
  assert.ok(m.includes('団体での施設<mark>見学</mark>'), 'snippet from the body');
  assert.ok(!m.includes('**') && !m.includes('## ') && !m.includes('](/contact)'), 'Markdown syntax is not shown in the snippet');

  // other public columns: book author and kana, report place and group name
  assert.ok((await search('林田')).includes(`/books/${book}`), 'book author');
  assert.ok((await search('ぞうきばやし')).includes(`/books/${book}`), 'book title kana');
  assert.ok((await search('錦川')).includes(`/reports/${report}`), 'report group name and place');
});

test('drafts and 仮登録 reports, books and pages are never found; publishing makes them findable', async () => {
  const r = insert(`INSERT INTO reports(title, body, group_name, held_on, status) VALUES ('草笛教室の報告（下書き）', '本文', '草笛の会', '2026-10-01', 'draft')`);
  insert(`INSERT INTO reports(title, body, group_name, held_on, status) VALUES ('草笛教室の報告（仮登録）', '本文', '草笛の会', '2026-10-01', 'review')`);
  insert(`INSERT INTO books(accession_no, title, status) VALUES ('T-0002', '草笛の吹き方', 'draft')`);
  insert(`INSERT INTO pages(site, slug, title, body, status) VALUES ('supernet', 'kusabue', '草笛講座（作成中）', '本文', 'draft')`);
  let m = await search('草笛');
  assert.match(m, NOT_FOUND, 'no draft or review item is found');
  sql(`UPDATE reports SET status='published', published_at='2026-11-02T00:00:00Z' WHERE id=${r}`);
  m = await search('草笛');
  assert.ok(m.includes(`/reports/${r}`), 'found once published');
  assert.match(m, /全1件中/, 'and only that one');
});

test('the demo data is searchable by type: reports, books and fixed pages', async () => {
  let m = await search('竹炭');
  assert.match(m, heading('団体・企業'));
  assert.match(m, heading('イベント・募集'));
  assert.match(m, heading('活動実績・事例'));
  assert.match(m, /href="\/reports\/\d+"/);
  m = await search('登録規約');
  assert.match(m, heading('ページ'));
  assert.ok(m.includes('<a href="/policy">情報<mark>登録規約</mark>・個人情報保護方針</a>'), 'top-level page with its own route');
  m = await search('駐車場');
  assert.ok(m.includes('<a href="/p/center/access">アクセス</a>'), 'child page of センターについて');
  m = await search('会計');
  assert.match(m, heading('蔵書'));
  assert.match(m, /href="\/books\/\d+"/);
  const counts = m.match(/<ul class="search-counts"[\s\S]*?<\/ul>/)[0];
  assert.ok(counts.indexOf('イベント・募集') < counts.indexOf('蔵書'), 'types in a fixed order');
});

test('groups, events and grants are found by their richer public text, never by personal data', async () => {
  const g = insert(`INSERT INTO groups(kind, org_class, name, kana, purpose, activities, pr, csr, municipality, prefecture,
      registrant_name_enc, registrant_email_enc, status, published_at) VALUES
    ('citizen', '任意団体', '光ほしぞらの会', 'ひかりほしぞらのかい', '星空の観察会を開きます。', '毎月の天体望遠鏡教室と流星群の観望会。', '初心者の入会を歓迎しています。', '',
     '光市', '山口県', 'v1:担当者秘密名', 'v1:tantou@example.jp', ${PUB})`);
  let m = await search('望遠鏡');
  assert.ok(m.includes(`<a href="/groups/${g}">`), 'group found by 活動内容');
  assert.ok((await search('入会')).includes(`/groups/${g}`), 'group found by アピールポイント');
  for (const q of ['担当者秘密名', 'tantou']) assert.match(await search(q), NOT_FOUND, `${q}: encrypted columns are not indexed`);

  const e = insert(`INSERT INTO events(kind, title, organiser, starts_on, summary, purpose, target, municipality, status, published_at) VALUES
    ('event', '冬の観望会', '光ほしぞらの会', '2027-01-10', '冬の星座を観察します。', '天文の楽しさを伝えるため。', '星好きの親子', 'online', ${PUB})`);
  assert.ok((await search('天文')).includes(`<a href="/events/${e}">`), 'event found by 目的');
  assert.ok((await search('星好')).includes(`/events/${e}`), 'event found by 対象');
  const gr = insert(`INSERT INTO grants(title, funder, deadline, summary, eligible_projects, eligible_applicants, status, published_at) VALUES
    ('科学の芽助成', '架空科学財団', '2027-01-31', '', 'プラネタリウム上映会の開催', '天文同好会', ${PUB})`);
  assert.ok((await search('プラネタリウム')).includes(`<a href="/grants/${gr}">`), 'grant found by 対象事業');
  assert.ok((await search('同好会')).includes(`/grants/${gr}`), 'grant found by 対象団体');
  sql(`UPDATE groups SET activities='屋上での月面観察。' WHERE id=${g}`);
  assert.match(await search('望遠鏡'), NOT_FOUND, 'an edit of 活動内容 re-indexes the group');
});

test('fixed pages: each site searches its own; a page whose parent is unpublished has no link', async () => {
  insert(`INSERT INTO pages(site, slug, title, body, status, published_at) VALUES ('aika', 'volunteer-guide', '初めてのボランティアガイド', '心構えと準備について。', ${PUB})`);
  assert.match(await search('心構え'), NOT_FOUND, 'an Aika page is not in Supernet search');
  const m = await search('心構え', '/aikasanet');
  assert.match(m, heading('ページ'));
  assert.ok(m.includes('初めてのボランティアガイド'));
  const draftParent = insert(`INSERT INTO pages(site, slug, title, body, status) VALUES ('supernet', 'hidden', '非公開の親', '本文', 'draft')`);
  insert(`INSERT INTO pages(site, parent_id, slug, title, body, status, published_at) VALUES ('supernet', ${draftParent}, 'child', '孤立した子ページ', '迷子札の説明。', ${PUB})`);
  const c = await search('迷子札');
  assert.ok(c.includes('孤立した子ページ'), 'the published child is found');
  assert.ok(!c.includes('href="/p/hidden'), 'but not linked: its address would not resolve');
});
