/* test_mysqldump.c — unit tests for the streaming mysqldump reader
 * (src/mysqldump.c): CREATE TABLE column names, multi-row INSERT with and
 * without column lists, every string escape, '' doubling, NULL versus
 * 'NULL' and '', numbers and signs, hex / X'' / b'' / _binary values,
 * comments of every kind, skipped statements, utf8mb4 (emoji), a value
 * split at every possible chunk boundary, a 5 MB line fed in small chunks,
 * and malformed input (an error naming the line, never a crash). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mysqldump.h"
#include "util.h"

/* Rows collected as text: "table|line|col=value|col=NULL…\n" (values
 * shown with non-printable bytes as \xHH). */
typedef struct rows {
  buf out;
  int n;
  long long total_len;
  int stop_after;
} rows;

static int collect(void *ctx, const char *table, const char *const *cols, int ncols,
                   const md_value *vals, int nvals, long line) {
  rows *r = ctx;
  r->n++;
  buf_printf(&r->out, "%s|%ld", table, line);
  for (int i = 0; i < nvals; i++) {
    buf_printf(&r->out, "|%s=", i < ncols ? cols[i] : "?");
    r->total_len += (long long)vals[i].len;
    if (vals[i].null) {
      buf_puts(&r->out, "NULL");
      continue;
    }
    if (vals[i].len > 200) {
      buf_printf(&r->out, "<%zu bytes>", vals[i].len);
      continue;
    }
    for (size_t k = 0; k < vals[i].len; k++) {
      unsigned char c = (unsigned char)vals[i].s[k];
      if (c < 0x20 || c == 0x7f) buf_printf(&r->out, "\\x%02X", c);
      else buf_putc(&r->out, (char)c);
    }
  }
  buf_putc(&r->out, '\n');
  if (r->stop_after && r->n >= r->stop_after) return 7;
  return 0;
}

/* Parse s in chunks of chunk bytes; returns the rc, rows in *r. */
static int parse_chunks(const char *s, size_t len, size_t chunk, rows *r, char *err, size_t errlen) {
  buf_init(&r->out);
  r->n = 0;
  r->total_len = 0;
  md_parser *p = md_new(collect, r);
  int rc = 0;
  for (size_t i = 0; i < len && !rc; i += chunk) rc = md_feed(p, s + i, len - i < chunk ? len - i : chunk);
  if (!rc) rc = md_finish(p);
  snprintf(err, errlen, "%s", md_error(p));
  md_free(p);
  return rc;
}

static const char *parse_ok(const char *s, rows *r) {
  char err[300];
  int rc = parse_chunks(s, strlen(s), 65536, r, err, sizeof err);
  if (rc) fail_msg("parse failed: %d %s", rc, err);
  return buf_cstr(&r->out);
}

static void expect_rows(const char *sql, const char *expected) {
  rows r = {0};
  const char *got = parse_ok(sql, &r);
  if (strcmp(got, expected)) fail_msg("got:\n%s\nexpected:\n%s", got, expected);
  buf_free(&r.out);
}

static const char HEADER[] =
    "-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n"
    "--\n-- Host: localhost    Database: kenmin\n"
    "-- ------------------------------------------------------\n"
    "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n"
    "/*!50503 SET NAMES utf8mb4 */;\n"
    "SET @@SESSION.SQL_LOG_BIN= 0;\n"
    "DROP TABLE IF EXISTS `wp_posts`;\n"
    "/*!40101 SET @saved_cs_client     = @@character_set_client */;\n"
    "CREATE TABLE `wp_posts` (\n"
    "  `ID` bigint unsigned NOT NULL AUTO_INCREMENT,\n"
    "  `post_title` text COLLATE utf8mb4_unicode_520_ci NOT NULL,\n"
    "  `post_status` varchar(20) NOT NULL DEFAULT 'publish',\n"
    "  `price` decimal(10,2) DEFAULT NULL,\n"
    "  PRIMARY KEY (`ID`),\n"
    "  KEY `type_status_date` (`post_status`,`ID`),\n"
    "  CONSTRAINT `x` CHECK ((`ID` > 0))\n"
    ") ENGINE=InnoDB AUTO_INCREMENT=12 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;\n"
    "LOCK TABLES `wp_posts` WRITE;\n"
    "/*!40000 ALTER TABLE `wp_posts` DISABLE KEYS */;\n";

static void test_create_and_multirow(void **state) {
  (void)state;
  char sql[4096];
  snprintf(sql, sizeof sql, "%s%s", HEADER,
           "INSERT INTO `wp_posts` VALUES (1,'Hello','publish',1.50),(2,'二番目','draft',NULL);\n"
           "INSERT INTO `wp_posts` VALUES (3,'three','trash',-2.5e+3);\n"
           "/*!40000 ALTER TABLE `wp_posts` ENABLE KEYS */;\nUNLOCK TABLES;\n");
  expect_rows(sql,
              "wp_posts|21|ID=1|post_title=Hello|post_status=publish|price=1.50\n"
              "wp_posts|21|ID=2|post_title=二番目|post_status=draft|price=NULL\n"
              "wp_posts|22|ID=3|post_title=three|post_status=trash|price=-2.5e+3\n");
}

static void test_column_list_and_replace(void **state) {
  (void)state;
  expect_rows("INSERT IGNORE INTO `db`.`t` (`a`, `b`) VALUES ('x', 'y');\n"
              "REPLACE INTO t2 (c) VALUE (5);\n"
              "INSERT INTO `t3` (`k`) VALUES (1) ON DUPLICATE KEY UPDATE k=VALUES(k);\n",
              "t|1|a=x|b=y\nt2|2|c=5\nt3|3|k=1\n");
}

static void test_every_escape(void **state) {
  (void)state;
  expect_rows("CREATE TABLE t (v text);\n"
              "INSERT INTO t VALUES ('q\\'q'),('d\\\"d'),('b\\\\s'),('n\\nr\\rt\\t'),('z\\0z'),"
              "('Z\\Zb\\b'),('pct\\%u\\_'),('it''s'),(\"dq\"\"x\"),(\"mix'\"),('other\\q');\n",
              "t|2|v=q'q\nt|2|v=d\"d\nt|2|v=b\\s\nt|2|v=n\\x0Ar\\x0Dt\\x09\nt|2|v=z\\x00z\n"
              "t|2|v=Z\\x1Ab\\x08\nt|2|v=pct\\%u\\_\nt|2|v=it's\nt|2|v=dq\"x\nt|2|v=mix'\nt|2|v=otherq\n");
}

/* NULL, 'NULL', '' and null: flags, not only text. */
static int null_flags(void *ctx, const char *table, const char *const *cols, int ncols,
                      const md_value *vals, int nvals, long line) {
  (void)table, (void)cols, (void)ncols, (void)line;
  buf *b = ctx;
  for (int i = 0; i < nvals; i++) buf_printf(b, "%s:%zu:%s;", vals[i].null ? "N" : "V", vals[i].len, vals[i].s);
  return 0;
}

static void test_null_vs_strings(void **state) {
  (void)state;
  buf b;
  buf_init(&b);
  md_parser *p = md_new(null_flags, &b);
  const char *sql = "CREATE TABLE t (a text, b text, c text, d text);\n"
                    "INSERT INTO t VALUES (NULL,'NULL','',null);\n";
  assert_int_equal(md_feed(p, sql, strlen(sql)), 0);
  assert_int_equal(md_finish(p), 0);
  assert_string_equal(buf_cstr(&b), "N:0:;V:4:NULL;V:0:;N:0:;");
  md_free(p);
  buf_free(&b);
}

static void test_numbers_hex_binary(void **state) {
  (void)state;
  expect_rows("CREATE TABLE t (a int, b blob, c blob, d blob, e bit(8), f text, g int, h text);\n"
              "INSERT INTO t VALUES (-7,0x41420A,X'4344',_binary 'b\\0in',b'01000001',_utf8mb4'あ',+3,x'');\n",
              "t|2|a=-7|b=AB\\x0A|c=CD|d=b\\x00in|e=A|f=あ|g=3|h=\n");
  /* a binary value keeps its NUL bytes in len */
  buf b;
  buf_init(&b);
  md_parser *p = md_new(null_flags, &b);
  const char *sql = "INSERT INTO t (x) VALUES (0x00FF00);";
  assert_int_equal(md_feed(p, sql, strlen(sql)), 0);
  assert_int_equal(md_finish(p), 0);
  assert_int_equal(strncmp(buf_cstr(&b), "V:3:", 4), 0);
  md_free(p);
  buf_free(&b);
  /* odd hex digit count gets a leading zero */
  expect_rows("INSERT INTO t (x) VALUES (0x141);", "t|1|x=\\x01A\n");
}

static void test_comments_and_skipped(void **state) {
  (void)state;
  expect_rows("-- comment with 'quote\n"
              "# hash comment ;\n"
              "/* block ; 'x' */\n"
              "/*!40101 SET NAMES utf8mb4 */;\n"
              "SET FOREIGN_KEY_CHECKS=0;\n"
              "LOCK TABLES `t` WRITE;\n"
              "DROP TABLE IF EXISTS `t`;\n"
              "CREATE TABLE `t` (`id` int, `v` varchar(10) DEFAULT 'a,b' /* c */, KEY `k` (`v`(3)));\n"
              "ALTER TABLE t ADD x int;\n"
              "INSERT INTO `t` VALUES (1,'a--b /* not */ # no'), -- trailing\n"
              "(2,'c');\n"
              "UNLOCK TABLES;\n"
              "CREATE TABLE `u` LIKE `t`;\n"
              "SET @a = 1",
              "t|10|id=1|v=a--b /* not */ # no\nt|11|id=2|v=c\n");
}

/* mysqldump --triggers/--routines: DELIMITER blocks, version comments
 * and routine bodies are skipped; the data around them is read. */
static void test_triggers_and_routines(void **state) {
  (void)state;
  expect_rows("INSERT INTO t (a) VALUES (1);\n"
              "DELIMITER ;;\n"
              "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `trg` BEFORE INSERT ON `t`"
              " FOR EACH ROW SET NEW.a = 1 */;;\n"
              "DELIMITER ;\n"
              "CREATE DEFINER=`root`@`localhost` PROCEDURE `p`()\nBEGIN\n  SELECT 1;\nEND ;\n"
              "INSERT INTO t (a) VALUES (2);\n",
              "t|1|a=1\nt|9|a=2\n");
}

static void test_utf8mb4(void **state) {
  (void)state;
  expect_rows("INSERT INTO t (v) VALUES ('髙﨑①ｶﾀｶﾅ🌸😀'),('𠮷野家');",
              "t|1|v=髙﨑①ｶﾀｶﾅ🌸😀\nt|1|v=𠮷野家\n");
}

/* Every split point of a statement full of tricky tokens gives the same
 * rows (values, strings, escapes, comments, emoji straddling chunks). */
static void test_chunk_boundaries(void **state) {
  (void)state;
  const char *sql =
      "-- head\n/*!40101 SET x=1 */;\nCREATE TABLE `t` (`a` text, `b` blob);\n"
      "INSERT INTO `t` VALUES ('it''s \\'q\\' 🌸 \\\\ end',0x4142),(NULL,X'43'),(-12,b'1'),('--',_binary '\\0');\n";
  rows whole = {0};
  const char *expect = parse_ok(sql, &whole);
  size_t len = strlen(sql);
  for (size_t chunk = 1; chunk <= 17; chunk++) {
    rows r = {0};
    char err[300];
    assert_int_equal(parse_chunks(sql, len, chunk, &r, err, sizeof err), 0);
    if (strcmp(buf_cstr(&r.out), expect)) fail_msg("chunk %zu:\n%s\nexpected\n%s", chunk, buf_cstr(&r.out), expect);
    buf_free(&r.out);
  }
  /* two chunks, split at every byte */
  for (size_t cut = 0; cut <= len; cut++) {
    buf out;
    rows r = {0};
    buf_init(&r.out);
    md_parser *p = md_new(collect, &r);
    assert_int_equal(md_feed(p, sql, cut), 0);
    assert_int_equal(md_feed(p, sql + cut, len - cut), 0);
    assert_int_equal(md_finish(p), 0);
    out = r.out;
    if (strcmp(buf_cstr(&out), expect)) fail_msg("cut %zu:\n%s", cut, buf_cstr(&out));
    md_free(p);
    buf_free(&r.out);
  }
  buf_free(&whole.out);
}

/* A 5 MB single-line INSERT (one 4 MB value and many rows), fed in 4 KiB
 * chunks: every byte arrives, the line numbers stay right. */
static void test_long_line(void **state) {
  (void)state;
  buf s;
  buf_init(&s);
  buf_puts(&s, "CREATE TABLE t (id int, v longtext);\nINSERT INTO t VALUES (1,'");
  for (int i = 0; i < 4 * 1024 * 1024 / 7; i++) buf_puts(&s, i % 1000 ? "abc\\'de " : "あ\\n🌸");
  buf_puts(&s, "')");
  for (int i = 2; i < 20000; i++) buf_printf(&s, ",(%d,'row %d 髙')", i, i);
  buf_puts(&s, ";\nINSERT INTO t VALUES (99999,'last');\n");
  assert_true(s.len > 5 * 1000 * 1000);
  rows r = {0};
  char err[300];
  assert_int_equal(parse_chunks(s.data, s.len, 4096, &r, err, sizeof err), 0);
  assert_int_equal(r.n, 20000);
  assert_non_null(strstr(buf_cstr(&r.out), "t|2|id=1|v=<"));
  assert_non_null(strstr(buf_cstr(&r.out), "t|2|id=19999|v=row 19999 髙\n"));
  assert_non_null(strstr(buf_cstr(&r.out), "t|3|id=99999|v=last\n"));
  buf_free(&r.out);
  buf_free(&s);
}

static void expect_error(const char *sql, const char *needle) {
  rows r = {0};
  char err[300];
  for (size_t chunk = 1; chunk <= 64; chunk *= 4) {
    int rc = parse_chunks(sql, strlen(sql), chunk, &r, err, sizeof err);
    if (rc == 0) fail_msg("no error for: %s", sql);
    if (!strstr(err, needle)) fail_msg("error \"%s\" lacks \"%s\"", err, needle);
    buf_free(&r.out);
  }
}

static void test_malformed(void **state) {
  (void)state;
  expect_error("CREATE TABLE t (a int);\nINSERT INTO t VALUES ('unterminated);\n", "行 2: 文字列が閉じられない");
  expect_error("CREATE TABLE t (a int, b int);\n\nINSERT INTO t VALUES (1);\n", "行 3: 表 t の行の値の数（1）が列の数（2）");
  expect_error("INSERT INTO t VALUES (1,'a'", "文の途中でファイルが終わっています");
  expect_error("INSERT INTO t VALUES (1,'a');\nINSERT INTO t VALUES (1 2);", "行 2: 表 t の値の後に");
  expect_error("INSERT INTO t VALUES (now());", "行 1: 表 t の値として読めない「now」");
  expect_error("INSERT INTO t SELECT * FROM u;", "VALUES がありません");
  expect_error("\n\nINSERT INTO t VALUES (1),(2) (3);", "行 3: INSERT INTO t の行の後に");
  expect_error("INSERT INTO t VALUES (b'102');", "0 と 1 以外");
  expect_error("INSERT INTO t VALUES (x'4G');", "16進数");
  expect_error("/* never closed", "コメント /* が閉じられない");
  expect_error("CREATE TABLE `t (a int);", "` で始まる名前");
  expect_error("INSERT INTO t VALUES (-'x');", "符号の後に数がありません");
  /* garbage never crashes: random bytes are parsed or refused */
  unsigned seed = 12345;
  for (int round = 0; round < 300; round++) {
    char junk[200];
    for (size_t i = 0; i < sizeof junk - 1; i++) {
      seed = seed * 1103515245u + 12345u;
      static const char alphabet[] = "INSERT INTO VALUES ()',;\\\"`0x-/*!#\n NULL_b'1";
      junk[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
    }
    junk[sizeof junk - 1] = 0;
    rows r = {0};
    char err[300];
    (void)parse_chunks(junk, strlen(junk), 1 + round % 7, &r, err, sizeof err);
    buf_free(&r.out);
  }
}

static void test_callback_stops(void **state) {
  (void)state;
  rows r = {0};
  buf_init(&r.out);
  r.stop_after = 2;
  md_parser *p = md_new(collect, &r);
  const char *sql = "INSERT INTO t (a) VALUES (1),(2),(3);";
  assert_int_equal(md_feed(p, sql, strlen(sql)), 7);
  assert_int_equal(r.n, 2);
  assert_int_not_equal(md_feed(p, "x", 1), 0); /* stays stopped */
  md_free(p);
  buf_free(&r.out);
}

static void test_parse_file(void **state) {
  (void)state;
  char path[] = "/tmp/test_mysqldump_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs("CREATE TABLE `wp_options` (`option_id` int, `option_name` varchar(191), `option_value` longtext);\n"
        "INSERT INTO `wp_options` VALUES (1,'permalink_structure','/%year%/%monthnum%/%postname%/');\n", f);
  fclose(f);
  rows r = {0};
  buf_init(&r.out);
  char err[300] = "";
  assert_int_equal(md_parse_file(path, collect, &r, err, sizeof err), 0);
  assert_string_equal(buf_cstr(&r.out),
                      "wp_options|2|option_id=1|option_name=permalink_structure|option_value=/%year%/%monthnum%/%postname%/\n");
  unlink(path);
  assert_int_equal(md_parse_file("/nonexistent/dump.sql", collect, &r, err, sizeof err), -1);
  assert_non_null(strstr(err, "/nonexistent/dump.sql"));
  buf_free(&r.out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_create_and_multirow),
      cmocka_unit_test(test_column_list_and_replace),
      cmocka_unit_test(test_every_escape),
      cmocka_unit_test(test_null_vs_strings),
      cmocka_unit_test(test_numbers_hex_binary),
      cmocka_unit_test(test_comments_and_skipped),
      cmocka_unit_test(test_triggers_and_routines),
      cmocka_unit_test(test_utf8mb4),
      cmocka_unit_test(test_chunk_boundaries),
      cmocka_unit_test(test_long_line),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_callback_stops),
      cmocka_unit_test(test_parse_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
