// import_csv.test.mjs — `civicnet import-csv` (issue 7, REQUIREMENTS D1)
// on the fixtures of tests/fixtures/csv/ (UTF-8 with BOM, CP932 as Excel
// writes it, files with errors): exact counts in the report, rejects with
// their source lines, exit codes, dry runs and failed runs that write
// nothing, a second run without changes, a changed cell updating one
// record, and the imported values as visitors see them on the public pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, runCli, sanitizerReport, startServer } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';

const FIX = path.join(REPO_ROOT, 'tests/fixtures/csv');
const fix = (name) => path.join(FIX, name);
let dir, srv, sink;

const sql = (q) =>
  execFileSync('sqlite3', [path.join(dir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();

async function imp(args, dataDir = dir) {
  const r = await runCli(['import-csv', '--data', dataDir, ...args]);
  const marker = sanitizerReport(r.stderr);
  assert.equal(marker, null, `sanitizer: ${r.stderr}`);
  return r;
}

// The counts row of type in a report: {read, created, updated, unchanged, skipped, rejected}.
function counts(stdout, type) {
  const line = stdout.split('\n').find((l) => l.startsWith(`${type} `));
  assert.ok(line, `no counts for ${type} in:\n${stdout}`);
  const [read, created, updated, unchanged, skipped, rejected] = line.trim().split(/\s+/).slice(1).map(Number);
  return { read, created, updated, unchanged, skipped, rejected };
}

// The rejection notes: [{line, text}].
function rejects(stdout) {
  return stdout
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((c) => c.length === 4 && c[2] === '却下')
    .map((c) => ({ line: Number(c[1]), text: c[3] }));
}

const groupsDump = () => sql('SELECT * FROM groups ORDER BY id') + '\n' + sql('SELECT * FROM import_records ORDER BY source, source_key');

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civicnet-csv-'));
  const r = await runCli(['migrate', '--data', dir]);
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  await srv?.stop();
  await sink?.stop?.();
  await sink?.dispose?.();
  if (dir && !process.env.CIVICNET_KEEP_DATA) fs.rmSync(dir, { recursive: true, force: true });
});

test('--columns lists the accepted headers; bad usage exits 2', async () => {
  const r = await runCli(['import-csv', '--columns', 'group']);
  assert.equal(r.code, 0, r.stderr);
  for (const h of ['| 団体名・企業名 | name |', '| 活動分野 | fields |', '「旧ID」', '団体名・企業名＋組織形態'])
    assert.ok(r.stdout.includes(h), h);
  const s = await runCli(['import-csv', '--columns', 'subscriber']);
  assert.match(s.stdout, /\| メールアドレス \| email \|/);
  assert.equal((await runCli(['import-csv', '--columns', 'nosuch'])).code, 2);
  assert.equal((await imp(['--type', 'nosuch', fix('groups_utf8bom.csv')])).code, 2);
  assert.equal((await imp(['--type', 'group', '--encoding', 'latin1', fix('groups_utf8bom.csv')])).code, 2);
  assert.equal((await imp(['--type', 'group', '--status', 'secret', fix('groups_utf8bom.csv')])).code, 2);
  assert.equal((await runCli(['import-csv', '--data', dir, '--type', 'group'])).code, 2); // no FILE
  const bogus = await runCli(['import-csv', '--data', dir, '--type', 'group', '--bogus', fix('groups_utf8bom.csv')]);
  assert.equal(bogus.code, 2);
  assert.match(bogus.stderr, /--bogus/);
});

test('a dry run validates and counts but writes nothing', async () => {
  const r = await imp(['--type', 'group', '--dry-run', fix('groups_utf8bom.csv')]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.deepEqual(counts(r.stdout, 'group'), { read: 3, created: 3, updated: 0, unchanged: 0, skipped: 0, rejected: 0 });
  assert.match(r.stdout, /試行: データベースには書き込んでいません/);
  assert.equal(sql('SELECT count(*) FROM groups'), '0');
  assert.equal(sql('SELECT count(*) FROM import_records'), '0');
});

test('rejected rows: line, column label and Japanese reason; nothing written; exit 1', async () => {
  const r = await imp(['--type', 'group', fix('groups_errors.csv')]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.deepEqual(counts(r.stdout, 'group'), { read: 6, created: 1, updated: 0, unchanged: 0, skipped: 0, rejected: 5 });
  const rj = rejects(r.stdout);
  assert.deepEqual(rj.map((x) => x.line), [4, 5, 6, 7, 8]);
  assert.equal(rj[0].text, '代表者名: 代表者名を入力してください。');
  assert.match(rj[1].text, /^設立年月日・発足年月日: .*正しい日付を入力してください。（値「2026\/13\/45」）$/);
  assert.equal(rj[2].text, '活動分野: 活動分野を一覧から選択してください。（値「宇宙開発」）');
  assert.match(rj[3].text, /^Eメール: Eメールの形式が正しくありません/);
  assert.match(rj[4].text, /^2行目と同じ記録です/);
  assert.match(r.stdout, /取り込みを取り消しました/);
  assert.equal(sql('SELECT count(*) FROM groups'), '0', 'the good row is not written either');
  // the same with --dry-run: same report, exit 1
  const d = await imp(['--type', 'group', '--dry-run', fix('groups_errors.csv')]);
  assert.equal(d.code, 1);
  assert.deepEqual(rejects(d.stdout).map((x) => x.line), [4, 5, 6, 7, 8]);
});

test('an unknown header refuses the whole file and names it', async () => {
  const r = await imp(['--type', 'news', fix('unknown_header.csv')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /「謎の列」「もう一つ」/);
  assert.match(r.stderr, /civicnet import-csv --columns news/);
  assert.equal(sql('SELECT count(*) FROM news'), '0');
});

test('UTF-8 with BOM: groups imported, second run changes nothing, a changed cell updates one record', async () => {
  const r = await imp(['--type', 'group', fix('groups_utf8bom.csv')]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.deepEqual(counts(r.stdout, 'group'), { read: 3, created: 3, updated: 0, unchanged: 0, skipped: 0, rejected: 0 });
  assert.equal(sql('SELECT count(*) FROM groups'), '3');
  assert.equal(
    sql("SELECT kind, org_class, kana, fields, target_municipalities, postal, founded_on, status FROM groups WHERE name='髙橋まちづくりの会①'"),
    'citizen|任意団体|たかはしまちづくりのかい|まちづくり\n社会教育|山口市\n防府市|753-0001|2010-04-01|published',
  );
  assert.equal(sql("SELECT founded_on FROM groups WHERE kind='npo'"), '2020-04-01'); // 令和2年4月1日
  assert.equal(sql("SELECT status, published_at IS NULL FROM groups WHERE kind='company'"), 'draft|1');
  // personal data encrypted by content.c, never in clear
  const enc = sql("SELECT registrant_name_enc, registrant_email_enc FROM groups WHERE kind='citizen'");
  assert.match(enc, /^v1:/);
  assert.ok(!enc.includes('reg1@example.jp') && !enc.includes('髙橋'));
  assert.equal(sql("SELECT count(*) FROM import_records WHERE source='csv:group' AND source_key LIKE 'id:G-10_'"), '3');

  const again = await imp(['--type', 'group', fix('groups_utf8bom.csv')]);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /変更はありません/);
  assert.deepEqual(counts(again.stdout, 'group'), { read: 3, created: 0, updated: 0, unchanged: 3, skipped: 0, rejected: 0 });

  const changed = fs.readFileSync(fix('groups_utf8bom.csv'), 'utf8').replace('地域を元気にする', '地域をもっと元気にする');
  assert.ok(changed.startsWith('\uFEFF'));
  const tmp = path.join(dir, 'groups_changed.csv');
  fs.writeFileSync(tmp, changed);
  const upd = await imp(['--type', 'group', tmp]);
  assert.equal(upd.code, 0, upd.stdout + upd.stderr);
  assert.deepEqual(counts(upd.stdout, 'group'), { read: 3, created: 0, updated: 1, unchanged: 2, skipped: 0, rejected: 0 });
  assert.equal(sql("SELECT purpose FROM groups WHERE kind='citizen'"), '地域をもっと元気にする');
  assert.equal(sql('SELECT count(*) FROM groups'), '3');
});

test('a failing run leaves the database exactly as it was', async () => {
  const before = groupsDump();
  const r = await imp(['--type', 'group', fix('groups_errors.csv')]);
  assert.equal(r.code, 1);
  assert.equal(groupsDump(), before);
});

test('--allow-rejects imports the good rows and exits 0', async () => {
  const r = await imp(['--type', 'subscriber', '--list', 'aika', '--allow-rejects', fix('subscribers_bad.csv')]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(counts(r.stdout, 'subscriber'), { read: 3, created: 1, updated: 0, unchanged: 0, skipped: 0, rejected: 2 });
  const rj = rejects(r.stdout);
  assert.deepEqual(rj.map((x) => x.line), [3, 4]);
  assert.match(rj[0].text, /^メールアドレス: .*形式が正しくありません.*not-an-address/);
  assert.match(rj[1].text, /^2行目と同じアドレス/);
  assert.equal(sql("SELECT count(*) FROM newsletter_subscribers WHERE list='aika' AND status='active'"), '1');
});

test('CP932 (Shift_JIS as Excel writes it): events with 髙・﨑・①・半角ｶﾀｶﾅ, quoted comma and line break', async () => {
  const wrong = await imp(['--type', 'event', '--encoding', 'utf-8', fix('events_cp932.csv')]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /UTF-8/);
  const r = await imp(['--type', 'event', '--encoding', 'cp932', fix('events_cp932.csv')]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(counts(r.stdout, 'event'), { read: 2, created: 2, updated: 0, unchanged: 0, skipped: 0, rejected: 0 });
  assert.equal(
    sql("SELECT kind, organiser, starts_on, ends_on, municipality, fields, fee FROM events WHERE title='髙﨑ボランティア講座①'"),
    'event|髙﨑市民の会|2026-04-01|2026-04-02|山口市|まちづくり\n社会教育|=1+1',
  );
  assert.equal(sql("SELECT summary FROM events WHERE kind='event'"), '講座の内容です。\n持ち物：筆記用具, 上履き');
  assert.equal(sql("SELECT starts_on FROM events WHERE title='ｶﾀｶﾅ清掃ﾎﾞﾗﾝﾃｨｱ募集'"), '2026-05-03');
  const again = await imp(['--type', 'event', fix('events_cp932.csv')]); // --encoding auto
  assert.equal(again.code, 0);
  assert.deepEqual(counts(again.stdout, 'event'), { read: 2, created: 0, updated: 0, unchanged: 2, skipped: 0, rejected: 0 });
});

test('newsletter subscribers: encrypted, blind-indexed, active; rerun unchanged', async () => {
  const r = await imp(['--type', 'subscriber', fix('subscribers.csv')]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  // reader.one on aika already exists? no: subscribers_bad put good@ on aika only
  assert.deepEqual(counts(r.stdout, 'subscriber'), { read: 3, created: 3, updated: 0, unchanged: 0, skipped: 0, rejected: 0 });
  assert.equal(sql("SELECT list || ':' || status FROM newsletter_subscribers ORDER BY id"), 'aika:active\nsupernet:active\naika:active\naika:active');
  const all = sql('SELECT email_enc, email_index, unsub_key FROM newsletter_subscribers') + sql('SELECT source_key FROM import_records');
  assert.ok(!/reader|example\.jp/i.test(all), 'no address in clear');
  assert.equal(sql('SELECT count(DISTINCT unsub_key) FROM newsletter_subscribers'), '4');
  const again = await imp(['--type', 'subscriber', fix('subscribers.csv')]);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /変更はありません/);
});

test('books (CP932, no ID column): natural key 登録番号, header aliases, --status, a staff record taken over', async () => {
  // a book staff entered before the migration, with the same 登録番号
  sql("INSERT INTO books(accession_no, title, status) VALUES ('B-0002', '仮の書名', 'draft')");
  const r = await imp(['--type', 'book', '--status', 'published', fix('books_cp932.csv')]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(counts(r.stdout, 'book'), { read: 2, created: 1, updated: 1, unchanged: 0, skipped: 0, rejected: 0 });
  assert.match(r.stdout, /既存の記録（番号\d+）と登録番号が同じため、その記録を更新しました/);
  assert.equal(sql('SELECT count(*) FROM books'), '2');
  assert.equal(sql("SELECT title || '|' || title_kana || '|' || author || '|' || status FROM books WHERE accession_no='B-0001'"),
    'ＮＰＯ運営の手引き①|えぬぴーおーうんえいのてびき|髙木 正|published');
  // the taken-over record keeps its state (the file has no 状態 column); the title is the file's
  assert.equal(sql("SELECT title || '|' || title_kana || '|' || status FROM books WHERE accession_no='B-0002'"), 'ﾎﾞﾗﾝﾃｨｱ入門|ぼらんてぃあにゅうもん|draft');
  const again = await imp(['--type', 'book', fix('books_cp932.csv')]);
  assert.deepEqual(counts(again.stdout, 'book'), { read: 2, created: 0, updated: 0, unchanged: 2, skipped: 0, rejected: 0 });
});

test('news: select labels, 公開日時 in Japan time, 下書き', async () => {
  const r = await imp(['--type', 'news', fix('news.csv')]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(counts(r.stdout, 'news'), { read: 2, created: 2, updated: 0, unchanged: 0, skipped: 0, rejected: 0 });
  assert.equal(sql("SELECT site || '|' || category || '|' || published_at || '|' || status || '|' || body FROM news WHERE title='移行したお知らせ'"),
    'supernet|news|2026-04-01T00:00:00Z|published|本文です。\n2行目');
  assert.equal(sql("SELECT site || '|' || category || '|' || status FROM news WHERE title='下書きのお知らせ'"), 'aika|centre|draft');
});

test('members: address encrypted, sign-in account without a password, a taken login ID rejected', async () => {
  const r = await imp(['--type', 'member', fix('members.csv')]);
  assert.equal(r.code, 1);
  assert.deepEqual(rejects(r.stdout), [{ line: 4, text: 'ログインID: このログインIDはすでに使われています。' }]);
  assert.equal(sql('SELECT count(*) FROM members'), '0');
  const ok = await imp(['--type', 'member', '--allow-rejects', fix('members.csv')]);
  assert.equal(ok.code, 0);
  assert.deepEqual(counts(ok.stdout, 'member'), { read: 3, created: 2, updated: 0, unchanged: 0, skipped: 0, rejected: 1 });
  assert.equal(sql("SELECT m.kind || '|' || m.status || '|' || u.login || '|' || u.role || '|' || u.pw_hash FROM members m JOIN users u ON u.id=m.user_id"),
    'individual|published|hanako|member|!');
  assert.equal(sql("SELECT display_name || '|' || weekdays || '|' || (user_id IS NULL) FROM members WHERE kind='group'"), '髙﨑ボランティアの会|土\n日|1');
  const secret = sql('SELECT email_enc || person_name_enc || phone_enc || birth_date_enc FROM members');
  assert.ok(!/example\.jp|山田|083|1990/i.test(secret), 'personal data only encrypted');
  assert.equal(sql("SELECT count(*) FROM members WHERE email_index IS NOT NULL AND email_enc LIKE 'v1:%'"), '2');
  const again = await imp(['--type', 'member', '--allow-rejects', fix('members.csv')]);
  assert.deepEqual(counts(again.stdout, 'member'), { read: 3, created: 0, updated: 0, unchanged: 2, skipped: 0, rejected: 1 });
});

test('the public pages show the imported values (髙, ①, ｶﾀｶﾅ, a formula-looking cell as text)', async () => {
  sink = await startSmtpSink();
  srv = await startServer({ demo: false, dataDir: dir, env: { CIVICNET_SMTP: sink.url } });
  {
    const get = async (p) => {
      const res = await fetch(srv.url + p);
      return { status: res.status, text: await res.text() };
    };
    const list = await get('/groups/');
    assert.equal(list.status, 200);
    assert.ok(list.text.includes('髙橋まちづくりの会①'));
    assert.ok(list.text.includes('NPO法人やまぐち子ども支援'));
    assert.ok(!list.text.includes('ｻﾝﾌﾟﾙ商事'), 'the draft company is not public');
    const gid = sql("SELECT id FROM groups WHERE kind='citizen'");
    const g = await get(`/groups/${gid}`);
    assert.equal(g.status, 200);
    for (const s of ['髙橋まちづくりの会①', '地域をもっと元気にする', '子ども食堂①', 'まちづくり', '社会教育', '防府市'])
      assert.ok(g.text.includes(s), s);
    assert.ok(!g.text.includes('reg1@example.jp'), 'registrant e-mail is not public');
    assert.equal((await get(`/groups/${sql("SELECT id FROM groups WHERE kind='company'")}`)).status, 404);
    const eid = sql("SELECT id FROM events WHERE kind='event'");
    const e = await get(`/events/${eid}`);
    assert.equal(e.status, 200);
    for (const s of ['髙﨑ボランティア講座①', '髙﨑市民の会', '=1+1', '上履き']) assert.ok(e.text.includes(s), s);
    assert.ok(!e.text.includes('taro@example.jp'));
    const rec = await get(`/events/${sql("SELECT id FROM events WHERE kind='recruit'")}`);
    assert.equal(rec.status, 200);
    assert.ok(rec.text.includes('ｶﾀｶﾅ清掃ﾎﾞﾗﾝﾃｨｱ募集'));
    assert.ok(rec.text.includes('海岸清掃のボランティアを募集します②'));
  }
});

test('an imported member sets a password through 「パスワードを忘れた方」 and signs in', async () => {
  assert.ok(srv, 'server of the previous test');
  const jar = new Map();
  const send = async (p, opts = {}) => {
    const headers = { ...(opts.headers || {}) };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(srv.url + p, { redirect: 'manual', ...opts, headers });
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
  const login = (pw) => post('/aikasanet/login', { login: 'hanako', password: pw, next: '/aikasanet/mypage/' });
  assert.notEqual((await login('anything-at-all')).status, 303, 'no password before the reset');
  // the address in another case than in the file (Hanako@Example.jp)
  assert.equal((await post('/aikasanet/password-reset', { email: 'hanako@example.jp' })).status, 303);
  let mail;
  for (let i = 0; i < 150 && !mail; i++) {
    mail = sink.messages().find((m) => m.to.some((t) => t.toLowerCase() === 'hanako@example.jp'));
    if (!mail) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(mail, 'reset mail to the imported address');
  const link = mail.body.match(/http:\/\/127\.0\.0\.1:\d+(\/aikasanet\/password-reset\/set\?token=[^\s]+)/)[1];
  const token = link.split('token=')[1];
  const res = await post('/aikasanet/password-reset/set', { token, password: 'Imported-Passw0rd', confirm: 'Imported-Passw0rd' }, link);
  assert.equal(res.status, 303);
  assert.equal((await login('Imported-Passw0rd')).status, 303);
  assert.match(sql("SELECT pw_hash FROM users WHERE login='hanako'"), /^pbkdf2-sha256\$/);
});
