// aika_public.test.mjs — Aika's public side over real HTTP (issue 5, part G;
// REQUIREMENTS A1–A4, A10, A11): recruitments are shown only while in their
// period (or 随時) and while their group is public — open list, past list,
// calendar and detail; member search by kind, area, field, pro-bono field
// and free words; a member's page never shows contact details or a
// person's name, even when they are stored; 「参加する」 for a signed-in
// member only (and never from the anonymous cache); interview reports with
// photos; Aika's fixed pages, sitemap and forms page; the newsletter's
// double opt-in with a real SMTP server, the same answer for every
// address, single-use tokens and the RFC 8058 one-click unsubscribe.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { HtmlValidate } from 'html-validate';
import { startServer } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';

let srv, sink;
before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({ demo: true, env: { CIVICNET_SMTP: sink.url } });
});
after(async () => { await srv?.stop(); await sink?.stop?.(); await sink?.dispose?.(); });

const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', path.join(srv.dataDir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();
const one = (q) => Number(sql(`${q}; SELECT last_insert_rowid();`));
const esc = (s) => String(s).replaceAll("'", "''");
const get = (p, headers = {}) => fetch(srv.url + p, { redirect: 'manual', headers });
const page = async (p, headers) => {
  const res = await get(p, headers);
  return { status: res.status, html: await res.text(), res };
};
const main = (html) => html.slice(html.indexOf('<main'), html.indexOf('</main>'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const PUB = "'published', '2026-01-01T00:00:00Z'";
const NL = " || char(10) || ";

/** A published group (or another kind) member; returns its id. */
function member(name, { kind = 'group', status = 'published', muni = '萩市', areas = `'${muni}'`, fields = "'環境の保全'", weekdays = "'土'", extra = {} } = {}) {
  const cols = { kind, display_name: name, org_name: kind === 'individual' ? '' : name, municipality: muni, prefecture: '山口県', ...extra };
  const names = Object.keys(cols);
  return one(`INSERT INTO members(${names.join(', ')}, activity_areas, fields, weekdays, status, published_at)
    VALUES (${names.map((k) => `'${esc(cols[k])}'`).join(', ')}, ${areas}, ${fields}, ${weekdays}, '${status}',
    ${status === 'published' || status === 'paused' ? "'2026-01-02T00:00:00Z'" : 'NULL'})`);
}
const q = (s) => `'${esc(s)}'`;

/** A recruitment; dates as SQL expressions relative to today. */
function recruitment(title, memberId, { status = 'published', anytime = 0, starts = "date('now', '+9 hours', '+10 days')",
  ends = null, applyFrom = "''", applyUntil = "''", areas = "'萩市'", weekdays = "'土'", fields = "'環境の保全'" } = {}) {
  return one(`INSERT INTO recruitments(member_id, title, organiser, summary, place, anytime, starts_on, ends_on, apply_from, apply_until,
      areas, weekdays, fields, status, published_at)
    VALUES (${memberId ?? 'NULL'}, ${q(title)}, '試験の主催者', '活動内容の説明です。', '試験会場', ${anytime}, ${anytime ? 'NULL' : starts},
      ${anytime ? 'NULL' : ends ?? starts}, ${applyFrom}, ${applyUntil}, ${areas}, ${weekdays}, ${fields}, '${status}',
      ${status === 'published' ? "'2026-01-03T00:00:00Z'" : 'NULL'})`);
}

/** A signed-in member: users + members (+ session) rows made the way the
 *  server stores them; returns {id, cookie}. */
function memberSession(name, kind) {
  const login = `aikatest-${crypto.randomBytes(4).toString('hex')}`;
  const uid = one(`INSERT INTO users(login, display_name, role, pw_hash) VALUES ('${login}', '${esc(name)}', 'member', 'x')`);
  const id = member(name, { kind });
  sql(`UPDATE members SET user_id=${uid} WHERE id=${id}`);
  const sid = crypto.randomBytes(32).toString('base64url');
  const hash = crypto.createHash('sha256').update(sid).digest('hex');
  sql(`INSERT INTO sessions(id_hash, user_id, created_at, last_seen) VALUES ('${hash}', ${uid}, strftime('%s','now'), strftime('%s','now'))`);
  return { id, cookie: `cn_sid=${sid}` };
}

describe('recruitments (A2): open, past, calendar and detail', () => {
  let g, ids;
  before(() => {
    g = member('表示規則試験の会');
    ids = {
      open: recruitment('表示試験・募集中の活動', g),
      anytime: recruitment('表示試験・随時募集の活動', g, { anytime: 1 }),
      past: recruitment('表示試験・終わった活動', g, { starts: "date('now', '+9 hours', '-30 days')" }),
      deadline: recruitment('表示試験・締切が過ぎた活動', g, { applyUntil: "date('now', '+9 hours', '-1 days')" }),
      draft: recruitment('表示試験・下書きの活動', g, { status: 'draft' }),
      review: recruitment('表示試験・仮登録の活動', g, { status: 'review' }),
      notYet: recruitment('表示試験・募集開始前の活動', g, { applyFrom: "date('now', '+9 hours', '+5 days')" }),
    };
  });
  const titles = (html) => [...main(html).matchAll(/>(表示試験・[^<]+)</g)].map((m) => m[1]);

  test('the open list shows recruitments in their period and 随時 ones only', async () => {
    const { status, html } = await page('/aikasanet/recruitments/');
    assert.equal(status, 200);
    assert.match(html, /<title>現在募集中のボランティア｜/);
    assert.deepEqual(titles(html).sort(), ['表示試験・募集中の活動', '表示試験・随時募集の活動'].sort());
    assert.match(main(html), /<span class="tag">随時募集<\/span><a href="\/aikasanet\/recruitments\/\d+">表示試験・随時募集の活動/);
  });

  test('the past list shows those whose period is over', async () => {
    const { status, html } = await page('/aikasanet/recruitments/past');
    assert.equal(status, 200);
    assert.deepEqual(titles(html).sort(), ['表示試験・締切が過ぎた活動', '表示試験・終わった活動'].sort());
  });

  test('details: open and past have a page, drafts and not-yet-open ones are 404', async () => {
    let r = await page(`/aikasanet/recruitments/${ids.open}`);
    assert.equal(r.status, 200);
    assert.match(r.html, /<h1>表示試験・募集中の活動<\/h1>/);
    assert.ok(r.html.includes(`href="/aikasanet/members/${g}"`), 'the organiser group is linked');
    r = await page(`/aikasanet/recruitments/${ids.past}`);
    assert.equal(r.status, 200);
    assert.match(r.html, /この募集は終了しました。/);
    assert.ok(!r.html.includes('参加・問い合わせにはログインしてください'), 'no actions for a past one');
    r = await page(`/aikasanet/recruitments/${ids.anytime}`);
    assert.match(r.html, /<span class="tag">随時募集<\/span>/);
    for (const k of ['draft', 'review', 'notYet']) assert.equal((await page(`/aikasanet/recruitments/${ids[k]}`)).status, 404, k);
  });

  test('the calendar shows a dated recruitment on its day, never a hidden one', async () => {
    const day = sql(`SELECT starts_on FROM recruitments WHERE id=${ids.open}`);
    const { status, html } = await page(`/aikasanet/recruitments/calendar?ym=${day.slice(0, 7)}`);
    assert.equal(status, 200);
    const d = Number(day.slice(8, 10));
    const cell = html.match(new RegExp(`<span class="cal-day">${d}<span class="visually-hidden">日[^]*?</td>`))[0];
    assert.ok(cell.includes(`/aikasanet/recruitments/${ids.open}`));
    assert.ok(!html.includes(`/aikasanet/recruitments/${ids.draft}"`) && !html.includes(`/aikasanet/recruitments/${ids.notYet}"`));
    assert.equal((await page('/aikasanet/recruitments/calendar?ym=2026-13')).status, 400);
  });

  test('a paused group hides its recruitments everywhere; publishing it again shows them', async () => {
    sql(`UPDATE members SET status='paused' WHERE id=${g}`);
    assert.deepEqual(titles((await page('/aikasanet/recruitments/')).html), []);
    assert.deepEqual(titles((await page('/aikasanet/recruitments/past')).html), []);
    for (const k of ['open', 'anytime', 'past']) assert.equal((await page(`/aikasanet/recruitments/${ids[k]}`)).status, 404, k);
    assert.ok(!(await page('/aikasanet/')).html.includes('表示試験・'), 'not on the top page either');
    sql(`UPDATE members SET status='published' WHERE id=${g}`);
    assert.equal((await page(`/aikasanet/recruitments/${ids.open}`)).status, 200);
  });

  test('filters: area, field, weekday, free words; paging keeps the conditions', async () => {
    const h = member('絞り込み試験の会', { muni: '阿武町' });
    const a = recruitment('絞り込み・阿武町の月曜の福祉', h, { areas: "'阿武町'", weekdays: `'月'${NL}'水'`, fields: "'保健・医療・福祉'" });
    const b = recruitment('絞り込み・萩市の土曜の環境', h, { areas: "'萩市'" });
    const has = (html, id) => main(html).includes(`href="/aikasanet/recruitments/${id}"`);
    let { html } = await page(`/aikasanet/recruitments/?area=${encodeURIComponent('阿武町')}`);
    assert.ok(has(html, a) && !has(html, b), 'area');
    ({ html } = await page(`/aikasanet/recruitments/?weekday=${encodeURIComponent('水')}`));
    assert.ok(has(html, a) && !has(html, b), 'weekday');
    ({ html } = await page(`/aikasanet/recruitments/?field=${encodeURIComponent('保健・医療・福祉')}`));
    assert.ok(has(html, a) && !has(html, b), 'field');
    ({ html } = await page(`/aikasanet/recruitments/?q=${encodeURIComponent('絞り込み 環境')}`));
    assert.ok(!has(html, a) && has(html, b), 'free words (all of them)');
    assert.match(html, /<title>ボランティア募集の検索結果｜/);
    ({ html } = await page(`/aikasanet/recruitments/?area=${encodeURIComponent('どこか')}`));
    assert.match(html, /条件『活動地域：どこか』は使えないため無視しました。/);
    const form = await page('/aikasanet/recruitments/search');
    assert.equal(form.status, 200);
    for (const n of ['q', 'area', 'field', 'weekday']) assert.match(form.html, new RegExp(`<label for="f-${n}">`));
    for (let i = 0; i < 21; i++) recruitment(`頁送り試験${i}`, h, { areas: "'阿武町'" });
    ({ html } = await page(`/aikasanet/recruitments/?area=${encodeURIComponent('阿武町')}`));
    assert.match(html, /22件中 1〜20件/);
    const next = html.match(/href="([^"]+)" rel="next"/)[1].replace(/&amp;/g, '&');
    assert.ok(next.includes('area=') && next.includes('page=2'));
    ({ html } = await page(next));
    assert.match(html, /22件中 21〜22件/);
  });
});

describe('member search (A3) and member pages (A11)', () => {
  let ids;
  before(() => {
    sql("INSERT OR IGNORE INTO master_items(list, value, label, kana, sort) VALUES ('probono_field', 'IT・ウェブ', 'IT・ウェブ', '', 10)");
    ids = {
      person: member('カナリア個人の表示名', { kind: 'individual', muni: '美祢市', areas: "'美祢市'" + NL + "'長門市'", fields: "'社会教育'",
        extra: { occupation: '会社員（探索試験）', qualifications: '探索試験資格', sales_point: '探索試験の得意なこと', probono_fields: 'IT・ウェブ',
          probono_content: 'ホームページ作成', person_name_enc: 'カナリア氏名', person_kana_enc: 'かなりあしめい', phone_enc: '090-0000-9999',
          email_enc: 'canary-person@example.jp', address_enc: 'カナリア町1-2-3', postal_enc: '759-9999', birth_date_enc: '1990-01-23',
          fax_enc: '0837-99-9999', gender: 'female' } }),
      group: member('探索試験の会', { kind: 'group', muni: '美祢市', areas: "'美祢市'", fields: "'国際協力'",
        extra: { representative: '探索 代表', sales_point: '探索試験の団体です', main_activities: '交流会', phone_enc: 'v1:AAAAencrypted',
          email_enc: 'v1:BBBBencrypted', contact_name_enc: 'カナリア担当者', dept_enc: 'カナリア部署', contact_title_enc: 'カナリア役職',
          address_enc: 'カナリア番地' } }),
      company: member('探索試験株式会社', { kind: 'company', muni: '下関市', areas: "'下関市'", fields: "'国際協力'" }),
      draft: member('探索試験の下書き会', { status: 'review', muni: '美祢市', areas: "'美祢市'" }),
    };
  });
  const CANARIES = ['カナリア', 'canary-person', '090-0000-9999', '759-9999', '1990-01-23', '0837-99-9999', 'v1:AAAA', 'v1:BBBB', 'かなりあ', '女性'];
  const found = (html) => [...main(html).matchAll(/href="\/aikasanet\/members\/(\d+)"/g)].map((m) => Number(m[1]));

  test('filters: kind, area (活動可能地域 or 市町), field, pro-bono field, free words', async () => {
    let { status, html } = await page(`/aikasanet/members/?area=${encodeURIComponent('美祢市')}`);
    assert.equal(status, 200);
    assert.deepEqual(found(html).filter((i) => Object.values(ids).includes(i)).sort(), [ids.person, ids.group].sort(), 'published only');
    ({ html } = await page(`/aikasanet/members/?area=${encodeURIComponent('長門市')}`));
    assert.ok(found(html).includes(ids.person), 'by 活動可能地域');
    ({ html } = await page('/aikasanet/members/?kind=company'));
    assert.ok(found(html).includes(ids.company) && !found(html).includes(ids.group));
    ({ html } = await page(`/aikasanet/members/?field=${encodeURIComponent('国際協力')}&kind=group`));
    assert.ok(found(html).includes(ids.group) && !found(html).includes(ids.company) && !found(html).includes(ids.person));
    ({ html } = await page(`/aikasanet/members/?probono=${encodeURIComponent('IT・ウェブ')}`));
    assert.deepEqual(found(html), [ids.person]);
    ({ html } = await page(`/aikasanet/members/?q=${encodeURIComponent('探索試験')}`));
    assert.deepEqual(found(html).sort(), [ids.person, ids.group, ids.company].sort(), 'free words through the index');
    assert.match(main(html), /<a href="\/aikasanet\/members\/\d+">個人会員<\/a>/, 'an individual is 「個人会員」');
    ({ html } = await page(`/aikasanet/members/?q=${encodeURIComponent('カナリア')}`));
    assert.deepEqual(found(html), [], 'personal data is not searchable');
    const form = await page('/aikasanet/members/search');
    for (const n of ['q', 'kind', 'area', 'field', 'probono']) assert.match(form.html, new RegExp(`<label for="f-${n}">`));
  });

  test('a member page shows public fields only, never contact details or a person\'s name', async () => {
    for (const k of ['person', 'group']) {
      const { status, html } = await page(`/aikasanet/members/${ids[k]}`);
      assert.equal(status, 200, k);
      for (const c of CANARIES) assert.ok(!html.includes(c), `${k}: ${c} must not appear`);
      for (const label of ['電話番号', 'Eメール', '住所', '郵便番号', 'FAX', '氏名', '生年月日', '担当者名', '性別', 'メルマガ'])
        assert.ok(!main(html).includes(`<dt>${label}</dt>`), `${k}: no ${label}`);
    }
    const p = (await page(`/aikasanet/members/${ids.person}`)).html;
    assert.match(p, /<h1><span class="tag">個人<\/span>個人会員（美祢市）<\/h1>/);
    assert.ok(p.includes('会社員（探索試験）') && p.includes('ホームページ作成'), 'occupation and pro-bono details are public');
    const g = (await page(`/aikasanet/members/${ids.group}`)).html;
    assert.ok(g.includes('<h1><span class="tag">団体</span>探索試験の会</h1>') && g.includes('探索 代表'));
    for (const p2 of ['/aikasanet/', '/aikasanet/members/', `/aikasanet/search?q=${encodeURIComponent('探索試験')}`]) {
      const html = (await page(p2)).html;
      for (const c of CANARIES) assert.ok(!html.includes(c), `${p2}: ${c}`);
    }
    assert.equal((await page(`/aikasanet/members/${ids.draft}`)).status, 404);
    assert.equal((await page('/aikasanet/members/99999999')).status, 404);
  });

  test('a member page lists its recruitments, past ones included, never hidden ones', async () => {
    const open = recruitment('会員頁試験・募集中', ids.group);
    const past = recruitment('会員頁試験・終了', ids.group, { starts: "date('now', '+9 hours', '-40 days')" });
    const draft = recruitment('会員頁試験・下書き', ids.group, { status: 'draft' });
    const html = main((await page(`/aikasanet/members/${ids.group}`)).html);
    assert.ok(html.includes(`/aikasanet/recruitments/${open}"`) && html.includes(`/aikasanet/recruitments/${past}"`));
    assert.ok(!html.includes(`/aikasanet/recruitments/${draft}"`) && !html.includes('会員頁試験・下書き'));
    assert.match(html, /<span class="tag tag-muted">終了<\/span><a href="\/aikasanet\/recruitments\/\d+">会員頁試験・終了/);
  });
});

describe('signed-in members (A9)', () => {
  test('「参加する」 and 「問い合わせる」 for a member, a login line for anonymous visitors, never cached across', async () => {
    const g = member('参加ボタン試験の会');
    const rec = recruitment('参加ボタン試験の募集', g);
    // anonymous first (this response is cached)
    let { html, res } = await page(`/aikasanet/recruitments/${rec}`);
    assert.match(html, /参加・問い合わせにはログインしてください。/);
    assert.ok(html.includes(`href="/aikasanet/login?next=%2Faikasanet%2Frecruitments%2F${rec}"`));
    assert.ok(!html.includes(`/aikasanet/recruitments/${rec}/apply`));
    ({ res } = await page(`/aikasanet/recruitments/${rec}`));
    assert.equal(res.headers.get('x-cache'), 'hit', 'the anonymous page is cached');
    const person = memberSession('参加試験の個人', 'individual');
    ({ html, res } = await page(`/aikasanet/recruitments/${rec}`, { cookie: person.cookie }));
    assert.equal(res.headers.get('x-cache'), null, 'a signed-in member never gets the cached page');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(html, new RegExp(`<form method="post" action="/aikasanet/recruitments/${rec}/apply" class="inline">\\s*<input type="hidden" name="_csrf" value="[^"]+">\\s*<button type="submit">参加する</button>`));
    assert.ok(html.includes(`href="/aikasanet/recruitments/${rec}/inquire"`));
    assert.ok(!html.includes('参加・問い合わせにはログインしてください'));
    // … and the anonymous page still has no form
    assert.ok(!(await page(`/aikasanet/recruitments/${rec}`)).html.includes('/apply"'));
    // the organiser itself gets no buttons for its own recruitment
    const own = memberSession('自分の募集の会', 'group');
    const ownRec = recruitment('自分の会の募集', own.id);
    ({ html } = await page(`/aikasanet/recruitments/${ownRec}`, { cookie: own.cookie }));
    assert.ok(!html.includes('/apply"') && !html.includes('ログインしてください'));
    // a signed-in group may inquire of another member; an individual may not
    ({ html } = await page(`/aikasanet/members/${person.id}`, { cookie: own.cookie }));
    assert.ok(html.includes(`href="/aikasanet/members/${person.id}/inquire"`));
    ({ html } = await page(`/aikasanet/members/${g}`, { cookie: person.cookie }));
    assert.ok(!html.includes('/inquire"'));
    ({ html } = await page(`/aikasanet/members/${own.id}`, { cookie: own.cookie }));
    assert.ok(!html.includes('/inquire"'), 'not on its own page');
  });
});

describe('top page (A1)', () => {
  test('open recruitments and newest members with links; individuals without a name', async () => {
    const g = member('トップ試験の会');
    sql(`UPDATE members SET published_at='2099-01-01T00:00:00Z' WHERE id=${g}`);
    const p = member('トップ試験の個人表示名', { kind: 'individual', muni: '光市', extra: { occupation: '保育士' } });
    sql(`UPDATE members SET published_at='2099-01-02T00:00:00Z' WHERE id=${p}`);
    const rec = recruitment('トップ試験の募集', g);
    sql(`UPDATE recruitments SET published_at='2099-01-01T00:00:00Z' WHERE id=${rec}`);
    const past = recruitment('トップ試験の終わった募集', g, { starts: "date('now', '+9 hours', '-3 days')" });
    sql(`UPDATE recruitments SET published_at='2099-01-02T00:00:00Z' WHERE id=${past}`);
    const { html } = await page('/aikasanet/');
    assert.ok(html.includes(`<a href="/aikasanet/recruitments/${rec}">トップ試験の募集</a>`));
    assert.ok(!html.includes('トップ試験の終わった募集'), 'only open recruitments');
    assert.ok(html.includes(`<a href="/aikasanet/members/${g}">トップ試験の会</a>`));
    assert.ok(html.includes(`<a href="/aikasanet/members/${p}">個人会員</a>（光市・保育士）`));
    assert.ok(!html.includes('トップ試験の個人表示名'));
    const n = (k) => sql(`SELECT count(*) FROM members WHERE status='published' AND kind='${k}'`);
    assert.ok(html.includes(`個人 ${n('individual')}件`) && html.includes(`団体 ${n('group')}件`) && html.includes(`企業 ${n('company')}件`));
  });
});

describe('interviews, fixed pages, sitemap and forms (A4)', () => {
  test('interview reports: published only, Markdown body, photos with their alt text', async () => {
    const id = one(`INSERT INTO interviews(title, subject, held_on, body, status, published_at) VALUES
      ('取材試験の報告', '取材試験の会', '2026-10-01', '## 活動の様子\n\n- 竹を**運び出し**ました\n\n<script>alert(1)</script>', ${PUB})`);
    const draft = one(`INSERT INTO interviews(title, body, status) VALUES ('取材試験の下書き', '本文', 'draft')`);
    const up = one(`INSERT INTO uploads(stored_path, original_name, mime, size, sha256, owner_kind, owner_id, field)
      VALUES ('uploads/2026/01/${crypto.randomBytes(16).toString('hex')}.jpg', 'photo.jpg', 'image/jpeg', 1000, 'x', 'interview', ${id}, 'photo_1')`);
    sql(`UPDATE interviews SET photo_1=${up} WHERE id=${id}`);
    let { status, html } = await page('/aikasanet/interviews/');
    assert.equal(status, 200);
    assert.ok(html.includes(`<a href="/aikasanet/interviews/${id}">取材試験の報告</a>`));
    assert.ok(!html.includes('取材試験の下書き'));
    ({ status, html } = await page(`/aikasanet/interviews/${id}`));
    assert.equal(status, 200);
    assert.match(html, /<title>取材試験の報告｜取材報告｜/);
    assert.ok(html.includes('<h2>活動の様子</h2>') && html.includes('<strong>運び出し</strong>'), 'Markdown rendered');
    assert.ok(!html.includes('<script>alert(1)'), 'sanitised');
    assert.ok(html.includes(`<img src="/files/${up}" alt="写真1：取材試験の報告">`));
    assert.equal((await page(`/aikasanet/interviews/${draft}`)).status, 404);
  });

  test('fixed pages of Aika: Q＆A, 利用案内, links, privacy and sub-pages; other sites\' pages are not mixed in', async () => {
    for (const [p, title] of [['/aikasanet/qa', 'Q＆A'], ['/aikasanet/guide', '利用案内'], ['/aikasanet/links', '関連団体リンク'], ['/aikasanet/privacy', '個人情報保護']]) {
      const { status, html } = await page(p);
      assert.equal(status, 200, p);
      assert.match(html, new RegExp(`<h1>${title}</h1>`), p);
    }
    const qa = sql("SELECT id FROM pages WHERE site='aika' AND slug='qa' AND parent_id IS NULL");
    sql(`INSERT INTO pages(site, parent_id, slug, title, body, status, published_at) VALUES ('aika', ${qa}, 'testchild', '固定頁試験の子', '子ページの本文。', ${PUB}),
         ('aika', ${qa}, 'testdraft', '固定頁試験の下書き', '本文', 'draft', NULL)`);
    const { html } = await page('/aikasanet/qa');
    assert.ok(html.includes('<a href="/aikasanet/p/qa/testchild">固定頁試験の子</a>'));
    assert.ok(!html.includes('固定頁試験の下書き'));
    const child = await page('/aikasanet/p/qa/testchild');
    assert.equal(child.status, 200);
    assert.ok(child.html.includes('<a href="/aikasanet/qa">Q＆A</a>'), 'breadcrumb to the parent by its own route');
    assert.equal((await page('/aikasanet/p/qa/testdraft')).status, 404);
    assert.equal((await page('/aikasanet/p/center')).status, 404, 'a Supernet page is not an Aika page');
    sql(`INSERT INTO pages(site, slug, title, body, status, published_at) VALUES ('aika', 'aikaonly', 'あいか専用試験', '本文', ${PUB})`);
    assert.equal((await page('/aikasanet/p/aikaonly')).status, 200);
    assert.equal((await page('/p/aikaonly')).status, 404, 'an Aika page is not a Supernet page');
  });

  test('sitemap of Aika: navigation, sub-pages and fixed pages', async () => {
    const { status, html } = await page('/aikasanet/sitemap');
    assert.equal(status, 200);
    assert.match(html, /<title>サイトマップ｜あいかさねっと/);
    for (const href of ['/aikasanet/recruitments/', '/aikasanet/recruitments/calendar', '/aikasanet/recruitments/past',
      '/aikasanet/members/', '/aikasanet/interviews/', '/aikasanet/newsletter', '/aikasanet/forms', '/aikasanet/privacy'])
      assert.ok(html.includes(`<a href="${href}">`), href);
    assert.match(html, /<a href="\/aikasanet\/qa">Q＆A<\/a>\s*<ul>\s*<li><a href="\/aikasanet\/p\/qa\//, 'Q＆A sub-pages under it');
    const xml = await (await get('/sitemap.xml')).text();
    assert.ok(xml.includes('/aikasanet/qa</loc>') && !xml.includes('/aikasanet/p/qa</loc>'), 'listed once by its route');
  });

  test('forms page: published downloads of Aika, with type and size, 「準備中」 without a file', async () => {
    const up = one(`INSERT INTO uploads(stored_path, original_name, mime, size, sha256, owner_kind, owner_id, field)
      VALUES ('uploads/2026/01/${crypto.randomBytes(16).toString('hex')}.pdf', '登録用紙 試験.pdf', 'application/pdf', 153600, 'x', 'download', NULL, 'file_1')`);
    const d = one(`INSERT INTO downloads(site, title, file_1, sort, status, published_at) VALUES ('aika', '様式試験（ファイルあり）', ${up}, 1, ${PUB})`);
    sql(`UPDATE uploads SET owner_id=${d} WHERE id=${up}`);
    sql(`INSERT INTO downloads(site, title, sort, status, published_at) VALUES ('aika', '様式試験（準備中）', 2, ${PUB}),
         ('aika', '様式試験（下書き）', 3, 'draft', NULL), ('supernet', '様式試験（スーパーネット）', 4, ${PUB})`);
    const { status, html } = await page('/aikasanet/forms');
    assert.equal(status, 200);
    assert.ok(html.includes(`<a href="/files/${up}/%E7%99%BB%E9%8C%B2%E7%94%A8%E7%B4%99%20%E8%A9%A6%E9%A8%93.pdf">様式試験（ファイルあり）（PDF・150KB）</a>`));
    assert.match(html, /様式試験（準備中） <span class="tag tag-muted">準備中<\/span>/);
    assert.ok(!html.includes('様式試験（下書き）') && !html.includes('様式試験（スーパーネット）'));
  });
});

describe('newsletter (A10): double opt-in and one-click unsubscribe', () => {
  function client() {
    const jar = new Map();
    const send = async (p, opts = {}) => {
      const headers = { ...(opts.headers || {}) };
      if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(p.startsWith('http') ? p : srv.url + p, { redirect: 'manual', ...opts, headers });
      for (const c of res.headers.getSetCookie()) {
        const [kv] = c.split(';');
        const i = kv.indexOf('=');
        jar.set(kv.slice(0, i), kv.slice(i + 1));
      }
      return res;
    };
    const post = async (p, fields, from = p) => {
      const tok = (await (await send(from)).text()).match(/name="_csrf" value="([^"]+)"/)[1];
      return send(p, { method: 'POST', body: new URLSearchParams({ _csrf: tok, ...fields }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
    };
    return { send, post };
  }
  async function mailsTo(to, n = 1, timeout = 15_000) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const got = sink.messages().filter((m) => m.to.includes(to));
      if (got.length >= n) return got;
      if (Date.now() > deadline) assert.fail(`expected ${n} mail(s) to ${to}, got ${got.length}`);
      await sleep(100);
    }
  }
  const linkIn = (m) => m.body.match(/http:\/\/127\.0\.0\.1:\d+(\/aikasanet\/newsletter\/[^\s]+)/)[1];
  const SENT = '確認のメールを送りました。';

  test('subscribe → mail → GET shows a button → POST activates; the token works once', async () => {
    const c = client();
    const addr = 'nl-reader@example.jp';
    let res = await c.post('/aikasanet/newsletter', { email: addr });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/aikasanet/newsletter?done=sent');
    const done = await (await c.send('/aikasanet/newsletter?done=sent')).text();
    assert.ok(done.includes(SENT));
    const [m] = await mailsTo(addr);
    assert.match(m.subject, /メルマガ登録の確認/);
    const link = linkIn(m);
    assert.match(link, /^\/aikasanet\/newsletter\/confirm\?t=[A-Za-z0-9_-]{43}$/);
    const stored = sql("SELECT status || '|' || email_enc || '|' || length(token_hash) FROM newsletter_subscribers ORDER BY id DESC LIMIT 1").split('|');
    assert.equal(stored[0], 'pending');
    assert.ok(stored[1].startsWith('v1:') && !stored[1].includes('nl-reader'), 'the address is stored encrypted');
    assert.equal(stored[2], '64', 'only the token\'s SHA-256 is stored');
    const t = new URL(srv.url + link).searchParams.get('t');
    assert.ok(!sql('SELECT token_hash FROM newsletter_subscribers').includes(t));
    // GET only shows the button
    const form = await (await c.send(link)).text();
    assert.match(form, /<button type="submit">メルマガの登録を確定する<\/button>/);
    assert.equal(sql("SELECT status FROM newsletter_subscribers ORDER BY id DESC LIMIT 1"), 'pending');
    res = await c.post('/aikasanet/newsletter/confirm', { t }, link);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/aikasanet/newsletter?done=confirmed');
    assert.equal(sql("SELECT status FROM newsletter_subscribers ORDER BY id DESC LIMIT 1"), 'active');
    // used up
    res = await c.send(link);
    assert.equal(res.status, 410);
    assert.match(await res.text(), /リンクが無効です/);
    res = await c.post('/aikasanet/newsletter/confirm', { t }, '/aikasanet/newsletter');
    assert.equal(res.status, 410);
    assert.equal((await c.send('/aikasanet/newsletter/confirm?t=' + 'A'.repeat(43))).status, 410);
  });

  test('the answer is the same for a known, a new and a pending address; no second mail within minutes', async () => {
    const c = client();
    const known = 'nl-reader@example.jp';
    const before = (await mailsTo(known)).length;
    const answers = [];
    for (const addr of ['NL-Reader@Example.jp', 'nl-new@example.jp', 'nl-new@example.jp']) {
      const res = await c.post('/aikasanet/newsletter', { email: addr });
      answers.push(`${res.status} ${res.headers.get('location')}`);
    }
    assert.deepEqual(new Set(answers).size, 1, answers.join(', '));
    assert.equal(sql("SELECT count(*) FROM newsletter_subscribers"), '2', 'the known address (any case) is one subscriber');
    const already = await mailsTo(known, before + 1);
    assert.match(already.at(-1).subject, /メルマガ登録のお申し込みについて/, 'the owner is told, not the visitor');
    await mailsTo('nl-new@example.jp');
    assert.equal(sql("SELECT count(*) FROM outbox WHERE idem_key LIKE 'newsletter-confirm:%'"), '2', 'one confirmation per pending address');
    // errors are shown next to the field, input kept
    const res = await c.post('/aikasanet/newsletter', { email: 'not-an-address' });
    assert.equal(res.status, 422);
    const html = await res.text();
    assert.match(html, /class="error-summary"/);
    assert.ok(html.includes('value="not-an-address"'));
  });

  test('an expired token is refused', async () => {
    const c = client();
    await c.post('/aikasanet/newsletter', { email: 'nl-late@example.jp' });
    const [m] = await mailsTo('nl-late@example.jp');
    sql("UPDATE newsletter_subscribers SET token_expires = strftime('%s','now') - 1 WHERE status='pending'");
    const res = await c.send(linkIn(m));
    assert.equal(res.status, 410);
  });

  test('unsubscribe: GET shows a button, the RFC 8058 one-click POST stops without cookies or token', async () => {
    const key = sql("SELECT unsub_key FROM newsletter_subscribers WHERE status='active' LIMIT 1");
    assert.match(key, /^[A-Za-z0-9_-]{43}$/);
    const url = `/aikasanet/newsletter/unsubscribe?k=${key}`;
    const c = client();
    const form = await (await c.send(url)).text();
    assert.match(form, /<button type="submit">配信を停止する<\/button>/);
    assert.equal(sql(`SELECT status FROM newsletter_subscribers WHERE unsub_key='${key}'`), 'active', 'GET changes nothing');
    // what a mail program sends: no cookie, no Origin, no CSRF token
    const res = await fetch(srv.url + url, { method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /メルマガの配信を停止しました/);
    assert.equal(sql(`SELECT status || '|' || stop_reason FROM newsletter_subscribers WHERE unsub_key='${key}'`), 'stopped|unsubscribed');
    // again: still fine (idempotent); an unknown key is refused
    assert.equal((await fetch(srv.url + url, { method: 'POST', body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status, 200);
    assert.equal((await fetch(srv.url + '/aikasanet/newsletter/unsubscribe?k=' + 'B'.repeat(43), { method: 'POST',
      body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status, 410);
    assert.match(await (await c.send(url)).text(), /すでに停止しています/);
  });

  test('unsubscribe by e-mail: the same answer for every address; the link in the mail stops with the button', async () => {
    const c = client();
    const addr = 'nl-new@example.jp';
    const answers = [];
    for (const a of [addr, 'nobody-here@example.jp']) {
      const res = await c.post('/aikasanet/newsletter/unsubscribe/mail', { email: a }, '/aikasanet/newsletter/unsubscribe');
      answers.push(`${res.status} ${res.headers.get('location')}`);
    }
    assert.deepEqual(answers, Array(2).fill('303 /aikasanet/newsletter/unsubscribe?done=mail'));
    const mails = await mailsTo(addr, 2);
    const m = mails.find((x) => /配信停止について/.test(x.subject));
    assert.ok(m, 'the unsubscribe mail');
    const link = linkIn(m);
    assert.ok(link.startsWith('/aikasanet/newsletter/unsubscribe?k='));
    const page2 = await (await c.send(link)).text();
    const action = page2.match(/<form method="post" action="([^"]+)"/)[1].replace(/&amp;/g, '&');
    const res = await c.send(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url }, body: '' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/aikasanet/newsletter/unsubscribe?done=stopped');
    const k = new URL(srv.url + link).searchParams.get('k');
    assert.equal(sql(`SELECT status FROM newsletter_subscribers WHERE unsub_key='${k}'`), 'stopped');
    assert.equal(sink.messages().filter((x) => x.to.includes('nobody-here@example.jp')).length, 0);
  });
});

describe('valid HTML of the pages the crawler (html_validate.test.mjs) cannot reach', () => {
  test('signed-in detail, newsletter confirmation, unsubscribe, invalid link, form errors', async () => {
    const validator = new HtmlValidate({ extends: ['html-validate:standard'], rules: { 'no-redundant-role': 'off' } });
    const token = crypto.randomBytes(32).toString('base64url');
    const key = crypto.randomBytes(32).toString('base64url');
    sql(`INSERT INTO newsletter_subscribers(list, email_enc, email_index, status, token_hash, token_expires, unsub_key)
         VALUES ('aika', 'v1:x', 'html-check', 'pending', '${crypto.createHash('sha256').update(token).digest('hex')}',
         strftime('%s','now') + 3600, '${key}')`);
    const m = memberSession('HTML検査の個人', 'individual');
    const g = member('HTML検査の会');
    const rec = recruitment('HTML検査の募集', g);
    const pages = [
      [`/aikasanet/recruitments/${rec}`, { cookie: m.cookie }],
      [`/aikasanet/newsletter/confirm?t=${token}`],
      [`/aikasanet/newsletter/unsubscribe?k=${key}`],
      [`/aikasanet/newsletter/unsubscribe?done=mail`],
      [`/aikasanet/newsletter/confirm?t=${'C'.repeat(43)}`],
      ['/aikasanet/newsletter?done=confirmed'],
    ];
    const problems = [];
    for (const [p, headers] of pages) {
      const html = (await page(p, headers)).html;
      const report = await validator.validateString(html, p);
      for (const r of report.results) for (const x of r.messages) problems.push(`${p}:${x.line}:${x.column} ${x.ruleId}: ${x.message}`);
    }
    const oneClick = await (await fetch(`${srv.url}/aikasanet/newsletter/unsubscribe?k=${key}`, { method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })).text();
    for (const r of (await validator.validateString(oneClick, 'one-click')).results)
      for (const x of r.messages) problems.push(`one-click:${x.line}:${x.column} ${x.ruleId}: ${x.message}`);
    assert.deepEqual(problems, [], problems.join('\n'));
  });
});
