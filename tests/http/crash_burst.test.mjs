// crash_burst.test.mjs — nothing lost when the server dies (issue 9,
// faults; DESIGN principle 6): four clients keep submitting 掲載依頼 (each
// with its own submitter address) while the server is killed with SIGKILL.
// After a restart on the same data every acknowledged submission (its
// confirmation answered 303) is stored exactly once, no record exists
// without the mail its transaction enqueued (nothing half-written), and
// every submitter's acknowledgement arrives at the real SMTP server with one
// Message-ID (the outbox is at-least-once: a kill between the SMTP server's
// acceptance and the local commit may hand over one copy twice, with the
// same Message-ID — at most one such copy is allowed).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, startServer } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let sink, srv2, dataDir;
after(async () => {
  await srv2?.stop();
  await sink?.stop?.();
  await sink?.dispose?.();
  if (dataDir && !process.env.CIVICNET_KEEP_DATA) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** One visitor submitting events through the real forms; resolves the title once acknowledged. */
function visitor(base) {
  const jar = new Map();
  const send = async (p, opts = {}) => {
    const headers = { ...(opts.headers || {}) };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(base + p, { redirect: 'manual', ...opts, headers, signal: AbortSignal.timeout(10_000) });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
    return res;
  };
  const post = async (p, fields, from = p) => {
    const tok = (await (await send(from)).text()).match(/name="_csrf" value="([^"]+)"/)[1];
    return send(p, { method: 'POST', body: new URLSearchParams({ ...fields, _csrf: tok }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base } });
  };
  return async (n) => {
    const title = `burst-${n}`;
    let res = await post('/register/event', { kind: 'event', title, organiser: '宇部みどりの会', starts_on: '2026-12-03',
      ends_on: '2026-12-03', municipality: '宇部市', summary: '負荷試験', fields: '環境の保全',
      submitter_name: '試験 太郎', submitter_email: `burst-${n}@example.jp` });
    if (res.status !== 303) throw new Error(`form: HTTP ${res.status}`);
    const d = new URL(res.headers.get('location'), 'http://x').searchParams.get('d');
    res = await post('/register/event/confirm', { d }, `/register/event/confirm?d=${d}`);
    if (res.status !== 303 || !/\/done/.test(res.headers.get('location') || '')) throw new Error(`confirm: HTTP ${res.status}`);
    return title;
  };
}

test('kill -9 during a burst of submissions: every acknowledged one is there once, every mail sent once', { timeout: 300_000 }, async () => {
  sink = await startSmtpSink();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'civicnet-burst-'));
  assert.equal((await runCli(['demo', '--data', dataDir])).code, 0);
  const env = { CIVICNET_SMTP: sink.url };
  const srv1 = await startServer({ demo: false, env, dataDir });
  const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(dataDir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();

  const acknowledged = [];
  let next = 0, stop = false;
  const worker = async () => {
    const submit = visitor(srv1.url);
    while (!stop) {
      try { acknowledged.push(await submit(next++)); } catch { if (stop) return; await sleep(10); }
    }
  };
  const workers = [worker(), worker(), worker(), worker()];
  for (let i = 0; i < 600 && acknowledged.length < 40; i++) await sleep(50);
  stop = true;
  srv1.proc.kill('SIGKILL');
  await new Promise((r) => (srv1.proc.exitCode !== null || srv1.proc.signalCode !== null ? r() : srv1.proc.once('exit', r)));
  await Promise.all(workers);
  assert.ok(acknowledged.length >= 20, `submissions acknowledged before the kill: ${acknowledged.length}`);

  srv2 = await startServer({ demo: false, env, dataDir });
  for (let i = 0; i < 600; i++) {
    if (sql("SELECT count(*) FROM outbox WHERE state IN ('queued','sending')") === '0') break;
    await sleep(100);
  }
  assert.equal(sql("SELECT count(*) FROM outbox WHERE state <> 'sent'"), '0', 'every mail delivered after the restart');

  // every acknowledged submission once; no record without its mail, no mail without its record
  const stored = sql("SELECT title FROM events WHERE title LIKE 'burst-%'").split('\n').filter(Boolean);
  for (const t of acknowledged) assert.equal(stored.filter((s) => s === t).length, 1, `${t} stored exactly once`);
  const mailed = sql("SELECT to_addr FROM outbox WHERE to_addr LIKE 'burst-%@example.jp'").split('\n').filter(Boolean);
  assert.deepEqual([...new Set(mailed)].sort(), stored.map((t) => `${t}@example.jp`).sort(),
    'a stored submission and its acknowledgement mail were committed together');
  assert.equal(new Set(mailed).size, mailed.length, 'one acknowledgement per submission in the outbox');

  // the SMTP server received each acknowledgement, one Message-ID each
  const got = new Map();
  let copies = 0;
  for (const m of sink.messages()) {
    const to = m.to.find((a) => /^burst-\d+@example\.jp$/.test(a));
    if (!to) continue;
    const id = (m.headerList.find(([k]) => k.toLowerCase() === 'message-id') || [])[1];
    got.set(to, (got.get(to) || new Set()).add(id));
    copies++;
  }
  for (const t of stored) assert.equal(got.get(`${t}@example.jp`)?.size, 1, `one acknowledgement (one Message-ID) to ${t}`);
  assert.ok(copies <= stored.length + 1, `at most one copy handed over twice (${copies - stored.length})`);
  assert.equal(sql('PRAGMA integrity_check'), 'ok');
});
