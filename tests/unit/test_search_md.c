/* test_search_md.c — fixed pages are indexed for the site search as the
 * text a reader sees (search_markdown_text, SQL civicnet_md_text): no
 * Markdown syntax, no URLs, no HTML tags; words split across blocks stay
 * apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"

static char *md(const char *s) { return search_markdown_text(s, strlen(s)); }

static void test_markdown_to_text(void **state) {
  (void)state;
  char *t = md("# センターについて\n\n**開館時間**は9:00〜21:00です。\n\n"
               "- [アクセス](/p/center/access)\n- 利用できる`サービス`\n\n"
               "<div class=\"x\">貼り付けた<b>HTML</b></div>\n\n![館内の写真](/files/1)\n");
  assert_non_null(t);
  assert_string_equal(t, "センターについて\n開館時間は9:00〜21:00です。\nアクセス\n利用できるサービス\n"
                          " 貼り付けた HTML  \n館内の写真");
  free(t);
  t = md("");
  assert_non_null(t);
  assert_string_equal(t, "");
  free(t);
  t = md("一行目\n二行目"); /* a soft break becomes a space */
  assert_string_equal(t, "一行目 二行目");
  free(t);
}

static void test_sql_function(void **state) {
  (void)state;
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(search_register(db), 0);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT civicnet_md_text('## 見出し' || char(10) || char(10) || '[リンク](https://example.jp/)')",
                                      -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(st, 0), "見出し\nリンク");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_markdown_to_text),
      cmocka_unit_test(test_sql_function),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
