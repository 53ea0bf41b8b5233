/* pii.h — personal data at rest (REQUIREMENTS Y8, DESIGN "Security
 * model"): members' e-mail, phone, address, postal code, birth date and
 * staff-only contact fields are stored encrypted with AES-256-GCM
 * (CRYPTREC-listed) under a key kept outside the database, and looked up
 * through an HMAC-SHA256 blind index so that uniqueness checks and
 * searches by e-mail need no decryption.
 *
 * Keys: DIR/keys/pii.key (32 random bytes, encryption) and
 * DIR/keys/index.key (32 random bytes, blind index), created on first use
 * with mode 0600 in a 0700 directory. Stored values look like
 * "v1:" + base64url(12-byte nonce | ciphertext | 16-byte tag); the "v1"
 * names the key generation so that keys can be rotated (docs/鍵管理.md). */
#ifndef CIVICNET_PII_H
#define CIVICNET_PII_H
#include <stdbool.h>
#include <stddef.h>
#include "util.h"

typedef struct pii_keys {
  unsigned char enc[32];
  unsigned char index[32];
} pii_keys;

/* Load DIR/keys/pii.key and index.key, creating them when missing.
 * 0 ok, -1 with a message in err. */
int pii_keys_load(const char *data_dir, pii_keys *k, char *err, size_t errlen);
/* Encrypt a NUL-terminated string; the column name is bound as associated
 * data so a value cannot be moved to another column unnoticed. Returns an
 * arena string, or NULL on failure. "" encrypts to "" (empty stays empty). */
char *pii_encrypt(arena *a, const pii_keys *k, const char *column, const char *plain);
/* Decrypt; NULL when the value was tampered with or the key is wrong. */
char *pii_decrypt(arena *a, const pii_keys *k, const char *column, const char *stored);
/* Blind index of a normalised value (callers lower-case e-mail addresses
 * first): hex HMAC-SHA256 under the index key, domain-separated by column. */
void pii_blind_index(const pii_keys *k, const char *column, const char *value,
                     char out[65]);

#endif
