/* crypto.h — the few primitives civicnet uses, all from OpenSSL 3
 * (CRYPTREC-listed): random bytes, SHA-256, HMAC-SHA256, PBKDF2-HMAC-SHA256
 * password hashes, constant-time comparison; plus verification (only) of
 * legacy hashes imported from WordPress/PHP (phpass, bcrypt), which are
 * replaced by PBKDF2 at the first successful sign-in. */
#ifndef CIVICNET_CRYPTO_H
#define CIVICNET_CRYPTO_H
#include <stdbool.h>
#include <stddef.h>

int crypto_random(void *p, size_t n);                 /* 0 ok, -1 failure */
void hex_encode(const unsigned char *p, size_t n, char *out); /* 2n+1 */
void sha256_hex(const void *p, size_t n, char out[65]);
void hmac_sha256(const void *key, size_t klen, const void *msg, size_t n,
                 unsigned char out[32]);
bool ct_equal(const void *a, const void *b, size_t n);
/* base64url without padding (tokens, cookies). out needs 4*ceil(n/3)+1. */
void b64url_encode(const unsigned char *p, size_t n, char *out);
/* base64url without padding → bytes; returns the length, or -1 on a bad
 * character or when more than cap bytes would result. */
int b64url_decode(const char *s, size_t n, unsigned char *out, size_t cap);

/* "pbkdf2-sha256$ITER$SALT$HASH" (salt/hash base64url). */
#define PASSWORD_ITERATIONS 310000
int password_hash(const char *pw, char *out, size_t outlen);
/* Verifies "pbkdf2-sha256$…" and, for accounts imported from WordPress,
 * phpass portable hashes ($P$, $H$), bcrypt ($2y$, $2b$, $2a$) and
 * WordPress 6.8's "$wp$2y$…" (bcrypt over base64(HMAC-SHA384)). */
bool password_verify(const char *pw, const char *stored);
/* True when stored is not a PBKDF2 hash with PASSWORD_ITERATIONS or more:
 * the caller re-hashes the password it has just verified. */
bool password_needs_rehash(const char *stored);

#endif
