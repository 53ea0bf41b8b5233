// health_export.test.mjs — the health-app linkage file (issue 6, C10) over
// real HTTP and a real FTP server (pyftpdlib on loopback, Debian's
// /usr/bin/python3): an administrator sees the year's row count and
// columns, downloads the file (audited), configures the destination (the
// password is stored encrypted and never shown back), uploads, and the
// file read back from the FTP directory has the header, the rows and the
// encoding chosen (UTF-8 with BOM, or Shift_JIS). A wrong password and a
// stopped server give a clear Japanese error, recorded in the history.
// Editors cannot open the screen (personal data).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startServer, userAdd, freePort, runCli } from '../lib/server.mjs';
import { enableTotp } from '../lib/totp.mjs';

let srv, ftp, ftpDir, ftpPort, chief;
const FTP_USER = 'kenko', FTP_PASS = 'ftp-secret-9f3k';

async function startFtp() {
  ftpPort ??= await freePort(); // a restart keeps the configured port
  ftp = spawn('/usr/bin/python3', ['-m', 'pyftpdlib', '-i', '127.0.0.1', '-p', String(ftpPort), '-w',
    '-d', ftpDir, '-u', FTP_USER, '-P', FTP_PASS], { stdio: ['ignore', 'ignore', 'pipe'] });
  ftp.stderr.resume();
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((res) => {
      const s = net.connect(ftpPort, '127.0.0.1', () => { s.end(); res(true); });
      s.on('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('pyftpdlib did not start');
}
function stopFtp() {
  if (!ftp) return Promise.resolve();
  const p = new Promise((r) => ftp.once('exit', r));
  ftp.kill('SIGTERM');
  ftp = null;
  return p;
}

before(async () => {
  ftpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'civicnet-ftp-'));
  await startFtp();
  srv = await startServer({ demo: true });
  await userAdd(srv.dataDir, 'hechief', 'admin', 'hechief-password-1');
  await userAdd(srv.dataDir, 'heclerk', 'editor', 'heclerk-password-1');
  chief = client();
  assert.equal((await chief.login('hechief', 'hechief-password-1')).status, 303);
  await enableTotp(chief);
  seed();
});
after(async () => {
  await stopFtp();
  await srv?.stop();
  fs.rmSync(ftpDir, { recursive: true, force: true });
});

const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'civicnet.db'), q],
  { encoding: 'utf8' }).trim();
const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;
function piiEncrypt(column, plain) {
  const key = fs.readFileSync(path.join(srv.dataDir, 'keys', 'pii.key'));
  const nonce = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(Buffer.from(column));
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return 'v1:' + Buffer.concat([nonce, ct, c.getAuthTag()]).toString('base64url');
}

// Fiscal year 2019 (2019-04-01 … 2020-03-31) holds only these rows.
let memberId;
function seed() {
  memberId = sql(`INSERT INTO members(kind, display_name, org_name, municipality, representative, email_enc, status, published_at)
    VALUES ('group', 'けんこう会', '健康ボランティアの会', '山口市', '代表 一郎', ${lit(piiEncrypt('email', 'kenko@example.jp'))},
    'published', '2019-01-01T00:00:00Z') RETURNING id`);
  const rec = (title, starts, ends, status, extra = '') => sql(`INSERT INTO recruitments(member_id, title, organiser, starts_on,
    ends_on, status, published_at, place, areas, anytime) VALUES (${memberId}, ${lit(title)}, '健康ボランティアの会', ${starts ? lit(starts) : 'NULL'},
    ${ends ? lit(ends) : 'NULL'}, ${lit(status)}, '2019-03-01T00:00:00Z', '維新公園', ${lit('山口市\n防府市')}, ${extra || 0})`);
  rec('公園清掃ボランティア', '2019-05-12', '2019-05-12', 'published');
  rec('=HYPERLINK("x") 𠮷野川の清掃', '2020-03-20', '2020-04-05', 'published');
  rec('去年度の活動', '2019-02-01', '2019-03-31', 'published');
  rec('下書きの活動', '2019-06-01', '', 'draft');
}

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
  const csrfOf = async (p) => (await (await send(p)).text()).match(/name="_csrf" value="([^"]+)"/)[1];
  const post = async (p, fields, from = p) => {
    const body = new URLSearchParams({ _csrf: await csrfOf(from) });
    for (const [k, v] of Object.entries(fields)) for (const x of [].concat(v)) body.append(k, x);
    return send(p, { method: 'POST', body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  };
  const login = (l, pw) => post('/admin/login', { login: l, password: pw, next: '/admin/' });
  return { send, post, login };
}

const PAGE = '/admin/health-export/';
const settings = (fields) => chief.post(`${PAGE}settings`, {
  columns: ['activity_id', 'activity_title', 'activity_start', 'activity_end', 'activity_place', 'activity_areas',
    'member_id', 'member_name', 'member_email'],
  encoding: 'utf-8', upload_url: `ftp://127.0.0.1:${ftpPort}/`, upload_user: FTP_USER, upload_password: '', ...fields,
}, PAGE);
const upload = async (year = 2019) => {
  const res = await chief.post(`${PAGE}upload`, { year: String(year) }, PAGE);
  assert.equal(res.status, 303);
  return (await chief.send(res.headers.get('location'))).text();
};

test('editors cannot open the health-app screens; administrators see the year, columns and row count', async () => {
  const clerk = client();
  assert.equal((await clerk.login('heclerk', 'heclerk-password-1')).status, 303);
  assert.equal((await clerk.send(PAGE)).status, 403);
  assert.equal((await clerk.send(`${PAGE}file.csv?year=2019`)).status, 403);
  const html = await (await chief.send(`${PAGE}?year=2019`)).text();
  assert.match(html, /<title>ヘルスアプリ連携ファイル｜/);
  assert.match(html, /<option value="2019" selected>2019年度<\/option>/);
  assert.match(html, /2019年度（2019年4月1日〜2020年3月31日）の対象（公開中の募集で、活動期間がこの年度にかかるもの）は <strong>2件<\/strong> です。/);
  assert.match(html, /<caption id="h-cols">ファイルの列（左から順に）<\/caption>/);
  assert.match(html, /<th scope="row">募集ID<\/th>/);
  assert.match(html, /アップロード先が設定されていません。/);
  assert.equal((await chief.send(`${PAGE}?year=1999`)).status, 404);
});

test('the download has the header and the year\'s rows, formula-guarded, UTF-8 with BOM, and is audited', async () => {
  const res = await chief.send(`${PAGE}file.csv?year=2019`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(res.headers.get('content-disposition'), /attachment; filename="kenko-app-2019.csv"/);
  assert.match(res.headers.get('cache-control'), /no-store/);
  const buf = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = buf.subarray(3).toString('utf8').split('\r\n');
  assert.equal(lines[0], '募集ID,活動名,活動開始日,活動終了日,活動場所,活動地域,募集ページURL,会員番号,団体名・企業名');
  assert.equal(lines.length, 4, 'header, 2 rows, final CRLF');
    assert.match(lines[1], new RegExp(`^\\d+,公園清掃ボランティア,2019-05-12,2019-05-12,維新公園,山口市、防府市,http://127\\.0\\.0\\.1:\\d+/aikasanet/recruitments/\\d+,${memberId},健康ボランティアの会$`));
  assert.match(lines[2], /^\d+,"'=HYPERLINK\(""x""\) 𠮷野川の清掃",2020-03-20,2020-04-05,/);
  assert.doesNotMatch(lines.join('\n'), /去年度|下書き/);
  assert.match(sql("SELECT actor||' '||detail FROM audit_log WHERE action='health_export_download'"), /hechief year=2019 rows=2/);
});

test('the destination is validated; the password is kept encrypted and never shown back', async () => {
  let res = await settings({ upload_url: `ftp://kenko:pw@127.0.0.1:${ftpPort}/`, columns: [] });
  assert.equal(res.status, 422);
  let html = await res.text();
  assert.match(html, /入力内容を確認してください（2件）/);
  assert.match(html, /ファイルに入れる項目を1つ以上選んでください。/);
  assert.match(html, /アップロード先は ftp:\/\/、ftps:\/\/ または sftp:\/\/ で始まり/);
  assert.match(html, new RegExp(`id="upload-url" name="upload_url" value="ftp://kenko:pw@127.0.0.1:${ftpPort}/"`), 'input kept');
  res = await settings({ upload_password: FTP_PASS });
  assert.equal(res.status, 303);
  html = await (await chief.send(res.headers.get('location'))).text();
  assert.match(html, /設定を保存しました。/);
  assert.match(html, /パスワードは保存済みです（表示しません）/);
  assert.doesNotMatch(html, new RegExp(FTP_PASS));
  assert.match(html, /<input type="checkbox" id="col-member_email" name="columns" value="member_email" checked> <label for="col-member_email">連絡先Eメール（個人情報）<\/label>/);
  const stored = sql("SELECT value FROM settings WHERE site='global' AND key='health_upload_password'");
  assert.match(stored, /^v1:/);
  assert.doesNotMatch(sql('SELECT group_concat(detail) FROM audit_log'), new RegExp(FTP_PASS));
});

test('upload: the file read back from the FTP server has the header, the rows and UTF-8 with BOM', async () => {
  const html = await upload();
  assert.match(html, /<p class="notice-ok" role="status">kenko-app-2019\.csv（2件）をアップロードしました。<\/p>/);
  const buf = fs.readFileSync(path.join(ftpDir, 'kenko-app-2019.csv'));
  assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = buf.subarray(3).toString('utf8').split('\r\n');
  assert.equal(lines[0], '募集ID,活動名,活動開始日,活動終了日,活動場所,活動地域,会員番号,団体名・企業名,連絡先Eメール');
  assert.match(lines[1], /,公園清掃ボランティア,2019-05-12,2019-05-12,維新公園,山口市、防府市,\d+,健康ボランティアの会,kenko@example\.jp$/);
  assert.equal(lines.length, 4);
  assert.match(html, /<td>hechief<\/td><td>kenko-app-2019\.csv<\/td><td>2件<\/td><td>成功：/);
  assert.equal(sql('SELECT ok||rows||destination FROM health_uploads ORDER BY id DESC LIMIT 1'), `12ftp://127.0.0.1:${ftpPort}/`);
  assert.match(sql("SELECT detail FROM audit_log WHERE action='health_upload'"), /year=2019 rows=2 file=kenko-app-2019\.csv/);
});

test('Shift_JIS: no BOM, CP932 text, characters outside CP932 become 〓', async () => {
  assert.equal((await settings({ encoding: 'cp932', columns: ['activity_id', 'activity_title'] })).status, 303);
  await upload();
  const buf = fs.readFileSync(path.join(ftpDir, 'kenko-app-2019.csv'));
  assert.notEqual(buf[0], 0xef);
  const text = new TextDecoder('shift_jis').decode(buf);
  const lines = text.split('\r\n');
  assert.equal(lines[0], '募集ID,活動名');
  assert.match(lines[2], /^\d+,"'=HYPERLINK\(""x""\) 〓野川の清掃"$/);
  const dl = await chief.send(`${PAGE}file.csv?year=2019`);
  assert.equal(dl.headers.get('content-type'), 'text/csv; charset=Shift_JIS');
  assert.deepEqual(Buffer.from(await dl.arrayBuffer()), buf, 'download and upload are the same file');
});

test('a wrong password and a stopped server give a clear Japanese error, recorded in the history', async () => {
  assert.equal((await settings({ upload_password: 'wrong-password' })).status, 303);
  let html = await upload();
  assert.match(html, /<h2>アップロードできませんでした<\/h2><p>アップロード先にログインできませんでした。ユーザー名またはパスワードが違います。/);
  assert.match(html, /<strong>失敗<\/strong>：アップロード先にログインできませんでした。/);
  assert.equal((await settings({ upload_password: FTP_PASS })).status, 303);
  await stopFtp();
  html = await upload();
  assert.match(html, /<p>アップロード先のサーバーに接続できませんでした。サーバーが停止しているか、アドレス・ポート番号が違います。/);
  assert.equal(sql('SELECT group_concat(ok, \'\') FROM (SELECT ok FROM health_uploads ORDER BY id)'), '1100');
  assert.equal(sql("SELECT count(*) FROM audit_log WHERE action='health_upload_failed'"), '2');
  await startFtp();
});

test('the CLI writes the file and uploads it for cron use', async () => {
  const out = path.join(srv.dataDir, 'cli-export.csv');
  let r = await runCli(['health-export', '--data', srv.dataDir, '--year', '2019', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /kenko-app-2019\.csv: 2件/);
  const written = fs.readFileSync(out);
  assert.equal(fs.statSync(out).mode & 0o777, 0o600, 'personal data: owner only');
  assert.deepEqual([...written.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.match(written.subarray(3).toString('utf8'), /^募集ID,活動名,.*,連絡先Eメール\r\n/);
  fs.rmSync(path.join(ftpDir, 'kenko-app-2019.csv'), { force: true });
  r = await runCli(['health-export', '--data', srv.dataDir, '--year', '2019', '--upload']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /アップロードしました/);
  assert.ok(fs.existsSync(path.join(ftpDir, 'kenko-app-2019.csv')));
  assert.equal(sql("SELECT actor FROM health_uploads ORDER BY id DESC LIMIT 1"), 'cli');
  r = await runCli(['health-export', '--data', srv.dataDir, '--year', 'abc']);
  assert.equal(r.code, 2);
});
