// keys.test.mjs — `civicnet keys rotate` (issue 8, Y8): refused while the
// server runs; with the server stopped every encrypted value is re-encrypted
// under new keys and the e-mail blind index rebuilt, the old key files are
// gone, and the server started again reads everything (a staff screen shows
// the decrypted submitter, a repeated subscription finds the existing
// address); a value that cannot be decrypted stops the rotation with
// nothing changed. Also: a second server cannot share a data directory.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli, startServer, userAdd } from '../lib/server.mjs';

const dirs = [];
after(async () => { for (const d of dirs) await fsp.rm(d, { recursive: true, force: true }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function client(srv) {
  const jar = new Map();
  const send = async (p, opts = {}) => {
    const headers = { ...(opts.headers || {}) };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(srv.url + p, { redirect: 'manual', ...opts, headers });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
    return res;
  };
  const post = async (p, fields, from = p) => {
    const tok = (await (await send(from)).text()).match(/name="_csrf" value="([^"]+)"/)[1];
    const body = new URLSearchParams({ ...fields, _csrf: tok }).toString();
    return send(p, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  };
  return { send, post };
}

test('keys rotate re-encrypts everything under new keys, only while the server is stopped', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'civicnet-keys-'));
  dirs.push(dir);
  assert.equal((await runCli(['demo', '--data', dir])).code, 0);
  const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(dir, 'civicnet.db'), q], { encoding: 'utf8' }).trim();
  await userAdd(dir, 'clerk', 'editor', 'clerk-password-1');
  let srv = await startServer({ demo: false, dataDir: dir });
  const visitor = client(srv);
  let res = await visitor.post('/register/event', { kind: 'event', title: '鍵の入れ替え前の催し', organiser: '宇部みどりの会',
    starts_on: '2026-12-03', ends_on: '2026-12-03', municipality: '宇部市', summary: '説明', fields: '環境の保全',
    submitter_name: '暗号 花子', submitter_email: 'hanako@example.jp' });
  assert.equal(res.status, 303);
  const d = new URL(res.headers.get('location'), 'http://x').searchParams.get('d');
  assert.equal((await visitor.post('/register/event/confirm', { d }, `/register/event/confirm?d=${d}`)).status, 303);
  assert.equal((await visitor.post('/aikasanet/newsletter', { email: 'Reader@Example.jp' })).status, 303);
  const id = sql("SELECT id FROM events WHERE title = '鍵の入れ替え前の催し'");
  const before = { name: sql(`SELECT submitter_name_enc FROM events WHERE id = ${id}`), index: sql('SELECT email_index FROM newsletter_subscribers'),
    pii: fs.readFileSync(path.join(dir, 'keys/pii.key')), idx: fs.readFileSync(path.join(dir, 'keys/index.key')) };
  assert.match(before.name, /^v1:/);

  const second = await runCli(['serve', '--data', dir, '--listen', '127.0.0.1:1']);
  assert.notEqual(second.code, 0);
  assert.match(second.stderr, /another civicnet server is using/);
  let r = await runCli(['keys', 'rotate', '--data', dir]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /使用中です。先に止めてください/);
  await srv.stop();

  r = await runCli(['keys', 'rotate', '--data', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /鍵を入れ替えました: \d+ 件の値を再暗号化、1 件の索引を作り直しました/);
  assert.notDeepEqual(fs.readFileSync(path.join(dir, 'keys/pii.key')), before.pii);
  assert.notDeepEqual(fs.readFileSync(path.join(dir, 'keys/index.key')), before.idx);
  assert.equal(fs.statSync(path.join(dir, 'keys/pii.key')).mode & 0o777, 0o600);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'keys')).sort(), ['backup.key', 'index.key', 'pii.key'].filter((k) => k !== 'backup.key' || fs.existsSync(path.join(dir, 'keys', k))));
  assert.notEqual(sql(`SELECT submitter_name_enc FROM events WHERE id = ${id}`), before.name);
  assert.notEqual(sql('SELECT email_index FROM newsletter_subscribers'), before.index);

  srv = await startServer({ demo: false, dataDir: dir });
  try {
    const staff = client(srv);
    assert.equal((await staff.post('/admin/login', { login: 'clerk', password: 'clerk-password-1', next: '/admin/' }, '/admin/login')).status, 303);
    const edit = await (await staff.send(`/admin/events/${id}`)).text();
    assert.ok(edit.includes('暗号 花子') && edit.includes('hanako@example.jp'), 'the staff screen shows the decrypted submitter');
    const again = client(srv);
    assert.equal((await again.post('/aikasanet/newsletter', { email: 'reader@example.jp' })).status, 303);
    assert.equal(sql('SELECT count(*) FROM newsletter_subscribers'), '1', 'the rebuilt index finds the existing address');
  } finally {
    await srv.stop();
  }

  // one value that no key can decrypt: nothing changes
  sql(`UPDATE events SET submitter_email_enc = 'v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' WHERE id = ${id}`);
  const keyNow = fs.readFileSync(path.join(dir, 'keys/pii.key'));
  const nameNow = sql(`SELECT submitter_name_enc FROM events WHERE id = ${id}`);
  r = await runCli(['keys', 'rotate', '--data', dir]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /events\.submitter_email_enc（行 \d+）を復号できません.*何も変更していません/);
  assert.deepEqual(fs.readFileSync(path.join(dir, 'keys/pii.key')), keyNow);
  assert.equal(sql(`SELECT submitter_name_enc FROM events WHERE id = ${id}`), nameNow);
  assert.ok(!fs.existsSync(path.join(dir, 'keys/pii.key.new')));
});
