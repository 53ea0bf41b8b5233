/* crypto.c — thin wrappers over OpenSSL (see crypto.h). */
#include "crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int crypto_random(void *p, size_t n) {
  return RAND_bytes(p, (int)n) == 1 ? 0 : -1;
}

void hex_encode(const unsigned char *p, size_t n, char *out) {
  static const char hx[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = hx[p[i] >> 4];
    out[2 * i + 1] = hx[p[i] & 15];
  }
  out[2 * n] = 0;
}

void sha256_hex(const void *p, size_t n, char out[65]) {
  unsigned char d[32];
  SHA256(p, n, d);
  hex_encode(d, 32, out);
}

void hmac_sha256(const void *key, size_t klen, const void *msg, size_t n,
                 unsigned char out[32]) {
  unsigned int len = 32;
  HMAC(EVP_sha256(), key, (int)klen, msg, n, out, &len);
}

bool ct_equal(const void *a, const void *b, size_t n) {
  return CRYPTO_memcmp(a, b, n) == 0;
}

void b64url_encode(const unsigned char *p, size_t n, char *out) {
  static const char t[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  size_t o = 0, i = 0;
  for (; i + 2 < n; i += 3) {
    unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
    out[o++] = t[v >> 18], out[o++] = t[(v >> 12) & 63];
    out[o++] = t[(v >> 6) & 63], out[o++] = t[v & 63];
  }
  if (n - i == 1) {
    unsigned v = (unsigned)p[i] << 16;
    out[o++] = t[v >> 18], out[o++] = t[(v >> 12) & 63];
  } else if (n - i == 2) {
    unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
    out[o++] = t[v >> 18], out[o++] = t[(v >> 12) & 63];
    out[o++] = t[(v >> 6) & 63];
  }
  out[o] = 0;
}

static int pbkdf2(const char *pw, const unsigned char *salt, size_t sl,
                  int iter, unsigned char out[32]) {
  return PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, (int)sl, iter,
                           EVP_sha256(), 32, out) == 1
             ? 0
             : -1;
}

int password_hash(const char *pw, char *out, size_t outlen) {
  unsigned char salt[16], dk[32];
  char s64[32], h64[48];
  if (crypto_random(salt, sizeof salt) ||
      pbkdf2(pw, salt, sizeof salt, PASSWORD_ITERATIONS, dk))
    return -1;
  b64url_encode(salt, sizeof salt, s64);
  b64url_encode(dk, sizeof dk, h64);
  int n = snprintf(out, outlen, "pbkdf2-sha256$%d$%s$%s", PASSWORD_ITERATIONS,
                   s64, h64);
  return n > 0 && (size_t)n < outlen ? 0 : -1;
}

static int b64url_val(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

/* Decode base64url (no padding); returns length or -1. */
static int b64url_decode(const char *s, size_t n, unsigned char *out,
                         size_t cap) {
  size_t o = 0;
  unsigned acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    int v = b64url_val(s[i]);
    if (v < 0) return -1;
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o >= cap) return -1;
      out[o++] = (unsigned char)(acc >> bits);
    }
  }
  return (int)o;
}

bool password_verify(const char *pw, const char *stored) {
  int iter = 0;
  char salt64[64], hash64[64];
  if (sscanf(stored, "pbkdf2-sha256$%d$%63[^$]$%63s", &iter, salt64, hash64) !=
          3 ||
      iter < 1000 || iter > 10000000)
    return false;
  unsigned char salt[48], want[48], got[32];
  int sl = b64url_decode(salt64, strlen(salt64), salt, sizeof salt);
  int wl = b64url_decode(hash64, strlen(hash64), want, sizeof want);
  if (sl <= 0 || wl != 32 || pbkdf2(pw, salt, (size_t)sl, iter, got))
    return false;
  return ct_equal(got, want, 32);
}
