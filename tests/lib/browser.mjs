// browser.mjs — Debian's Chromium driven by playwright-core, plus axe-core.
//
//   const browser = await launchBrowser();       // or withBrowser(async (b) => …)
//   const ctx = await browser.newContext({ viewport: { width: 375, height: 800 } });
//   const page = await ctx.newPage();
//   await page.goto(url);
//   const v = await axeCheck(page);               // [] when clean
//   assert.equal(v.length, 0, formatViolations(v));
//
// Never downloads a browser: executablePath is /usr/bin/chromium (override
// with CHROMIUM_BIN).
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { REPO_ROOT } from './server.mjs';

export const CHROMIUM_BIN = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const OUTPUT_DIR = process.env.TEST_OUT
  ? path.resolve(REPO_ROOT, process.env.TEST_OUT)
  : path.join(REPO_ROOT, 'build', 'test-output');
const AXE_PATH = path.join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js');

/** Launch Chromium (a fresh temporary profile every time). */
export function launchBrowser(opts = {}) {
  return chromium.launch({
    executablePath: CHROMIUM_BIN,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
    ...opts,
  });
}

/** Run fn(browser) and always close the browser afterwards. */
export async function withBrowser(fn, opts) {
  const browser = await launchBrowser(opts);
  try {
    return await fn(browser);
  } finally {
    await browser.close().catch(() => {});
  }
}

let axeSource = null;

/**
 * Run axe-core on the page (WCAG 2.0 A + AA by default: JIS X 8341-3:2016
 * level AA). Returns the violations array (empty when clean); turn it into a
 * message with formatViolations().
 *
 * axe is injected with page.evaluate rather than page.addScriptTag: the
 * server sends a CSP without inline scripts, which would block a script tag,
 * and the alternative (bypassCSP) would hide CSP breakage from the tests.
 */
export async function axeCheck(page, { tags = ['wcag2a', 'wcag2aa'], exclude = [], rules } = {}) {
  axeSource ??= fs.readFileSync(AXE_PATH, 'utf8');
  const loaded = await page.evaluate(() => typeof window.axe === 'object').catch(() => false);
  if (!loaded) await page.evaluate(axeSource);
  const result = await page.evaluate(
    async ({ tags, exclude, rules }) => {
      const context = exclude.length ? { include: [document], exclude: exclude.map((s) => [s]) } : document;
      const options = { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] };
      if (rules) options.rules = rules;
      const r = await window.axe.run(context, options);
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        tags: v.tags,
        nodes: v.nodes.map((n) => ({
          target: n.target,
          html: n.html,
          failureSummary: n.failureSummary,
        })),
      }));
    },
    { tags, exclude, rules },
  );
  return result;
}

/** A readable multi-line summary of axe violations: rule, impact, help, selectors. */
export function formatViolations(violations, label = '') {
  if (!violations.length) return `${label}no accessibility violations`;
  const lines = [`${label}${violations.length} accessibility rule(s) violated:`];
  for (const v of violations) {
    lines.push(`- ${v.id} [${v.impact}] ${v.help} (${v.helpUrl})`);
    for (const n of v.nodes.slice(0, 10)) {
      const target = n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' | ');
      lines.push(`    at ${target}`);
      lines.push(`       ${n.html.replace(/\s+/g, ' ').slice(0, 200)}`);
      if (n.failureSummary) {
        lines.push(...n.failureSummary.split('\n').map((l) => `       ${l.trim()}`).filter((l) => l.trim()));
      }
    }
    if (v.nodes.length > 10) lines.push(`    … and ${v.nodes.length - 10} more element(s)`);
  }
  return lines.join('\n');
}

/** Full-page screenshot to build/test-output/screenshots/NAME.png; returns the path. */
export async function screenshot(page, name) {
  const dir = path.join(OUTPUT_DIR, 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name.replace(/[^A-Za-z0-9._-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
