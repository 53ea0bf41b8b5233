// docs.test.mjs — generated documents stay true to the code (issue 8, O3):
// docs/基本設計書/データモデル.md equals a fresh run of
// scripts/gen-datamodel.mjs over the migrations (run `make docs` after
// adding a migration), and it lists every table the server creates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, civicnetBin } from '../lib/server.mjs';

test('the data model document equals the migrations (make docs)', () => {
  const fresh = execFileSync('node', [path.join(REPO_ROOT, 'scripts/gen-datamodel.mjs'), civicnetBin()], { encoding: 'utf8' });
  const committed = fs.readFileSync(path.join(REPO_ROOT, 'docs/基本設計書/データモデル.md'), 'utf8');
  assert.equal(committed, fresh, 'docs/基本設計書/データモデル.md is out of date: run `make docs`');
  for (const t of ['groups', 'members', 'outbox', 'audit_log', 'import_records', 'old_urls'])
    assert.match(fresh, new RegExp(`^## ${t}$`, 'm'), t);
  assert.match(fresh, /^\| email_enc \| TEXT \|/m);
});
