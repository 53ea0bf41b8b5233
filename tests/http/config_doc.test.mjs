// config_doc.test.mjs — the configuration manual stays true to the code
// (issue 8): every key src/config.c accepts is documented in
// docs/設定ファイル.md, every documented key is accepted, and the example
// config in deploy/ passes the server's own validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, runCli } from '../lib/server.mjs';

const src = fs.readFileSync(path.join(REPO_ROOT, 'src/config.c'), 'utf8');
const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/設定ファイル.md'), 'utf8');

test('every accepted configuration key is documented, and only those', () => {
  const accepted = new Set([...src.matchAll(/!strcmp\(k, "([a-z_0-9]+)"\)/g)].map((m) => m[1]));
  assert.ok(accepted.size > 20, `keys found in config.c: ${[...accepted]}`);
  const documented = new Set([...doc.matchAll(/^\| `([a-z_0-9]+)` \|/gm)].map((m) => m[1]));
  const undocumented = [...accepted].filter((k) => !documented.has(k));
  assert.deepEqual(undocumented, [], 'keys accepted by civicnet but missing from docs/設定ファイル.md');
  const unknown = [...documented].filter((k) => !accepted.has(k));
  assert.deepEqual(unknown, [], 'keys documented but not accepted');
});

test('the example configuration passes validation', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'civicnet-confex-'));
  try {
    const conf = path.join(dir, 'civicnet.conf');
    const text = fs.readFileSync(path.join(REPO_ROOT, 'deploy/civicnet.conf.example'), 'utf8')
      .replace(/^root = .*$/m, `root = ${REPO_ROOT}`)
      .replace(/^backup_dir = .*$/m, `backup_dir = ${dir}/backups`);
    fs.writeFileSync(conf, text, { mode: 0o600 });
    // `mail status` loads the config like the server does, without serving
    const r = await runCli(['mail', 'status', '--data', path.join(dir, 'data'), '--config', conf]);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});
