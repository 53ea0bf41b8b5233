/* test_analytics.c — unit tests for the pure parts of src/analytics.c:
 * bot detection, the external referrer host (host only, own host and IP
 * addresses never kept), the search-word normalisation with its
 * personal-data guard, path capping, GA measurement ID validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "analytics.h"

static void test_bots(void **state) {
  (void)state;
  assert_true(analytics_is_bot(NULL));
  assert_true(analytics_is_bot(""));
  assert_true(analytics_is_bot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"));
  assert_true(analytics_is_bot("Mozilla/5.0 (compatible; bingbot/2.0)"));
  assert_true(analytics_is_bot("Baiduspider"));
  assert_true(analytics_is_bot("curl/8.5.0"));
  assert_true(analytics_is_bot("python-requests/2.31"));
  assert_true(analytics_is_bot("Some Crawler 1.0"));
  assert_false(analytics_is_bot("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36"));
  assert_false(analytics_is_bot("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"));
  assert_false(analytics_is_bot("node"));
}

static void test_referrer(void **state) {
  (void)state;
  arena a;
  arena_init(&a);
  assert_string_equal(analytics_referrer_host(&a, "https://www.Example.org/path?q=secret#x", "localhost:8080"),
                      "www.example.org");
  assert_string_equal(analytics_referrer_host(&a, "http://user:pw@news.example.jp:8443/a", "x"), "news.example.jp");
  assert_null(analytics_referrer_host(&a, "http://localhost:8080/groups/", "localhost:8080"));
  assert_null(analytics_referrer_host(&a, "https://LOCALHOST/", "localhost"));
  assert_null(analytics_referrer_host(&a, "android-app://com.example", "x"));
  assert_null(analytics_referrer_host(&a, "javascript:alert(1)", "x"));
  assert_null(analytics_referrer_host(&a, NULL, "x"));
  assert_null(analytics_referrer_host(&a, "https:///nohost", "x"));
  assert_null(analytics_referrer_host(&a, "https://bad_host<script>/", "x"));
  assert_string_equal(analytics_referrer_host(&a, "http://192.168.1.20/page", "x"), "(IPアドレス)");
  assert_string_equal(analytics_referrer_host(&a, "http://[2001:db8::1]/page", "x"), "(IPアドレス)");
  arena_free(&a);
}

static void test_search_term(void **state) {
  (void)state;
  arena a;
  arena_init(&a);
  assert_string_equal(analytics_search_term(&a, "  福祉 \t 子ども\u3000食堂  "), "福祉 子ども 食堂");
  assert_string_equal(analytics_search_term(&a, "   "), "");
  assert_string_equal(analytics_search_term(&a, NULL), "");
  assert_string_equal(analytics_search_term(&a, "taro@example.jp"), ANALYTICS_PRIVATE_TERM);
  assert_string_equal(analytics_search_term(&a, "山口 090-1234-5678"), ANALYTICS_PRIVATE_TERM);
  assert_string_equal(analytics_search_term(&a, "０８３９２２１２３４"), ANALYTICS_PRIVATE_TERM);
  assert_string_equal(analytics_search_term(&a, "2026年 753-0000"), "2026年 753-0000");
  /* capped at 100 characters, never splitting a character */
  char in[700] = "";
  for (int i = 0; i < 150; i++) strcat(in, "あ");
  const char *t = analytics_search_term(&a, in);
  assert_int_equal(strlen(t), 300);
  arena_free(&a);
}

static void test_path_key(void **state) {
  (void)state;
  arena a;
  arena_init(&a);
  assert_string_equal(analytics_path_key(&a, "/groups/12"), "/groups/12");
  assert_string_equal(analytics_path_key(&a, ""), "/");
  char in[1000] = "/";
  for (int i = 0; i < 100; i++) strcat(in, "ページ");
  const char *k = analytics_path_key(&a, in);
  assert_true(strlen(k) <= ANALYTICS_PATH_MAX);
  assert_int_equal(strlen(k) % 3, 1); /* "/" + whole 3-byte characters */
  arena_free(&a);
}

static void test_ga_id(void **state) {
  (void)state;
  assert_true(analytics_ga_id_valid("G-ABC123DEF4"));
  assert_true(analytics_ga_id_valid("G-1234"));
  assert_false(analytics_ga_id_valid("G-123"));
  assert_false(analytics_ga_id_valid("g-abc123def4"));
  assert_false(analytics_ga_id_valid("UA-12345-1"));
  assert_false(analytics_ga_id_valid("G-ABC\"><script>"));
  assert_false(analytics_ga_id_valid("G-ABCDEFGHIJKLMNOPQRSTU"));
  assert_false(analytics_ga_id_valid(""));
  assert_false(analytics_ga_id_valid(NULL));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bots),
      cmocka_unit_test(test_referrer),
      cmocka_unit_test(test_search_term),
      cmocka_unit_test(test_path_key),
      cmocka_unit_test(test_ga_id),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
