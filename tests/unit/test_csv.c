/* test_csv.c — unit tests for src/csv.c (RFC 4180 quoting, CRLF, BOM,
 * the formula-injection guard) and one consistency check of the staff
 * content screens: every editable schema column of each content type is
 * declared on its admin create and edit routes (routes.c), so a form field
 * can never be refused with 400 because the route table lagged behind the
 * schema. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "csvfile.h"
#include "route.h"
#include "schema.h"

static const char *row(const char *const *cells, int n, buf *b) {
  buf_reset(b);
  for (int i = 0; i < n; i++) csv_cell(b, cells[i], i == 0);
  csv_row_end(b);
  return buf_cstr(b);
}

static void test_plain_and_quoted(void **state) {
  (void)state;
  buf b;
  buf_init(&b);
  const char *c1[] = {"山口", "abc", ""};
  assert_string_equal(row(c1, 3, &b), "山口,abc,\r\n");
  const char *c2[] = {"a,b", "say \"hi\"", "line1\nline2", "cr\rx"};
  assert_string_equal(row(c2, 4, &b), "\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\",\"cr\rx\"\r\n");
  const char *c3[] = {NULL, "x"};
  assert_string_equal(row(c3, 2, &b), ",x\r\n");
  buf_free(&b);
}

static void test_formula_guard(void **state) {
  (void)state;
  buf b;
  buf_init(&b);
  const char *c[] = {"=1+1", "+81", "-5", "@SUM(A1)", "\tx", "\rx", "a=b", "083-000-0000"};
  assert_string_equal(row(c, 8, &b),
                      "\"'=1+1\",\"'+81\",\"'-5\",\"'@SUM(A1)\",\"'\tx\",\"'\rx\",a=b,083-000-0000\r\n");
  const char *d[] = {"=HYPERLINK(\"http://x\",\"y\")"};
  assert_string_equal(row(d, 1, &b), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n");
  assert_true(csv_formula_risk("=x"));
  assert_false(csv_formula_risk(""));
  assert_false(csv_formula_risk(NULL));
  assert_false(csv_formula_risk("０=全角"));
  buf_free(&b);
}

static void test_bom(void **state) {
  (void)state;
  buf b;
  buf_init(&b);
  csv_bom(&b);
  csv_cell(&b, "名前", true);
  csv_row_end(&b);
  assert_int_equal(b.len, 3 + strlen("名前") + 2);
  assert_memory_equal(b.data, "\xEF\xBB\xBF", 3);
  buf_free(&b);
}

/* The route with exactly this method bit and pattern, or NULL. */
static const route *find_route(unsigned method, const char *pattern) {
  for (const route *r = ROUTES; r->pattern; r++)
    if ((r->methods & method) && strcmp(r->pattern, pattern) == 0) return r;
  return NULL;
}

/* csv_read: rows, quoted line breaks, doubled quotes, the line each row
 * starts on, and the errors a broken file gets. */
typedef struct rows_seen { char out[512]; int rows; } rows_seen;
static int collect(void *ctx, char **cells, size_t n, long line) {
  rows_seen *s = ctx;
  size_t l = strlen(s->out);
  snprintf(s->out + l, sizeof s->out - l, "%ld:", line);
  for (size_t i = 0; i < n; i++) {
    l = strlen(s->out);
    snprintf(s->out + l, sizeof s->out - l, "[%s]", cells[i]);
  }
  l = strlen(s->out);
  snprintf(s->out + l, sizeof s->out - l, "\n");
  s->rows++;
  return 0;
}

static void test_read(void **state) {
  (void)state;
  char err[200] = "";
  rows_seen s = {0};
  const char *in = "\xEF\xBB\xBF名前,備考\r\n\"髙橋, 﨑\",\"a \"\"q\"\"\nb\"\r\nx,\r\n";
  assert_int_equal(csv_read(in, strlen(in), collect, &s, err, sizeof err), 0);
  assert_string_equal(s.out, "1:[名前][備考]\n2:[髙橋, 﨑][a \"q\"\nb]\n4:[x][]\n");
  rows_seen t = {0};
  const char *bad = "a,b\n\"open,c\n";
  assert_int_equal(csv_read(bad, strlen(bad), collect, &t, err, sizeof err), -1);
  assert_non_null(strstr(err, "2 行目"));
  rows_seen u = {0};
  const char *stray = "a,b\nx\"y,c\n";
  assert_int_equal(csv_read(stray, strlen(stray), collect, &u, err, sizeof err), -1);
  assert_non_null(strstr(err, "2 行目"));
}

static void test_decode(void **state) {
  (void)state;
  arena a;
  arena_init(&a);
  char err[200];
  size_t n = 0;
  /* 「髙橋①ｶﾅ」 in CP932 (IBM/NEC extensions and half-width kana) */
  const char sj[] = "\xfb\xfc\x8b\xb4\x87\x40\xb6\xc5";
  char *u = csv_decode(&a, sj, sizeof sj - 1, "cp932", &n, err, sizeof err);
  assert_non_null(u);
  assert_string_equal(u, "髙橋①ｶﾅ");
  assert_non_null(csv_decode(&a, sj, sizeof sj - 1, "auto", &n, err, sizeof err));
  assert_null(csv_decode(&a, sj, sizeof sj - 1, "utf-8", &n, err, sizeof err));
  u = csv_decode(&a, "\xEF\xBB\xBF" "abc", 6, "auto", &n, err, sizeof err);
  assert_string_equal(u, "abc");
  assert_int_equal(n, 3);
  arena_free(&a);
}

static void test_admin_routes_declare_columns(void **state) {
  (void)state;
  static const char *const TYPES[] = {"group", "event", "grant", "report", "book", "news", "page"};
  for (size_t i = 0; i < sizeof TYPES / sizeof *TYPES; i++) {
    const content_type *t = schema_find(TYPES[i]);
    assert_non_null(t);
    assert_non_null(t->admin_base);
    char edit[128], create[128];
    snprintf(edit, sizeof edit, "%s{id:int}", t->admin_base);
    snprintf(create, sizeof create, "%snew", t->admin_base);
    const route *re = find_route(M_POST, edit), *rc = find_route(M_POST, create);
    if (!re || !rc) fail_msg("%s: POST %s and %s must be routed", t->name, edit, create);
    for (const field *f = t->fields; f->column; f++) {
      /* state and publication time change only through the publish flow */
      if (!strcmp(f->column, "status") || !strcmp(f->column, "published_at")) continue;
      if (!route_declares(re, f->column) || !route_declares(rc, f->column))
        fail_msg("%s: column %s is not declared on %s / %s", t->name, f->column, edit, create);
      if (f->kind == F_FILE) {
        char rm[96];
        snprintf(rm, sizeof rm, "%s_remove", f->column);
        if (!route_declares(re, rm)) fail_msg("%s: %s not declared on %s", t->name, rm, edit);
      }
    }
  }
}

/* issue 7: csv import — dates as spreadsheets write them (import_csv.c),
 * and the header listing of every type. */
#include <stdlib.h>
#include "import_csv.h"
static void test_import_dates(void **state) {
  (void)state;
  char d[11];
  static const char *const ok[][2] = {
      {"2026/4/1", "2026-04-01"},       {"2026-04-01", "2026-04-01"},
      {"2026.4.1", "2026-04-01"},       {"2026年4月1日", "2026-04-01"},
      {"令和8年4月1日", "2026-04-01"},   {"令和元年5月1日", "2019-05-01"},
      {"平成31年4月30日", "2019-04-30"}, {"昭和64年1月7日", "1989-01-07"},
      {"R8.4.1", "2026-04-01"},         {"２０２６／４／１", "2026-04-01"},
      {"2026/4/1 0:00", "2026-04-01"},  {" 2026/12/31 ", "2026-12-31"},
  };
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
    memset(d, 0, sizeof d);
    if (!import_csv_date(ok[i][0], d)) fail_msg("not understood: %s", ok[i][0]);
    assert_string_equal(d, ok[i][1]);
  }
  static const char *const bad[] = {"", "2026", "2026/13/1", "2026/4/32", "4/1/2026", "令和8年", "26/4/1",
                                    "2026/4/1x", "明日", "2026//1"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    if (import_csv_date(bad[i], d)) fail_msg("accepted: %s", bad[i]);
}

static void test_import_columns(void **state) {
  (void)state;
  for (int i = 0; CONTENT_TYPES[i]; i++) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_int_equal(import_csv_columns(CONTENT_TYPES[i]->name, f), 0);
    fclose(f);
    /* every field label is listed as an accepted header */
    for (const field *fl = CONTENT_TYPES[i]->fields; fl->column; fl++) {
      char cell[256];
      snprintf(cell, sizeof cell, "| %s | %s |", fl->label, fl->column);
      if (!strstr(text, cell)) fail_msg("%s: %s missing", CONTENT_TYPES[i]->name, cell);
    }
    free(text);
  }
  FILE *f = fopen("/dev/null", "w");
  assert_int_equal(import_csv_columns("subscriber", f), 0);
  assert_int_equal(import_csv_columns("nosuch", f), 2);
  fclose(f);
}
/* end issue 7: csv import */

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_import_dates), /* issue 7: csv import */
      cmocka_unit_test(test_import_columns), /* issue 7: csv import */
      cmocka_unit_test(test_plain_and_quoted),
      cmocka_unit_test(test_formula_guard),
      cmocka_unit_test(test_bom),
      cmocka_unit_test(test_read),
      cmocka_unit_test(test_decode),
      cmocka_unit_test(test_admin_routes_declare_columns),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
