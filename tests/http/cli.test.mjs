// cli.test.mjs — the IT contractor's interface (issue 2 §2): every command
// has --help, unknown options exit 2, the password is read from stdin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../lib/server.mjs';

const tmp = () => fsp.mkdtemp(path.join(os.tmpdir(), 'civicnet-cli-'));

test('civicnet --help lists every command', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  for (const cmd of ['serve', 'migrate', 'demo', 'user add', 'audit verify'])
    assert.match(r.stdout, new RegExp(cmd), `--help mentions ${cmd}`);
});

test('each command describes its options with --help', async () => {
  const cases = {
    serve: ['--data', '--listen', '--config'],
    migrate: ['--data'],
    demo: ['--data'],
    user: ['--login', '--role'],
    audit: ['--data'],
  };
  for (const [cmd, words] of Object.entries(cases)) {
    const args = cmd === 'user' ? ['user', 'add', '--help'] : cmd === 'audit' ? ['audit', 'verify', '--help'] : [cmd, '--help'];
    const r = await runCli(args);
    assert.equal(r.code, 0, `${args.join(' ')} exits 0`);
    for (const w of words) assert.ok(r.stdout.includes(w), `${cmd} --help mentions ${w}`);
  }
});

test('unknown options and commands exit 2 with a clear message', async () => {
  let r = await runCli(['serve', '--data', '/tmp/x', '--bogus']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--bogus/);
  r = await runCli(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
  r = await runCli(['migrate']);
  assert.equal(r.code, 2, 'missing --data is a usage error');
  assert.match(r.stderr, /--data/);
  r = await runCli(['user', 'add', '--data', '/tmp/x', '--login', 'a', '--role', 'admin', '--password', 'x']);
  assert.equal(r.code, 2, 'a password option does not exist: never on argv');
});

test('migrate creates the database and is idempotent', async () => {
  const dir = await tmp();
  let r = await runCli(['migrate', '--data', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /applied migration 0001_init\.sql/);
  await fsp.access(path.join(dir, 'civicnet.db'));
  r = await runCli(['migrate', '--data', dir]);
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.stderr, /applied migration/, 'nothing applied twice');
  await fsp.rm(dir, { recursive: true });
});

test('demo loads once and refuses to load over existing content', async () => {
  const dir = await tmp();
  let r = await runCli(['demo', '--data', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /demo data loaded/);
  r = await runCli(['demo', '--data', dir]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /content exists/);
  await fsp.rm(dir, { recursive: true });
});

test('user add reads the password from stdin and rejects bad input', async () => {
  const dir = await tmp();
  let r = await runCli(['user', 'add', '--data', dir, '--login', 'staff1', '--role', 'editor'], { input: 'correct horse battery\n' });
  assert.equal(r.code, 0, r.stderr);
  r = await runCli(['user', 'add', '--data', dir, '--login', 'staff1', '--role', 'editor'], { input: 'another password\n' });
  assert.equal(r.code, 1, 'duplicate login refused');
  assert.match(r.stderr, /already exists/);
  r = await runCli(['user', 'add', '--data', dir, '--login', 'staff2', '--role', 'editor'], { input: 'short\n' });
  assert.equal(r.code, 2, 'short password refused');
  r = await runCli(['user', 'add', '--data', dir, '--login', 'staff3', '--role', 'root'], { input: 'long enough pw\n' });
  assert.equal(r.code, 2, 'unknown role refused');
  r = await runCli(['user', 'add', '--data', dir, '--login', "x' OR 1=1 --", '--role', 'editor'], { input: 'long enough pw\n' });
  assert.equal(r.code, 2, 'odd characters in login refused');
  await fsp.rm(dir, { recursive: true });
});

test('routes prints the route table with roles', async () => {
  const r = await runCli(['routes']);
  assert.equal(r.code, 0);
  const rows = r.stdout.trim().split('\n').map((l) => l.split('\t'));
  assert.ok(rows.length >= 10);
  const home = rows.find((x) => x[2] === '/admin/');
  assert.equal(home[3], 'editor', '/admin/ needs an editor');
});

test('serve refuses to start on a broken template, naming file and line', async () => {
  const root = await tmp();
  const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
  await fsp.cp(path.join(repo, 'templates'), path.join(root, 'templates'), { recursive: true });
  await fsp.cp(path.join(repo, 'db'), path.join(root, 'db'), { recursive: true });
  await fsp.writeFile(path.join(root, 'templates', 'broken.html'), '<p>ok</p>\n{% if x %}\n<p>never closed</p>\n');
  const data = await tmp();
  const r = await runCli(['serve', '--data', data, '--listen', '127.0.0.1:1'], { env: { CIVICNET_ROOT: root } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /broken\.html:2/);
  await fsp.rm(root, { recursive: true });
  await fsp.rm(data, { recursive: true });
});

test('serve refuses to start when a declared column is missing', async () => {
  const root = await tmp();
  const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
  await fsp.cp(path.join(repo, 'templates'), path.join(root, 'templates'), { recursive: true });
  await fsp.mkdir(path.join(root, 'db', 'migrations'), { recursive: true });
  const init = await fsp.readFile(path.join(repo, 'db', 'migrations', '0001_init.sql'), 'utf8');
  // Same schema, but the news table lacks its body column.
  await fsp.writeFile(path.join(root, 'db', 'migrations', '0001_init.sql'),
    init.replace("  body         TEXT NOT NULL DEFAULT '',\n", ''));
  const data = await tmp();
  const r = await runCli(['migrate', '--data', data], { env: { CIVICNET_ROOT: root } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /news\.body/);
  await fsp.rm(root, { recursive: true });
  await fsp.rm(data, { recursive: true });
});

test('user reset-2fa and user unlock recover a staff account, audited', async () => {
  const { execFileSync } = await import('node:child_process');
  const dir = await tmp();
  let r = await runCli(['user', 'add', '--data', dir, '--login', 'onlyadmin', '--role', 'admin'], { input: 'admin password 1\n' });
  assert.equal(r.code, 0, r.stderr);
  const db = path.join(dir, 'civicnet.db');
  const sql = (q) => execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
  sql("UPDATE users SET totp_enabled=1, totp_secret='v1:x' WHERE login='onlyadmin'");
  sql("INSERT INTO login_throttle(login, failures, window_start, locked_until) VALUES ('onlyadmin', 0, 0, strftime('%s','now') + 1800)");
  r = await runCli(['user', 'reset-2fa', '--data', dir, '--login', 'onlyadmin']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(sql("SELECT totp_enabled || '/' || coalesce(totp_secret, 'none') FROM users WHERE login='onlyadmin'"), '0/none');
  r = await runCli(['user', 'unlock', '--data', dir, '--login', 'onlyadmin']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(sql("SELECT count(*) FROM login_throttle"), '0');
  r = await runCli(['user', 'unlock', '--data', dir, '--login', 'onlyadmin']);
  assert.equal(r.code, 1, 'nothing to unlock');
  r = await runCli(['user', 'reset-2fa', '--data', dir, '--login', 'nobody']);
  assert.equal(r.code, 1);
  r = await runCli(['user', 'reset-2fa', '--data', dir]);
  assert.equal(r.code, 2, '--login is required');
  assert.match(sql("SELECT group_concat(action) FROM audit_log"), /totp_reset.*account_unlock/);
  assert.equal((await runCli(['audit', 'verify', '--data', dir])).code, 0);
  await fsp.rm(dir, { recursive: true });
});
