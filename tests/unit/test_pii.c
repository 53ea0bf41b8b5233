/* test_pii.c — unit tests of personal-data encryption (pii.c): AES-256-GCM
 * round trips (Japanese, 4-byte characters, empty), a fresh nonce per
 * value, tamper/column/key checks, the blind index, and the key files
 * (created 0600 in a 0700 directory, re-loaded identically, refused when
 * readable by others or of the wrong size). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "pii.h"

typedef struct fx {
  char dir[64];
  pii_keys k;
  arena a;
} fx;

static int setup(void **st) {
  fx *f = calloc(1, sizeof *f);
  strcpy(f->dir, "/tmp/civicnet-pii-XXXXXX");
  if (!mkdtemp(f->dir)) return -1;
  char err[512];
  if (pii_keys_load(f->dir, &f->k, err, sizeof err)) return -1;
  arena_init(&f->a);
  *st = f;
  return 0;
}

static void rm_keys(const char *dir) {
  char p[128];
  snprintf(p, sizeof p, "%s/keys/pii.key", dir), unlink(p);
  snprintf(p, sizeof p, "%s/keys/index.key", dir), unlink(p);
  snprintf(p, sizeof p, "%s/keys", dir), rmdir(p);
  rmdir(dir);
}

static int teardown(void **st) {
  fx *f = *st;
  arena_free(&f->a);
  rm_keys(f->dir);
  free(f);
  return 0;
}

static void test_round_trip(void **st) {
  fx *f = *st;
  const char *vals[] = {"info@example.jp", "山口県山口市滝町1-1 県庁3階",
                        "𠮷野家🍣と絵文字👨‍👩‍👧", "083-933-0000", "x"};
  for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
    char *e = pii_encrypt(&f->a, &f->k, "address", vals[i]);
    assert_non_null(e);
    assert_int_equal(strncmp(e, "v1:", 3), 0);
    /* the plaintext is not in the stored value (a 1-character value could
     * appear in random base64 by chance, so only longer ones are checked) */
    if (strlen(vals[i]) >= 6) assert_null(strstr(e, vals[i]));
    char *d = pii_decrypt(&f->a, &f->k, "address", e);
    assert_non_null(d);
    assert_string_equal(d, vals[i]);
  }
}

static void test_empty(void **st) {
  fx *f = *st;
  assert_string_equal(pii_encrypt(&f->a, &f->k, "phone", ""), "");
  assert_string_equal(pii_decrypt(&f->a, &f->k, "phone", ""), "");
}

static void test_nonce_differs(void **st) {
  fx *f = *st;
  char *a = pii_encrypt(&f->a, &f->k, "email", "same@example.jp");
  char *b = pii_encrypt(&f->a, &f->k, "email", "same@example.jp");
  assert_string_not_equal(a, b);
  unsigned char ra[64], rb[64];
  assert_int_equal(b64url_decode(a + 3, strlen(a + 3), ra, sizeof ra), 12 + 15 + 16);
  assert_int_equal(b64url_decode(b + 3, strlen(b + 3), rb, sizeof rb), 12 + 15 + 16);
  assert_memory_not_equal(ra, rb, 12);
}

/* Flip each byte of the decoded value in turn: every change is caught. */
static void test_tamper_any_byte(void **st) {
  fx *f = *st;
  char *e = pii_encrypt(&f->a, &f->k, "email", "hanako@example.jp");
  unsigned char raw[128];
  int n = b64url_decode(e + 3, strlen(e + 3), raw, sizeof raw);
  assert_true(n > 28);
  for (int i = 0; i < n; i++) {
    raw[i] ^= 0x01;
    char t[200] = "v1:";
    b64url_encode(raw, (size_t)n, t + 3);
    assert_null(pii_decrypt(&f->a, &f->k, "email", t));
    raw[i] ^= 0x01;
  }
  char cut[200];
  snprintf(cut, sizeof cut, "%.*s", (int)strlen(e) - 2, e);
  assert_null(pii_decrypt(&f->a, &f->k, "email", cut));
  assert_null(pii_decrypt(&f->a, &f->k, "email", e + 3));   /* no prefix */
  assert_null(pii_decrypt(&f->a, &f->k, "email", "v2:AAAA")); /* unknown key generation */
  assert_null(pii_decrypt(&f->a, &f->k, "email", "v1:!!"));
  assert_null(pii_decrypt(&f->a, &f->k, "email", "v1:"));
}

static void test_wrong_column_and_key(void **st) {
  fx *f = *st;
  char *e = pii_encrypt(&f->a, &f->k, "email", "hanako@example.jp");
  assert_null(pii_decrypt(&f->a, &f->k, "phone", e));
  pii_keys other = f->k;
  other.enc[0] ^= 0x80;
  assert_null(pii_decrypt(&f->a, &other, "email", e));
  other = f->k;
  other.index[0] ^= 0x80; /* the index key plays no part in encryption */
  assert_non_null(pii_decrypt(&f->a, &other, "email", e));
}

static void test_blind_index(void **st) {
  fx *f = *st;
  char a[65], b[65], c[65], d[65];
  pii_blind_index(&f->k, "email", "hanako@example.jp", a);
  pii_blind_index(&f->k, "email", "hanako@example.jp", b);
  assert_string_equal(a, b);
  assert_int_equal(strlen(a), 64);
  pii_blind_index(&f->k, "login_email", "hanako@example.jp", c);
  assert_string_not_equal(a, c);
  /* the column/value boundary is unambiguous */
  pii_blind_index(&f->k, "emailh", "anako@example.jp", c);
  assert_string_not_equal(a, c);
  pii_keys other = f->k;
  other.index[5] ^= 1;
  pii_blind_index(&other, "email", "hanako@example.jp", d);
  assert_string_not_equal(a, d);
}

static mode_t mode_of(const char *p) {
  struct stat sb;
  return stat(p, &sb) ? 0 : sb.st_mode & 0777;
}

static void test_key_files(void **st) {
  fx *f = *st;
  char p[128], err[512];
  snprintf(p, sizeof p, "%s/keys", f->dir);
  assert_int_equal(mode_of(p), 0700);
  snprintf(p, sizeof p, "%s/keys/pii.key", f->dir);
  assert_int_equal(mode_of(p), 0600);
  snprintf(p, sizeof p, "%s/keys/index.key", f->dir);
  assert_int_equal(mode_of(p), 0600);
  pii_keys again;
  assert_int_equal(pii_keys_load(f->dir, &again, err, sizeof err), 0);
  assert_memory_equal(&again, &f->k, sizeof again);
  assert_memory_not_equal(f->k.enc, f->k.index, 32);
  /* a value encrypted before is readable after the reload */
  char *e = pii_encrypt(&f->a, &f->k, "email", "reload@example.jp");
  assert_string_equal(pii_decrypt(&f->a, &again, "email", e), "reload@example.jp");
}

static void test_bad_permissions_refused(void **st) {
  fx *f = *st;
  char p[128], err[512];
  pii_keys k;
  snprintf(p, sizeof p, "%s/keys/pii.key", f->dir);
  const mode_t bad[] = {0644, 0640, 0604, 0660};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    assert_int_equal(chmod(p, bad[i]), 0);
    err[0] = 0;
    assert_int_equal(pii_keys_load(f->dir, &k, err, sizeof err), -1);
    assert_non_null(strstr(err, "chmod 600"));
  }
  assert_int_equal(chmod(p, 0600), 0);
  assert_int_equal(pii_keys_load(f->dir, &k, err, sizeof err), 0);
}

static void test_wrong_size_refused(void **st) {
  fx *f = *st;
  char p[128], err[512];
  pii_keys k;
  snprintf(p, sizeof p, "%s/keys/index.key", f->dir);
  int fd = open(p, O_WRONLY | O_APPEND);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, "x", 1), 1);
  close(fd);
  assert_int_equal(pii_keys_load(f->dir, &k, err, sizeof err), -1);
  assert_non_null(strstr(err, "32 bytes"));
  assert_int_equal(truncate(p, 16), 0);
  assert_int_equal(pii_keys_load(f->dir, &k, err, sizeof err), -1);
  assert_int_equal(truncate(p, 0), 0);
  assert_int_equal(pii_keys_load(f->dir, &k, err, sizeof err), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
      cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
      cmocka_unit_test_setup_teardown(test_nonce_differs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tamper_any_byte, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wrong_column_and_key, setup, teardown),
      cmocka_unit_test_setup_teardown(test_blind_index, setup, teardown),
      cmocka_unit_test_setup_teardown(test_key_files, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_permissions_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wrong_size_refused, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
