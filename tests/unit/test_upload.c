/* test_upload.c — uploaded files (src/upload.c, IPA item 13): the type is
 * decided by content (a PDF named .jpg is stored as a PDF; PHP, HTML, SVG
 * and an executable named .pdf/.png are refused), the size cap, the stored
 * name is random with the detected type's extension and never contains the
 * client's name, directories 0700 and files 0600, the client name cleaned
 * for display, and a JPEG carrying EXIF GPS comes out without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <regex.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>

#include "app.h"
#include "db.h"
#include "request.h"
#include "upload.h"

typedef struct fixture {
  app a;
  sqlite3 *db;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  char tmpl[] = "/tmp/civicnet-upload-XXXXXX";
  assert_non_null(mkdtemp(tmpl));
  snprintf(f->a.cfg.data_dir, sizeof f->a.cfg.data_dir, "%s", tmpl);
  char path[600], err[256];
  snprintf(path, sizeof path, "%s/civicnet.db", tmpl);
  f->db = db_open_path(path, err, sizeof err);
  assert_non_null(f->db);
  assert_true(db_migrate(f->db, CIVICNET_ROOT "/db/migrations", NULL, err, sizeof err) >= 1);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  sqlite3_close(f->db);
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->a.cfg.data_dir);
  assert_int_equal(system(cmd), 0);
  free(f);
  return 0;
}

static kv file_kv(const char *filename, const void *data, size_t n) {
  kv k = {.name = "ref_file_1", .value = data, .len = n, .filename = filename};
  return k;
}

/* The stored row of id: path, original name, mime (copied into out). */
static void row_of(fixture *f, long long id, char *path, char *name, char *mime) {
  sqlite3_stmt *st = db_prep(f->db, "SELECT stored_path, original_name, mime FROM uploads WHERE id=?1");
  sqlite3_bind_int64(st, 1, id);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  strcpy(path, db_text(st, 0));
  strcpy(name, db_text(st, 1));
  strcpy(mime, db_text(st, 2));
  sqlite3_finalize(st);
}

static char *read_all(const char *path, size_t *n) {
  FILE *fp = fopen(path, "rb");
  assert_non_null(fp);
  fseek(fp, 0, SEEK_END);
  long len = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  char *p = malloc((size_t)len + 1);
  assert_int_equal(fread(p, 1, (size_t)len, fp), (size_t)len);
  fclose(fp);
  *n = (size_t)len;
  return p;
}

static const char PDF[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

static void pdf_named_jpg_is_stored_as_pdf(void **state) {
  fixture *f = *state;
  kv k = file_kv("報告書.jpg", PDF, sizeof PDF - 1);
  long long id;
  const char *why;
  assert_int_equal(upload_store(&f->a, f->db, &k, &UPLOAD_POLICY_REFERENCE, &id, &why), 0);
  char path[300], name[300], mime[100];
  row_of(f, id, path, name, mime);
  assert_string_equal(mime, "application/pdf");
  assert_string_equal(name, "報告書.jpg"); /* for display only */
  regex_t re;
  assert_int_equal(regcomp(&re, "^uploads/[0-9]{4}/[0-9]{2}/[0-9a-f]{32}\\.pdf$", REG_EXTENDED), 0);
  assert_int_equal(regexec(&re, path, 0, NULL, 0), 0);
  regfree(&re);
  char full[900];
  snprintf(full, sizeof full, "%s/%s", f->a.cfg.data_dir, path);
  struct stat sb;
  assert_int_equal(stat(full, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);
  *strrchr(full, '/') = 0;
  assert_int_equal(stat(full, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0700);
  size_t n;
  char *got = read_all(strcat(strcat(full, "/"), strrchr(path, '/') + 1), &n);
  assert_int_equal(n, sizeof PDF - 1);
  assert_memory_equal(got, PDF, n);
  free(got);
}

static void scripts_and_executables_are_refused(void **state) {
  fixture *f = *state;
  static const char php[] = "<?php system($_GET['c']); ?>\n";
  static const char html[] = "<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(1)</script></body></html>\n";
  static const char svg[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><script>alert(1)</script></svg>\n";
  unsigned char exe[512] = {'M', 'Z', 0x90, 0};
  memcpy(exe + 0x3c, "\x80\0\0\0", 4);
  memcpy(exe + 0x80, "PE\0\0\x4c\x01", 6);
  struct { const char *name; const void *data; size_t n; } cases[] = {
      {"shell.pdf", php, sizeof php - 1}, {"page.png", html, sizeof html - 1},
      {"logo.png", svg, sizeof svg - 1}, {"setup.docx", exe, sizeof exe}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    kv k = file_kv(cases[i].name, cases[i].data, cases[i].n);
    long long id = 0;
    const char *why = NULL;
    assert_int_equal(upload_store(&f->a, f->db, &k, &UPLOAD_POLICY_REFERENCE, &id, &why), 1);
    assert_string_equal(why, "ファイルの種類が対応していません（PDF、Word、Excel、JPEG、PNG）");
    assert_int_equal(id, 0);
  }
  sqlite3_stmt *st = db_prep(f->db, "SELECT count(*) FROM uploads");
  assert_int_equal(row_int(st), 0);
}

static void size_cap(void **state) {
  fixture *f = *state;
  size_t n = 5 * 1024 * 1024 + 1;
  char *big = malloc(n);
  memset(big, ' ', n);
  memcpy(big, PDF, sizeof PDF - 1);
  kv k = file_kv("big.pdf", big, n);
  long long id;
  const char *why;
  assert_int_equal(upload_store(&f->a, f->db, &k, &UPLOAD_POLICY_REFERENCE, &id, &why), 1);
  assert_string_equal(why, "ファイルが大きすぎます（5MBまで）");
  k.len = n - 1; /* exactly 5 MB is accepted */
  assert_int_equal(upload_store(&f->a, f->db, &k, &UPLOAD_POLICY_REFERENCE, &id, &why), 0);
  free(big);
  kv empty = file_kv("empty.pdf", "", 0);
  assert_int_equal(upload_store(&f->a, f->db, &empty, &UPLOAD_POLICY_REFERENCE, &id, &why), 1);
}

static void client_name_never_reaches_the_disk(void **state) {
  fixture *f = *state;
  kv k = file_kv("../../../etc/evil.pdf", PDF, sizeof PDF - 1);
  long long id;
  const char *why;
  assert_int_equal(upload_store(&f->a, f->db, &k, &UPLOAD_POLICY_REFERENCE, &id, &why), 0);
  char path[300], name[300], mime[100];
  row_of(f, id, path, name, mime);
  assert_null(strstr(path, "evil"));
  assert_null(strstr(path, ".."));
  assert_string_equal(name, "evil.pdf");
  /* two uploads of the same file get different names */
  long long id2;
  assert_int_equal(upload_store(&f->a, f->db, &k, &UPLOAD_POLICY_REFERENCE, &id2, &why), 0);
  char path2[300];
  row_of(f, id2, path2, name, mime);
  assert_string_not_equal(path, path2);
  /* deleting removes the file too */
  char full[900];
  snprintf(full, sizeof full, "%s/%s", f->a.cfg.data_dir, path2);
  assert_int_equal(access(full, F_OK), 0);
  assert_int_equal(upload_delete(&f->a, f->db, id2), 0);
  assert_int_equal(access(full, F_OK), -1);
}

static void names_are_cleaned(void **state) {
  (void)state;
  arena a;
  arena_init(&a);
  assert_string_equal(upload_clean_name(&a, "C:\\Users\\x\\定款.pdf"), "定款.pdf");
  assert_string_equal(upload_clean_name(&a, "..hidden"), "hidden");
  assert_string_equal(upload_clean_name(&a, "a\"b<c>d|e?.pdf"), "abcde.pdf");
  assert_string_equal(upload_clean_name(&a, "line\r\nbreak.pdf"), "linebreak.pdf");
  assert_string_equal(upload_clean_name(&a, "invoice\xE2\x80\xAE" "fdp.exe"), "invoicefdp.exe"); /* U+202E */
  assert_string_equal(upload_clean_name(&a, "bad\xff.pdf"), "file");
  assert_string_equal(upload_clean_name(&a, "../"), "file");
  assert_string_equal(upload_clean_name(&a, NULL), "file");
  arena_free(&a);
}

/* A JPEG with an APP1 Exif segment holding GPSLatitudeRef N and
 * GPSLatitude 34/1 10/1 0/1 (little-endian TIFF), inserted after SOI. */
static unsigned char *jpeg_with_gps(size_t *n) {
  VipsImage *img = NULL;
  assert_int_equal(vips_black(&img, 64, 48, "bands", 3, NULL), 0);
  void *jpg = NULL;
  size_t jn = 0;
  assert_int_equal(vips_jpegsave_buffer(img, &jpg, &jn, "strip", TRUE, NULL), 0);
  g_object_unref(img);
  static const unsigned char app1[] = {
      0xFF, 0xE1, 0x00, 0x58, 'E', 'x', 'i', 'f', 0, 0,
      /* TIFF header */ 'I', 'I', 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00,
      /* IFD0: 1 entry, GPSInfo → 26 */ 0x01, 0x00, 0x25, 0x88, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00,
      0x1A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      /* GPS IFD: 2 entries */ 0x02, 0x00,
      0x01, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 'N', 0x00, 0x00, 0x00,
      0x02, 0x00, 0x05, 0x00, 0x03, 0x00, 0x00, 0x00, 0x38, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00,
      /* rationals */ 0x22, 0, 0, 0, 1, 0, 0, 0, 0x0A, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
  assert_int_equal(sizeof app1, 2 + 0x58);
  *n = jn + sizeof app1;
  unsigned char *out = malloc(*n);
  memcpy(out, jpg, 2);
  memcpy(out + 2, app1, sizeof app1);
  memcpy(out + 2 + sizeof app1, (unsigned char *)jpg + 2, jn - 2);
  g_free(jpg);
  return out;
}

static bool has_gps(const void *data, size_t n) {
  VipsImage *img = vips_image_new_from_buffer(data, n, "", NULL);
  assert_non_null(img);
  bool gps = vips_image_get_typeof(img, "exif-ifd3-GPSLatitude") != 0 ||
             vips_image_get_typeof(img, "exif-data") != 0;
  g_object_unref(img);
  return gps;
}

static void image_loses_exif_gps(void **state) {
  fixture *f = *state;
  size_t n;
  unsigned char *jpg = jpeg_with_gps(&n);
  assert_true(has_gps(jpg, n)); /* the fixture really carries GPS */
  kv k = file_kv("photo.png", jpg, n); /* wrong extension on purpose */
  long long id;
  const char *why;
  assert_int_equal(upload_store(&f->a, f->db, &k, &UPLOAD_POLICY_REFERENCE, &id, &why), 0);
  char path[300], name[300], mime[100];
  row_of(f, id, path, name, mime);
  assert_string_equal(mime, "image/jpeg");
  assert_non_null(strstr(path, ".jpg"));
  char full[900];
  snprintf(full, sizeof full, "%s/%s", f->a.cfg.data_dir, path);
  size_t on;
  char *got = read_all(full, &on);
  assert_false(has_gps(got, on));
  assert_null(memmem(got, on, "Exif", 4));
  free(got);
  free(jpg);
  vips_thread_shutdown();
}

int main(void) {
  if (upload_init("test_upload")) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(pdf_named_jpg_is_stored_as_pdf, setup, teardown),
      cmocka_unit_test_setup_teardown(scripts_and_executables_are_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(size_cap, setup, teardown),
      cmocka_unit_test_setup_teardown(client_name_never_reaches_the_disk, setup, teardown),
      cmocka_unit_test(names_are_cleaned),
      cmocka_unit_test_setup_teardown(image_loses_exif_gps, setup, teardown),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  upload_shutdown();
  return rc;
}
