// facility.test.mjs — the facility reservation calendar (issue 6, S1 free
// block) over real HTTP: a clerk marks slots in the staff grid and the
// public /facility/ page shows them as text in an accessible table and a
// list; note validation keeps the input; forged cells and missing CSRF are
// refused; 休館日 for every resource; resources renamed, slots added and
// deactivated; the top page's block switched on and off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer, userAdd } from '../lib/server.mjs';

let srv, clerk;
before(async () => {
  srv = await startServer({ demo: true });
  await userAdd(srv.dataDir, 'fcclerk', 'editor', 'fcclerk-password-1');
  clerk = client();
  const res = await clerk.login('fcclerk', 'fcclerk-password-1');
  assert.equal(res.status, 303);
});
after(async () => { await srv?.stop(); });

const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'civicnet.db'), q],
  { encoding: 'utf8' }).trim();

// Dates in Japan time, as the server counts them.
const DAY = 86400000;
const jstDay = (offset = 0) => new Date(Date.now() + 9 * 3600000 + offset * DAY).toISOString().slice(0, 10);
const jpLabel = (iso) => {
  const d = new Date(iso + 'T00:00:00Z');
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日（${'日月火水木金土'[d.getUTCDay()]}）`;
};

function client() {
  const jar = new Map();
  const send = async (p, opts = {}) => {
    const headers = { ...(opts.headers || {}) };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(srv.url + p, { redirect: 'manual', ...opts, headers });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      if (/Max-Age=0/.test(c)) jar.delete(kv.slice(0, i)); else jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
    return res;
  };
  const csrfOf = async (p) => (await (await send(p)).text()).match(/name="_csrf" value="([^"]+)"/)[1];
  const postBody = (p, body) => send(p, { method: 'POST', body: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
  const post = async (p, fields, from = p) => {
    const body = new URLSearchParams({ _csrf: await csrfOf(from) });
    for (const [k, v] of Object.entries(fields)) for (const x of [].concat(v)) body.append(k, x);
    return postBody(p, body);
  };
  const login = (l, pw) => post('/admin/login', { login: l, password: pw, next: '/admin/' });
  return { send, post, postBody, login, csrfOf };
}

// The grid form as a browser would send it: every cell's hidden key, the
// selected status and the note, in document order; changes applied.
function gridForm(html, changes = {}) {
  const body = new URLSearchParams();
  body.append('_csrf', html.match(/name="_csrf" value="([^"]+)"/)[1]);
  const form = html.slice(html.indexOf('<form method="post" action="/admin/facility/"'));
  for (const n of ['resource', 'start', 'span']) body.append(n, form.match(new RegExp(`name="${n}" value="([^"]*)"`))[1]);
  for (const td of form.split('<td class="fac-cell').slice(1)) {
    const key = td.match(/name="cell" value="([^"]+)"/)[1];
    const status = td.match(/<option value="(\w+)" selected>/)[1];
    const note = td.match(/name="note" value="([^"]*)"/)[1];
    const ch = changes[key] || {};
    body.append('cell', key);
    body.append('status', ch.status ?? status);
    body.append('note', ch.note ?? note);
  }
  return body;
}

const publicPage = async (q = '') => {
  const res = await fetch(`${srv.url}/facility/${q}`);
  return { res, html: await res.text() };
};

test('the public calendar shows four weeks of both resources as text, in tables with headers and a list', async () => {
  const { res, html } = await publicPage();
  assert.equal(res.status, 200);
  assert.match(html, /<title>印刷機・交流コーナー（Zoomルーム）の予約状況｜/);
  assert.match(html, /<h2 id="fac-h-1">印刷機（プリンター）<\/h2>/);
  assert.match(html, /<h2 id="fac-h-2">交流コーナー（Zoomルーム）<\/h2>/);
  assert.equal((html.match(/<table class="data fac-table">/g) || []).length, 8, '2 resources × 4 weeks');
  assert.match(html, new RegExp(`<caption class="visually-hidden">印刷機（プリンター）の空き状況：${jpLabel(jstDay())}〜${jpLabel(jstDay(6))}</caption>`));
  assert.match(html, new RegExp(`<h3 class="fac-week" id="fac-w-1-1">${jpLabel(jstDay())}〜${jpLabel(jstDay(6))}</h3>`));
  assert.match(html, /<th scope="col">時間帯<\/th>/);
  assert.match(html, /<th scope="row">午前<span class="fac-hours">9:00〜12:00<\/span><\/th>/);
  assert.match(html, /<td class="fac-free">空き<\/td>/);
  assert.match(html, /<summary>印刷機（プリンター）の予約状況をリスト形式で見る<\/summary>/);
  assert.match(html, new RegExp(`<time datetime="${jstDay(27)}">${jpLabel(jstDay(27))}</time>：午前 空き、午後 空き、夜間 空き`));
  assert.doesNotMatch(html, new RegExp(`datetime="${jstDay(28)}"`), 'four weeks only');
  assert.match(html, new RegExp(`<a href="/facility/\\?start=${jstDay(28)}" rel="next">次の4週間</a>`));
  assert.doesNotMatch(html, /rel="prev"/, 'no past weeks for the public');
  const next = await publicPage(`?start=${jstDay(28)}`);
  assert.match(next.html, new RegExp(`<time datetime="${jstDay(28)}">`));
  assert.match(next.html, /<a href="\/facility\/" rel="prev">前の4週間<\/a>/);
  assert.equal((await publicPage('?start=2026-02-30')).res.status, 404);
  assert.equal((await publicPage('?start=%3Cscript%3E')).res.status, 404);
});

test('a clerk marks slots reserved with a note; the public page and the list show 予約済み at once', async () => {
  const day = jstDay(2);
  let res = await clerk.send(`/admin/facility/?resource=2&start=${day}&span=week`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<title>施設予約カレンダーの管理｜/);
  // every control is labelled with day, slot and resource
  assert.match(html, new RegExp(`<label for="c-5-${day}" class="visually-hidden">${jpLabel(day)} 午後 交流コーナー（Zoomルーム）の状態</label>`));
  assert.match(html, new RegExp(`<label for="c-5-${day}-note" class="visually-hidden">${jpLabel(day)} 午後 交流コーナー（Zoomルーム）のメモ</label>`));
  assert.equal((html.match(/<td class="fac-cell/g) || []).length, 21, '7 days × 3 slots');
  const before = await publicPage();
  res = await clerk.postBody('/admin/facility/', gridForm(html, {
    [`5|${day}`]: { status: 'reserved', note: 'オンライン会議' },
    [`6|${day}`]: { status: 'closed', note: '' },
  }));
  assert.equal(res.status, 303);
  assert.match(res.headers.get('location'), /^\/admin\/facility\/\?resource=2&start=\d{4}-\d\d-\d\d&span=week&done=saved$/);
  const after = await (await clerk.send(res.headers.get('location'))).text();
  assert.match(after, /保存しました。公開ページに反映されています。/);
  assert.match(after, new RegExp(`id="c-5-${day}" name="status"><option value="free">空き</option><option value="reserved" selected>`));
  assert.match(after, new RegExp(`id="c-5-${day}-note" name="note" value="オンライン会議"`));
  const { html: pub } = await publicPage();
  assert.notEqual(pub, before.html, 'the cached page was replaced');
  assert.match(pub, /<td class="fac-reserved">予約済み<span class="fac-note">オンライン会議<\/span><\/td>/);
  assert.match(pub, /<td class="fac-closed">休館<\/td>/);
  assert.match(pub, new RegExp(`${jpLabel(day)}</time>：午前 空き、午後 予約済み（オンライン会議）、夜間 休館`));
  // the printer is unaffected on that day
  assert.match(pub, new RegExp(`<time datetime="${day}">${jpLabel(day)}</time>：午前 空き、午後 空き、夜間 空き`));
  assert.match(sql("SELECT action||' '||target||' '||detail FROM audit_log WHERE action='facility_update'"),
    /facility_update facility_resource:2 \S+ changed=2/);
  // back to free: the row goes and the note with it
  const again = await (await clerk.send(`/admin/facility/?resource=2&start=${day}&span=week`)).text();
  res = await clerk.postBody('/admin/facility/', gridForm(again, { [`6|${day}`]: { status: 'free' } }));
  assert.equal(res.status, 303);
  assert.equal(sql(`SELECT count(*) FROM facility_status WHERE day='${day}'`), '1');
});

test('a month view has a row per day; a too long note is refused next to the cell with the input kept', async () => {
  const res0 = await clerk.send(`/admin/facility/?resource=1&start=${jstDay(40)}&span=month`);
  const html = await res0.text();
  const days = (html.match(/<tr(?: class="fac-weekend")?><th scope="row"><time/g) || []).length;
  assert.ok(days >= 28 && days <= 31, `one row per day of the month (${days})`);
  assert.match(html, /<a href="[^"]*span=month">前の月<\/a>/);
  const first = html.match(/name="cell" value="(\d+\|[\d-]+)"/)[1];
  const res = await clerk.postBody('/admin/facility/', gridForm(html, { [first]: { status: 'reserved', note: 'あ'.repeat(61) } }));
  assert.equal(res.status, 422);
  const err = await res.text();
  assert.match(err, /<title>エラー：施設予約カレンダーの管理/);
  assert.match(err, /入力内容を確認してください（1件）/);
  assert.match(err, /のメモは60文字以内・1行で入力してください。/);
  assert.match(err, new RegExp(`value="${'あ'.repeat(61)}" maxlength="60" placeholder="メモ" aria-invalid="true"`));
  assert.match(err, /<option value="reserved" selected>予約済み<\/option>/, 'status kept');
  assert.equal(sql(`SELECT count(*) FROM facility_status WHERE slot_id=${first.split('|')[0]} AND day='${first.split('|')[1]}'`), '0');
});

test('forged cells, statuses and missing CSRF tokens are refused; anonymous visitors must sign in', async () => {
  const html = await (await clerk.send(`/admin/facility/?resource=1&start=${jstDay(3)}`)).text();
  const tok = html.match(/name="_csrf" value="([^"]+)"/)[1];
  const base = { _csrf: tok, resource: '1', start: jstDay(3), span: 'week' };
  const post = (extra) => clerk.postBody('/admin/facility/', new URLSearchParams({ ...base, ...extra }));
  assert.equal((await post({ cell: `4|${jstDay(3)}`, status: 'reserved', note: '' })).status, 400, 'slot of another resource');
  assert.equal((await post({ cell: `1|${jstDay(3)}`, status: 'booked', note: '' })).status, 400, 'unknown status');
  assert.equal((await post({ cell: `1|2026-13-01`, status: 'reserved', note: '' })).status, 400, 'bad date');
  assert.equal((await post({ cell: `1|${jstDay(3)}`, status: 'reserved' })).status, 400, 'fields out of step');
  const noTok = new URLSearchParams({ ...base, cell: `1|${jstDay(3)}`, status: 'reserved', note: '' });
  noTok.delete('_csrf');
  assert.equal((await clerk.postBody('/admin/facility/', noTok)).status, 403);
  assert.equal(sql(`SELECT count(*) FROM facility_status WHERE day='${jstDay(3)}'`), '0');
  const anon = await fetch(`${srv.url}/admin/facility/`, { redirect: 'manual' });
  assert.equal(anon.status, 303);
  assert.match(anon.headers.get('location'), /^\/admin\/login/);
});

test('a 休館日 closes every resource for the day and can be taken back', async () => {
  const day = jstDay(5);
  let res = await clerk.post('/admin/facility/closed', { day, note: '館内点検', resource: '1', start: day, span: 'week' },
    '/admin/facility/');
  assert.equal(res.status, 303);
  let admin = await (await clerk.send(res.headers.get('location'))).text();
  assert.match(admin, /休館日を登録しました。/);
  assert.match(admin, new RegExp(`<td colspan="3" class="fac-closed">休館日（館内点検）</td>`));
  assert.match(admin, new RegExp(`取り消す<span class="visually-hidden">（${jpLabel(day)}の休館日）</span>`));
  let { html } = await publicPage();
  assert.equal((html.match(new RegExp(`${jpLabel(day)}</time>：午前 休館（館内点検）、午後 休館（館内点検）、夜間 休館（館内点検）`, 'g')) || []).length, 2);
  res = await clerk.post('/admin/facility/closed', { day: '2026-02-31', note: '' }, '/admin/facility/');
  assert.equal(res.status, 422);
  assert.match(await res.text(), /休館日の日付を「2026-12-29」の形で、正しく入力してください。/);
  res = await clerk.post('/admin/facility/closed', { day, remove: '1' }, '/admin/facility/');
  assert.equal(res.status, 303);
  ({ html } = await publicPage());
  assert.match(html, new RegExp(`${jpLabel(day)}</time>：午前 空き、午後 空き、夜間 空き`));
  assert.match(sql("SELECT group_concat(action, ' ') FROM audit_log WHERE action LIKE 'facility_%' AND target='facility_closed_day'"),
    /facility_closed facility_reopen/);
});

test('the top page shows the next 7 days only while the block is switched on', async () => {
  let home = await (await fetch(srv.url + '/')).text();
  assert.doesNotMatch(home, /id="h-facility"/, 'off by default');
  let res = await clerk.post('/admin/facility/settings', { home_block: '1', resource: '1', start: jstDay(), span: 'week' },
    '/admin/facility/');
  assert.equal(res.status, 303);
  const admin = await (await clerk.send(res.headers.get('location'))).text();
  assert.match(admin, /<input type="checkbox" id="home-block" name="home_block" value="1" checked/);
  assert.match(admin, /<label for="home-block">トップページの自由枠に空き状況を表示する<\/label>/);
  home = await (await fetch(srv.url + '/')).text();
  assert.match(home, /<h2 id="h-facility">印刷機・交流コーナー（Zoomルーム）の空き状況<\/h2>/);
  assert.match(home, new RegExp(`<p>${jpLabel(jstDay())}〜${jpLabel(jstDay(6))}の予約状況です。</p>`));
  assert.match(home, new RegExp(`aria-label="交流コーナー（Zoomルーム）の空き状況：${jpLabel(jstDay())}〜${jpLabel(jstDay(6))}"`));
  assert.match(home, /<caption>印刷機（プリンター）<\/caption>/);
  const zoom = home.slice(home.indexOf('<caption>交流コーナー（Zoomルーム）</caption>'));
  assert.equal((zoom.match(/<th scope="col"[^>]*><time/g) || []).length >= 7, true);
  assert.match(zoom, /<th scope="row">午後<\/th>(<td class="fac-\w+">[^<]+<\/td>){2}<td class="fac-reserved">予約済み<\/td>/,
    'the slot reserved two days ahead');
  assert.match(home, /<a href="\/facility\/">4週間分の予約状況を見る<\/a>/);
  res = await clerk.post('/admin/facility/settings', {}, '/admin/facility/');
  assert.equal(res.status, 303);
  home = await (await fetch(srv.url + '/')).text();
  assert.doesNotMatch(home, /id="h-facility"/);
});

test('staff rename a resource, add a time slot and stop using a slot or a resource', async () => {
  const page = await (await clerk.send('/admin/facility/resources')).text();
  assert.match(page, /<title>設備と時間帯の管理｜/);
  let res = await clerk.post('/admin/facility/resources/1', {
    name: '印刷機（リソグラフ）', description: '', sort: '1', active: '1',
    slot_id: ['1', '2', '3'], slot_label: ['午前', '午後', '夜間'], slot_hours: ['9:00〜12:00', '13:00〜17:00', ''],
    slot_active: ['1', '1', '0'], new_label: '土曜特別枠', new_hours: '10:00〜15:00',
  }, '/admin/facility/resources');
  assert.equal(res.status, 303);
  let { html } = await publicPage();
  assert.match(html, /<h2 id="fac-h-1">印刷機（リソグラフ）<\/h2>/);
  assert.match(html, /<th scope="row">土曜特別枠<span class="fac-hours">10:00〜15:00<\/span><\/th>/);
  assert.match(html, new RegExp(`${jpLabel(jstDay(1))}</time>：午前 空き、午後 空き、土曜特別枠 空き`), 'night slot no longer shown');
  res = await clerk.post('/admin/facility/resources/1', {
    name: '', description: '', sort: 'x', active: '1', slot_id: [], slot_label: [], slot_hours: [], slot_active: [],
  }, '/admin/facility/resources');
  assert.equal(res.status, 422);
  const err = await res.text();
  assert.match(err, /設備名を60文字以内で入力してください。/);
  assert.match(err, /表示順は0〜999の数字で入力してください。/);
  res = await clerk.post('/admin/facility/resources', { name: '会議室', description: '10人まで' }, '/admin/facility/resources');
  assert.equal(res.status, 303);
  ({ html } = await publicPage());
  assert.match(html, />会議室<\/h2>/);
  const id = sql("SELECT id FROM facility_resources WHERE name='会議室'");
  const slots = sql(`SELECT group_concat(id) FROM facility_slots WHERE resource_id=${id}`).split(',');
  res = await clerk.post(`/admin/facility/resources/${id}`, {
    name: '会議室', description: '10人まで', sort: '3', active: '0', slot_id: slots,
    slot_label: ['午前', '午後', '夜間'], slot_hours: ['', '', ''], slot_active: ['1', '1', '1'],
  }, '/admin/facility/resources');
  assert.equal(res.status, 303);
  ({ html } = await publicPage());
  assert.doesNotMatch(html, />会議室<\/h2>/);
  assert.match(await (await clerk.send('/admin/facility/')).text(), /会議室（使用停止中）/);
});
