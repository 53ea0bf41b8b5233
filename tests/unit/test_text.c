/* test_text.c — unit tests for Japanese-aware search: text_fold (NFKC,
 * case folding, katakana → hiragana, half-width kana, ー kept, white space,
 * invalid UTF-8), the civicnet_bigram tokenizer (bigrams, single
 * characters, mixed ASCII/CJK, byte offsets), FTS5 query strings built
 * from user input, highlighting, and the tokenizer inside a real FTS5
 * table (in-memory SQLite). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "search.h"
#include "text.h"

#define FFFD "\xEF\xBF\xBD"

static void fold_is(const char *in, const char *expect) {
  arena a;
  arena_init(&a);
  const char *got = text_fold(&a, in);
  if (strcmp(got, expect) != 0) fail_msg("text_fold(\"%s\") = \"%s\", expected \"%s\"", in, got, expect);
  arena_free(&a);
}

/* ----- text_fold ----- */

static void test_fold_width(void **state) {
  (void)state;
  fold_is("１２３", "123");          /* full-width digits */
  fold_is("ＡＢＣ　ｘｙｚ", "abc xyz"); /* full-width letters, ideographic space */
  fold_is("ABC def", "abc def");
  fold_is("①Ⅱ", "1ii");              /* compatibility forms */
  fold_is("㈱", "(株)");
}

static void test_fold_kana(void **state) {
  (void)state;
  fold_is("カタカナ", "かたかな");
  fold_is("ｶﾀｶﾅ", "かたかな");        /* half-width katakana */
  fold_is("ｶﾞｯｺｳ", "がっこう");        /* half-width sound mark composes */
  fold_is("ﾊﾟﾝ", "ぱん");
  fold_is("ひらがな", "ひらがな");
  fold_is("ヴァイオリン", "ゔぁいおりん");
  fold_is("ボランティアセンター", "ぼらんてぃあせんたー"); /* ー kept */
  fold_is("ｾﾝﾀｰ", "せんたー");        /* half-width ｰ → ー */
  fold_is("福祉サービス", "福祉さーびす");
  fold_is("ヽヾ・", "ゝゞ・");
}

static void test_fold_space(void **state) {
  (void)state;
  fold_is("  福祉 \t\n 子育て\u3000\u3000支援  ", "福祉 子育て 支援");
  fold_is("", "");
  fold_is(" \u3000 ", "");
  fold_is(NULL, "");
  fold_is("a\u200Bb", "ab"); /* zero-width space is ignorable */
}

static void test_fold_invalid_utf8(void **state) {
  (void)state;
  fold_is("a\xFF" "b", "a" FFFD "b");
  fold_is("\xE7\xA6", FFFD FFFD);     /* truncated 3-byte sequence */
  fold_is("\xC0\xAF", FFFD FFFD);     /* overlong */
  fold_is("\xED\xA0\x80", FFFD FFFD FFFD); /* surrogate */
  assert_int_equal(text_length("a\xFF" "福"), 3);
  assert_int_equal(text_length("福祉サービス"), 6);
}

static void test_classes(void **state) {
  (void)state;
  assert_int_equal(text_class_of('a'), TC_WORD);
  assert_int_equal(text_class_of('7'), TC_WORD);
  assert_int_equal(text_class_of(' '), TC_SPACE);
  assert_int_equal(text_class_of('"'), TC_PUNCT);
  assert_int_equal(text_class_of(0x00E9), TC_WORD); /* é */
  assert_int_equal(text_class_of(0x798F), TC_CJK);  /* 福 */
  assert_int_equal(text_class_of(0x3042), TC_CJK);  /* あ */
  assert_int_equal(text_class_of(0x30FC), TC_CJK);  /* ー */
  assert_int_equal(text_class_of(0x3005), TC_CJK);  /* 々 */
  assert_int_equal(text_class_of(0x30FB), TC_PUNCT); /* ・ */
  assert_int_equal(text_class_of(0x3001), TC_PUNCT); /* 、 */
}

/* ----- tokenizer ----- */

typedef struct toks {
  char out[2048];
  size_t len;
} toks;

/* Collects "tok@start-end" separated by spaces, colocated ones as "+tok". */
static int collect(void *ctx, int tflags, const char *tok, int n, int start, int end) {
  toks *t = ctx;
  int w = snprintf(t->out + t->len, sizeof t->out - t->len, "%s%s%.*s@%d-%d",
                   t->len ? " " : "", (tflags & FTS5_TOKEN_COLOCATED) ? "+" : "", n, tok,
                   start, end);
  if (w > 0) t->len += (size_t)w;
  return SQLITE_OK;
}

/* Same without offsets. */
static int collect_plain(void *ctx, int tflags, const char *tok, int n, int start, int end) {
  (void)start;
  (void)end;
  toks *t = ctx;
  int w = snprintf(t->out + t->len, sizeof t->out - t->len, "%s%s%.*s", t->len ? " " : "",
                   (tflags & FTS5_TOKEN_COLOCATED) ? "+" : "", n, tok);
  if (w > 0) t->len += (size_t)w;
  return SQLITE_OK;
}

static void tokens_are(const char *in, bool query, const char *expect) {
  toks t = {.len = 0};
  t.out[0] = 0;
  assert_int_equal(search_tokenize(in, (int)strlen(in), query, collect_plain, &t), SQLITE_OK);
  if (strcmp(t.out, expect) != 0)
    fail_msg("tokens of \"%s\" (%s): \"%s\", expected \"%s\"", in, query ? "query" : "document",
             t.out, expect);
}

static void test_tokens_bigrams(void **state) {
  (void)state;
  tokens_are("福祉", true, "福祉");
  tokens_are("福祉", false, "福祉 +福 +祉");
  tokens_are("子育て支援", true, "子育 育て て支 支援");
  tokens_are("子育て支援", false, "子育 +子 育て +育 て支 +て 支援 +支 +援");
  tokens_are("森", true, "森");
  tokens_are("森", false, "森");
  tokens_are("ああ", false, "ああ +あ"); /* no duplicate token at one position */
}

static void test_tokens_folding(void **state) {
  (void)state;
  tokens_are("カタカナ", true, "かた たか かな");
  tokens_are("ｶﾀｶﾅ", true, "かた たか かな");
  tokens_are("かたかな", true, "かた たか かな");
  tokens_are("ＮＰＯ法人", true, "npo 法人");
  tokens_are("ボランティア・センター", true, "ぼら らん んて てぃ ぃあ せん んた たー");
}

static void test_tokens_mixed(void **state) {
  (void)state;
  tokens_are("NPO法人やまぐち2027年", true, "npo 法人 人や やま まぐ ぐち 2027 年");
  tokens_are("Hello, World!", false, "hello world");
  tokens_are("e-mail: info@example.jp", true, "e mail info example jp");
  tokens_are("「福祉」、子育て。", true, "福祉 子育 育て");
  tokens_are("\"NEAR( AND *", true, "near and");
  tokens_are("", true, "");
  tokens_are(" \t ", false, "");
  tokens_are("a\xFF" "b", true, "a b"); /* U+FFFD is a separator */
}

static void test_tokens_offsets(void **state) {
  (void)state;
  const char *in = "ｶﾀ ab福祉";
  toks t = {.len = 0};
  assert_int_equal(search_tokenize(in, (int)strlen(in), false, collect, &t), SQLITE_OK);
  /* ｶ is 3 bytes, ﾀ 3, space 1, ab 2, 福 3, 祉 3 */
  assert_string_equal(t.out, "かた@0-6 +か@0-3 +た@3-6 ab@7-9 福祉@9-15 +福@9-12 +祉@12-15");
}

static void test_tokens_long_word(void **state) {
  (void)state;
  char in[200];
  memset(in, 'x', 150);
  in[150] = 0;
  toks t = {.len = 0};
  assert_int_equal(search_tokenize(in, 150, true, collect, &t), SQLITE_OK);
  char expect[100];
  memset(expect, 'x', SEARCH_WORD_MAX);
  snprintf(expect + SEARCH_WORD_MAX, sizeof expect - SEARCH_WORD_MAX, "@0-150");
  assert_string_equal(t.out, expect);
}

/* ----- query strings ----- */

static void query_is(const char *q, const char *expect) {
  arena a;
  arena_init(&a);
  const char *got = search_fts_query(&a, text_fold(&a, q));
  if (!expect) {
    if (got) fail_msg("query \"%s\" → %s, expected NULL", q, got);
  } else if (!got || strcmp(got, expect) != 0) {
    fail_msg("query \"%s\" → %s, expected %s", q, got ? got : "NULL", expect);
  }
  arena_free(&a);
}

static void test_fts_query(void **state) {
  (void)state;
  query_is("福祉", "\"福祉\"");
  query_is("福祉　子育て", "\"福祉\" \"子育て\"");
  query_is("a\"b", "\"a\"\"b\"");
  query_is("NEAR( x", "\"near(\" \"x\"");
  query_is("foo AND bar", "\"foo\" \"and\" \"bar\"");
  query_is("* \" ( )", NULL);
  query_is("", NULL);
  query_is("1 2 3 4 5 6 7 8 9 10 11 12", "\"1\" \"2\" \"3\" \"4\" \"5\" \"6\" \"7\" \"8\" \"9\" \"10\"");
}

/* ----- highlighting ----- */

static void highlight_is(const char *text, const char *q, size_t snippet, const char *expect) {
  arena a;
  arena_init(&a);
  const char *got = search_highlight(&a, text, text_fold(&a, q), snippet);
  if (strcmp(got, expect) != 0)
    fail_msg("highlight(\"%s\", \"%s\") = \"%s\", expected \"%s\"", text, q, got, expect);
  arena_free(&a);
}

static void test_highlight(void **state) {
  (void)state;
  highlight_is("福祉サービスのご案内", "福祉", 0, "<mark>福祉</mark>サービスのご案内");
  highlight_is("ﾎﾞﾗﾝﾃｨｱ募集", "ボランティア", 0, "<mark>ﾎﾞﾗﾝﾃｨｱ</mark>募集");
  highlight_is("子育て支援と子育て", "子育て", 0, "<mark>子育て</mark>支援と<mark>子育て</mark>");
  highlight_is("<b>福祉</b> & \"x\"", "福祉", 0,
               "&lt;b&gt;<mark>福祉</mark>&lt;/b&gt; &amp; &quot;x&quot;");
  highlight_is("<script>alert(1)</script>", "script", 0,
               "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;");
  highlight_is("npo and npos", "NPO", 0, "<mark>npo</mark> and npos"); /* whole words */
  highlight_is("ＮＰＯ法人", "npo", 0, "<mark>ＮＰＯ</mark>法人");
  highlight_is("no match", "福祉", 0, "no match");
  highlight_is("a\xFF" "福祉", "福祉", 0, "a" FFFD "<mark>福祉</mark>");
  highlight_is("", "福祉", 0, "");
  highlight_is("abcdefghij福祉klmnopqrstuvwxyz", "福祉", 8, "…ij<mark>福祉</mark>klmn…");
  highlight_is("福祉abcdefghijklmnop", "福祉", 8, "<mark>福祉</mark>abcdef…");
  highlight_is("abcdefghijklmnop", "福祉", 4, "abcd…");
}

/* ----- in a real FTS5 table ----- */

static int count_match(sqlite3 *db, const char *q) {
  arena a;
  arena_init(&a);
  const char *m = search_fts_query(&a, text_fold(&a, q));
  int n = -1;
  sqlite3_stmt *st = NULL;
  if (m && sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int(st, 0);
  }
  sqlite3_finalize(st);
  arena_free(&a);
  return n;
}

static void test_fts5_table(void **state) {
  (void)state;
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(search_register(db), 0);
  assert_int_equal(sqlite3_exec(db,
      "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='civicnet_bigram');"
      "INSERT INTO t(rowid, body) VALUES (1, '福祉サービスの案内'), (2, 'ボランティア募集'),"
      " (3, 'NPO法人の子育て支援'), (4, '森の清掃'), (5, 'ＡＢＣ株式会社');",
      NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(count_match(db, "福祉"), 1);
  assert_int_equal(count_match(db, "サービス"), 1);
  assert_int_equal(count_match(db, "さーびす"), 1);
  assert_int_equal(count_match(db, "ぼらんてぃあ"), 1);
  assert_int_equal(count_match(db, "ﾎﾞﾗﾝﾃｨｱ"), 1);
  assert_int_equal(count_match(db, "子育て"), 1);
  assert_int_equal(count_match(db, "育て支"), 1);
  assert_int_equal(count_match(db, "npo法人"), 1);
  assert_int_equal(count_match(db, "ＮＰＯ 支援"), 1);
  assert_int_equal(count_match(db, "森"), 1);
  assert_int_equal(count_match(db, "援"), 1);  /* last character of a run */
  assert_int_equal(count_match(db, "の"), 3);
  assert_int_equal(count_match(db, "abc"), 1);
  assert_int_equal(count_match(db, "福祉 森"), 0);
  assert_int_equal(count_match(db, "祉サ"), 1);
  assert_int_equal(count_match(db, "福サ"), 0);  /* not a substring */
  assert_int_equal(count_match(db, "\"NEAR( AND"), 0); /* no syntax error */
  sqlite3_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fold_width),
      cmocka_unit_test(test_fold_kana),
      cmocka_unit_test(test_fold_space),
      cmocka_unit_test(test_fold_invalid_utf8),
      cmocka_unit_test(test_classes),
      cmocka_unit_test(test_tokens_bigrams),
      cmocka_unit_test(test_tokens_folding),
      cmocka_unit_test(test_tokens_mixed),
      cmocka_unit_test(test_tokens_offsets),
      cmocka_unit_test(test_tokens_long_word),
      cmocka_unit_test(test_fts_query),
      cmocka_unit_test(test_highlight),
      cmocka_unit_test(test_fts5_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
