// Without JavaScript (X3: JavaScript only as enhancement): the text-size and
// background-colour switcher (S12) works and its choice persists across
// pages, and the admin login form is labelled and lets staff sign in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser } from '../lib/browser.mjs';
import { switchName } from '../lib/pagecheck.mjs';
import { startServer, userAdd } from '../lib/server.mjs';

let srv;
let browser;

before(async () => {
  srv = await startServer({ demo: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function noJsPage(width = 1280) {
  const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height: 800 }, locale: 'ja-JP' });
  const page = await ctx.newPage();
  return { ctx, page };
}

function control(page, label) {
  return page.getByRole('link', { name: switchName(label) })
    .or(page.getByRole('button', { name: switchName(label) }))
    .first();
}

// Click the switcher control labelled `label` and wait for the page it leads to.
async function choose(page, label) {
  const c = control(page, label);
  assert.ok(await c.count(), `no link or button labelled 「${label}」 on ${page.url()}`);
  await Promise.all([page.waitForEvent('load'), c.click()]);
}

const htmlClasses = async (page) => ((await page.getAttribute('html', 'class')) ?? '').split(/\s+/).filter(Boolean);

// The switcher's choices and the <html> class each one sets (templates:
// class="fs-m bg-w …" on <html>; links to /settings/display?fs=…&return=…).
const CHOICES = {
  'text size': { prefix: 'fs-', options: [['標準', 'fs-m'], ['大', 'fs-l'], ['特大', 'fs-xl']] },
  background: { prefix: 'bg-', options: [['白', 'bg-w'], ['黒', 'bg-k'], ['青', 'bg-b']] },
};

describe('text-size / background switcher without JavaScript (S12)', () => {
  for (const [kind, { prefix, options }] of Object.entries(CHOICES)) {
    test(`${kind}: ${options.map(([l]) => l).join('/')} set the <html> class, kept after reload and on other pages`, async () => {
      const { ctx, page } = await noJsPage();
      try {
        const mine = async () => (await htmlClasses(page)).filter((c) => c.startsWith(prefix));
        await page.goto(`${srv.url}/`);
        assert.deepEqual(await mine(), [options[0][1]], `default ${kind} class on a first visit`);
        // the default last, so the test also shows that the choice can be undone
        for (const [label, cls] of [...options.slice(1), options[0]]) {
          await page.goto(`${srv.url}/news/`);
          await choose(page, label);
          assert.equal(new URL(page.url()).pathname, '/news/', `after choosing 「${label}」 the visitor should be back on the page they were on`);
          await page.reload();
          assert.deepEqual(await mine(), [cls], `<html class> after choosing 「${label}」 and reloading`);
          for (const path of ['/', '/aikasanet/', '/admin/login']) {
            await page.goto(srv.url + path);
            assert.deepEqual(await mine(), [cls], `choice 「${label}」 not kept on ${path}`);
          }
          // the current choice is announced (aria-current on the chosen control)
          const current = await control(page, label).getAttribute('aria-current');
          assert.ok(current && current !== 'false', `「${label}」 is chosen but has no aria-current`);
        }
      } finally {
        await ctx.close();
      }
    });
  }
});

describe('admin login without JavaScript', () => {
  test('/admin/ redirects anonymous visitors to the login form', async () => {
    const { ctx, page } = await noJsPage();
    try {
      await page.goto(`${srv.url}/admin/`);
      assert.equal(new URL(page.url()).pathname, '/admin/login');
    } finally {
      await ctx.close();
    }
  });

  test('login form fields are labelled and an editor can sign in', async () => {
    const login = 'e2e-editor';
    const password = 'Correct-Horse-Battery-9';
    await userAdd(srv.dataDir, login, 'editor', password);
    const { ctx, page } = await noJsPage(375);
    try {
      await page.goto(`${srv.url}/admin/login`);
      const form = page.locator('form:has(input[type=password])');
      assert.equal(await form.count(), 1, 'expected exactly one form with a password field');

      // Every visible field must have an accessible name (label).
      const fields = form.locator('input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea');
      const n = await fields.count();
      assert.ok(n >= 2, `expected at least a login and a password field, found ${n}`);
      const snapshot = await form.ariaSnapshot();
      const unnamed = snapshot.split('\n').filter((l) => /^\s*- (textbox|combobox|checkbox|radio|spinbutton)(\s*\[|:|$)/.test(l));
      assert.deepEqual(unnamed, [], `form fields without a label:\n${snapshot}`);

      const pw = form.locator('input[type=password]');
      const user = form.locator('input[type=text], input[type=email], input:not([type])').first();
      await user.fill(login);
      await pw.fill(password);
      const submit = form.locator('button[type=submit], button:not([type]), input[type=submit]').first();
      await Promise.all([page.waitForEvent('load'), submit.click()]);
      const path = new URL(page.url()).pathname;
      assert.ok(path.startsWith('/admin') && path !== '/admin/login',
        `after signing in, expected an admin page, got ${page.url()}:\n${(await page.locator('body').innerText()).slice(0, 500)}`);
    } finally {
      await ctx.close();
    }
  });
});
