// badinput.test.mjs — hostile and broken requests (issue 2 "Bad input"):
// each gets the right 4xx and the server keeps serving. Every test ends by
// checking /healthz, and the server must exit cleanly (no sanitizer report).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { rawRequest } from '../lib/raw.mjs';

let srv, csrf, cookie;
before(async () => {
  srv = await startServer();
  const res = await fetch(srv.url + '/admin/login');
  cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  csrf = (await res.text()).match(/name="_csrf" value="([^"]+)"/)[1];
});
after(async () => { await srv.stop(); });

async function alive() {
  const res = await fetch(srv.url + '/healthz');
  assert.equal(res.status, 200, 'server still serving');
}

function post(body, ctype, extra = {}) {
  return fetch(srv.url + '/admin/login', {
    method: 'POST', redirect: 'manual', body,
    headers: { 'content-type': ctype, origin: srv.url, cookie, ...extra },
  });
}
const URLENC = 'application/x-www-form-urlencoded';

test('path traversal in every spelling is refused', async () => {
  const paths = ['/static/../civicnet.db', '/static/%2e%2e/civicnet.db', '/static/%2E%2E%2Fcivicnet.db',
    '/static/..%2fcivicnet.db', '/static/..%5ccivicnet.db', '/static/.%2e/secret.key', '/%2e%2e/etc/passwd',
    '/static/css/../../db/migrations/0001_init.sql', '/static//etc/passwd', '/static/%00.css', '/static/.hidden'];
  for (const p of paths) {
    const r = await rawRequest(srv.port, `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    assert.ok([400, 404].includes(r.status), `${p} → ${r.status}`);
    assert.doesNotMatch(r.body, /SQLite format|CREATE TABLE/, `${p} leaks nothing`);
  }
  await alive();
});

test('invalid UTF-8 in path, query and form is a 400', async () => {
  for (const p of ['/news/%ff', '/news/?page=%c0%af', '/news/?page=%ed%a0%80', '/news/?%fe=1']) {
    const res = await fetch(srv.url + p);
    assert.equal(res.status, 400, p);
    assert.match(await res.text(), /リクエストが正しくありません/);
  }
  const res = await post(`_csrf=${csrf}&login=%ff%fe&password=x`, URLENC);
  assert.equal(res.status, 400);
  await alive();
});

test('control characters and bad percent-encoding are a 400', async () => {
  for (const p of ['/news/%0d%0aSet-Cookie:x=1', '/news/?page=%zz', '/news/?page=%4', '/news/%00']) {
    const r = await rawRequest(srv.port, `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    assert.equal(r.status, 400, p);
    assert.doesNotMatch(r.raw, /\r\nSet-Cookie: x=1/i, 'no header injection');
  }
  await alive();
});

test('unknown form parameters are refused, unknown query parameters ignored', async () => {
  let res = await post(`_csrf=${csrf}&login=a&password=b&is_admin=1`, URLENC);
  assert.equal(res.status, 400, 'undeclared form field');
  res = await fetch(srv.url + '/news/?utm_source=mail&page=1');
  assert.equal(res.status, 200, 'tracking parameters on links from outside still work');
  await alive();
});

test('oversized bodies get a clean 413 (declared length and chunked)', async () => {
  const r = await rawRequest(srv.port,
    'POST /admin/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
    `Content-Length: ${50 * 1024 * 1024}\r\nConnection: close\r\n\r\nlogin=abc`);
  assert.equal(r.status, 413, 'refused from the header alone');
  assert.match(r.body, /送信された内容が大きすぎます/);
  // chunked: no length given, the cap applies while streaming
  const chunk = 'a'.repeat(1024 * 1024);
  let body = 'login=';
  const parts = [`${body.length.toString(16)}\r\n${body}\r\n`];
  for (let i = 0; i < 11; i++) parts.push(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
  parts.push('0\r\n\r\n');
  const r2 = await rawRequest(srv.port,
    `POST /admin/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${URLENC}\r\nOrigin: ${srv.url}\r\n` +
    `Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n` + parts.join(''), { timeout: 20000 });
  assert.equal(r2.status, 413);
  await alive();
});

test('broken multipart is a 400, a good one works', async () => {
  let res = await post('garbage', 'multipart/form-data');
  assert.equal(res.status, 400, 'no boundary');
  res = await post('--XYZ\r\nContent-Disposition: form-data; name="login"\r\n\r\nadmin\r\n--XYZ\r\nbroken',
    'multipart/form-data; boundary=XYZ');
  assert.equal(res.status, 400, 'truncated part');
  const fd = new FormData();
  fd.set('_csrf', csrf);
  fd.set('login', 'nobody');
  fd.set('password', 'whatever-pw');
  res = await fetch(srv.url + '/admin/login', { method: 'POST', body: fd, headers: { origin: srv.url, cookie } });
  assert.equal(res.status, 200);
  assert.match(await res.text(), /ログインIDまたはパスワードが正しくありません/, 'multipart reaches the handler');
  await alive();
});

test('unsupported body types are a 415', async () => {
  const res = await post('{"login":"a"}', 'application/json');
  assert.equal(res.status, 415);
  await alive();
});

test('overlong URLs and headers are refused', async () => {
  let res = await fetch(srv.url + '/news/?page=' + 'a'.repeat(5000));
  assert.equal(res.status, 414);
  assert.match(await res.text(), /アドレスが長すぎます/);
  const r = await rawRequest(srv.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70000)}\r\nConnection: close\r\n\r\n`);
  assert.ok([413, 431].includes(r.status), `huge header → ${r.status}`);
  await alive();
});

test('methods that are not allowed get a 405 with Allow', async () => {
  for (const m of ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE']) {
    const r = await rawRequest(srv.port, `${m} / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    assert.equal(r.status, 405, m);
    assert.equal(r.headers.allow, 'GET, HEAD', `${m} Allow`);
  }
  const head = await rawRequest(srv.port, 'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(head.status, 200);
  assert.equal(head.body, '', 'HEAD has no body');
  await alive();
});

test('garbage instead of HTTP does not hurt the server', async () => {
  for (const junk of ['\x00\x01\x02\x03\r\n\r\n', 'GET\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
    'POST /admin/login HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n']) {
    const r = await rawRequest(srv.port, junk, { timeout: 3000, end: true });
    assert.ok(r.status === 0 || (r.status >= 400 && r.status < 500) || r.status === 505, `junk → ${r.status}`);
  }
  await alive();
});

test('SIGTERM drains an in-flight request before exiting 0', async () => {
  const s2 = await startServer({ demo: false });
  const body = `_csrf=x&login=a&password=b`;
  const p = rawRequest(s2.port,
    `POST /admin/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${URLENC}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n` + body,
    { chunks: 2, delay: 400, timeout: 8000 });
  await new Promise((r) => setTimeout(r, 150));
  s2.proc.kill('SIGTERM');
  const r = await p;
  assert.equal(r.status, 403, 'the request started before SIGTERM got its answer');
  assert.equal(await s2.stop(), 0);
});
