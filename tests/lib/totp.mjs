// totp.mjs — TOTP (RFC 6238, HMAC-SHA-1, 30 s, 6 digits) for tests, with
// node's own crypto, independent of the C code under test.
//
//   const secret = await enableTotp(client);   // HTTP client of staff.test.mjs style
//   const code = await freshCode(secret);      // a code for a step not used yet
//
// The server accepts each time step at most once per account, so
// freshCode() remembers the steps it handed out per secret and, when the
// ±1-step window is used up, waits for the next step.
import crypto from 'node:crypto';

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Decode(s) {
  const out = [];
  let acc = 0;
  let bits = 0;
  for (const ch of s.replace(/[\s=-]/g, '').toUpperCase()) {
    const v = B32.indexOf(ch);
    if (v < 0) throw new Error(`not base32: ${ch}`);
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** HOTP value of a time step (RFC 4226 §5.3), zero-padded to digits. */
export function totpCode(key, step, digits = 6) {
  const k = typeof key === 'string' ? base32Decode(key) : key;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', k).update(msg).digest();
  const off = mac[19] & 0x0f;
  const bin = mac.readUInt32BE(off) & 0x7fffffff;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

export const stepNow = () => Math.floor(Date.now() / 1000 / 30);

const used = new Map();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A code for the current step, or the next one if that was used already. */
export async function freshCode(secret) {
  for (;;) {
    const now = stepNow();
    const step = Math.max(now, (used.get(secret) ?? -1) + 1);
    if (step <= now + 1) {
      used.set(secret, step);
      return totpCode(secret, step);
    }
    await sleep((now + 1) * 30000 - Date.now() + 50);
  }
}

/** Record a step as used (e.g. a code typed through the browser). */
export function markUsed(secret, step) {
  used.set(secret, Math.max(step, used.get(secret) ?? -1));
}

/** The set-up key shown on /admin/totp, without the spaces. */
export function secretFrom(html) {
  const m = html.match(/id="totp-secret"[^>]*>([A-Z2-7 ]+)</);
  if (!m) throw new Error('no TOTP set-up key on the page');
  return m[1].replace(/ /g, '');
}

/** Turn TOTP on for the signed-in client ({send, post}); returns the secret. */
export async function enableTotp(c) {
  const secret = secretFrom(await (await c.send('/admin/totp')).text());
  const res = await c.post('/admin/totp', { code: await freshCode(secret) });
  if (res.status !== 303) throw new Error(`enabling TOTP failed: HTTP ${res.status}`);
  return secret;
}
