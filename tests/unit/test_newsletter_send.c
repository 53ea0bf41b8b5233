/* test_newsletter_send.c — unit tests of the newsletter mail (issue 6):
 * multipart/alternative messages from mail_build (text part first, both
 * parts base64, one boundary that cannot occur in the content), the
 * composed newsletter (footer and RFC 8058 headers per list and
 * recipient, HTML part only when asked for), the outbox's priority /
 * subscriber / HTML columns, the auto-stop after three permanent
 * rejections (a mail refused twice counts once, a delivered one resets
 * the count) and the retry of failed deliveries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "mail.h"
#include "newsletter_send.h"
#include "outbox.h"

/* The decoded base64 part that follows the first "\r\n\r\n" after p. */
static char *decode_part(const char *p) {
  const char *start = strstr(p, "\r\n\r\n");
  assert_non_null(start);
  start += 4;
  buf raw;
  buf_init(&raw);
  while (*start && *start != '-') {
    const char *nl = strstr(start, "\r\n");
    assert_non_null(nl);
    assert_true(nl - start <= 76);
    buf_append(&raw, start, (size_t)(nl - start));
    start = nl + 2;
  }
  unsigned char *out = calloc(1, raw.len + 4);
  int n = EVP_DecodeBlock(out, (const unsigned char *)buf_cstr(&raw), (int)raw.len);
  assert_true(n >= 0);
  if (raw.len >= 1 && raw.data[raw.len - 1] == '=') n--;
  if (raw.len >= 2 && raw.data[raw.len - 2] == '=') n--;
  out[n] = 0;
  buf_free(&raw);
  return (char *)out;
}

static mail_msg sample(void) {
  mail_msg m = {.to = "taro@example.jp", .from = "info@example.jp", .from_name = "センター",
                .subject = "さぽ～とメール 第1号", .body = "本文です。\n二行目\n"};
  return m;
}

static void test_text_only_without_html(void **st) {
  (void)st;
  mail_msg m = sample();
  buf out;
  buf_init(&out);
  assert_int_equal(mail_build(&m, "<x@example.jp>", 0, &out), 0);
  const char *s = buf_cstr(&out);
  assert_non_null(strstr(s, "Content-Type: text/plain; charset=UTF-8\r\n"));
  assert_null(strstr(s, "multipart"));
  m.html = ""; /* empty = none */
  buf_reset(&out);
  assert_int_equal(mail_build(&m, "<x@example.jp>", 0, &out), 0);
  assert_null(strstr(buf_cstr(&out), "multipart"));
  buf_free(&out);
}

static void test_multipart_alternative(void **st) {
  (void)st;
  mail_msg m = sample();
  m.html = "<p>本文です。</p>";
  m.extra[0] = (mail_hdr){"List-Unsubscribe", "<https://example.jp/mailmag/unsubscribe?k=abc>"};
  buf out;
  buf_init(&out);
  assert_int_equal(mail_build(&m, "<x@example.jp>", 0, &out), 0);
  const char *s = buf_cstr(&out);
  const char *hdr_end = strstr(s, "\r\n\r\n");
  assert_non_null(hdr_end);
  const char *ct = strstr(s, "Content-Type: multipart/alternative; boundary=\"=_civicnet_alt_0\"\r\n");
  assert_true(ct && ct < hdr_end);
  assert_non_null(strstr(s, "List-Unsubscribe: <https://example.jp/mailmag/unsubscribe?k=abc>\r\n"));
  const char *p1 = strstr(hdr_end, "--=_civicnet_alt_0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                                   "Content-Transfer-Encoding: base64\r\n");
  const char *p2 = strstr(hdr_end, "--=_civicnet_alt_0\r\nContent-Type: text/html; charset=UTF-8\r\n"
                                   "Content-Transfer-Encoding: base64\r\n");
  assert_true(p1 && p2 && p1 < p2); /* the text part first: the least preferred */
  char *text = decode_part(p1), *html = decode_part(p2);
  assert_string_equal(text, "本文です。\r\n二行目\r\n");
  assert_string_equal(html, "<p>本文です。</p>");
  free(text);
  free(html);
  const char *end = strstr(s, "--=_civicnet_alt_0--\r\n");
  assert_non_null(end);
  assert_string_equal(end, "--=_civicnet_alt_0--\r\n");
  /* the boundary occurs only as delimiters (3 of them) */
  int n = 0;
  for (const char *q = s; (q = strstr(q, "=_civicnet_alt_0")); q++) n++;
  assert_int_equal(n, 4); /* header + 2 delimiters + close */
  buf_free(&out);
  /* invalid UTF-8 in the HTML part is refused */
  const char *why = NULL;
  m.html = "\xff\xfe";
  assert_false(mail_msg_ok(&m, &why));
  assert_string_equal(why, "html");
}

static config test_cfg(void) {
  config c;
  memset(&c, 0, sizeof c);
  strcpy(c.mail_from, "info@centre.example.jp");
  strcpy(c.mail_from_name, "やまぐち県民活動支援センター");
  strcpy(c.site_name_supernet, "山口県県民活動スーパーネット");
  strcpy(c.site_name_aika, "あいかさねっと");
  strcpy(c.public_url, "https://www.example.jp");
  return c;
}

static void test_compose(void **st) {
  (void)st;
  config c = test_cfg();
  arena a;
  arena_init(&a);
  mail_msg m;
  newsletter_compose(&a, &c, "https://www.example.jp", "supernet", 7, "第1号 <特集>", "## 見出し\n\n本文", true,
                     "taro@example.jp", "KEY-1_x", &m);
  assert_true(mail_msg_ok(&m, NULL));
  assert_string_equal(m.extra[0].name, "List-Unsubscribe");
  assert_string_equal(m.extra[0].value, "<https://www.example.jp/mailmag/unsubscribe?k=KEY-1_x>");
  assert_string_equal(m.extra[1].value, "List-Unsubscribe=One-Click");
  assert_string_equal(m.extra[2].value, "Supernet newsletter <supernet.newsletter.centre.example.jp>");
  assert_non_null(strstr(m.body, "## 見出し\n\n本文\n"));
  assert_non_null(strstr(m.body, "配信の停止はこちら：\nhttps://www.example.jp/mailmag/unsubscribe?k=KEY-1_x\n"));
  assert_non_null(strstr(m.body, "https://www.example.jp/mailmag/7\n"));
  assert_non_null(m.html);
  assert_non_null(strstr(m.html, "<h2>見出し</h2>"));
  assert_non_null(strstr(m.html, "<title>第1号 &lt;特集&gt;</title>"));
  assert_non_null(strstr(m.html, "href=\"https://www.example.jp/mailmag/unsubscribe?k=KEY-1_x\""));
  newsletter_compose(&a, &c, "https://www.example.jp", "aika", 8, "11月号", "本文", false, "hanako@example.jp", "K2",
                     &m);
  assert_null(m.html);
  assert_string_equal(m.extra[0].value, "<https://www.example.jp/aikasanet/newsletter/unsubscribe?k=K2>");
  assert_non_null(strstr(m.body, "https://www.example.jp/aikasanet/mailmag/8\n"));
  assert_non_null(strstr(m.extra[2].value, "<aika.newsletter."));
  arena_free(&a);
}

static sqlite3 *mem_db(void) {
  char err[512];
  sqlite3 *db = db_open_path(":memory:", err, sizeof err);
  assert_non_null(db);
  assert_true(db_migrate(db, CIVICNET_ROOT "/db/migrations", NULL, err, sizeof err) >= 1);
  return db;
}

static long long one(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = db_prep(db, sql);
  assert_non_null(st);
  long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  return v;
}

static const char *text1(sqlite3 *db, const char *sql, char *out, size_t n) {
  sqlite3_stmt *st = db_prep(db, sql);
  assert_non_null(st);
  snprintf(out, n, "%s", sqlite3_step(st) == SQLITE_ROW ? db_text(st, 0) : "(none)");
  sqlite3_finalize(st);
  return out;
}

static void test_outbox_columns(void **st) {
  (void)st;
  sqlite3 *db = mem_db();
  mail_msg m = sample();
  m.html = "<p>x</p>";
  long long id1 = 0, id2 = 0;
  assert_int_equal(outbox_enqueue_ex(db, &m, "newsletter:1:5", OUTBOX_PRIO_BULK, 5, &id1), OUTBOX_OK);
  assert_int_equal(outbox_enqueue_ex(db, &m, "newsletter:1:5", OUTBOX_PRIO_BULK, 5, &id2), OUTBOX_OK);
  assert_int_equal(id1, id2); /* idempotent */
  assert_int_equal(one(db, "SELECT priority FROM outbox"), 1);
  assert_int_equal(one(db, "SELECT subscriber_id FROM outbox"), 5);
  char t[64];
  assert_string_equal(text1(db, "SELECT body_html FROM outbox", t, sizeof t), "<p>x</p>");
  m.html = NULL;
  assert_int_equal(outbox_enqueue(db, &m, "verify:1", &id2), OUTBOX_OK);
  assert_int_equal(one(db, "SELECT priority FROM outbox WHERE idem_key='verify:1'"), 0);
  assert_int_equal(one(db, "SELECT subscriber_id IS NULL FROM outbox WHERE idem_key='verify:1'"), 1);
  sqlite3_close(db);
}

/* A subscriber, a newsletter and n delivered-to-outbox mails (failed). */
static void seed(sqlite3 *db) {
  assert_int_equal(db_exec(db, "INSERT INTO newsletter_subscribers(id, list, email_enc, email_index, status, unsub_key)"
                               " VALUES (5, 'supernet', 'x', 'i5', 'active', 'k5'), (6, 'supernet', 'y', 'i6', 'stopped', 'k6')"),
                   0);
  for (int n = 1; n <= 4; n++) {
    char q[512];
    snprintf(q, sizeof q, "INSERT INTO newsletters(id, list, subject, body, status) VALUES (%d, 'supernet', 's', 'b', 'published')", n);
    assert_int_equal(db_exec(db, q), 0);
    snprintf(q, sizeof q,
             "INSERT INTO outbox(id, created_at, idem_key, to_addr, from_addr, subject, body, next_attempt_at, message_id,"
             " state, priority, subscriber_id) VALUES (%d, 0, 'newsletter:%d:5', 'a@example.jp', 'b@example.jp', 's', 'b',"
             " 0, '<m%d@x>', 'failed', 1, 5)",
             n, n, n);
    assert_int_equal(db_exec(db, q), 0);
    snprintf(q, sizeof q, "INSERT INTO newsletter_deliveries(newsletter_id, subscriber_id, outbox_id, created_at)"
                          " VALUES (%d, 5, %d, 0)", n, n);
    assert_int_equal(db_exec(db, q), 0);
  }
}

static void test_autostop(void **st) {
  (void)st;
  sqlite3 *db = mem_db();
  seed(db);
  newsletter_delivery_outcome(db, 1, 5, true);
  newsletter_delivery_outcome(db, 1, 5, true); /* the same mail again (a retry): once */
  assert_int_equal(one(db, "SELECT bounce_count FROM newsletter_subscribers WHERE id=5"), 1);
  newsletter_delivery_outcome(db, 2, 5, false); /* delivered: the count starts again */
  assert_int_equal(one(db, "SELECT bounce_count FROM newsletter_subscribers WHERE id=5"), 0);
  newsletter_delivery_outcome(db, 2, 5, true);
  newsletter_delivery_outcome(db, 3, 5, true);
  char t[128];
  assert_string_equal(text1(db, "SELECT status FROM newsletter_subscribers WHERE id=5", t, sizeof t), "active");
  newsletter_delivery_outcome(db, 4, 5, true);
  assert_string_equal(text1(db, "SELECT status FROM newsletter_subscribers WHERE id=5", t, sizeof t), "stopped");
  assert_string_equal(text1(db, "SELECT stop_reason FROM newsletter_subscribers WHERE id=5", t, sizeof t),
                      NEWSLETTER_BOUNCE_REASON);
  assert_int_equal(one(db, "SELECT count(*) FROM audit_log WHERE action='newsletter_autostop'"), 1);
  sqlite3_close(db);
}

static void test_retry_failed(void **st) {
  (void)st;
  sqlite3 *db = mem_db();
  seed(db);
  assert_int_equal(newsletter_retry_failed(db, 1), 1);
  assert_int_equal(one(db, "SELECT count(*) FROM outbox WHERE state='queued'"), 1);
  assert_int_equal(newsletter_retry_failed(db, 1), 0); /* nothing failed any more */
  /* not for a subscriber stopped since */
  assert_int_equal(db_exec(db, "UPDATE newsletter_subscribers SET status='stopped' WHERE id=5"), 0);
  assert_int_equal(newsletter_retry_failed(db, 2), 0);
  sqlite3_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_text_only_without_html),
      cmocka_unit_test(test_multipart_alternative),
      cmocka_unit_test(test_compose),
      cmocka_unit_test(test_outbox_columns),
      cmocka_unit_test(test_autostop),
      cmocka_unit_test(test_retry_failed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
