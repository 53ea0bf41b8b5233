// audit_view.test.mjs — the audit log for administrators (Y7) over real
// HTTP and the CLI: backdated rows are archived by `civicnet audit
// archive` into a compressed, hash-linked file and `audit verify
// --archive` passes; a plain DELETE on audit_log still fails; the viewer
// filters by staff user, member, action, object and date, pages newest
// first, downloads CSV; viewing and downloading are audited themselves;
// staff views of personal data (member details, group edit form) are
// audited; editors get 403; the retention cannot go below 365 days;
// tampering with an archive file is detected.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, userAdd, runCli } from '../lib/server.mjs';
import { enableTotp } from '../lib/totp.mjs';

let srv, dataDir;
const db = () => path.join(dataDir, 'civicnet.db');
const sql = (q) => execFileSync('sqlite3', [db(), q], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;

/** The row hash of src/audit.c (row_hash). */
function rowHash(prev, id, at, actor, action, target, detail, ip) {
  let s = String(id);
  for (const f of [prev, at, actor, action, target, detail, ip]) s += `\x1f${Buffer.byteLength(f)}:${f}`;
  return crypto.createHash('sha256').update(s).digest('hex');
}

const OLD = 8; // backdated rows, older than any retention
let archiveOut;
before(async () => {
  dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'civicnet-audit-'));
  assert.equal((await runCli(['migrate', '--data', dataDir])).code, 0);
  // rows from 2020 at the start of the chain (written as audit_append would)
  let prev = '';
  const values = [];
  for (let id = 1; id <= OLD; id++) {
    const r = [`2020-03-0${id}T01:00:00Z`, 'oldclerk', 'member_view', 'member:9', `古い閲覧 ${id}`, '192.0.2.1'];
    const h = rowHash(prev, id, ...r);
    values.push(`(${id}, ${r.map(lit).join(', ')}, ${lit(prev)}, ${lit(h)})`);
    prev = h;
  }
  sql(`INSERT INTO audit_log(id, at, actor, action, target, detail, ip, prev_hash, hash) VALUES ${values.join(', ')};
       UPDATE audit_head SET hash=${lit(prev)}, count=${OLD} WHERE one=1;`);
  assert.equal((await runCli(['demo', '--data', dataDir])).code, 0);
  archiveOut = await runCli(['audit', 'archive', '--data', dataDir]);
  await userAdd(dataDir, 'chief', 'admin', 'chief-password-1');
  await userAdd(dataDir, 'clerk', 'editor', 'clerk-password-1');
  srv = await startServer({ dataDir, demo: false });
});
after(async () => { await srv?.stop(); await fsp.rm(dataDir, { recursive: true, force: true }); });

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
  const post = async (p, fields, from = p) => {
    const m = (await (await send(from)).text()).match(/name="_csrf" value="([^"]+)"/);
    assert.ok(m, `a CSRF token on ${from}`);
    return send(p, { method: 'POST', body: new URLSearchParams({ _csrf: m[1], ...fields }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  };
  return { send, post };
}

const clients = {};
async function staff(login) {
  if (clients[login]) return clients[login];
  const c = client();
  assert.equal((await c.post('/admin/login', { login, password: `${login}-password-1`, next: '/admin/' })).status, 303);
  if ((await c.send('/admin/')).headers.get('location') === '/admin/totp') await enableTotp(c);
  return (clients[login] = c);
}

test('the CLI archives rows past the retention into a verifiable, compressed file', async () => {
  assert.equal(archiveOut.code, 0, archiveOut.stderr);
  assert.match(archiveOut.stdout, new RegExp(`${OLD} rows \\(1-${OLD}\\) moved to .*audit-archive/audit-0000000001-000000000${OLD}\\.log\\.zst`));
  const file = path.join(dataDir, 'audit-archive', `audit-0000000001-000000000${OLD}.log.zst`);
  const bytes = fs.readFileSync(file);
  assert.equal(bytes.readUInt32LE(0), 0xfd2fb528, 'a zstd frame');
  assert.equal(sql('SELECT count(*) FROM audit_log WHERE id <= 8'), '0', 'moved out of the database');
  assert.equal(sql('SELECT last_id||\' \'||count FROM audit_archive_state'), `${OLD} ${OLD}`);
  assert.equal(sql("SELECT count(*) FROM audit_log WHERE action='audit_archive' AND actor='cli'"), '1');
  const v = await runCli(['audit', 'verify', '--archive', '--data', dataDir]);
  assert.equal(v.code, 0, v.stdout + v.stderr);
  assert.match(v.stdout, new RegExp(`audit archive: 1 files, ${OLD} rows, intact`));
  assert.match(v.stdout, /archived.*chain intact/);
  const plain = await runCli(['audit', 'verify', '--data', dataDir]);
  assert.equal(plain.code, 0, 'the rows left verify from the archived head');
  // nothing more is old enough
  const again = await runCli(['audit', 'archive', '--data', dataDir]);
  assert.match(again.stdout, /nothing older than 400 days/);
});

test('ordinary code still cannot delete or change audit rows', () => {
  assert.throws(() => sql('DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)'), /append-only/);
  assert.throws(() => sql('DELETE FROM audit_log'), /append-only/);
  assert.throws(() => sql("UPDATE audit_log SET actor='x'"), /append-only/);
  assert.throws(() => sql('UPDATE audit_archive_state SET last_id = 1000'), /only while archiving/);
});

test('editors get 403 on the audit screens; administrators see the log newest first, audited', async () => {
  const clerk = await staff('clerk');
  assert.equal((await clerk.send('/admin/audit/')).status, 403);
  assert.equal((await clerk.send('/admin/audit/export.csv')).status, 403);
  const chief = await staff('chief');
  const before = Number(sql("SELECT count(*) FROM audit_log WHERE action='audit_view'"));
  const res = await chief.send('/admin/audit/');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<title>監査ログ/);
  assert.match(html, /<td>chief<\/td>\s*<th scope="row">ログイン<br><small>login<\/small><\/th>/);
  assert.match(html, /コマンド操作（保守担当）/);
  const ids = [...html.matchAll(/<tr>\s*<td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
  assert.ok(ids.length > 3);
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
  assert.equal(Number(sql("SELECT count(*) FROM audit_log WHERE action='audit_view' AND actor='chief'")), before + 1);
  assert.match(html, /これまでに8件の古い記録を保管ファイルに移しました/);
});

test('staff views of personal data are audited and found with the member and object filters', async () => {
  const clerk = await staff('clerk');
  const member = sql("SELECT min(id) FROM members");
  assert.equal((await clerk.send(`/admin/members/${member}`)).status, 200);
  assert.equal((await clerk.send(`/admin/members/${member}/edit`)).status, 200);
  const group = sql("SELECT min(id) FROM groups");
  assert.equal((await clerk.send(`/admin/groups/${group}`)).status, 200);
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE actor='clerk' AND action='member_view' AND target='member:${member}'`), '2');
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE actor='clerk' AND action='content_view' AND target='group:${group}'`), '1');
  const chief = await staff('chief');
  let html = await (await chief.send(`/admin/audit/?member=${member}`)).text();
  assert.match(html, /会員情報の閲覧/);
  assert.match(html, new RegExp(`会員（${member}）`));
  assert.doesNotMatch(html, /<th scope="row">ログイン<br>/, 'only rows of that member');
  html = await (await chief.send(`/admin/audit/?target=group%3A${group}`)).text();
  assert.match(html, /個人情報を含む登録内容の閲覧/);
  assert.match(html, /記録（1件/);
});

test('filters: staff user, action, dates; bad input is named in Japanese', async () => {
  const chief = await staff('chief');
  let html = await (await chief.send('/admin/audit/?actor=clerk&action=login')).text();
  const actors = [...html.matchAll(/<tr>\s*<td>\d+<\/td>\s*<td>[^<]*<\/td>\s*<td>([^<]*)<\/td>/g)].map((m) => m[1]);
  assert.ok(actors.length >= 1);
  assert.ok(actors.every((a) => a === 'clerk'));
  assert.match(html, /<option value="clerk" selected>/);
  assert.match(html, /<option value="login" selected>ログイン<\/option>/);
  html = await (await chief.send('/admin/audit/?from=2020-01-01&to=2020-12-31')).text();
  assert.match(html, /条件に合う記録はありません/, 'the 2020 rows are in the archive');
  const today = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
  html = await (await chief.send(`/admin/audit/?from=${today}&to=${today}&action=demo_loaded`)).text();
  assert.match(html, /デモデータの読み込み/);
  const res = await chief.send('/admin/audit/?from=2020-13-45&member=abc');
  assert.equal(res.status, 422);
  html = await res.text();
  assert.match(html, /<title>エラー：監査ログ/);
  assert.match(html, /id="a-from-error">[\s\S]*開始日は 2026-04-01 のように入力してください。/);
  assert.match(html, /id="a-member-error">[\s\S]*会員番号は数字で入力してください。/);
  assert.match(html, /id="a-member" name="member" value="abc"/, 'input kept');
});

test('paging: 50 rows a page with links both ways', async () => {
  const chief = await staff('chief');
  for (let i = 0; i < 12; i++) await chief.send('/admin/audit/?action=audit_view');
  const n = Number(sql('SELECT count(*) FROM audit_log'));
  if (n <= 50) for (let i = n; i <= 51; i++) await chief.send('/admin/audit/?action=login');
  let html = await (await chief.send('/admin/audit/')).text();
  assert.equal([...html.matchAll(/<tr>\s*<td>\d+<\/td>/g)].length, 50);
  const next = html.match(/<a href="([^"]+)" rel="next">次のページ<\/a>/);
  assert.ok(next);
  html = await (await chief.send(next[1].replace(/&amp;/g, '&'))).text();
  assert.match(html, /<title>監査ログ（2ページ目）/);
  assert.match(html, /rel="prev">前のページ/);
});

test('CSV download of the filtered rows, itself audited', async () => {
  const chief = await staff('chief');
  const res = await chief.send('/admin/audit/export.csv?action=member_view');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/csv/);
  assert.match(res.headers.get('content-disposition'), /attachment; filename="audit-log\.csv"/);
  const body = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  const lines = body.toString('utf8').slice(1).trim().split('\r\n');
  assert.equal(lines[0], '番号,日時（日本時間）,操作者,操作者（記録値）,操作,操作（コード）,対象,対象（記録値）,詳細,IPアドレス');
  assert.ok(lines.length >= 3);
  for (const l of lines.slice(1)) assert.match(l, /,会員情報の閲覧,member_view,/);
  const row = sql("SELECT actor||'|'||detail FROM audit_log WHERE action='audit_export' ORDER BY id DESC LIMIT 1");
  assert.equal(row, `chief|rows=${lines.length - 1} action=member_view`);
});

test('retention: below 365 days is refused, a valid value is saved and audited', async () => {
  const chief = await staff('chief');
  let res = await chief.post('/admin/audit/settings', { retention_days: '100' }, '/admin/audit/');
  assert.equal(res.status, 422);
  const html = await res.text();
  assert.match(html, /保存期間は365日以上/);
  assert.match(html, /id="a-retention"[^>]*value="100"/);
  res = await chief.post('/admin/audit/settings', { retention_days: '730' }, '/admin/audit/');
  assert.equal(res.status, 303);
  assert.equal(sql("SELECT value FROM settings WHERE site='global' AND key='audit_retention_days'"), '730');
  assert.match(await (await chief.send('/admin/audit/?done=retention')).text(), /現在の保存期間：730日/);
  assert.equal(sql("SELECT detail FROM audit_log WHERE action='audit_settings'"), 'audit_retention_days=730');
  const clerk = await staff('clerk');
  assert.equal((await clerk.post('/admin/audit/settings', { retention_days: '400' }, '/admin/mail-texts/')).status, 403);
});

test('tampering with an archive file is detected', async () => {
  const file = path.join(dataDir, 'audit-archive', `audit-0000000001-000000000${OLD}.log.zst`);
  const zstd = (args, input) => execFileSync('zstd', args, { input });
  let text;
  try {
    text = zstd(['-d', '-c', file]).toString('utf8');
  } catch {
    text = null; // no zstd tool: flip a byte instead
  }
  if (text) {
    fs.writeFileSync(file, zstd(['-c', '-q'], Buffer.from(text.replace('古い閲覧 3', '古い閲覧 X'))));
    const v = await runCli(['audit', 'verify', '--archive', '--data', dataDir]);
    assert.equal(v.code, 1);
    assert.match(v.stdout, /row 3: content was changed/);
  } else {
    const b = fs.readFileSync(file);
    b[b.length - 2] ^= 0xff;
    fs.writeFileSync(file, b);
    const v = await runCli(['audit', 'verify', '--archive', '--data', dataDir]);
    assert.equal(v.code, 1);
  }
  // a removed archive breaks the link to the database too
  fs.renameSync(file, `${file}.moved`);
  const v = await runCli(['audit', 'verify', '--archive', '--data', dataDir]);
  assert.equal(v.code, 1);
  assert.match(v.stdout, /do not match the database/);
});
