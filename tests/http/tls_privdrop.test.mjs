// tls_privdrop.test.mjs — small installs (issue 8, Y8): civicnet serving
// TLS itself (libmicrohttpd + GnuTLS) with TLS 1.2/1.3 only, HSTS and
// Secure cookies; started as root it binds, then runs as the configured
// user (the data directory must be that user's).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { civicnetBin, freePort, runCli, REPO_ROOT } from '../lib/server.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tmp = [];
const procs = [];
after(async () => {
  for (const p of procs) if (p.exitCode === null) { p.kill('SIGTERM'); await new Promise((r) => p.once('exit', r)); }
  for (const d of tmp) await fsp.rm(d, { recursive: true, force: true });
});

/** Start `civicnet serve` with a config; resolves {proc, port, stderr()} once `probe` succeeds. */
async function serve(dataDir, confText, probe) {
  const port = await freePort();
  const conf = path.join(path.dirname(dataDir), `serve-${port}.conf`);
  fs.writeFileSync(conf, confText, { mode: 0o644 });
  const errPath = path.join(path.dirname(dataDir), `serve-${port}.err`);
  const errFd = fs.openSync(errPath, 'w');
  const proc = spawn(civicnetBin(), ['serve', '--data', dataDir, '--listen', `127.0.0.1:${port}`, '--config', conf],
    { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', errFd] });
  fs.closeSync(errFd);
  procs.push(proc);
  const stderr = () => fs.readFileSync(errPath, 'utf8');
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) return { proc, port, stderr };
    try { await probe(port); return { proc, port, stderr }; } catch { await sleep(100); }
  }
  throw new Error(`server did not come up:\n${stderr()}`);
}

function httpsGet(port, p, opts = {}) {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: p, rejectUnauthorized: false, ...opts }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
  });
}

test('TLS served directly: 1.2 and 1.3 only, HSTS, Secure cookies', async () => {
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'civicnet-tls-'));
  tmp.push(work);
  const key = path.join(work, 'key.pem');
  const cert = path.join(work, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '2', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  fs.chmodSync(key, 0o600);
  const data = path.join(work, 'data');
  assert.equal((await runCli(['demo', '--data', data])).code, 0);
  const s = await serve(data, `tls_cert_file = ${cert}\ntls_key_file = ${key}\n`, (port) => httpsGet(port, '/healthz'));
  assert.equal(s.proc.exitCode, null, s.stderr());
  const home = await httpsGet(s.port, '/');
  assert.equal(home.status, 200);
  assert.match(home.headers['strict-transport-security'] || '', /max-age=\d+/);
  for (const v of ['TLSv1.2', 'TLSv1.3']) {
    const r = await httpsGet(s.port, '/healthz', { minVersion: v, maxVersion: v });
    assert.equal(r.status, 200, v);
  }
  await assert.rejects(httpsGet(s.port, '/healthz', { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }),
    'TLS 1.0/1.1 are refused');
  const pref = await httpsGet(s.port, '/settings/display?fs=xl&return=/');
  assert.ok((pref.headers['set-cookie'] || []).length && pref.headers['set-cookie'].every((c) => /;\s*Secure/i.test(c)), `cookies are Secure: ${pref.headers['set-cookie']}`);

  // a key others can read is refused at start
  fs.chmodSync(key, 0o644);
  const bad = await runCli(['serve', '--data', data, '--listen', '127.0.0.1:1', '--config',
    (fs.writeFileSync(path.join(work, 'bad.conf'), `tls_cert_file = ${cert}\ntls_key_file = ${key}\n`), path.join(work, 'bad.conf'))]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /readable by its owner only/);
});

test('started as root it binds, then serves as the configured user', async (t) => {
  if (process.getuid() !== 0) return t.skip('needs root (the suite runs as root in CI)');
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'civicnet-priv-'));
  tmp.push(work);
  fs.chmodSync(work, 0o755);
  const data = path.join(work, 'data');
  assert.equal((await runCli(['demo', '--data', data])).code, 0);
  // owned by root: refused, with the fix in the message
  let s = await serve(data, 'user = nobody\n', async () => { throw new Error('never up'); }).catch((e) => e);
  const refused = procs[procs.length - 1];
  await new Promise((r) => (refused.exitCode !== null ? r() : refused.once('exit', r)));
  assert.notEqual(refused.exitCode, 0);
  execFileSync('chown', ['-R', 'nobody:nogroup', data]);
  s = await serve(data, 'user = nobody\n', async (port) => {
    const r = await fetch(`http://127.0.0.1:${port}/healthz`);
    if (r.status !== 200) throw new Error(String(r.status));
  });
  assert.equal(s.proc.exitCode, null, s.stderr());
  const status = fs.readFileSync(`/proc/${s.proc.pid}/status`, 'utf8');
  const uid = Number(status.match(/^Uid:\s+(\d+)\s+(\d+)\s+(\d+)/m).slice(1, 4)[2]);
  assert.equal(uid, Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' })), 'runs as nobody');
  assert.match(status, /^Uid:\s+(\d+)\s+\1\s+\1\s+\1$/m, 'real, effective, saved and file-system uid all dropped');
  assert.match(s.stderr(), /listening on 127\.0\.0\.1:\d+ as nobody/);
  assert.equal((await fetch(`http://127.0.0.1:${s.port}/`)).status, 200);
});
