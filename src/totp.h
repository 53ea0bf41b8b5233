/* totp.h — time-based one-time passwords (RFC 6238 over RFC 4226 HOTP,
 * HMAC-SHA-1, 30-second steps) for the staff second factor, and the
 * base32 (RFC 4648) encoding authenticator apps use for the secret. */
#ifndef CIVICNET_TOTP_H
#define CIVICNET_TOTP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TOTP_PERIOD 30
#define TOTP_DIGITS 6
#define TOTP_SECRET_BYTES 20   /* 160 bits, as RFC 4226 recommends */

/* HOTP value for counter step, truncated to digits (1–9) decimal digits. */
uint32_t totp_code(const unsigned char *key, size_t klen, uint64_t step,
                   int digits);
/* The step a Unix time falls into. */
uint64_t totp_step(time_t t);
/* Check a typed code (spaces ignored) against steps now-1, now, now+1 that
 * are greater than last_step (a used step is never accepted again).
 * Returns the matching step, or -1. */
long long totp_check(const unsigned char *key, size_t klen, const char *code,
                     time_t now, long long last_step);
/* Base32 without padding; out needs ceil(8n/5)+1 bytes. */
void base32_encode(const unsigned char *p, size_t n, char *out);
/* Base32 (case-insensitive; spaces and '-' ignored) → bytes; -1 on error. */
int base32_decode(const char *s, unsigned char *out, size_t cap);

#endif
