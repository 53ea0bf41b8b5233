// limits.test.mjs — the explicit limits of the HTTP core (issue 2 §3) and
// the TLS-related settings, each set from a config file and then attacked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../lib/server.mjs';
import { rawRequest } from '../lib/raw.mjs';

async function withConfig(text, fn) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'civicnet-conf-'));
  const file = path.join(dir, 'civicnet.conf');
  await fsp.writeFile(file, text);
  const srv = await startServer({ demo: false, args: ['--config', file] });
  try { await fn(srv); } finally { await srv.stop(); await fsp.rm(dir, { recursive: true }); }
}

// Open a socket and resolve when it is connected; track when it closes.
function openSocket(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.closedPromise = new Promise((r) => s.once('close', r));
    s.on('error', () => {});
    setTimeout(() => reject(new Error('connect timeout')), 3000);
  });
}

function closedWithin(sock, ms) {
  return Promise.race([sock.closedPromise.then(() => true), new Promise((r) => setTimeout(() => r(false), ms))]);
}

test('per-IP connection limit: the connection over the limit is closed, the others are served', async () => {
  await withConfig('max_connections_per_ip = 2\n', async (srv) => {
    const a = await openSocket(srv.port);
    const b = await openSocket(srv.port);
    const c = await openSocket(srv.port);
    assert.equal(await closedWithin(c, 3000), true, 'third connection refused');
    const reply = new Promise((r) => a.once('data', (d) => r(d.toString())));
    a.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(await reply, /^HTTP\/1\.1 200/);
    a.destroy(); b.destroy();
  });
});

test('idle connections are closed after connection_timeout', async () => {
  await withConfig('connection_timeout = 1\n', async (srv) => {
    const s = await openSocket(srv.port);
    s.write('GET / HTTP/1.1\r\n'); // a request that never finishes
    assert.equal(await closedWithin(s, 5000), true, 'slow client dropped (slowloris)');
    // a fresh connection (fetch's pooled keep-alive socket was timed out too)
    const r = await rawRequest(srv.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(r.status, 200);
  });
});

test('max_body from the config applies', async () => {
  await withConfig('max_body = 1k\n', async (srv) => {
    const res = await fetch(srv.url + '/admin/login', {
      method: 'POST', body: 'login=' + 'x'.repeat(2000),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url },
    }).catch((e) => ({ status: 'error ' + e.message }));
    assert.equal(res.status, 413);
  });
});

test('behind a TLS proxy: Secure cookies and HSTS', async () => {
  await withConfig('tls_behind_proxy = yes\n', async (srv) => {
    const res = await fetch(srv.url + '/admin/login');
    assert.match(res.headers.get('strict-transport-security'), /max-age=\d+/);
    const cookies = res.headers.getSetCookie();
    assert.ok(cookies.length > 0);
    for (const c of cookies) assert.match(c, /; Secure/);
  });
  const plain = await startServer({ demo: false });
  const res = await fetch(plain.url + '/admin/login');
  assert.equal(res.headers.get('strict-transport-security'), null, 'no HSTS over plain HTTP');
  await plain.stop();
});

test('a config file with an unknown key stops start-up with file:line', async () => {
  const { runCli } = await import('../lib/server.mjs');
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'civicnet-conf-'));
  const file = path.join(dir, 'bad.conf');
  await fsp.writeFile(file, '# ok\nthreads = 2\nmax_bodyy = 1m\n');
  const r = await runCli(['serve', '--data', dir, '--config', file]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.conf:3: unknown setting 'max_bodyy'/);
  await fsp.rm(dir, { recursive: true });
});
