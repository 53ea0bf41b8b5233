// check.test.mjs — `civicnet check` (issue 8, O2): the monthly maintenance
// report says すべて正常 (exit 0) only when it is true, and names each
// problem it finds: no backup, a stale or damaged backup, mail stuck in the
// queue, a broken audit chain, a locked sign-in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../lib/server.mjs';

let dir;
before(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'civicnet-check-'));
  assert.equal((await runCli(['demo', '--data', dir])).code, 0);
});
after(async () => { await fsp.rm(dir, { recursive: true, force: true }); });
const sql = (q) => execFileSync('sqlite3', [path.join(dir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();
const row = (out, name) => out.split('\n').find((l) => l.startsWith(`| ${name}`)) || '';
const check = () => runCli(['check', '--data', dir]);

test('the report is all green only with a fresh, verifiable backup and nothing pending', async () => {
  let r = await check();
  assert.equal(r.code, 1, 'no backup yet: needs attention');
  assert.match(row(r.stdout, 'バックアップ'), /異常.*バックアップがありません/);
  assert.match(r.stdout, /総合判定: 要対応/);
  assert.match(row(r.stdout, 'データベースの整合性'), /正常/);

  fs.mkdirSync(path.join(dir, 'backups'));
  const file = path.join(dir, 'backups', 'daily.cnb');
  assert.equal((await runCli(['backup', '--data', dir, '--out', file])).code, 0);
  r = await check();
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /^# 月次保守点検報告/);
  assert.match(row(r.stdout, 'バックアップ'), /正常.*検証しました/);
  assert.match(r.stdout, /- SQLite 3\.\d+/);
  assert.match(r.stdout, /総合判定: すべて正常\n$/);

  const old = new Date(Date.now() - 30 * 3600e3);
  fs.utimesSync(file, old, old);
  r = await check();
  assert.equal(r.code, 1);
  assert.match(row(r.stdout, 'バックアップ'), /異常.*30 時間前/);

  assert.equal((await runCli(['backup', '--data', dir, '--out', file])).code, 0);
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 100] ^= 0xff;
  fs.writeFileSync(file, bytes);
  r = await check();
  assert.match(row(r.stdout, 'バックアップ'), /異常.*検証できません/);
  assert.equal((await runCli(['backup', '--data', dir, '--out', file])).code, 0);
  assert.equal((await check()).code, 0);
});

test('stuck mail, a locked sign-in and a broken audit chain are each reported', async () => {
  sql(`INSERT INTO outbox(created_at, idem_key, to_addr, from_addr, subject, body, next_attempt_at, message_id)
       VALUES (unixepoch() - 7200, 'check-test', 'a@example.jp', 'b@example.jp', 's', 'b', unixepoch(), '<x@example.jp>')`);
  let r = await check();
  assert.equal(r.code, 1);
  assert.match(row(r.stdout, 'メール送信'), /異常.*1時間以上未送信 1 通/);
  sql("UPDATE outbox SET state = 'sent', sent_at = unixepoch() WHERE idem_key = 'check-test'");

  sql("INSERT INTO login_throttle(login, failures, window_start, locked_until) VALUES ('intruder', 10, unixepoch(), unixepoch() + 600)");
  r = await check();
  assert.match(row(r.stdout, 'ロック中のログイン'), /注意.*1 件/);
  sql("DELETE FROM login_throttle");

  assert.equal((await check()).code, 0);
  sql("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = 'changed' WHERE id = (SELECT min(id) FROM audit_log)");
  r = await check();
  assert.equal(r.code, 1);
  assert.match(row(r.stdout, '監査ログ'), /異常.*途切れています/);
});
