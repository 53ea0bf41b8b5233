// logs.test.mjs — the access log (issue 8, Y7): created 0600, query values
// never logged, rotated at the day change (Japan time) into
// logs/access-YYYYMMDD.log.zst, and compressed logs kept for over a year
// (older ones removed, a year-old one kept).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServer, runCli } from '../lib/server.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** yyyymmdd in Japan time, days ago. */
const jstDay = (daysAgo) => new Date(Date.now() + 9 * 3600e3 - daysAgo * 86400e3).toISOString().slice(0, 10).replace(/-/g, '');

test('yesterday\'s access log is rotated, compressed and pruned; files are private; query values stay out', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'civicnet-logs-'));
  try {
    assert.equal((await runCli(['demo', '--data', dir])).code, 0);
    const logs = path.join(dir, 'logs');
    fs.mkdirSync(logs, { mode: 0o700 });
    fs.writeFileSync(path.join(logs, `access-${jstDay(500)}.log.zst`), 'old');
    fs.writeFileSync(path.join(logs, `access-${jstDay(370)}.log.zst`), 'a year ago');
    const log = path.join(dir, 'access.log');
    fs.writeFileSync(log, '2026-01-01T00:00:00Z 127.0.0.1 GET /yesterday 200 1 0.1ms\n', { mode: 0o644 });
    const twoDaysAgo = new Date(Date.now() - 2 * 86400e3);
    fs.utimesSync(log, twoDaysAgo, twoDaysAgo);

    const srv = await startServer({ demo: false, dataDir: dir });
    try {
      await fetch(`${srv.url}/search?q=${encodeURIComponent('秘密の検索語')}`);
      const rotated = path.join(logs, `access-${jstDay(2)}.log.zst`);
      for (let i = 0; i < 100 && !fs.existsSync(rotated); i++) await sleep(100);
      assert.ok(fs.existsSync(rotated), `rotated into ${rotated}: ${fs.readdirSync(logs)}`);
      assert.equal(fs.statSync(rotated).mode & 0o777, 0o600);
      assert.match(execFileSync('zstd', ['-dc', rotated], { encoding: 'utf8' }), /GET \/yesterday 200/);
      assert.ok(!fs.existsSync(path.join(logs, `access-${jstDay(500)}.log.zst`)), 'logs older than the retention are removed');
      assert.ok(fs.existsSync(path.join(logs, `access-${jstDay(370)}.log.zst`)), 'a log of a year ago is kept (Y7)');
      let today = '';
      for (let i = 0; i < 50 && !/\/search\?q/.test(today); i++) {
        await sleep(100);
        today = fs.readFileSync(log, 'utf8');
      }
      assert.match(today, /GET \/search\?q 200/);
      assert.ok(!today.includes('yesterday'), 'the new log starts empty');
      assert.ok(!today.includes('秘密') && !today.includes('%E7%A7%98'), 'query values are never logged');
      assert.equal(fs.statSync(log).mode & 0o777, 0o600);
    } finally {
      await srv.stop();
    }
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});
