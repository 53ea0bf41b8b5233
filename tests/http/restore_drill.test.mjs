// restore_drill.test.mjs — the restore drill of docs/緊急時対応マニュアル.md
// (issue 8, D3/O3) is executed exactly as written: a server makes
// yesterday's backup of real content, the block marked `restore-drill` runs
// with the locations pointed at temporary directories, and the restored
// copy serves the content and passes `civicnet check`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, civicnetBin, runCli, startServer } from '../lib/server.mjs';

test('the emergency manual\'s restore drill restores yesterday\'s backup and reports all green', async () => {
  const manual = fs.readFileSync(path.join(REPO_ROOT, 'docs/緊急時対応マニュアル.md'), 'utf8');
  const m = manual.match(/```sh restore-drill\n([\s\S]*?)```/);
  assert.ok(m, 'the manual has a restore-drill block');
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'civicnet-drill-'));
  try {
    const srv = await startServer({ demo: true });
    const backups = path.join(work, 'backups');
    fs.mkdirSync(backups, { mode: 0o700 });
    const yesterday = path.join(backups, 'daily-yesterday.cnb');
    const title = (await (await fetch(`${srv.url}/groups/`)).text()).match(/<a href="\/groups\/\d+">([^<]+)<\/a>/)[1];
    let r = await runCli(['backup', '--data', srv.dataDir, '--out', yesterday]);
    assert.equal(r.code, 0, r.stderr);
    const when = new Date(Date.now() - 20 * 3600e3);
    fs.utimesSync(yesterday, when, when);
    const key = path.join(work, 'backup.key');
    fs.copyFileSync(path.join(srv.dataDir, 'keys', 'backup.key'), key);
    fs.chmodSync(key, 0o600);
    await srv.stop();

    const restored = path.join(work, 'restored');
    const run = spawnSync('bash', ['-c', m[1]], {
      encoding: 'utf8',
      env: { ...process.env, DATA: srv.dataDir, BACKUPS: backups, KEY: key, NEW: restored, CIVICNET: civicnetBin() },
    });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /すべて一致しました/);
    assert.match(run.stdout, /に復元しました/);
    assert.match(run.stdout, /総合判定: すべて正常/);

    const copy = await startServer({ demo: false, dataDir: restored });
    try {
      assert.ok((await (await fetch(`${copy.url}/groups/`)).text()).includes(title), 'the restored copy serves the content');
    } finally {
      await copy.stop();
    }
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
});
