// manual_coverage.test.mjs — the operations manual covers every staff screen
// (issue 8, O3): each route under /admin for editors or administrators
// (GET screens and POST forms) is named in docs/運用マニュアル/*.md by its
// route name in backquotes — a POST route may instead be covered by the
// name of its form's GET route or by its URL pattern — and every picture
// those pages show (![…](画面/ROUTE.jpg)) exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, runCli } from '../lib/server.mjs';

const DIR = path.join(REPO_ROOT, 'docs/運用マニュアル');
const pages = fs.readdirSync(DIR).filter((f) => f.endsWith('.md'))
  .map((f) => ({ file: f, text: fs.readFileSync(path.join(DIR, f), 'utf8') }));
const all = pages.map((p) => p.text).join('\n');

async function staffRoutes() {
  const r = await runCli(['routes']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => l.split('\t'))
    .map(([name, methods, pattern, role]) => ({ name, methods, pattern, role }))
    .filter((r) => r.pattern.startsWith('/admin') && ['editor', 'admin'].includes(r.role));
}

test('every staff route appears in the operations manual', async () => {
  const routes = await staffRoutes();
  assert.ok(routes.length > 150, `staff routes: ${routes.length}`);
  const named = (n) => all.includes('`' + n + '`');
  const missing = routes.filter((r) => {
    if (named(r.name)) return false;
    if (!/POST/.test(r.methods)) return true;
    // a POST form: its GET screen (same pattern) or its URL pattern named
    const form = routes.find((g) => g.pattern === r.pattern && /GET/.test(g.methods));
    return !((form && named(form.name) && named(r.name.replace(/\.post$/, ''))) || all.includes('`' + r.pattern + '`'));
  });
  assert.deepEqual(missing.map((r) => `${r.name} ${r.methods} ${r.pattern}`), [],
    'not described in docs/運用マニュアル/*.md');
});

test('every picture in the operations manual exists', () => {
  const bad = [];
  for (const p of pages)
    for (const m of p.text.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g))
      if (!/^https?:/.test(m[1]) && !fs.existsSync(path.join(DIR, decodeURI(m[1])))) bad.push(`${p.file}: ${m[1]}`);
  assert.deepEqual(bad, []);
  assert.ok(all.includes('](画面/'), 'the manual shows the screenshots');
});
