// deploy.test.mjs — the deployment of docs/インストール手順.md (issue 8):
// deploy/nginx/civicnet.conf runs in a real nginx in front of civicnet with
// a self-signed certificate (TLS 1.2/1.3 only, HSTS, http → https, the body
// limit, X-Forwarded-For set by nginx and not by the client), and
// deploy/civicnet.service keeps the hardening the guide promises (checked
// with systemd-analyze when systemd is installed).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import https from 'node:https';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, freePort, startServer } from '../lib/server.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cleanups = [];
after(async () => { for (const f of cleanups.reverse()) await f(); });

function get(mod, port, p, opts = {}) {
  return new Promise((resolve, reject) => {
    const req = mod.request({ host: '127.0.0.1', port, path: p, rejectUnauthorized: false, servername: 'portal.example.jp',
      headers: { host: 'portal.example.jp', ...(opts.headers || {}) }, method: opts.method || 'GET', ...opts.tls }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error('timeout')));
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

test('nginx from deploy/ terminates TLS in front of civicnet as the installation guide says', async (t) => {
  const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));
  if (!nginx) return t.skip('nginx is not installed (scripts/install-deps.sh --test installs nginx-light)');
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'civicnet-deploy-'));
  cleanups.push(() => fsp.rm(work, { recursive: true, force: true }));
  fs.chmodSync(work, 0o755);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=portal.example.jp',
    '-keyout', path.join(work, 'privkey.pem'), '-out', path.join(work, 'fullchain.pem')], { stdio: 'ignore' });
  fs.copyFileSync(path.join(work, 'fullchain.pem'), path.join(work, 'chain.pem'));

  const conf = path.join(work, 'civicnet.conf');
  fs.writeFileSync(conf, 'tls_behind_proxy = yes\ntrusted_proxy = 127.0.0.1\npublic_url = https://portal.example.jp\n', { mode: 0o600 });
  const app = await startServer({ demo: true, args: ['--config', conf] });
  cleanups.push(() => app.stop());

  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const site = fs.readFileSync(path.join(REPO_ROOT, 'deploy/nginx/civicnet.conf'), 'utf8')
    .replaceAll('/etc/ssl/civicnet', work)
    .replace(/listen 80;/, `listen 127.0.0.1:${httpPort};`).replace(/listen \[::\]:80;/, '')
    .replace(/listen 443 ssl http2;/, `listen 127.0.0.1:${httpsPort} ssl http2;`).replace(/listen \[::\]:443 ssl http2;/, '')
    .replace('return 301 https://$host$request_uri;', `return 301 https://$host:${httpsPort}$request_uri;`)
    .replace('proxy_pass http://127.0.0.1:8080;', `proxy_pass http://127.0.0.1:${app.port};`);
  fs.writeFileSync(path.join(work, 'site.conf'), site);
  const main = `${process.getuid() === 0 ? 'user root;\n' : ''}daemon off;\nworker_processes 1;\npid ${work}/nginx.pid;\n` +
    `error_log ${work}/error.log warn;\nevents { worker_connections 64; }\nhttp {\n  access_log off;\n` +
    `  client_body_temp_path ${work}/body; proxy_temp_path ${work}/proxy; fastcgi_temp_path ${work}/fcgi;\n` +
    `  uwsgi_temp_path ${work}/uwsgi; scgi_temp_path ${work}/scgi;\n  include ${work}/site.conf;\n}\n`;
  fs.writeFileSync(path.join(work, 'nginx.conf'), main);
  const syntax = spawnSync(nginx, ['-t', '-c', path.join(work, 'nginx.conf')], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);
  const proc = spawn(nginx, ['-c', path.join(work, 'nginx.conf')], { stdio: 'ignore' });
  cleanups.push(async () => { if (proc.exitCode === null) { proc.kill('SIGTERM'); await new Promise((r) => proc.once('exit', r)); } });
  let home;
  for (let i = 0; i < 100 && !home; i++) {
    try { home = await get(https, httpsPort, '/'); } catch { await sleep(100); }
  }
  assert.ok(home, `nginx came up: ${fs.existsSync(path.join(work, 'error.log')) ? fs.readFileSync(path.join(work, 'error.log'), 'utf8') : ''}`);
  assert.equal(home.status, 200);
  assert.match(home.body, /<html lang="ja"/);
  assert.match(home.headers['strict-transport-security'], /max-age=31536000/);
  assert.ok(home.headers['content-security-policy'], 'civicnet\'s own security headers pass through');
  assert.equal(home.headers.server, 'nginx', 'no version in the Server header');

  const plain = await get(http, httpPort, '/groups/');
  assert.equal(plain.status, 301);
  assert.equal(plain.headers.location, `https://portal.example.jp:${httpsPort}/groups/`);

  for (const v of ['TLSv1.2', 'TLSv1.3']) assert.equal((await get(https, httpsPort, '/healthz', { tls: { minVersion: v, maxVersion: v } })).status, 200, v);
  await assert.rejects(get(https, httpsPort, '/healthz', { tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } }));

  const big = await get(https, httpsPort, '/contact', { method: 'POST', body: Buffer.alloc(11 * 1024 * 1024, 0x61),
    headers: { 'content-type': 'application/x-www-form-urlencoded' } }).catch((e) => ({ status: e.code }));
  assert.equal(big.status, 413, 'bodies over the limit stop at nginx');

  // the client cannot choose its address: nginx replaces X-Forwarded-For
  await get(https, httpsPort, '/news/', { headers: { 'x-forwarded-for': '203.0.113.66' } });
  await sleep(1500);
  const log = fs.readFileSync(path.join(app.dataDir, 'access.log'), 'utf8');
  assert.match(log, / 127\.0\.0\.1 GET \/news\//);
  assert.ok(!log.includes('203.0.113.66'));
  const cookie = (await get(https, httpsPort, '/settings/display?fs=xl&return=/')).headers['set-cookie'] || [];
  assert.ok(cookie.length && cookie.every((c) => /;\s*Secure/i.test(c)), `Secure cookies behind TLS: ${cookie}`);
});

test('the systemd unit keeps the hardening of the installation guide', async (t) => {
  const unit = fs.readFileSync(path.join(REPO_ROOT, 'deploy/civicnet.service'), 'utf8');
  for (const line of ['User=civicnet', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'PrivateTmp=yes', 'ProtectHome=yes',
    'ReadWritePaths=/var/lib/civicnet /var/backups/civicnet', 'CapabilityBoundingSet=', 'KillSignal=SIGTERM', 'UMask=0077'])
    assert.ok(unit.split('\n').includes(line), `deploy/civicnet.service has ${line}`);
  assert.match(unit, /^ExecStart=\/usr\/local\/bin\/civicnet serve --data \/var\/lib\/civicnet --config \/etc\/civicnet\/civicnet\.conf$/m);
  const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => fs.existsSync(p));
  if (!analyze) return t.skip('systemd-analyze is not installed: textual checks only');
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'civicnet-unit-'));
  try {
    const copy = path.join(dir, 'civicnet.service');
    fs.writeFileSync(copy, unit.replace('/usr/local/bin/civicnet', path.join(REPO_ROOT, 'build/civicnet')));
    const r = spawnSync(analyze, ['verify', copy], { encoding: 'utf8' });
    const problems = (r.stderr + r.stdout).split('\n')
      .filter((l) => l.includes('civicnet.service') && !/Failed to resolve (user|group)|Documentation=|Unit .* not found|sd_bus|bus/i.test(l));
    assert.deepEqual(problems, [], 'systemd-analyze verify finds no problem in the unit');
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});
