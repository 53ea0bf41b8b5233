// ops.test.mjs — operations inside the server (issue 8, O2/D3/Y8): the
// daily backup runs at the configured time into backup_dir and is kept in
// generations; /readyz says ready only when the database, mail, disk and
// backups are fine; /metrics (Prometheus) listens on loopback only and
// counts requests; X-Forwarded-For is believed only from trusted_proxy;
// secrets in a readable config file stop the start with the line number.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, runCli, freePort } from '../lib/server.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tmp = [];
after(async () => { for (const d of tmp) await fsp.rm(d, { recursive: true, force: true }); });
async function tmpdir(tag) {
  const d = await fsp.mkdtemp(path.join(os.tmpdir(), `civicnet-${tag}-`));
  tmp.push(d);
  return d;
}
/** HH:MM in Japan time, minutes from now. */
const jstClock = (min) => new Date(Date.now() + 9 * 3600e3 + min * 60e3).toISOString().slice(11, 16);
const jstDate = () => new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10).replace(/-/g, '');

test('the scheduled backup runs at its time, keeps generations, and /readyz and /metrics report it', async () => {
  const work = await tmpdir('ops');
  const backups = path.join(work, 'backups');
  const copies = path.join(work, 'copies');
  fs.mkdirSync(backups, { mode: 0o700 });
  fs.mkdirSync(copies, { mode: 0o700 });
  // three old generations; keep two daily
  for (const d of ['20200101', '20200102', '20200103']) fs.writeFileSync(path.join(backups, `daily-${d}.cnb`), 'old');
  for (const t of [0, 1, 2]) fs.utimesSync(path.join(backups, `daily-2020010${t + 1}.cnb`), new Date(2020, 0, t + 1), new Date(2020, 0, t + 1));
  const mport = await freePort();
  const conf = path.join(work, 'civicnet.conf');
  fs.writeFileSync(conf, `backup_dir = ${backups}\nbackup_copy_dir = ${copies}\nbackup_time = ${jstClock(-1)}\n` +
    `backup_keep_daily = 2\nbackup_keep_monthly = 3\nmetrics_listen = 127.0.0.1:${mport}\n`);
  // backup_time has passed before the start: the overdue backup comes a
  // (shortened) moment after the start
  const srv = await startServer({ demo: true, args: ['--config', conf], env: { CIVICNET_BACKUP_START_DELAY: '2' } });
  try {
    const today = path.join(backups, `daily-${jstDate()}.cnb`);
    for (let i = 0; i < 900 && !fs.existsSync(today); i++) await sleep(100);
    assert.ok(fs.existsSync(today), `the backup of today is written: ${fs.readdirSync(backups)}`);
    assert.equal(fs.statSync(today).mode & 0o777, 0o600);
    await sleep(300);
    const names = fs.readdirSync(backups).sort();
    assert.deepEqual(names.filter((n) => n.startsWith('daily-')), [`daily-20200103.cnb`, `daily-${jstDate()}.cnb`], 'two daily generations kept');
    assert.ok(names.some((n) => n === `monthly-${jstDate().slice(0, 6)}.cnb`), 'the month\'s first backup is kept as monthly');
    assert.ok(fs.existsSync(path.join(copies, `daily-${jstDate()}.cnb`)), 'copied to the second directory');
    const v = await runCli(['backup', 'verify', today, '--data', srv.dataDir]);
    assert.equal(v.code, 0, v.stderr);
    const restored = path.join(work, 'restored');
    const rr = await runCli(['restore', '--data', restored, '--key', path.join(srv.dataDir, 'keys', 'backup.key'), today]);
    assert.equal(rr.code, 0, rr.stderr);
    assert.equal(fs.readFileSync(path.join(restored, 'config', 'civicnet.conf'), 'utf8'), fs.readFileSync(conf, 'utf8'),
      'the scheduled backup keeps the configuration file');

    let res = await fetch(`${srv.url}/readyz`);
    let body = await res.text();
    assert.equal(res.status, 200, body);
    assert.match(body, /^ok {3}database$/m);
    assert.match(body, /^ok {3}backup \d+ s ago/m);
    assert.match(body, /ready\n$/);
    assert.equal(res.headers.get('cache-control'), 'no-store');

    for (let i = 0; i < 3; i++) await fetch(`${srv.url}/`);
    await fetch(`${srv.url}/no-such-page`);
    await sleep(100);
    const metrics = await (await fetch(`http://127.0.0.1:${mport}/metrics`)).text();
    const val = (name) => Number((metrics.match(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm')) || [])[1]);
    assert.ok(val('civicnet_requests_total{class="2xx"}') >= 4, metrics);
    assert.ok(val('civicnet_requests_total{class="4xx"}') >= 1);
    assert.ok(val('civicnet_request_duration_seconds_count') >= 5);
    assert.ok(val('civicnet_backup_age_seconds') < 120);
    assert.equal(val('civicnet_backups_total{result="ok"}'), 1);
    assert.ok(Number.isFinite(val('civicnet_outbox_messages{state="queued"}')));
    assert.equal((await fetch(`${srv.url}/metrics`)).status, 404, 'metrics are not on the public listener');

    // mail due for over 30 minutes with nothing sent: not ready
    execFileSync('sqlite3', [path.join(srv.dataDir, 'civicnet.db'),
      `INSERT INTO outbox(created_at, idem_key, to_addr, from_addr, subject, body, next_attempt_at, message_id, attempts)
       VALUES (unixepoch() - 7200, 'ops-stuck', 'a@example.jp', 'b@example.jp', 's', 'b', unixepoch() - 3600, '<x@example.jp>', 5)`]);
    res = await fetch(`${srv.url}/readyz`);
    body = await res.text();
    assert.equal(res.status, 503);
    assert.match(body, /^FAIL outbox/m);
    assert.match(body, /not ready\n$/);
  } finally {
    await srv.stop();
  }
});

test('X-Forwarded-For counts only from the trusted proxy', async () => {
  const work = await tmpdir('proxy');
  const conf = path.join(work, 'civicnet.conf');
  fs.writeFileSync(conf, 'trusted_proxy = 127.0.0.1\n');
  const trusted = await startServer({ demo: true, args: ['--config', conf] });
  const plain = await startServer({ demo: true });
  try {
    for (const s of [trusted, plain]) await fetch(`${s.url}/news/`, { headers: { 'x-forwarded-for': '198.51.100.7, 203.0.113.9' } });
    await sleep(1500);
    assert.match(fs.readFileSync(path.join(trusted.dataDir, 'access.log'), 'utf8'), / 203\.0\.113\.9 GET \/news\//);
    const log = fs.readFileSync(path.join(plain.dataDir, 'access.log'), 'utf8');
    assert.match(log, / 127\.0\.0\.1 GET \/news\//);
    assert.ok(!log.includes('203.0.113.9'), 'a client cannot choose its own address');
  } finally {
    await trusted.stop();
    await plain.stop();
  }
});

test('configuration errors name the line; secrets need private files; metrics stay on loopback', async () => {
  const work = await tmpdir('conf');
  const data = path.join(work, 'data');
  const start = (text, mode = 0o600) => {
    const conf = path.join(work, `c${Math.random().toString(36).slice(2)}.conf`);
    fs.writeFileSync(conf, text, { mode });
    fs.chmodSync(conf, mode);
    return runCli(['serve', '--data', data, '--listen', '127.0.0.1:1', '--config', conf], { timeout: 15000 });
  };
  let r = await start('# comment\nsite_name_aika = あいかさねっと\nbackup_time = 25:00\n');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /:3: bad value for 'backup_time'/);
  r = await start('smtp_user = centre\nsmtp_password = hunter2\n', 0o644);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /:2: smtp_password in a file others can read/);
  r = await start('metrics_listen = 0.0.0.0:9101\n');
  assert.match(r.stderr, /:1: bad value for 'metrics_listen'/);
  const secret = path.join(work, 'smtp.secret');
  fs.writeFileSync(secret, 'hunter2\n', { mode: 0o644 });
  fs.chmodSync(secret, 0o644);
  r = await start(`smtp_password_file = ${secret}\n`);
  assert.match(r.stderr, /:1: bad value for 'smtp_password_file'/);
  r = await start('no_such_key = 1\n');
  assert.match(r.stderr, /:1: unknown setting 'no_such_key'/);
});
