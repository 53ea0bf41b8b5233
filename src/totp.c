/* totp.c — RFC 6238 TOTP and RFC 4648 base32 (see totp.h). */
#include "totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "crypto.h"

uint32_t totp_code(const unsigned char *key, size_t klen, uint64_t step,
                   int digits) {
  unsigned char msg[8], mac[20];
  unsigned int ml = sizeof mac;
  for (int i = 7; i >= 0; i--, step >>= 8) msg[i] = (unsigned char)(step & 0xff);
  if (!HMAC(EVP_sha1(), key, (int)klen, msg, sizeof msg, mac, &ml)) return 0;
  unsigned off = mac[19] & 0x0f; /* RFC 4226 §5.3 dynamic truncation */
  uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                 ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
  uint32_t mod = 1;
  for (int i = 0; i < digits && i < 9; i++) mod *= 10;
  return bin % mod;
}

uint64_t totp_step(time_t t) { return t < 0 ? 0 : (uint64_t)t / TOTP_PERIOD; }

/* Digits only, spaces dropped; false when anything else or not 6 digits. */
static bool clean_code(const char *in, char out[TOTP_DIGITS + 1]) {
  size_t n = 0;
  for (; in && *in; in++) {
    if (*in == ' ') continue;
    if (*in < '0' || *in > '9' || n >= TOTP_DIGITS) return false;
    out[n++] = *in;
  }
  out[n] = 0;
  return n == TOTP_DIGITS;
}

long long totp_check(const unsigned char *key, size_t klen, const char *code,
                     time_t now, long long last_step) {
  char want[TOTP_DIGITS + 1], got[16];
  if (!clean_code(code, want)) return -1;
  long long s0 = (long long)totp_step(now), found = -1;
  for (long long s = s0 - 1; s <= s0 + 1; s++) {
    snprintf(got, sizeof got, "%0*u", TOTP_DIGITS,
             (unsigned)totp_code(key, klen, (uint64_t)s, TOTP_DIGITS));
    if (ct_equal(got, want, TOTP_DIGITS) && s > last_step && found < 0) found = s;
  }
  return found;
}

static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void base32_encode(const unsigned char *p, size_t n, char *out) {
  unsigned acc = 0;
  int bits = 0;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    acc = (acc << 8) | p[i];
    bits += 8;
    while (bits >= 5) out[o++] = B32[(acc >> (bits -= 5)) & 31];
  }
  if (bits > 0) out[o++] = B32[(acc << (5 - bits)) & 31];
  out[o] = 0;
}

int base32_decode(const char *s, unsigned char *out, size_t cap) {
  unsigned acc = 0;
  int bits = 0;
  size_t o = 0;
  for (; *s; s++) {
    char c = *s;
    if (c == ' ' || c == '-' || c == '=') continue;
    if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
    const char *p = strchr(B32, c);
    if (!c || !p) return -1;
    acc = (acc << 5) | (unsigned)(p - B32);
    bits += 5;
    if (bits >= 8) {
      if (o >= cap) return -1;
      out[o++] = (unsigned char)(acc >> (bits -= 8));
    }
  }
  return (int)o;
}
