// import_wp.test.mjs — `civicnet import-wp` (issue 7, D1/D2) over the real
// CLI and real HTTP: the fixture mysqldump (tests/fixtures/wp/dump.sql,
// made by gen_dump.py) is imported into a fresh server's data directory.
// Checked: rejects stop the run unless --allow-rejects, a broken dump and
// a dry run leave the database as it was, the exact counts per type (from
// the report and from the database), Japanese text intact (髙﨑①ｶﾀｶﾅ🌸),
// sanitising reported and applied, status mapping, trash reported,
// attachments copied or listed as missing, personal data encrypted,
// second run "変更はありません", a changed dump updates exactly one record,
// old passwords sign in and are upgraded, old URLs answer 301 to a page
// that answers 200, crafted off-site rows are never followed, unknown old
// paths 404, and another table prefix is detected.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, runCli, REPO_ROOT } from '../lib/server.mjs';

const FIX = path.join(REPO_ROOT, 'tests/fixtures/wp');
const DUMP = path.join(FIX, 'dump.sql');
const UPLOADS = path.join(FIX, 'uploads');
let srv, tmp;
before(async () => {
  srv = await startServer({ demo: false });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'import-wp-'));
});
after(async () => {
  await srv.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});
const sql = (q) => execFileSync('sqlite3', [path.join(srv.dataDir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();
const importWp = (...args) => runCli(['import-wp', '--data', srv.dataDir, ...args]);

// The count table of a report: { type: {read, created, updated, unchanged, skipped, rejected} }.
function counts(stdout) {
  const out = {};
  for (const line of stdout.split('\n')) {
    const m = line.match(/^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$/);
    if (m) out[m[1]] = { read: +m[2], created: +m[3], updated: +m[4], unchanged: +m[5], skipped: +m[6], rejected: +m[7] };
  }
  return out;
}
const c = (read, created, updated, unchanged, skipped, rejected) => ({ read, created, updated, unchanged, skipped, rejected });

// What the first import must report, type by type (nothing dropped
// silently: read = created + skipped + rejected for every type).
const FIRST = {
  news: c(8, 6, 0, 0, 2, 0),          // 5 posts + 1 Aika news; trash + auto-draft skipped
  page: c(5, 5, 0, 0, 0, 0),          // 4 pages (one child, one draft) + 1 Aika page
  event: c(3, 3, 0, 0, 0, 0),
  grant: c(1, 1, 0, 0, 0, 0),
  report: c(1, 1, 0, 0, 0, 0),
  book: c(1, 1, 0, 0, 0, 0),
  interview: c(1, 1, 0, 0, 0, 0),
  'wp:nav_menu_item': c(1, 0, 0, 0, 1, 0),
  'wp:revision': c(2, 0, 0, 0, 2, 0),
  upload: c(5, 4, 0, 0, 1, 0),        // one file missing
  group: c(4, 2, 0, 0, 1, 1),         // one bad e-mail, one deleted group
  member: c(5, 4, 0, 0, 0, 1),        // one with another member's address (case differs)
  recruitment: c(2, 2, 0, 0, 0, 0),
  subscriber: c(3, 3, 0, 0, 0, 0),
  'wp:inquiries': c(2, 0, 0, 0, 2, 0),
  staff: c(5, 3, 0, 0, 2, 0),         // author and subscriber are not staff
};
const unchangedOf = (first) => Object.fromEntries(Object.entries(first).map(([t, v]) =>
  [t, c(v.read, 0, 0, v.created, v.skipped, v.rejected)]));

function snapshot() {
  return sql(`SELECT (SELECT count(*) FROM news)||','||(SELECT count(*) FROM pages)||','||(SELECT count(*) FROM events)||','||
    (SELECT count(*) FROM members)||','||(SELECT count(*) FROM users)||','||(SELECT count(*) FROM uploads)||','||
    (SELECT count(*) FROM old_urls)||','||(SELECT count(*) FROM import_records)||','||(SELECT count(*) FROM newsletter_subscribers)||','||
    (SELECT group_concat(title, '|') FROM news)`);
}
const uploadFiles = () => {
  const dir = path.join(srv.dataDir, 'uploads');
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { recursive: true }).filter((f) => /\.(pdf|png|jpg)$/.test(f)).length;
};

test('a dump with a rejected record writes nothing without --allow-rejects (exit 1), and says why', async () => {
  const before = snapshot();
  const r = await importWp(DUMP, '--uploads', UPLOADS);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /group\t\d+\t却下\tsn_groups:2「朗読の会「こえ」」: Eメールの形式が正しくありません/);
  assert.match(r.stdout, /member\t\d+\t却下\taika_members:5「山﨑 花子」: Eメールアドレスが他の会員と重複しています。/);
  assert.match(r.stdout, /却下が 2 件あるため、何も書き込みませんでした/);
  assert.deepEqual(counts(r.stdout), FIRST, 'the counts are reported even when nothing is written');
  assert.equal(snapshot(), before);
  assert.equal(uploadFiles(), 0, 'files copied during the refused run are removed again');
});

test('a dry run reports the same counts and writes nothing', async () => {
  const before = snapshot();
  const r = await importWp(DUMP, '--uploads', UPLOADS, '--dry-run', '--allow-rejects');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(counts(r.stdout), FIRST);
  assert.match(r.stdout, /試行: データベースには書き込んでいません/);
  assert.equal(snapshot(), before);
  assert.equal(uploadFiles(), 0);
});

test('a broken dump (cut in the middle of an INSERT) stops before writing, naming the line', async () => {
  const text = fs.readFileSync(DUMP, 'utf8');
  const cut = text.indexOf("'ボランティア入門講座 2026'");
  const broken = path.join(tmp, 'broken.sql');
  fs.writeFileSync(broken, text.slice(0, cut + 5));
  const before = snapshot();
  const r = await importWp(broken, '--allow-rejects');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /行 \d+: 文字列が閉じられないままファイルが終わっています/);
  assert.match(r.stderr, /データベースは変更していません/);
  assert.equal(snapshot(), before);
  // garbage in the middle: also an error with its line
  fs.writeFileSync(broken, text.replace("INSERT INTO `wp_postmeta` VALUES (1,", "INSERT INTO `wp_postmeta` VALUES (1 2,"));
  const r2 = await importWp(broken, '--allow-rejects');
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /行 \d+: 表 wp_postmeta の値の後に「,」か「\)」があるはずです/);
  assert.equal(snapshot(), before);
});

let firstReport;
test('the import with --allow-rejects: exact counts per type in the report and in the database', async () => {
  const r = await importWp(DUMP, '--uploads', UPLOADS, '--allow-rejects');
  assert.equal(r.code, 0, r.stderr + r.stdout);
  firstReport = r.stdout;
  assert.deepEqual(counts(r.stdout), FIRST);
  for (const [type, v] of Object.entries(FIRST))
    assert.equal(v.read, v.created + v.updated + v.unchanged + v.skipped + v.rejected, `${type}: nothing dropped silently`);
  assert.equal(sql('SELECT count(*) FROM news'), '6');
  assert.equal(sql("SELECT group_concat(status, ',') FROM (SELECT status FROM news ORDER BY id)"), 'published,published,draft,review,published,published');
  assert.equal(sql('SELECT count(*) FROM pages'), '5');
  assert.equal(sql('SELECT count(*) FROM events'), '3');
  assert.equal(sql('SELECT count(*) FROM grants') + sql('SELECT count(*) FROM reports') + sql('SELECT count(*) FROM books') + sql('SELECT count(*) FROM interviews'), '1111');
  assert.equal(sql('SELECT count(*) FROM groups'), '2');
  assert.equal(sql('SELECT count(*) FROM members'), '4');
  assert.equal(sql('SELECT count(*) FROM recruitments'), '2');
  assert.equal(sql('SELECT count(*) FROM newsletter_subscribers'), '3');
  assert.equal(sql("SELECT group_concat(login||':'||role, ',') FROM (SELECT login, role FROM users WHERE role<>'member' ORDER BY id)"), 'kanri:admin,henshu:editor,ed2:editor');
  assert.equal(sql('SELECT count(*) FROM uploads'), '4');
  assert.equal(uploadFiles(), 4);
  assert.equal(sql("SELECT count(*) FROM audit_log WHERE action='import_wp'"), '1');
});

test('report notes: sanitising, trash, missing file, slug, skipped users — each with its source line', async () => {
  assert.match(firstReport, /news\t\d+\t無害化\tbody から 3 個の要素・属性を取り除きました（script 要素、javascript: の URL、onclick 属性、onerror 属性）/);
  assert.match(firstReport, /news\t\d+\t対象外\tpost:14「ゴミ箱の記事」はゴミ箱（trash）のため取り込みません/);
  assert.match(firstReport, /upload\t\d+\t欠落\tpost:72「特集の資料」のファイル wp-content\/uploads\/2025\/03\/missing.pdf がありません/);
  assert.match(firstReport, /page\t\d+\t注意\tスラッグ「よくある質問」は URL に使えない文字を含むため「p23」にしました/);
  assert.match(firstReport, /staff\t\d+\t対象外\tWordPress ユーザー writer（権限 author）/);
  assert.match(firstReport, /wp:inquiries\t\d+\t対象外\t表 wp_inquiries の 2 行は移行しない設定です/);
  assert.doesNotMatch(firstReport, /\t0\t(却下|無害化|欠落)/, 'record notes name their line');
  assert.doesNotMatch(firstReport, /wp:revision\t/, 'revisions are counted but not listed one by one');
});

test('field values: Japanese text intact (髙﨑①ｶﾀｶﾅ🌸), HTML sanitised, dates in UTC, categories mapped', async () => {
  const title = '「髙﨑①」さんの"特集" \\ 半角ｶﾀｶﾅ ﾃｽﾄ 🌸';
  assert.equal(sql('SELECT title FROM news WHERE id=2'), title);
  const body = sql('SELECT body FROM news WHERE id=2');
  assert.match(body, /髙﨑さん（①）の活動を紹介します 😀。/);
  assert.match(body, /改行\\バックスラッシュと'引用符'。/);
  assert.doesNotMatch(body, /alert|javascript:|onclick|onerror|<script/i);
  assert.equal(sql('SELECT published_at FROM news WHERE id=2'), '2025-03-15T05:00:00Z', '14:00 JST');
  assert.equal(sql('SELECT category FROM news WHERE id=1'), 'centre');
  assert.equal(sql('SELECT category||site FROM news WHERE id=6'), 'newsaika');
  assert.equal(sql('SELECT published_at IS NULL FROM news WHERE id=3'), '1', 'drafts have no publication time');
  assert.equal(sql("SELECT parent_id||'/'||slug FROM pages WHERE title='アクセス'"), '1/access');
  assert.doesNotMatch(sql('SELECT body FROM pages WHERE id=1'), /script/);
  assert.equal(sql('SELECT kind||starts_on||municipality FROM events WHERE id=1'), 'event2026-12-05山口市');
  assert.equal(sql('SELECT kind FROM events WHERE id=2'), 'recruit');
  assert.equal(sql('SELECT deadline||amount_max FROM grants WHERE id=1'), '2026-12-2550');
  assert.equal(sql("SELECT replace(fields, char(10), ',')||'|'||replace(weekdays, char(10), ',')||'|'||replace(activity_areas, char(10), ',') FROM members WHERE id=1"),
    'まちづくり,子どもの健全育成|土,日|山口市,防府市');
  assert.equal(sql("SELECT replace(areas, char(10), ',')||anytime FROM recruitments WHERE id=2"), '周南市,下松市1');
  assert.equal(sql('SELECT group_concat(member_id, \',\') FROM (SELECT member_id FROM recruitments ORDER BY id)'), '2,3', 'linked to the imported members');
  // personal data encrypted, found through the blind index only
  for (const col of ['phone_enc', 'email_enc', 'address_enc', 'birth_date_enc', 'person_name_enc'])
    assert.match(sql(`SELECT ${col} FROM members WHERE id=1`), /^v1:/, col);
  assert.equal(sql("SELECT count(*) FROM members WHERE phone_enc LIKE '%083%' OR email_enc LIKE '%example%'"), '0');
  assert.equal(sql('SELECT count(*) FROM members WHERE email_index IS NOT NULL AND user_id IS NOT NULL'), '4');
  assert.match(sql('SELECT registrant_email_enc FROM groups WHERE id=1'), /^v1:/);
  assert.equal(sql("SELECT group_concat(list||status, ',') FROM (SELECT list, status FROM newsletter_subscribers ORDER BY id)"), 'aikaactive,supernetactive,aikastopped');
  // attachments: the event's files in its file columns, the report photo, the orphan kept for staff
  assert.equal(sql("SELECT (SELECT original_name FROM uploads WHERE id=e.file_1)||','||(SELECT original_name FROM uploads WHERE id=e.file_2) FROM events e WHERE id=1"), 'flyer.pdf,hall.png');
  assert.equal(sql("SELECT owner_kind||':'||owner_id FROM uploads WHERE original_name='kiyaku.pdf'"), 'wp:0');
});

test('public pages show the imported records; drafts and pending stay hidden', async () => {
  let res = await fetch(srv.url + '/news/2');
  assert.equal(res.status, 200);
  let html = await res.text();
  assert.ok(html.includes('「髙﨑①」さんの&quot;特集&quot; \\ 半角ｶﾀｶﾅ ﾃｽﾄ 🌸') || html.includes('「髙﨑①」さんの&#34;特集&#34;'), 'title shown');
  assert.match(html, /髙﨑さん（①）の活動を紹介します 😀。/);
  assert.doesNotMatch(html, /alert\(|javascript:/);
  assert.equal((await fetch(srv.url + '/news/3')).status, 404, 'draft');
  assert.equal((await fetch(srv.url + '/news/4')).status, 404, 'pending → 仮登録, not public');
  res = await fetch(srv.url + '/center-news/1');
  assert.equal(res.status, 200);
  assert.match(await res.text(), /センター休館日のお知らせ（12月）/);
  res = await fetch(srv.url + '/p/center-info/access');
  assert.equal(res.status, 200);
  assert.match(await res.text(), /山口市中央〇丁目。/);
  res = await fetch(srv.url + '/aikasanet/p/guide-beginner');
  assert.equal(res.status, 200);
  res = await fetch(srv.url + '/events/1');
  html = await res.text();
  assert.equal(res.status, 200);
  assert.match(html, /href="\/files\/\d+\/flyer.pdf"/);
  res = await fetch(srv.url + '/aikasanet/members/2');
  assert.equal(res.status, 200);
  assert.match(await res.text(), /あいか子ども食堂/);
  res = await fetch(srv.url + '/aikasanet/recruitments/1');
  assert.equal(res.status, 200, 'a published recruitment of a published member');
  assert.match(await res.text(), /子ども食堂の調理ボランティア/);
  res = await fetch(srv.url + '/aikasanet/members/3');
  assert.equal(res.status, 404, 'a member under review (status 0) is not public');
});

test('old URLs: 301 to the new page, which answers 200', async () => {
  const cases = [
    ['/?p=11', '/news/2'],
    ['/?p=11&utm_source=mail', '/news/2'],
    ['/?p=10', '/center-news/1'],
    ['/?page_id=21', '/p/center-info/access'],
    ['/center-info/access/', '/p/center-info/access'],
    ['/center-info/access', '/p/center-info/access'],
    ['/2025/03/feature-takasaki/', '/news/2'],
    ['/2024/09/' + encodeURIComponent('福祉ボランティア') + '/', '/news/5'],
    ['/' + encodeURIComponent('よくある質問') + '/', '/p/p23'],
    ['/?post_type=event&p=30', '/events/1'],
    ['/event/volunteer-kouza-2026/', '/events/1'],
    ['/josei/chiiki-josei-2026/', '/grants/1'],
    ['/boranet201909/guide-beginner/', '/aikasanet/p/guide-beginner'],
    ['/boranet201909/?p=55', '/aikasanet/news/6'],
    ['/boranet201909/member/detail.php?id=2', '/aikasanet/members/2'],
    ['/group/detail.php?id=1', '/groups/1'],
    ['/category/center/', '/center-news/'],
    ['/?cat=2', '/center-news/'],
    ['/wp-content/uploads/2026/11/flyer.pdf', '/files/2/flyer.pdf'],
    ['/wp-content/uploads/2026/11/hall-4x3.png', '/files/3/hall.png'],
  ];
  for (const [old, target] of cases) {
    const res = await fetch(srv.url + old, { redirect: 'manual' });
    assert.equal(res.status, 301, old);
    const loc = res.headers.get('location');
    assert.equal(loc.replace(/^\/files\/\d+\//, '/files/N/'), target.replace(/^\/files\/\d+\//, '/files/N/'), old);
    const page = await fetch(srv.url + loc, { redirect: 'manual' });
    assert.equal(page.status, 200, `${old} → ${loc}`);
  }
  // a file attached to a published news item is public, one of a draft is not
  const stored = sql("SELECT stored_path FROM uploads WHERE original_name='flyer.pdf'");
  for (const [news, want] of [[2, 200], [3, 404]]) {
    const id = sql(`INSERT INTO uploads(stored_path, original_name, mime, size, sha256, owner_kind, owner_id)
      SELECT '${stored}' || '.n${news}', 'news${news}.pdf', mime, size, sha256, 'news', ${news} FROM uploads WHERE original_name='flyer.pdf';
      SELECT last_insert_rowid()`);
    fs.copyFileSync(path.join(srv.dataDir, stored), path.join(srv.dataDir, `${stored}.n${news}`));
    assert.equal((await fetch(`${srv.url}/files/${id}/news${news}.pdf`)).status, want, `news ${news} attachment`);
  }
  const head = await fetch(srv.url + '/?page_id=20', { method: 'HEAD', redirect: 'manual' });
  assert.equal(head.status, 301);
});

test('unknown old paths get the normal 404 page; drafts have no old URL', async () => {
  for (const p of ['/?p=99999', '/?page_id=12345', '/2019/01/no-such-post/', '/boranet201909/nothing/', '/wp-content/uploads/2025/03/missing.pdf', '/?p=12']) {
    const res = await fetch(srv.url + p, { redirect: 'manual' });
    assert.equal(res.status, 404, p);
    assert.match(await res.text(), /<title>[^<]*ページが見つかりません|<title>[^<]*404/);
  }
  const home = await fetch(srv.url + '/?s=test', { redirect: 'manual' });
  assert.equal(home.status, 200, 'other queries on / still show the top page');
});

test('an old_urls row pointing off-site is never followed (no open redirect)', async () => {
  const db = path.join(srv.dataDir, 'civicnet.db');
  // the CHECK constraint refuses such rows; a hand-edited database may not have it
  assert.throws(() => execFileSync('sqlite3', [db, "INSERT INTO old_urls(old_path, new_path) VALUES ('/evil0', '//evil.example/')"], { stdio: 'pipe' }));
  execFileSync('sqlite3', [db, `PRAGMA ignore_check_constraints=1;
    INSERT INTO old_urls(old_path, new_path) VALUES ('/evil1', 'https://evil.example/x'), ('/evil2', '//evil.example/x'),
      ('/evil3', '/\\evil.example/x'), ('/evil4', '/ok' || char(13) || char(10) || 'Location: https://evil.example/'),
      ('/evil5', 'javascript:alert(1)'), ('/?p=77777', '//evil.example/');`]);
  for (const p of ['/evil1', '/evil2', '/evil3', '/evil4', '/evil5', '/?p=77777']) {
    const res = await fetch(srv.url + p, { redirect: 'manual' });
    assert.equal(res.status, 404, p);
    assert.equal(res.headers.get('location'), null, p);
  }
  execFileSync('sqlite3', [db, "DELETE FROM old_urls WHERE old_path LIKE '/evil%' OR old_path='/?p=77777'"]);
});

test('members and staff sign in with their old WordPress passwords; the hash is upgraded', async () => {
  const signIn = async (form, login, password) => {
    const jar = new Map();
    const get = await fetch(srv.url + form, { redirect: 'manual' });
    for (const ck of get.headers.getSetCookie()) { const [kv] = ck.split(';'); const i = kv.indexOf('='); jar.set(kv.slice(0, i), kv.slice(i + 1)); }
    const csrf = (await get.text()).match(/name="_csrf" value="([^"]+)"/)[1];
    return fetch(srv.url + form, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url, cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      body: new URLSearchParams({ _csrf: csrf, login, password, next: '' }).toString(),
    });
  };
  const hash = (login) => sql(`SELECT pw_hash FROM users WHERE login='${login}'`);
  assert.match(hash('hanako'), /^\$P\$/);
  assert.equal((await signIn('/aikasanet/login', 'hanako', 'wrong-password')).status, 200, 'a wrong password fails');
  let res = await signIn('/aikasanet/login', 'hanako', 'hanako-Pass-1');
  assert.equal(res.status, 303, 'phpass member signs in');
  assert.match(hash('hanako'), /^pbkdf2-sha256\$/);
  res = await signIn('/aikasanet/login', 'kodomo-shokudo', 'Kodomo-2020!');
  assert.equal(res.status, 303, 'bcrypt $2y$ member signs in');
  assert.match(hash('kodomo-shokudo'), /^pbkdf2-sha256\$/);
  assert.match(hash('henshu'), /^\$wp\$2y\$/);
  res = await signIn('/admin/login', 'henshu', 'へんしゅう-pw-6.8');
  assert.equal(res.status, 303, 'WordPress 6.8 $wp$2y$ editor signs in');
  assert.match(hash('henshu'), /^pbkdf2-sha256\$/);
  res = await signIn('/admin/login', 'ed2', 'Editor2-bcrypt!');
  assert.equal(res.status, 303);
  assert.match(hash('ed2'), /^pbkdf2-sha256\$/);
  assert.match(sql("SELECT group_concat(action, ',') FROM audit_log WHERE action='password_rehash'"), /password_rehash/);
});

test('a second run changes nothing and says so (exit 0), keeping upgraded hashes', async () => {
  const before = snapshot();
  const upgraded = sql("SELECT pw_hash FROM users WHERE login='hanako'");
  const r = await importWp(DUMP, '--uploads', UPLOADS, '--allow-rejects');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(counts(r.stdout), unchangedOf(FIRST));
  assert.match(r.stdout, /変更はありません。/);
  assert.equal(snapshot(), before);
  assert.equal(sql("SELECT pw_hash FROM users WHERE login='hanako'"), upgraded);
});

test('a changed post in the dump updates exactly that record', async () => {
  const changed = path.join(tmp, 'changed.sql');
  fs.writeFileSync(changed, fs.readFileSync(DUMP, 'utf8').replace('センター休館日のお知らせ（12月）', 'センター休館日のお知らせ（12月・変更）'));
  const r = await importWp(changed, '--uploads', UPLOADS, '--allow-rejects');
  assert.equal(r.code, 0, r.stderr);
  const n = counts(r.stdout);
  assert.deepEqual(n.news, c(8, 0, 1, 5, 2, 0));
  for (const [type, v] of Object.entries(n)) if (type !== 'news') assert.equal(v.updated + v.created, 0, type);
  assert.match(r.stdout, /新規・更新 1 件/);
  assert.equal(sql('SELECT title FROM news WHERE id=1'), 'センター休館日のお知らせ（12月・変更）');
  assert.equal(sql('SELECT count(*) FROM news'), '6');
  const page = await fetch(srv.url + '/center-news/1');
  assert.match(await page.text(), /センター休館日のお知らせ（12月・変更）/, 'the page cache sees the update');
});

test('another table prefix (bn_) is found in the dump; --prefix picks one', async () => {
  const bn = path.join(FIX, 'bn_dump.sql');
  let r = await importWp(bn, '--dry-run');
  assert.equal(r.code, 0, r.stderr);
  const n = counts(r.stdout);
  assert.deepEqual([n.news.created, n.page.created, n.staff.created], [1, 1, 1], r.stdout);
  r = await importWp(bn, '--dry-run', '--prefix', 'xx_');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /WordPress の表/);
  r = await runCli(['import-wp', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--uploads DIR/);
  r = await runCli(['import-wp', '--data', srv.dataDir, DUMP, '--bogus']);
  assert.equal(r.code, 2);
});
