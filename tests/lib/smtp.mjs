// smtp.mjs — a real SMTP server (Debian's python3-aiosmtpd) that stores every
// mail it receives in a maildir, for tests of outgoing mail.
//
//   const smtp = await startSmtpSink();
//   const srv = await startServer({ env: { CIVICNET_SMTP: `smtp://${smtp.host}:${smtp.port}` } });
//   … await smtp.waitFor(1);
//   const [m] = smtp.messages();   // {from, to[], subject, headers, body, raw, …}
//   await smtp.stop();             // also an outage: smtp.restart() brings it back on the same port
//
// Uses /usr/bin/python3 on purpose: the python3 first on PATH may be a
// separate build that does not see Debian's python3-aiosmtpd.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './server.mjs';

const PYTHON = '/usr/bin/python3';
const START_TIMEOUT_MS = 10_000;

// Parses every message of the maildir with Python's email package (which
// decodes MIME encoded-words, base64/quoted-printable bodies and any charset,
// ISO-2022-JP included) and prints them as JSON, oldest first.
const PARSER = String.raw`
import email, email.policy, json, os, sys
md = sys.argv[1]
files = []
for sub in ("new", "cur"):
    d = os.path.join(md, sub)
    if os.path.isdir(d):
        for n in os.listdir(d):
            p = os.path.join(d, n)
            files.append((os.stat(p).st_mtime_ns, n, p))
files.sort()
out = []
for _, name, p in files:
    data = open(p, "rb").read()
    item = {"file": name, "raw": data.decode("utf-8", "replace")}
    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
        headers = []
        for k, v in msg.items():
            try:
                headers.append([k, str(v)])
            except Exception:  # malformed header: keep it as received
                headers.append([k, repr(v)])
        item["headerList"] = headers
        item["from"] = str(msg.get("X-MailFrom", ""))
        rcpt = str(msg.get("X-RcptTo", ""))
        item["to"] = [a.strip() for a in rcpt.split(",") if a.strip()]
        item["subject"] = str(msg.get("Subject", ""))
        item["contentType"] = msg.get_content_type()
        body = msg.get_body(preferencelist=("plain", "html"))
        text = ""
        if body is not None:
            try:
                text = body.get_content()
            except Exception:
                text = (body.get_payload(decode=True) or b"").decode("utf-8", "replace")
        elif not msg.is_multipart():
            text = (msg.get_payload(decode=True) or b"").decode("utf-8", "replace")
        item["body"] = text
        parts = []
        for part in msg.walk():
            if part.is_multipart():
                continue
            parts.append({
                "contentType": part.get_content_type(),
                "filename": part.get_filename(),
                "size": len(part.get_payload(decode=True) or b""),
            })
        item["parts"] = parts
    except Exception as e:
        item["parseError"] = repr(e)
    out.append(item)
json.dump(out, sys.stdout, ensure_ascii=False)
`;

function waitForPort(port, host, proc, readLog, timeout = START_TIMEOUT_MS) {
  const deadline = Date.now() + timeout;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        reject(new Error(`aiosmtpd exited during start-up (code ${proc.exitCode}, signal ${proc.signalCode})\n${readLog()}`));
        return;
      }
      const s = net.connect({ port, host });
      s.once('data', (d) => {
        s.destroy();
        if (d.toString('latin1').startsWith('220')) resolve();
        else retry();
      });
      s.once('error', () => {
        s.destroy();
        retry();
      });
    };
    const retry = () => {
      if (Date.now() > deadline) {
        reject(new Error(`aiosmtpd did not accept connections on ${host}:${port} within ${timeout} ms\n${readLog()}`));
        return;
      }
      setTimeout(attempt, 50);
    };
    attempt();
  });
}

const live = new Set();
const dirs = new Set();
process.on('exit', () => {
  for (const p of live) {
    try { p.kill('SIGKILL'); } catch { /* gone */ }
  }
  for (const d of dirs) {
    try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* gone */ }
  }
});

/**
 * Start an SMTP sink on a free loopback port. Options: smtputf8 (enable the
 * SMTPUTF8 extension), size (max message size in bytes).
 * Returns {host, port, url, maildir, messages(), count(), waitFor(n, ms),
 * clear(), stop(), restart(), dispose()}.
 */
export async function startSmtpSink({ smtputf8 = false, size } = {}) {
  const host = '127.0.0.1';
  const port = await freePort();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'civicnet-smtp-'));
  if (!process.env.CIVICNET_KEEP_DATA) dirs.add(dir);
  const maildir = path.join(dir, 'Maildir');
  for (const sub of ['cur', 'new', 'tmp']) fs.mkdirSync(path.join(maildir, sub), { recursive: true });
  const logPath = path.join(dir, 'aiosmtpd.log');
  const readLog = () => {
    try { return fs.readFileSync(logPath, 'utf8'); } catch { return ''; }
  };

  let proc = null;
  let exited = null;

  const launch = async () => {
    const args = ['-m', 'aiosmtpd', '-n', '-l', `${host}:${port}`];
    if (smtputf8) args.push('-u');
    if (size) args.push('-s', String(size));
    args.push('-c', 'aiosmtpd.handlers.Mailbox', maildir);
    const fd = fs.openSync(logPath, 'a');
    try {
      proc = spawn(PYTHON, args, { stdio: ['ignore', fd, fd], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    } finally {
      fs.closeSync(fd);
    }
    const p = proc;
    live.add(p);
    exited = new Promise((r) => p.once('exit', () => { live.delete(p); r(); }));
    p.on('error', () => {});
    await waitForPort(port, host, p, readLog);
  };

  const stopProc = async () => {
    if (!proc) return;
    const p = proc;
    proc = null;
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
  };

  const messages = () => {
    const r = spawnSync(PYTHON, ['-c', PARSER, maildir], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`maildir parser failed: ${r.stderr}`);
    return JSON.parse(r.stdout).map((m) => {
      const headers = {};
      for (const [k, v] of m.headerList ?? []) {
        const key = k.toLowerCase();
        headers[key] = key in headers ? `${headers[key]}, ${v}` : v;
      }
      return { ...m, headers };
    });
  };

  const count = () => ['new', 'cur'].reduce((n, sub) => n + fs.readdirSync(path.join(maildir, sub)).length, 0);

  await launch();

  return {
    host,
    port,
    url: `smtp://${host}:${port}`,
    maildir,
    log: readLog,
    messages,
    count,
    /** Wait until at least n messages arrived; resolves messages(). */
    async waitFor(n = 1, timeout = 10_000) {
      const deadline = Date.now() + timeout;
      while (count() < n) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${n} mail(s) within ${timeout} ms, got ${count()}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      return messages();
    },
    /** Delete every stored message. */
    clear() {
      for (const sub of ['new', 'cur']) {
        for (const f of fs.readdirSync(path.join(maildir, sub))) fs.rmSync(path.join(maildir, sub, f), { force: true });
      }
    },
    /** Stop the SMTP server (also to simulate an outage): messages() still
     * works and restart() brings it back with the same port and maildir. */
    async stop() {
      await stopProc();
    },
    /** Restart on the same port with the same maildir. */
    async restart() {
      await stopProc();
      await launch();
    },
    /** Stop and delete the maildir (otherwise removed when the test process exits). */
    async dispose() {
      await stopProc();
      await fsp.rm(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
  };
}
