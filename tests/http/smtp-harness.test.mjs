// smtp-harness.test.mjs — the harness's real SMTP server (python3-aiosmtpd
// on loopback) receives, stores and gives back a message intact, including
// a UTF-8 subject, and survives a restart. Mail features (issue 3) build
// their tests on this, so it is checked on its own here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startSmtpSink } from '../lib/smtp.mjs';

function send(port, from, to, text) {
  execFileSync('curl', ['-s', '--url', `smtp://127.0.0.1:${port}`, '--mail-from', from, '--mail-rcpt', to, '-T', '-'],
    { input: text });
}

test('the SMTP sink receives a message over real SMTP and survives a restart', async () => {
  const sink = await startSmtpSink();
  try {
    const subject = '=?UTF-8?B?' + Buffer.from('登録のお知らせ').toString('base64') + '?=';
    send(sink.port, 'centre@example.jp', 'member@example.jp',
      `From: centre@example.jp\r\nTo: member@example.jp\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nご登録ありがとうございます。\r\n`);
    let msgs = await sink.messages();
    assert.equal(msgs.length, 1);
    assert.equal(msgs[0].from, 'centre@example.jp');
    assert.deepEqual([].concat(msgs[0].to), ['member@example.jp']);
    assert.match(msgs[0].subject, /登録のお知らせ|=\?UTF-8\?B\?/);
    await sink.restart();
    send(sink.port, 'centre@example.jp', 'other@example.jp', 'Subject: second\r\n\r\nbody\r\n');
    msgs = await sink.messages();
    assert.equal(msgs.length, 2, 'messages kept across the restart');
  } finally {
    await sink.stop();
  }
});
