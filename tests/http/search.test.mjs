// search.test.mjs — whole-site search S10 over real HTTP: Japanese-aware
// matching (two-character words inside longer words, katakana/hiragana and
// full/half width), only published content, the index follows publishes
// on the next request, grouped and paged results, escaped output with our
// own <mark>, FTS5 syntax in the query is plain text, the 100-character
// limit, and the search box in both sites' headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();
const esc = (s) => s.replaceAll("'", "''");
const get = (p) => fetch(srv.url + p, { redirect: 'manual' });
const search = async (q, { site = '', page } = {}) => {
  const res = await get(`${site}/search?q=${encodeURIComponent(q)}${page ? `&page=${page}` : ''}`);
  return { status: res.status, cache: res.headers.get('x-cache'), html: await res.text() };
};
const newsLinks = (html) => [...html.matchAll(/href="(\/(?:aikasanet\/)?(?:center-)?news\/\d+)"/g)].map((m) => m[1]).sort();
const main = (html) => html.slice(html.indexOf('<main'), html.indexOf('</main>'));
const addNews = (title, body, { status = 'published', site = 'supernet', category = 'news' } = {}) =>
  sql(`INSERT INTO news(site, category, title, body, status, published_at) VALUES ('${site}', '${category}', '${esc(title)}', '${esc(body)}', '${status}', strftime('%Y-%m-%dT%H:%M:%SZ','now')); SELECT last_insert_rowid();`);

test('「福祉」 finds a news item that contains 福祉サービス, with the word marked', async () => {
  const id = addNews('高齢者向け福祉サービス相談会のご案内', '介護や生活の困りごとについて、専門の相談員がお答えします。');
  const { status, html } = await search('福祉');
  assert.equal(status, 200);
  assert.ok(newsLinks(html).includes(`/news/${id}`), 'the item is linked to its news page');
  assert.ok(html.includes('高齢者向け<mark>福祉</mark>サービス相談会のご案内'), 'match marked in the title');
  assert.match(html, /<title>「福祉」の検索結果｜/);
  assert.match(main(html), /<h2 id="search-group-1">お知らせ<\/h2>/);
  assert.match(main(html), /<li>お知らせ \d+件<\/li>/, 'count per type');
});

test('katakana, hiragana, half-width and full-width spellings find the same items', async () => {
  const a = addNews('ボランティアコーディネーター養成講座', '受講料は無料です。');
  const b = addNews('ＮＰＯ交流会２０２７のお知らせ', '会場は県民活動支援センターです。');
  const kana = await Promise.all(['ボランティアコーディネーター', 'ぼらんてぃあこーでぃねーたー', 'ﾎﾞﾗﾝﾃｨｱｺｰﾃﾞｨﾈｰﾀｰ']
    .map(async (q) => newsLinks((await search(q)).html)));
  assert.ok(kana[0].includes(`/news/${a}`));
  assert.deepEqual(kana[1], kana[0], 'hiragana finds what katakana finds');
  assert.deepEqual(kana[2], kana[0], 'half-width katakana finds what katakana finds');
  const width = await Promise.all(['ＮＰＯ交流会２０２７', 'npo交流会2027', 'NPO 交流会']
    .map(async (q) => newsLinks((await search(q)).html)));
  assert.ok(width[0].includes(`/news/${b}`));
  assert.deepEqual(width[1], width[0], 'half width finds what full width finds');
  assert.ok(width[2].includes(`/news/${b}`));
  const { html } = await search('ぼらんてぃあこーでぃねーたー');
  assert.ok(html.includes('<mark>ボランティアコーディネーター</mark>養成講座'), 'original spelling is shown, marked');
});

test('a two-character word inside a longer word is found, in every type', async () => {
  const gid = sql(`INSERT INTO groups(kind, name, kana, purpose, municipality, status, published_at) VALUES
       ('npo', '周南子育てネットワーク', 'しゅうなんこそだてねっとわーく', '地域の子育て家庭を支える活動をしています。', '周南市', 'published', '2026-01-01T00:00:00Z');
       SELECT last_insert_rowid();`);
  const rid = sql(`INSERT INTO grants(title, funder, summary, status, published_at) VALUES
       ('多世代交流活動助成（楓基金）', 'やまぐち未来財団', '世代間交流を進める活動に助成します。', 'published', '2026-01-01T00:00:00Z');
       SELECT last_insert_rowid();`);
  let { html } = await search('育て');
  assert.ok(main(html).includes(`<a href="/groups/${gid}">周南子<mark>育て</mark>ネットワーク</a>`), 'linked to the group page');
  assert.match(main(html), /<h2 id="search-group-\d+">団体・企業<\/h2>/);
  ({ html } = await search('世代'));
  assert.ok(main(html).includes(`<a href="/grants/${rid}">多<mark>世代</mark>交流活動助成（楓基金）</a>`), 'linked to the grant page');
  assert.match(main(html), /<h2 id="search-group-\d+">助成<\/h2>/);
  ({ html } = await search('楓'));
  assert.ok(main(html).includes('多世代交流活動助成（<mark>楓</mark>基金）'), 'a one-character query works too');
});

test('drafts are never found; publishing makes an item findable on the next request', async () => {
  const word = 'きのこ観察会';
  const id = addNews('秋のきのこ観察会（下書き）', '下書きの本文', { status: 'draft' });
  let r = await search(word);
  assert.ok(!newsLinks(r.html).includes(`/news/${id}`), 'a draft is not found');
  assert.match(r.html, /に一致する情報は見つかりませんでした/);
  r = await search(word);
  assert.equal(r.cache, 'hit', 'the search page is cached');
  sql(`UPDATE news SET status='published', published_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=${id}`);
  r = await search(word);
  assert.notEqual(r.cache, 'hit');
  assert.ok(newsLinks(r.html).includes(`/news/${id}`), 'found right after the publish');
  sql(`UPDATE news SET title='秋のきのこ観察会のご案内' WHERE id=${id}`);
  r = await search('ご案内 きのこ');
  assert.ok(r.html.includes('秋の<mark>きのこ</mark>観察会の<mark>ご案内</mark>'), 'an edit is indexed');
  sql(`UPDATE news SET status='draft' WHERE id=${id}`);
  assert.ok(!newsLinks((await search(word)).html).includes(`/news/${id}`), 'unpublished: gone again');
  sql(`UPDATE news SET status='published' WHERE id=${id}`);
  sql(`DELETE FROM news WHERE id=${id}`);
  assert.ok(!newsLinks((await search(word)).html).includes(`/news/${id}`), 'deleted: gone');
});

test('each site searches its own content and links news to the right page', async () => {
  const s = addNews('減災ワークショップ開催（スーパーネット）', '本文');
  const c = addNews('減災ワークショップ会場変更（センター）', '本文', { category: 'centre' });
  const k = addNews('減災ワークショップ参加者募集（あいかさねっと）', '本文', { site: 'aika' });
  sql(`INSERT INTO recruitments(title, organiser, area, summary, status, published_at) VALUES
       ('減災ワークショップ運営ボランティア', '減災の会', '下関市', '当日の受付を手伝ってください。', 'published', '2026-01-01T00:00:00Z')`);
  const sup = newsLinks((await search('減災ワークショップ')).html);
  assert.deepEqual(sup, [`/center-news/${c}`, `/news/${s}`].sort());
  const { html } = await search('減災ワークショップ', { site: '/aikasanet' });
  assert.deepEqual(newsLinks(html), [`/aikasanet/news/${k}`]);
  assert.match(main(html), /<h2 id="search-group-\d+">ボランティア募集<\/h2>/);
  assert.ok(main(html).includes('<mark>減災ワークショップ</mark>運営ボランティア'));
  assert.match(html, /<li>ボランティア募集 1件<\/li>/);
});

test('members are found by their public profile only, never by personal data (issue 5)', async () => {
  // a group: by its 団体名 (org_name) and 市町, linked to its member page;
  // an individual: as 「個人会員」 by its public text, never by a name
  const ids = sql(`INSERT INTO members(kind, display_name, area, municipality, status, representative, org_name, person_name_enc, phone_enc, sales_point, published_at) VALUES
       ('group', '職員用の表示名', '萩市', '萩市', 'published', '代表者', '萩みどりの会', 'v1:秘密', 'v1:電話秘密', '植樹をしています。', '2026-01-01T00:00:00Z'),
       ('individual', '山田ニックネーム', '', '長門市', 'published', '', '', 'v1:氏名秘密', '', '鍵盤楽器の演奏が得意です。', '2026-01-01T00:00:00Z'),
       ('group', '長門うみの会', '長門市', '長門市', 'draft', '', '長門うみの会', '', '', '', NULL);
       SELECT group_concat(id) FROM (SELECT id FROM members ORDER BY id DESC LIMIT 3)`).split(',').map(Number).sort((a, b) => a - b);
  let { html } = await search('みどりの会', { site: '/aikasanet' });
  assert.ok(main(html).includes('萩<mark>みどりの会</mark>'));
  assert.match(main(html), /<h2 id="search-group-\d+">会員<\/h2>/);
  assert.ok(main(html).includes(`href="/aikasanet/members/${ids[0]}"`), 'linked to the member page');
  ({ html } = await search('萩市', { site: '/aikasanet' }));
  assert.ok(main(html).includes('萩みどりの会'));
  ({ html } = await search('鍵盤楽器', { site: '/aikasanet' }));
  assert.ok(main(html).includes('個人会員') && main(html).includes(`href="/aikasanet/members/${ids[1]}"`), 'an individual by its sales point');
  assert.ok(!main(html).includes('山田ニックネーム'), 'never the staff-only display name');
  for (const q of ['職員用の表示名', '山田ニックネーム', '秘密', '電話秘密', '氏名秘密', 'うみの会']) {
    ({ html } = await search(q, { site: '/aikasanet' }));
    assert.match(html, /に一致する情報は見つかりませんでした/, `${q} is not searchable`);
  }
});

test('recruitments are found while their group is public, interviews and Aika pages are linked (issue 5)', async () => {
  const g = Number(sql(`INSERT INTO members(kind, display_name, org_name, municipality, status, published_at) VALUES
    ('group', '検索試験の会', '検索試験の会', '萩市', 'published', '2026-01-01T00:00:00Z'); SELECT last_insert_rowid();`));
  const rec = Number(sql(`INSERT INTO recruitments(member_id, title, organiser, areas, summary, place, notes, anytime, status, published_at) VALUES
    (${g}, '星空観察会の運営補助', '検索試験の会', '萩市', '望遠鏡の組み立てを手伝ってください。', '萩市民天文台', '防寒着をご用意ください。', 1, 'published', '2026-01-01T00:00:00Z');
    SELECT last_insert_rowid();`));
  let { html } = await search('天文台', { site: '/aikasanet' });
  assert.ok(main(html).includes(`href="/aikasanet/recruitments/${rec}"`), 'found by 場所 and linked');
  ({ html } = await search('防寒着', { site: '/aikasanet' }));
  assert.ok(main(html).includes(`/aikasanet/recruitments/${rec}`), 'found by 備考');
  sql(`UPDATE members SET status='paused' WHERE id=${g}`);
  ({ html } = await search('天文台', { site: '/aikasanet' }));
  assert.match(html, /に一致する情報は見つかりませんでした/, 'hidden while the group is paused');
  sql(`UPDATE members SET status='published' WHERE id=${g}`);
  ({ html } = await search('天文台', { site: '/aikasanet' }));
  assert.ok(main(html).includes(`/aikasanet/recruitments/${rec}`), 'back once the group is public again');
  // a recruitment whose application period has not started is found but not linked (no page yet)
  const later = Number(sql(`INSERT INTO recruitments(member_id, title, organiser, summary, apply_from, starts_on, status, published_at) VALUES
    (${g}, '来年の流星群観察会', '検索試験の会', '内容', date('now', '+60 days'), date('now', '+90 days'), 'published', '2026-01-01T00:00:00Z');
    SELECT last_insert_rowid();`));
  ({ html } = await search('流星群', { site: '/aikasanet' }));
  assert.ok(main(html).includes('来年の<mark>流星群</mark>観察会') && !main(html).includes(`/aikasanet/recruitments/${later}"`));
  const iv = Number(sql(`INSERT INTO interviews(title, subject, body, status, published_at) VALUES
    ('取材：検索試験の会', '検索試験の会', '## 見出し\n\n彗星の写真展を開きました。', 'published', '2026-01-01T00:00:00Z'); SELECT last_insert_rowid();`));
  ({ html } = await search('彗星', { site: '/aikasanet' }));
  assert.match(main(html), /<h2 id="search-group-\d+">取材報告<\/h2>/);
  assert.ok(main(html).includes(`href="/aikasanet/interviews/${iv}"`));
  assert.match((await search('彗星')).html, /に一致する情報は見つかりませんでした/, 'not in Supernet search');
  sql(`DELETE FROM pages WHERE site='aika' AND slug='privacy' AND parent_id IS NULL;
       INSERT INTO pages(site, slug, title, body, status, published_at) VALUES ('aika', 'privacy', '個人情報保護（検索試験）', '鍵束試験語を含みます。', 'published', '2026-01-01T00:00:00Z')`);
  ({ html } = await search('鍵束試験語', { site: '/aikasanet' }));
  assert.ok(main(html).includes('href="/aikasanet/privacy"'), 'a top-level Aika page by its own route');
});

test('HTML in content is escaped and only our own <mark> is markup', async () => {
  addNews('<script>alert("x")</script>XSS確認<mark>偽</mark>', '<img src=x onerror=alert(1)> 本文のXSS確認');
  const { status, html } = await search('XSS確認');
  assert.equal(status, 200);
  const m = main(html);
  assert.ok(!m.includes('<script>alert'), 'no raw script tag');
  assert.ok(!m.includes('<img'), 'no raw img tag');
  assert.ok(m.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<mark>XSS確認</mark>&lt;mark&gt;偽&lt;/mark&gt;'), 'escaped title with our mark');
  assert.ok(m.includes('&lt;img src=x onerror=alert(1)&gt; 本文の<mark>XSS確認</mark>'), 'escaped snippet with our mark');
  const q = await search('<script>alert(1)</script>');
  assert.equal(q.status, 200);
  assert.ok(!q.html.includes('<script>alert(1)'), 'the query itself is escaped');
  assert.ok(q.html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
});

test('FTS5 and SQL syntax in the query is plain text, never an error', async () => {
  for (const q of ['"', '*', 'NEAR(', 'AND', 'OR', 'NOT', '福祉 OR', '福祉 AND', 'NEAR(福祉 支援, 5)', 'a"b', '"福祉', '福祉*',
    '-福祉', '^福祉', 'title:福祉', '{title body}:福祉', "'; DROP TABLE news; --", '(', ')', '\\', '%', '_', '福祉"サービス']) {
    const r = await search(q);
    assert.equal(r.status, 200, `query ${q}`);
    assert.ok(!/エラー/.test(r.html.match(/<title>([^<]*)<\/title>/)[1]), `query ${q}: no error page`);
  }
  assert.ok(Number(sql('SELECT count(*) FROM news')) > 0, 'news table still there');
  const { html } = await search('"福祉"');
  assert.ok(html.includes('<mark>福祉</mark>'), 'quotes around a word still find it');
});

test('a query over 100 characters gets a clear message; 100 characters is fine', async () => {
  let r = await search('あ'.repeat(101));
  assert.equal(r.status, 200);
  assert.match(r.html, /検索語は100文字以内で入力してください（入力された検索語は101文字です）。/);
  assert.match(r.html, /aria-invalid="true"/);
  r = await search('あ'.repeat(100));
  assert.equal(r.status, 200);
  assert.ok(!r.html.includes('100文字以内で入力してください'));
  assert.match(r.html, /に一致する情報は見つかりませんでした/);
});

test('empty query shows the form and a hint, in Japanese', async () => {
  for (const p of ['/search', '/search?q=', '/search?q=%20%E3%80%80', '/aikasanet/search']) {
    const res = await get(p);
    assert.equal(res.status, 200, p);
    const html = await res.text();
    assert.match(html, /<title>サイト内検索｜/);
    assert.match(html, /検索語を入力して「検索」ボタンを押してください。/);
    assert.match(html, /<label for="search-page-q">検索語<\/label>/);
  }
});

test('results are paged 10 per page, grouped by type, with working page links', async () => {
  for (let i = 1; i <= 23; i++) addNews(`ページ送り試験の記事その${i}`, '本文');
  const p1 = await search('ページ送り試験');
  assert.match(p1.html, /全23件中 1〜10件を表示/);
  assert.equal(newsLinks(p1.html).length, 10);
  const next = p1.html.match(/href="(\/search\?q=[^"]+)" rel="next"/);
  assert.ok(next, 'next-page link');
  const res2 = await get(next[1].replaceAll('&amp;', '&'));
  const p2 = await res2.text();
  assert.match(p2, /全23件中 11〜20件を表示/);
  assert.match(p2, /<title>「ページ送り試験」の検索結果（2ページ目）｜/);
  assert.match(p2, /rel="prev"/);
  const p3 = await search('ページ送り試験', { page: 3 });
  assert.match(p3.html, /全23件中 21〜23件を表示/);
  assert.equal(newsLinks(p3.html).length, 3);
  assert.ok(!/rel="next"/.test(p3.html));
  assert.equal((await search('ページ送り試験', { page: 4 })).status, 404);
  assert.equal((await search('ページ送り試験', { page: 'x' })).status, 200, 'a bad page number means page 1');
});

test('both sites have a search box in the header that works without JavaScript', async () => {
  for (const [p, action] of [['/', '/search'], ['/news/', '/search'], ['/aikasanet/', '/aikasanet/search'], ['/no-such-page', '/search']]) {
    const html = await (await get(p)).text();
    const form = html.match(/<form class="site-search" role="search" method="get" action="([^"]+)">([\s\S]*?)<\/form>/);
    assert.ok(form, `search box on ${p}`);
    assert.equal(form[1], action);
    assert.match(form[2], /<label for="site-search-q">サイト内検索<\/label>/);
    assert.match(form[2], /name="q"/);
  }
  const admin = await (await get('/admin/login')).text();
  assert.ok(!admin.includes('site-search'), 'no site search on the admin screens');
});

test('the index catches up in the background, without waiting for a search', async () => {
  sql(`INSERT INTO news(site,category,title,body,status,published_at) VALUES ('supernet','news','背景索引の確認','本文','published',strftime('%Y-%m-%dT%H:%M:%SZ','now'))`);
  let left = '1';
  for (let i = 0; i < 100 && left !== '0'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = sql('SELECT count(*) FROM search_queue');
  }
  assert.equal(left, '0', 'the jobs thread emptied the queue');
  const html = await (await fetch(srv.url + '/search?q=' + encodeURIComponent('背景索引'))).text();
  assert.ok(html.replace(/<\/?mark>/g, '').includes('背景索引の確認'), 'and the item is found');
});
