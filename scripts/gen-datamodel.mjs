#!/usr/bin/env node
// gen-datamodel.mjs — docs/基本設計書/データモデル.md from the migrations
// (issue 8, O3): the tables and columns of a database migrated from
// db/migrations/ (authoritative: what the code really runs on), each column
// with its type, constraints and the comment written beside it in the
// migration that created or added it. `make docs` runs it; a test compares
// the committed file with a fresh run so the document never drifts.
//   node scripts/gen-datamodel.mjs BIN > docs/基本設計書/データモデル.md
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = process.argv[2] || path.join(root, 'build/civicnet');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civicnet-datamodel-'));
try {
  execFileSync(bin, ['migrate', '--data', dir], { stdio: 'ignore' });
  const db = path.join(dir, 'civicnet.db');
  const q = (sql) => JSON.parse(execFileSync('sqlite3', ['-json', db, sql], { encoding: 'utf8' }) || '[]');

  // comments: "-- …" after a column definition, in CREATE TABLE bodies and ALTER TABLE … ADD COLUMN
  const migDir = path.join(root, 'db/migrations');
  const files = fs.readdirSync(migDir).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
  const notes = new Map(); // "table.column" → {comment, migration}
  const tableNote = new Map(); // table → {comment, migration}
  for (const f of files) {
    const text = fs.readFileSync(path.join(migDir, f), 'utf8');
    let current = null;
    let pending = [];
    for (const line of text.split('\n')) {
      const create = line.match(/^CREATE TABLE (?:IF NOT EXISTS )?"?(\w+)"?\s*\(/i);
      if (create) {
        current = create[1];
        if (!tableNote.has(current)) tableNote.set(current, { comment: pending.join(' '), migration: f });
        pending = [];
        continue;
      }
      const rename = line.match(/^ALTER TABLE "?(\w+)"? RENAME TO "?(\w+)"?;/i);
      if (rename) { // a rebuilt table keeps the notes of its new definition
        for (const [k, v] of [...notes]) if (k.startsWith(`${rename[1]}.`)) notes.set(`${rename[2]}.${k.slice(rename[1].length + 1)}`, v);
        if (tableNote.has(rename[1])) tableNote.set(rename[2], { ...tableNote.get(rename[1]), migration: f });
        continue;
      }
      const dropped = line.match(/^DROP TABLE "?(\w+)"?;/i);
      if (dropped) { // its replacement (CREATE … _new, RENAME) brings its own notes
        for (const k of [...notes.keys()]) if (k.startsWith(`${dropped[1]}.`)) notes.delete(k);
        tableNote.delete(dropped[1]);
        continue;
      }
      const alter = line.match(/^ALTER TABLE "?(\w+)"? ADD COLUMN "?(\w+)"?[^;]*;\s*(?:--\s*(.*))?$/i);
      if (alter) {
        notes.set(`${alter[1]}.${alter[2]}`, { comment: alter[3] || '', migration: f });
        continue;
      }
      if (/^\s*--/.test(line) && !current) { pending.push(line.replace(/^\s*--\s?/, '').trim()); continue; }
      if (!/^\s*--/.test(line) && !current) pending = [];
      if (current) {
        if (/^\);/.test(line.trim()) || /^\)\s*(WITHOUT ROWID)?;/.test(line.trim())) { current = null; continue; }
        const col = line.match(/^\s+"?(\w+)"?\s+[A-Z]+[^-]*?(?:--\s*(.*))?$/);
        if (col && !/^(PRIMARY|UNIQUE|CHECK|FOREIGN|CONSTRAINT)$/i.test(col[1]))
          if (!notes.has(`${current}.${col[1]}`)) notes.set(`${current}.${col[1]}`, { comment: col[2] || '', migration: f });
      }
    }
  }

  const tables = q("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' " +
    "AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE 'search_index_%' AND name NOT IN ('schema_migrations') ORDER BY name");
  const virtual = q("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%' ORDER BY name");
  const out = [];
  out.push('# データモデル', '',
    'このファイルは `make docs`（scripts/gen-datamodel.mjs）が db/migrations/ から生成します。手で編集しないでください。',
    '列の一覧は、すべてのマイグレーションを適用したデータベースから取り、説明は各マイグレーションの',
    '列の横のコメントから取っています。テスト（tests/http/docs.test.mjs）が、この文書と最新の生成結果が一致することを確かめます。', '',
    '- 時刻は特記のない限り UTC（ISO 8601 文字列または Unix 秒）です。',
    '- `_enc` で終わる列は個人情報で、AES-256-GCM で暗号化して保存しています（docs/鍵管理.md）。',
    '- `status` は draft（下書）→ review（仮登録）→ published（公開）です。', '',
    `テーブル数: ${tables.length}（ほかに全文検索の仮想テーブル ${virtual.map((v) => v.name).join('、')}：サイト内検索の索引、` +
    'src/search.c が内容の表から作る）', '');
  for (const { name } of tables) {
    const t = tableNote.get(name);
    out.push(`## ${name}`, '');
    if (t?.comment) out.push(t.comment, '');
    if (t) out.push(`作成: ${t.migration}`, '');
    out.push('| 列 | 型 | 必須 | 既定値 | 説明 |', '|---|---|---|---|---|');
    for (const c of q(`PRAGMA table_info("${name}")`)) {
      const n = notes.get(`${name}.${c.name}`);
      const cell = (s) => String(s ?? '').replace(/\|/g, '\\|');
      out.push(`| ${c.pk ? `**${c.name}**` : c.name} | ${cell(c.type)} | ${c.notnull ? '○' : ''} | ${cell(c.dflt_value)} | ` +
        `${cell(n?.comment)}${n && t && n.migration !== t.migration ? `（${n.migration}）` : ''} |`);
    }
    const idx = q(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '${name}' AND sql IS NOT NULL ORDER BY name`);
    if (idx.length) out.push('', `索引: ${idx.map((i) => i.name).join('、')}`);
    out.push('');
  }
  process.stdout.write(out.join('\n'));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
