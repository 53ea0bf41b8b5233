/* crypto.c — thin wrappers over OpenSSL (see crypto.h), and the legacy
 * password formats: phpass (own code over OpenSSL MD5) and bcrypt
 * (libxcrypt's crypt_r). */
#include "crypto.h"

#include <crypt.h>

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

int b64url_decode(const char *s, size_t n, unsigned char *out, size_t cap) {
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

static bool pbkdf2_verify(const char *pw, const char *stored) {
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

/* ---- legacy hashes (verification only) ---- */

static const char ITOA64[] =
    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* phpass's encode64: 16 bytes → 22 characters, little-endian groups. */
static void phpass_encode64(const unsigned char *in, int count, char *out) {
  int i = 0;
  do {
    unsigned v = in[i++];
    *out++ = ITOA64[v & 0x3f];
    if (i < count) v |= (unsigned)in[i] << 8;
    *out++ = ITOA64[(v >> 6) & 0x3f];
    if (i++ >= count) break;
    if (i < count) v |= (unsigned)in[i] << 16;
    *out++ = ITOA64[(v >> 12) & 0x3f];
    if (i++ >= count) break;
    *out++ = ITOA64[(v >> 18) & 0x3f];
  } while (i < count);
  *out = 0;
}

static int md5_two(const void *a, size_t an, const void *b, size_t bn,
                   unsigned char out[16]) {
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  int ok = c && EVP_DigestInit_ex(c, EVP_md5(), NULL) &&
           EVP_DigestUpdate(c, a, an) && EVP_DigestUpdate(c, b, bn) &&
           EVP_DigestFinal_ex(c, out, NULL);
  EVP_MD_CTX_free(c);
  return ok ? 0 : -1;
}

/* phpass portable hash ($P$ WordPress, $H$ phpBB): "$P$" + cost char +
 * 8-char salt + 22-char encode64(hash); hash = md5(salt.pw), then
 * 2^cost times hash = md5(hash.pw) (openwall phpass crypt_private). */
static bool phpass_verify(const char *pw, const char *stored) {
  if (strlen(stored) != 34) return false;
  const char *p = strchr(ITOA64, stored[3]);
  if (!stored[3] || !p) return false;
  int log2 = (int)(p - ITOA64);
  if (log2 < 7 || log2 > 30) return false;
  size_t pl = strlen(pw);
  unsigned char h[16];
  if (md5_two(stored + 4, 8, pw, pl, h)) return false;
  for (long count = 1L << log2; count > 0; count--)
    if (md5_two(h, 16, pw, pl, h)) return false;
  char enc[24];
  phpass_encode64(h, 16, enc);
  return ct_equal(enc, stored + 12, 22);
}

/* bcrypt through libxcrypt; crypt_data is ~32 KB, so it lives on the heap. */
static bool bcrypt_verify(const char *pw, const char *stored) {
  size_t sl = strlen(stored);
  if (sl != 60) return false;
  struct crypt_data *cd = calloc(1, sizeof *cd);
  if (!cd) return false;
  const char *got = crypt_r(pw, stored, cd);
  bool ok = got && strlen(got) == sl && ct_equal(got, stored, sl);
  free(cd);
  return ok;
}

/* WordPress 6.8 ("$wp" + bcrypt). Its wp_check_password() in
 * src/wp-includes/pluggable.php does:
 *   $password_to_verify = base64_encode( hash_hmac( 'sha384', $password,
 *                                                   'wp-sha384', true ) );
 *   $check = password_verify( $password_to_verify, substr( $hash, 3 ) );
 * i.e. standard base64 (64 characters) of the raw 48-byte HMAC-SHA384. */
static bool wp_bcrypt_verify(const char *pw, const char *stored) {
  unsigned char mac[48];
  unsigned int ml = sizeof mac;
  char pre[72];
  if (!HMAC(EVP_sha384(), "wp-sha384", 9, (const unsigned char *)pw, strlen(pw),
            mac, &ml) || ml != sizeof mac)
    return false;
  EVP_EncodeBlock((unsigned char *)pre, mac, (int)sizeof mac);
  return bcrypt_verify(pre, stored + 3);
}

static bool is_bcrypt(const char *s) {
  return s[0] == '$' && s[1] == '2' && (s[2] == 'y' || s[2] == 'b' || s[2] == 'a') &&
         s[3] == '$';
}

bool password_verify(const char *pw, const char *stored) {
  if (!pw || !stored) return false;
  if (strncmp(stored, "pbkdf2-sha256$", 14) == 0) return pbkdf2_verify(pw, stored);
  if (strncmp(stored, "$P$", 3) == 0 || strncmp(stored, "$H$", 3) == 0)
    return phpass_verify(pw, stored);
  if (strncmp(stored, "$wp", 3) == 0 && is_bcrypt(stored + 3))
    return wp_bcrypt_verify(pw, stored);
  if (is_bcrypt(stored)) return bcrypt_verify(pw, stored);
  return false;
}

bool password_needs_rehash(const char *stored) {
  int iter = 0;
  if (!stored || sscanf(stored, "pbkdf2-sha256$%d$", &iter) != 1) return true;
  return iter < PASSWORD_ITERATIONS;
}
