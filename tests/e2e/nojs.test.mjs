// Without JavaScript (X3: JavaScript only as enhancement): the text-size and
// background-colour switcher (S12) works and its choice persists across
// pages, and the admin login form is labelled and lets staff sign in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser } from '../lib/browser.mjs';
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
  return page.getByRole('link', { name: label, exact: true })
    .or(page.getByRole('button', { name: label, exact: true }))
    .first();
}

// Click the switcher control labelled `label` and wait for the page it leads to.
async function choose(page, label) {
  const c = control(page, label);
  assert.ok(await c.count(), `no link or button labelled 「${label}」 on ${page.url()}`);
  await Promise.all([page.waitForEvent('load'), c.click()]);
}

const htmlClass = async (page) => (await page.getAttribute('html', 'class')) ?? '';

describe('text-size / background switcher without JavaScript (S12)', () => {
  for (const [kind, labels] of [['text size', ['標準', '大', '特大']], ['background', ['白', '黒', '青']]]) {
    test(`${kind}: ${labels.join('/')} change the <html> class and persist after reload and on other pages`, async () => {
      const { ctx, page } = await noJsPage();
      try {
        await page.goto(`${srv.url}/`);
        const [standard, ...others] = labels;
        await choose(page, standard);
        await page.reload();
        const base = await htmlClass(page);
        const seen = new Map([[standard, base]]);
        for (const label of others) {
          await page.goto(`${srv.url}/`);
          await choose(page, label);
          await page.reload();
          const cls = await htmlClass(page);
          assert.notEqual(cls, base, `<html class="${cls}"> unchanged after choosing 「${label}」 (標準/白 gave "${base}")`);
          for (const [other, c] of seen) {
            assert.notEqual(cls, c, `「${label}」 and 「${other}」 give the same <html class="${cls}">`);
          }
          seen.set(label, cls);
          for (const path of ['/news/', '/aikasanet/']) {
            await page.goto(srv.url + path);
            assert.equal(await htmlClass(page), cls, `choice 「${label}」 not kept on ${path}`);
          }
        }
        await page.goto(`${srv.url}/`);
        await choose(page, standard);
        await page.reload();
        assert.equal(await htmlClass(page), base, `choosing 「${standard}」 again does not restore "${base}"`);
      } finally {
        await ctx.close();
      }
    });
  }

  test('choosing 大 marks the <html> element with a large-text class', async () => {
    const { ctx, page } = await noJsPage();
    try {
      await page.goto(`${srv.url}/news/`);
      await choose(page, '大');
      assert.equal(new URL(page.url()).pathname, '/news/', 'the switcher should return to the page it was used on');
      await page.reload();
      const cls = await htmlClass(page);
      assert.match(cls, /(^|\s)fs-l(\s|$)/, `<html class="${cls}"> after choosing 大`);
    } finally {
      await ctx.close();
    }
  });
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
