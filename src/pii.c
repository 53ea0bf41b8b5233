/* pii.c — AES-256-GCM for personal-data columns and HMAC-SHA256 blind
 * indexes, under two key files outside the database (see pii.h). */
#include "pii.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"

#define NONCE_LEN 12
#define TAG_LEN 16
#define PREFIX "v1:"

/* Create a new key file: O_EXCL so an existing key is never overwritten. */
static int key_create(const char *path, unsigned char key[32], char *err, size_t errlen) {
  if (crypto_random(key, 32)) {
    snprintf(err, errlen, "%s: no random bytes", path);
    return -1;
  }
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
    return -1;
  }
  bool ok = write(fd, key, 32) == 32 && fsync(fd) == 0;
  if (close(fd) || !ok) {
    snprintf(err, errlen, "%s: cannot write the key", path);
    unlink(path);
    return -1;
  }
  return 0;
}

/* Read an existing key file, refusing the wrong size or loose modes. */
static int key_read(int fd, const char *path, unsigned char key[32], char *err, size_t errlen) {
  struct stat sb;
  if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
    snprintf(err, errlen, "%s: not a regular file", path);
    return -1;
  }
  if (sb.st_mode & 077) {
    snprintf(err, errlen, "%s: permissions %03o let other users read the key; "
             "run: chmod 600 %s (docs/鍵管理.md)", path, (unsigned)(sb.st_mode & 0777), path);
    return -1;
  }
  if (sb.st_size != 32 || read(fd, key, 32) != 32) {
    snprintf(err, errlen, "%s: a key file must hold exactly 32 bytes (it has %lld); "
             "restore it from the key backup (docs/鍵管理.md)", path, (long long)sb.st_size);
    return -1;
  }
  return 0;
}

static int key_load(const char *dir, const char *name, unsigned char key[32],
                    char *err, size_t errlen) {
  char path[700];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return key_create(path, key, err, errlen);
  if (fd < 0) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  int rc = key_read(fd, path, key, err, errlen);
  close(fd);
  return rc;
}

int pii_keys_load(const char *data_dir, pii_keys *k, char *err, size_t errlen) {
  char dir[600];
  snprintf(dir, sizeof dir, "%s/keys", data_dir);
  if (mkdir(dir, 0700) && errno != EEXIST) {
    snprintf(err, errlen, "%s: cannot create: %s", dir, strerror(errno));
    return -1;
  }
  if (key_load(dir, "pii.key", k->enc, err, errlen) ||
      key_load(dir, "index.key", k->index, err, errlen)) {
    memset(k, 0, sizeof *k);
    return -1;
  }
  return 0;
}

/* One AES-256-GCM pass; enc=1 writes the tag to tag, enc=0 checks it. */
static int gcm(int enc, const pii_keys *k, const unsigned char *nonce, const char *aad,
               const unsigned char *in, int n, unsigned char *out, unsigned char *tag) {
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  int len = 0, fin = 0;
  int ok = c && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) &&
           EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) &&
           EVP_CipherInit_ex(c, NULL, NULL, k->enc, nonce, enc) &&
           EVP_CipherUpdate(c, NULL, &len, (const unsigned char *)aad, (int)strlen(aad)) &&
           EVP_CipherUpdate(c, out, &len, in, n) &&
           (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag)) &&
           EVP_CipherFinal_ex(c, out + len, &fin) > 0 &&
           (!enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag));
  EVP_CIPHER_CTX_free(c);
  return ok && len + fin == n ? 0 : -1;
}

char *pii_encrypt(arena *a, const pii_keys *k, const char *column, const char *plain) {
  if (!plain || !column) return NULL;
  size_t n = strlen(plain);
  if (n == 0) return arena_strdup(a, "");
  if (n > 1 << 20) return NULL;
  size_t raw_len = NONCE_LEN + n + TAG_LEN;
  unsigned char *raw = arena_alloc(a, raw_len);
  if (crypto_random(raw, NONCE_LEN) ||
      gcm(1, k, raw, column, (const unsigned char *)plain, (int)n, raw + NONCE_LEN,
          raw + NONCE_LEN + n))
    return NULL;
  char *out = arena_alloc(a, sizeof PREFIX + 4 * ((raw_len + 2) / 3) + 1);
  memcpy(out, PREFIX, sizeof PREFIX - 1);
  b64url_encode(raw, raw_len, out + sizeof PREFIX - 1);
  return out;
}

char *pii_decrypt(arena *a, const pii_keys *k, const char *column, const char *stored) {
  if (!stored || !column) return NULL;
  if (!*stored) return arena_strdup(a, "");
  size_t sl = strlen(stored);
  if (strncmp(stored, PREFIX, sizeof PREFIX - 1) || sl > (2u << 20)) return NULL;
  size_t cap = sl;
  unsigned char *raw = arena_alloc(a, cap);
  int rl = b64url_decode(stored + sizeof PREFIX - 1, sl - (sizeof PREFIX - 1), raw, cap);
  if (rl < NONCE_LEN + TAG_LEN + 1) return NULL;
  int n = rl - NONCE_LEN - TAG_LEN;
  char *out = arena_alloc(a, (size_t)n + 1);
  if (gcm(0, k, raw, column, raw + NONCE_LEN, n, (unsigned char *)out,
          raw + NONCE_LEN + n))
    return NULL;
  out[n] = 0;
  return memchr(out, 0, (size_t)n) ? NULL : out;
}

void pii_blind_index(const pii_keys *k, const char *column, const char *value,
                     char out[65]) {
  buf m;
  buf_init(&m);
  buf_puts(&m, column);
  buf_putc(&m, 0); /* a column name cannot run into the value */
  buf_puts(&m, value ? value : "");
  unsigned char mac[32];
  hmac_sha256(k->index, sizeof k->index, m.data, m.len, mac);
  buf_free(&m);
  hex_encode(mac, sizeof mac, out);
}
