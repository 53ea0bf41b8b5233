// mail.test.mjs — the mail outbox end to end (issue 3, "Mail outbox";
// DESIGN principle 6 "Nothing lost"): `civicnet mail test` queues a mail,
// the server's delivery worker sends it to a real SMTP server (aiosmtpd),
// and what arrived is parsed by Python's email package. Also: an SMTP
// outage delays the mail but delivers it exactly once; a server killed with
// SIGKILL (while the mail waits, and in the middle of sending it) loses
// nothing; a header-injection attempt in the recipient is refused.
// Everything polls; no test asserts wall-clock durations.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startServer, runCli, freePort } from '../lib/server.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';

const CENTRE = 'やまぐち県民活動支援センター';
const SUBJECT = `【テスト】${CENTRE} メール送信の確認`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const tmpDirs = [];
after(async () => {
  for (const d of tmpDirs) await fsp.rm(d, { recursive: true, force: true });
});
async function tmpDir(prefix) {
  const d = await fsp.mkdtemp(path.join(os.tmpdir(), prefix));
  if (!process.env.CIVICNET_KEEP_DATA) tmpDirs.push(d);
  return d;
}

// A config file that makes retries quick (back-off base 1 s instead of 30 s).
async function fastRetryConfig() {
  const dir = await tmpDir('civicnet-mailcfg-');
  const file = path.join(dir, 'civicnet.conf');
  await fsp.writeFile(file, '# mail tests\nmail_retry_base_seconds = 1\n');
  return file;
}

/** `civicnet mail status` parsed: counts per state, attempts of the oldest queued. */
async function mailStatus(dataDir) {
  const r = await runCli(['mail', 'status', '--data', dataDir]);
  assert.equal(r.code, 0, `mail status failed: ${r.stderr}`);
  const n = (s) => {
    const m = r.stdout.match(new RegExp(`^${s}\\s+(\\d+)$`, 'm'));
    assert.ok(m, `mail status prints a ${s} count:\n${r.stdout}`);
    return Number(m[1]);
  };
  const att = r.stdout.match(/^oldest queued: .*attempts (\d+)/m);
  return {
    queued: n('queued'), sending: n('sending'), sent: n('sent'), failed: n('failed'),
    attempts: att ? Number(att[1]) : null, text: r.stdout,
  };
}

/** Poll until pred(status) holds; fails with the last status after timeout. */
async function waitStatus(dataDir, pred, what, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  let st;
  for (;;) {
    st = await mailStatus(dataDir);
    if (pred(st)) return st;
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}\n${st.text}`);
    await sleep(200);
  }
}

/** `civicnet mail test`; returns {id, messageId}. */
async function mailTest(dataDir, to, extra = []) {
  const r = await runCli(['mail', 'test', '--data', dataDir, '--to', to, ...extra]);
  assert.equal(r.code, 0, `mail test failed: ${r.stderr}`);
  const id = r.stdout.match(/^queued: id (\d+)$/m);
  const mid = r.stdout.match(/^Message-ID: (<[0-9a-f]{32}@[^>]+>)$/m);
  assert.ok(id && mid, `mail test prints the id and Message-ID:\n${r.stdout}`);
  return { id: Number(id[1]), messageId: mid[1] };
}

test('mail test: one message arrives with the Japanese subject, From name, envelope and Message-ID', async () => {
  const sink = await startSmtpSink();
  const srv = await startServer({ demo: false, env: { CIVICNET_SMTP: sink.url } });
  try {
    const { messageId } = await mailTest(srv.dataDir, 'someone@example.jp');
    const st = await waitStatus(srv.dataDir, (s) => s.sent === 1, 'sent 1');
    assert.equal(st.queued + st.sending + st.failed, 0);
    const msgs = await sink.waitFor(1);
    assert.equal(msgs.length, 1, 'exactly one message');
    const m = msgs[0];
    assert.equal(m.parseError, undefined);
    assert.equal(m.subject, SUBJECT, 'RFC 2047 subject decodes to the Japanese text');
    assert.equal(m.headers.from, `${CENTRE} <noreply@localhost>`, 'From with the encoded display name');
    assert.equal(m.from, 'noreply@localhost', 'envelope sender');
    assert.deepEqual(m.to, ['someone@example.jp'], 'envelope recipient');
    assert.equal(m.headers.to, 'someone@example.jp');
    assert.equal(m.headers['message-id'], messageId, 'Message-ID as printed by mail test');
    assert.match(m.headers.date, /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0900$/);
    assert.equal(m.headers['mime-version'], '1.0');
    assert.equal(m.contentType, 'text/plain');
    assert.match(m.headers['content-type'], /charset="?utf-8"?/i);
    assert.equal(m.headers['content-transfer-encoding'], 'base64');
    assert.equal(m.headers.bcc, undefined, 'never a Bcc header');
    assert.match(m.body, /テストメールです/);
    assert.match(m.body, /someone@example\.jp/);
    // every line of the raw message within RFC 5322's recommended 78 (we keep 76)
    for (const line of m.raw.split(/\r?\n/)) {
      if (/^X-(Peer|MailFrom|RcptTo):/.test(line)) continue; // added by the sink
      assert.ok(line.length <= 76, `line too long: ${line}`);
    }
  } finally {
    await srv.stop();
    await sink.stop();
  }
});

test('SMTP outage: the mail waits, is retried with back-off, and arrives exactly once', async () => {
  const sink = await startSmtpSink();
  await sink.stop(); // the outage: the port is known but nothing listens
  const config = await fastRetryConfig();
  const srv = await startServer({ demo: false, env: { CIVICNET_SMTP: sink.url }, args: ['--config', config] });
  try {
    await mailTest(srv.dataDir, 'member@example.jp', ['--config', config]);
    const st = await waitStatus(srv.dataDir, (s) => s.queued === 1 && s.attempts >= 1,
      'queued with a failed attempt');
    assert.equal(st.sent, 0);
    assert.match(st.text, /last error: curl 7/, 'the connect failure is shown');
    await sink.restart();
    await sink.waitFor(1, 60_000);
    await waitStatus(srv.dataDir, (s) => s.sent === 1 && s.queued === 0 && s.sending === 0, 'sent 1');
    const msgs = sink.messages();
    assert.equal(msgs.length, 1, 'delivered exactly once');
    assert.equal(msgs[0].subject, SUBJECT);
    assert.deepEqual(msgs[0].to, ['member@example.jp']);
  } finally {
    await srv.stop();
    await sink.stop();
  }
});

// A "server" that greets and then never answers: the worker sits in the
// middle of a delivery (state 'sending') until its 30 s timeout.
async function startStallingSmtp() {
  const port = await freePort();
  const sockets = new Set();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.write('220 stall.example ESMTP\r\n');
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}

async function kill9(srv) {
  const exited = new Promise((r) => srv.proc.once('exit', r));
  srv.proc.kill('SIGKILL');
  await exited;
}

test('crash while the mail waits: a new server on the same data delivers it exactly once', async () => {
  const dataDir = await tmpDir('civicnet-mailcrash-');
  const sink = await startSmtpSink();
  await sink.stop();
  const config = await fastRetryConfig();
  const env = { CIVICNET_SMTP: sink.url };
  const srv1 = await startServer({ dataDir, demo: false, env, args: ['--config', config] });
  await mailTest(dataDir, 'member@example.jp', ['--config', config]);
  await waitStatus(dataDir, (s) => s.attempts >= 1, 'a failed attempt');
  await kill9(srv1);
  await sink.restart();
  const srv2 = await startServer({ dataDir, demo: false, env, args: ['--config', config] });
  try {
    await sink.waitFor(1, 60_000);
    await waitStatus(dataDir, (s) => s.sent === 1 && s.queued === 0 && s.sending === 0, 'sent 1');
    assert.equal(sink.count(), 1, 'delivered exactly once');
  } finally {
    await srv2.stop();
    await sink.stop();
  }
});

test('crash in the middle of sending: the mail goes back to the queue and arrives exactly once', async () => {
  const dataDir = await tmpDir('civicnet-mailcrash-');
  const stall = await startStallingSmtp();
  const srv1 = await startServer({ dataDir, demo: false, env: { CIVICNET_SMTP: stall.url } });
  await mailTest(dataDir, 'member@example.jp');
  await waitStatus(dataDir, (s) => s.sending === 1, 'sending 1 (stuck in the SMTP dialogue)');
  await kill9(srv1);
  await stall.close();
  const sink = await startSmtpSink();
  const srv2 = await startServer({ dataDir, demo: false, env: { CIVICNET_SMTP: sink.url } });
  try {
    await sink.waitFor(1, 60_000);
    await waitStatus(dataDir, (s) => s.sent === 1 && s.sending === 0 && s.queued === 0, 'sent 1');
    assert.equal(sink.count(), 1, 'delivered exactly once');
    assert.match(srv2.stderr(), /1 message\(s\) interrupted by a stop are queued again/);
  } finally {
    await srv2.stop();
    await sink.stop();
  }
});

test('shutdown during a stalled delivery: the server stops at once and the mail stays queued', async () => {
  const dataDir = await tmpDir('civicnet-mailstop-');
  const stall = await startStallingSmtp();
  try {
    const srv = await startServer({ dataDir, demo: false, env: { CIVICNET_SMTP: stall.url } });
    await mailTest(dataDir, 'member@example.jp');
    await waitStatus(dataDir, (s) => s.sending === 1, 'sending 1');
    // stop() throws if SIGTERM is not enough: the SMTP dialogue is aborted
    // (none of the message was sent yet) rather than waited out
    await srv.stop();
    const st = await mailStatus(dataDir);
    assert.equal(st.sending, 0);
    assert.equal(st.queued, 1);
    assert.equal(st.attempts, 0, 'an attempt cut short by shutdown does not count');
  } finally {
    await stall.close();
  }
});

test('header injection in the recipient is refused: nothing queued, nothing delivered', async () => {
  const sink = await startSmtpSink();
  const srv = await startServer({ demo: false, env: { CIVICNET_SMTP: sink.url } });
  try {
    const evil = [
      'a@example.jp\r\nBcc: evil@example.jp',
      'a@example.jp\nBcc: evil@example.jp',
      'a@example.jp\rBcc: evil@example.jp',
      'a@example.jp, evil@example.jp',
      'A <a@example.jp>',
      'a@example.jp\tevil',
      `${'a'.repeat(250)}@example.jp`,
    ];
    for (const to of evil) {
      const r = await runCli(['mail', 'test', '--data', srv.dataDir, '--to', to]);
      assert.notEqual(r.code, 0, `refused: ${JSON.stringify(to)}`);
      assert.match(r.stderr, /not a valid e-mail address/);
      assert.ok(!r.stderr.includes('evil@example.jp'), 'the bad value is not echoed');
    }
    let st = await mailStatus(srv.dataDir);
    assert.equal(st.queued + st.sending + st.sent + st.failed, 0, 'nothing queued');
    // a valid mail afterwards proves the worker ran: it is the only delivery
    await mailTest(srv.dataDir, 'a@example.jp');
    const msgs = await sink.waitFor(1);
    st = await waitStatus(srv.dataDir, (s) => s.sent === 1, 'sent 1');
    assert.equal(msgs.length, 1);
    assert.deepEqual(msgs[0].to, ['a@example.jp']);
    assert.ok(!msgs[0].raw.includes('evil@example.jp'));
  } finally {
    await srv.stop();
    await sink.stop();
  }
});

test('civicnet mail: --help, usage errors exit 2', async () => {
  let r = await runCli(['--help']);
  assert.match(r.stdout, /mail status/);
  assert.match(r.stdout, /mail test/);
  r = await runCli(['mail', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--to ADDR/);
  r = await runCli(['mail', 'status', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--data/);
  r = await runCli(['mail', 'test', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--to/);
  r = await runCli(['mail']);
  assert.equal(r.code, 2);
  r = await runCli(['mail', 'resend']);
  assert.equal(r.code, 2);
  const dir = await tmpDir('civicnet-mailcli-');
  r = await runCli(['mail', 'test', '--data', dir]);
  assert.equal(r.code, 2, 'missing --to');
  assert.match(r.stderr, /--to/);
  r = await runCli(['mail', 'status', '--data', dir, '--to', 'a@example.jp']);
  assert.equal(r.code, 2, 'status takes no --to');
  r = await runCli(['mail', 'status']);
  assert.equal(r.code, 2, 'missing --data');
});
