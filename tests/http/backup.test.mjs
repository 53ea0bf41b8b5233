// backup.test.mjs — `civicnet backup` / `backup verify` / `restore` (issue 8,
// D3) against a running server: content and an uploaded file are created
// over HTTP, a backup is taken while submissions keep arriving, restored
// into a new directory and served again; damaged, truncated, tampered and
// wrong-key backups are refused without touching the target, and a
// non-empty target is only replaced with --force (the old data kept).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, runCli } from '../lib/server.mjs';

let srv, work;
before(async () => {
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'civicnet-backup-'));
  srv = await startServer({ demo: true });
});
after(async () => {
  await srv?.stop();
  if (!process.env.CIVICNET_KEEP_DATA) await fsp.rm(work, { recursive: true, force: true });
});

const sqlIn = (dir, q) => execFileSync('sqlite3', [path.join(dir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

/** Submit an event (掲載依頼) with an optional PDF through the real forms; resolves when acknowledged. */
async function submitEvent(title, withFile) {
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
  const csrf = async (p) => (await (await send(p)).text()).match(/name="_csrf" value="([^"]+)"/)[1];
  const fd = new FormData();
  fd.append('_csrf', await csrf('/register/event'));
  const fields = { kind: 'event', title, organiser: '宇部みどりの会', starts_on: '2026-12-03', ends_on: '2026-12-03',
    municipality: '宇部市', summary: '木を植えます', fields: '環境の保全', submitter_name: '掲載 太郎',
    submitter_email: 'event@example.jp' };
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  if (withFile) fd.append('file_1', new Blob([PDF], { type: 'application/pdf' }), 'チラシ.pdf');
  let res = await send('/register/event', { method: 'POST', body: fd, headers: { origin: srv.url } });
  assert.equal(res.status, 303, `submission of ${title}`);
  const d = new URL(res.headers.get('location'), 'http://x').searchParams.get('d');
  const body = new URLSearchParams({ _csrf: await csrf(`/register/event/confirm?d=${d}`), d }).toString();
  res = await send('/register/event/confirm', { method: 'POST', body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  assert.equal(res.status, 303);
  return title;
}

test('a backup taken while submissions arrive restores into a new directory that serves everything', async () => {
  await submitEvent('バックアップ前の植樹祭', true);
  const upload = sqlIn(srv.dataDir, "SELECT u.stored_path FROM events e JOIN uploads u ON u.id = e.file_1 WHERE e.title = 'バックアップ前の植樹祭'");
  assert.ok(upload, 'the upload is recorded');

  // submissions keep arriving while the backup runs
  let stop = false;
  const acknowledged = [];
  const burst = (async () => {
    for (let i = 0; !stop && i < 200; i++) acknowledged.push(await submitEvent(`並行投稿${i}`, i % 3 === 0));
  })();
  await new Promise((r) => setTimeout(r, 200));
  const file = path.join(work, 'b1.cnb');
  const b = await runCli(['backup', '--data', srv.dataDir, '--out', file]);
  stop = true;
  await burst;
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, /バックアップを作成しました/);
  assert.equal(fs.statSync(file).mode & 0o077, 0, 'the backup file is private (0600)');
  assert.ok(!fs.readFileSync(file).includes(Buffer.from('バックアップ前の植樹祭')), 'the backup is encrypted');

  const key = path.join(srv.dataDir, 'keys', 'backup.key');
  const v = await runCli(['backup', 'verify', file, '--key', key]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /すべて一致しました/);

  const dest = path.join(work, 'restored');
  const r = await runCli(['restore', '--data', dest, '--key', key, file]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(sqlIn(dest, 'PRAGMA integrity_check'), 'ok');
  // everything acknowledged before the backup began is there, with its file
  assert.equal(sqlIn(dest, "SELECT count(*) FROM events WHERE title = 'バックアップ前の植樹祭' AND file_1 IS NOT NULL"), '1');
  assert.deepEqual(fs.readFileSync(path.join(dest, upload.startsWith('/') ? path.relative(srv.dataDir, upload) : upload)), PDF);
  // a submission is either wholly in the copy or not at all
  assert.equal(sqlIn(dest, "SELECT count(*) FROM events e LEFT JOIN uploads u ON u.id = e.file_1 WHERE e.file_1 IS NOT NULL AND u.id IS NULL"), '0');
  for (const k of ['secret.key', 'keys/pii.key', 'keys/index.key'])
    assert.deepEqual(fs.readFileSync(path.join(dest, k)), fs.readFileSync(path.join(srv.dataDir, k)), k);
  assert.ok(!fs.existsSync(path.join(dest, 'keys', 'backup.key')), 'the backup key is never inside a backup');

  const copy = await startServer({ demo: false, dataDir: dest });
  try {
    const home = await fetch(copy.url + '/');
    assert.equal(home.status, 200);
    const list = await (await fetch(copy.url + '/groups/')).text();
    const demoGroup = sqlIn(srv.dataDir, "SELECT name FROM groups WHERE status = 'published' ORDER BY id LIMIT 1");
    assert.ok(list.includes(demoGroup), 'published content is served from the restored copy');
  } finally {
    await copy.stop();
  }
});

test('truncated, tampered, foreign and wrong-key backups are refused and the target is left alone', async () => {
  const file = path.join(work, 'b2.cnb');
  assert.equal((await runCli(['backup', '--data', srv.dataDir, '--out', file])).code, 0);
  const key = path.join(srv.dataDir, 'keys', 'backup.key');
  const bytes = fs.readFileSync(file);

  const cases = {
    truncated: [bytes.subarray(0, Math.floor(bytes.length / 2)), /壊れている|改ざん/],
    tampered: [Buffer.from(bytes).fill(0x41, 4000, 4001), /改ざん|壊れて/],
    'tag changed': [Buffer.concat([bytes.subarray(0, bytes.length - 1), Buffer.from([bytes[bytes.length - 1] ^ 1])]), /認証タグが一致しません/],
    'not a backup': [Buffer.from('PK\x03\x04 this is a zip file, not ours'), /バックアップではない/],
  };
  for (const [name, [content, msg]] of Object.entries(cases)) {
    const bad = path.join(work, `bad-${name.replace(/ /g, '-')}.cnb`);
    fs.writeFileSync(bad, content);
    const v = await runCli(['backup', 'verify', bad, '--key', key]);
    assert.equal(v.code, 1, `${name}: verify fails`);
    assert.match(v.stderr, msg, name);
    const dest = path.join(work, `dest-${name.replace(/ /g, '-')}`);
    const r = await runCli(['restore', '--data', dest, '--key', key, bad]);
    assert.equal(r.code, 1, `${name}: restore fails`);
    assert.ok(!fs.existsSync(dest), `${name}: nothing was created`);
    assert.deepEqual(fs.readdirSync(work).filter((f) => f.includes('restoring')), [], `${name}: no leftovers`);
  }

  const otherKey = path.join(work, 'other.key');
  fs.writeFileSync(otherKey, Buffer.alloc(32, 7), { mode: 0o600 });
  const w = await runCli(['backup', 'verify', file, '--key', otherKey]);
  assert.equal(w.code, 1);
  assert.match(w.stderr, /鍵が違います/);
  const loose = path.join(work, 'loose.key');
  fs.writeFileSync(loose, fs.readFileSync(key), { mode: 0o644 });
  fs.chmodSync(loose, 0o644);
  assert.match((await runCli(['backup', 'verify', file, '--key', loose])).stderr, /chmod 600/);
});

test('restore refuses a non-empty directory unless --force, and then keeps the old data', async () => {
  const file = path.join(work, 'b3.cnb');
  assert.equal((await runCli(['backup', '--data', srv.dataDir, '--out', file])).code, 0);
  const key = path.join(srv.dataDir, 'keys', 'backup.key');
  const dest = path.join(work, 'occupied');
  fs.mkdirSync(dest);
  fs.writeFileSync(path.join(dest, 'note.txt'), '前のデータ');
  let r = await runCli(['restore', '--data', dest, '--key', key, file]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /空ではありません.*--force/);
  assert.equal(fs.readFileSync(path.join(dest, 'note.txt'), 'utf8'), '前のデータ');
  r = await runCli(['restore', '--data', dest, '--key', key, '--force', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(dest, 'civicnet.db')));
  const kept = fs.readdirSync(work).find((f) => f.startsWith('occupied.before-restore-'));
  assert.ok(kept, 'the old directory is kept');
  assert.equal(fs.readFileSync(path.join(work, kept, 'note.txt'), 'utf8'), '前のデータ');
  const empty = path.join(work, 'empty');
  fs.mkdirSync(empty);
  assert.equal((await runCli(['restore', '--data', empty, '--key', key, file])).code, 0, 'an empty directory is fine');
});
