/* test_facility_health.c — unit tests for issue 6's facility calendar day
 * arithmetic (ui_facility.c: strict YYYY-MM-DD parsing, labels, weekdays)
 * and the health-app upload destination check (health_export.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "health_export.h"
#include "ui.h"

static void test_day_parse(void **state) {
  (void)state;
  long d;
  assert_true(fac_day_parse("1970-01-02", &d) == false); /* before 2000: refused */
  assert_true(fac_day_parse("2026-11-23", &d));
  assert_int_equal(fac_weekday(d), 1); /* Monday */
  long leap;
  assert_true(fac_day_parse("2028-02-29", &leap));
  assert_false(fac_day_parse("2026-02-29", &d));
  assert_false(fac_day_parse("2026-02-30", &d));
  assert_false(fac_day_parse("2026-13-01", &d));
  assert_false(fac_day_parse("2026-1-01", &d));
  assert_false(fac_day_parse("2026-01-01x", &d));
  assert_false(fac_day_parse("２０２６-01-01", &d));
  assert_false(fac_day_parse(NULL, &d));
  assert_true(fac_day_parse("2026-12-31", &d));
  long n;
  assert_true(fac_day_parse("2027-01-01", &n));
  assert_int_equal(n - d, 1);
}

static void test_day_labels(void **state) {
  (void)state;
  arena a;
  arena_init(&a);
  long d;
  assert_true(fac_day_parse("2026-11-22", &d));
  assert_string_equal(fac_day_iso(&a, d), "2026-11-22");
  assert_string_equal(fac_day_label(&a, d), "11月22日（日）");
  assert_string_equal(fac_day_label(&a, d + 6), "11月28日（土）");
  assert_string_equal(fac_status_label(FAC_FREE), "空き");
  assert_string_equal(fac_status_label(FAC_RESERVED), "予約済み");
  assert_string_equal(fac_status_label(FAC_CLOSED), "休館");
  arena_free(&a);
}

static void test_upload_url(void **state) {
  (void)state;
  assert_true(health_url_ok("ftp://ftp.example.jp/kenko/"));
  assert_true(health_url_ok("ftps://ftp.example.jp:990/"));
  assert_true(health_url_ok("sftp://192.0.2.1:22/home/kenko/upload/"));
  assert_false(health_url_ok("ftp://ftp.example.jp/kenko"));      /* a folder ends in / */
  assert_false(health_url_ok("http://example.jp/"));
  assert_false(health_url_ok("ftp://user:pw@ftp.example.jp/"));   /* credentials elsewhere */
  assert_false(health_url_ok("ftp:///dir/"));
  assert_false(health_url_ok("ftp://host/dir /"));
  assert_false(health_url_ok("ftp://host/a%0d%0aDELE x/"));       /* encoded CR LF */
  assert_false(health_url_ok("ftp://host/a?b/"));
  assert_false(health_url_ok("ftp://host/日本/"));
  assert_false(health_url_ok(""));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_day_parse),
      cmocka_unit_test(test_day_labels),
      cmocka_unit_test(test_upload_url),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
