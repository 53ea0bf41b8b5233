/* test_mail.c — unit tests of outgoing mail: the header checks that stop
 * mail header injection (IPA item 7), RFC 2047 subjects decoded back and
 * compared, base64 bodies, the headers written (never Bcc), Message-ID and
 * Date, template rendering, the SMTP settings, the retry policy, and the
 * outbox's idempotent, transactional enqueue. Delivery itself is tested
 * against a real SMTP server in tests/http/mail.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "html.h"
#include "mail.h"
#include "outbox.h"
#include "tmpl.h"

/* ---------- helpers ---------- */

/* Standard base64 → bytes (NUL-terminated). Returns length or -1. */
static int b64_decode(const char *s, size_t n, unsigned char *out) {
  if (n % 4) return -1;
  for (size_t i = 0; i < n; i++)
    if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", s[i]))
      return -1;
  int len = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
  if (len < 0) return -1;
  if (n >= 1 && s[n - 1] == '=') len--;
  if (n >= 2 && s[n - 2] == '=') len--;
  out[len] = 0;
  return len;
}

/* Decodes a folded run of encoded-words as written after "Name: " and
 * checks RFC 2047's rules on the way: every word ≤ 75 characters, every
 * line ≤ 76 columns (the first one after first_col), each word's text
 * whole UTF-8 characters. Returns the decoded text (caller frees). */
static char *decode_words(const char *s, size_t first_col) {
  buf out;
  buf_init(&out);
  size_t col = first_col;
  const char *p = s;
  if (!strncmp(p, "\r\n ", 3)) p += 3, col = 1; /* folded before the first word */
  for (;;) {
    const char *end = strstr(p, "\r\n ");
    size_t n = end ? (size_t)(end - p) : strlen(p);
    assert_true(col + n <= 76);
    assert_true(n <= 75);
    assert_true(n > 12);
    assert_memory_equal(p, "=?UTF-8?B?", 10);
    assert_memory_equal(p + n - 2, "?=", 2);
    unsigned char dec[128];
    int dl = b64_decode(p + 10, n - 12, dec);
    assert_true(dl > 0);
    assert_true(utf8_valid((const char *)dec, (size_t)dl)); /* no split character */
    buf_append(&out, dec, (size_t)dl);
    if (!end) break;
    p = end + 3;
    col = 1;
  }
  buf_cstr(&out);
  return out.data;
}

/* The value of header `name` in msg (up to the next unfolded line), or
 * NULL. Matches at line starts of the header section only. */
static char *header_value(const char *msg, const char *name) {
  const char *hdr_end = strstr(msg, "\r\n\r\n");
  size_t nl = strlen(name);
  for (const char *p = msg; p && p < hdr_end; p = strstr(p, "\r\n"), p = p ? p + 2 : NULL) {
    if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
      const char *v = p + nl + 1;
      if (*v == ' ') v++;
      const char *e = v;
      while ((e = strstr(e, "\r\n")) && e[2] == ' ') e += 2;
      return strndup(v, (size_t)(e - v));
    }
  }
  return NULL;
}

static mail_msg sample(void) {
  mail_msg m = {.to = "member@example.jp",
                .from = "noreply@centre.example.jp",
                .from_name = "やまぐち県民活動支援センター",
                .bcc = "centre@example.jp",
                .subject = "【あいかさねっと】メールアドレスの確認",
                .body = "山口 太郎 様\nご登録ありがとうございます。\n"};
  return m;
}

/* ---------- header checks ---------- */

static void test_header_ok_rejects_controls_and_bad_utf8(void **st) {
  (void)st;
  assert_true(mail_header_ok("登録のお知らせ", strlen("登録のお知らせ")));
  assert_true(mail_header_ok("a\tb", 3));
  assert_true(mail_header_ok("", 0));
  const struct {
    const char *s;
    size_t n;
  } bad[] = {
      {"a\rb", 3},          {"a\nb", 3},          {"a\r\nBcc: x@y.jp", 15}, {"a\0b", 3},
      {"\x7f", 1},          {"\x1b[31m", 5},      {"\xc3\x28", 2},          {"\xc0\xaf", 2},
      {"\xed\xa0\x80", 3},  {"\xf5\x80\x80\x80", 4}, {"\xe3\x81", 2},       {"\x80", 1},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) assert_false(mail_header_ok(bad[i].s, bad[i].n));
  char *big = malloc(MAIL_HEADER_MAX + 2);
  memset(big, 'a', MAIL_HEADER_MAX + 1);
  big[MAIL_HEADER_MAX + 1] = 0;
  assert_false(mail_header_ok(big, MAIL_HEADER_MAX + 1));
  assert_true(mail_header_ok(big, MAIL_HEADER_MAX));
  assert_false(mail_header_ok(NULL, 0));
  free(big);
}

static void test_addresses(void **st) {
  (void)st;
  const char *good[] = {"a@example.jp", "first.last+tag@sub.example.co.jp", "noreply@localhost",
                        "o'neil_x-1@x-y.example", "a!#$%&'*+/=?^_`{|}~-@example.jp"};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) assert_true(mail_addr_ok(good[i]));
  const char *bad[] = {"", "a", "@example.jp", "a@", "a@@example.jp", "a@b@example.jp",
                       "a b@example.jp", ".a@example.jp", "a.@example.jp", "a..b@example.jp",
                       "a@-x.jp", "a@x-.jp", "a@x..jp", "a@.x.jp", "a@x.jp.", "a@x_y.jp",
                       "日本@example.jp", "a@例え.jp", "<a@example.jp>", "a@example.jp>",
                       "\"q\"@example.jp", "a@example.jp\r\nBcc: evil@example.jp",
                       "a@example.jp\nBcc: evil@example.jp", "a@example.jp,b@example.jp",
                       "Name <a@example.jp>", "a@[127.0.0.1]", "a\t@example.jp", NULL};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) assert_false(mail_addr_ok(bad[i]));

  char s[400];
  memset(s, 'l', 64); /* local part: 64 ok, 65 not */
  strcpy(s + 64, "@example.jp");
  assert_true(mail_addr_ok(s));
  memset(s, 'l', 65);
  strcpy(s + 65, "@example.jp");
  assert_false(mail_addr_ok(s));
  strcpy(s, "a@"); /* a label of 63 ok, 64 not */
  memset(s + 2, 'd', 63);
  strcpy(s + 65, ".jp");
  assert_true(mail_addr_ok(s));
  memset(s + 2, 'd', 64);
  strcpy(s + 66, ".jp");
  assert_false(mail_addr_ok(s));
  /* total: 254 ok, 255 not */
  strcpy(s, "a@");
  size_t n = 2;
  while (n < 254 - 4) {
    memset(s + n, 'd', 49);
    n += 49;
    s[n++] = '.';
  }
  while (n < 254) s[n++] = 'e';
  s[n] = 0;
  assert_int_equal(strlen(s), 254);
  assert_true(mail_addr_ok(s));
  s[n] = 'e', s[n + 1] = 0;
  assert_false(mail_addr_ok(s));
}

static void test_address_lists_and_extra_headers(void **st) {
  (void)st;
  assert_true(mail_addr_list_ok(NULL));
  assert_true(mail_addr_list_ok(""));
  assert_true(mail_addr_list_ok("centre@example.jp"));
  assert_true(mail_addr_list_ok("centre@example.jp, staff@example.jp"));
  const char *bad[] = {"centre@example.jp,", ",centre@example.jp", "a@example.jp,,b@example.jp",
                       "a@example.jp\nb@example.jp", "a@example.jp;b@example.jp", "x"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) assert_false(mail_addr_list_ok(bad[i]));
  char many[17 * 20] = "";
  for (int i = 0; i < 17; i++) strcat(many, i ? ",a@example.jp" : "a@example.jp");
  assert_false(mail_addr_list_ok(many)); /* at most 16 */

  assert_true(mail_extra_name_ok("List-Unsubscribe"));
  assert_true(mail_extra_name_ok("list-unsubscribe-post"));
  assert_false(mail_extra_name_ok("Bcc"));
  assert_false(mail_extra_name_ok("From"));
  assert_false(mail_extra_name_ok("List-Unsubscribe:"));

  mail_msg m = sample();
  const char *why = NULL;
  assert_true(mail_msg_ok(&m, &why));
  m.extra[0] = (mail_hdr){"List-Unsubscribe", "<https://example.jp/u?t=abc>"};
  m.extra[1] = (mail_hdr){"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"};
  assert_true(mail_msg_ok(&m, &why));
  m.extra[1] = (mail_hdr){"Bcc", "evil@example.jp"};
  assert_false(mail_msg_ok(&m, &why));
  assert_string_equal(why, "headers_extra");
  m.extra[1] = (mail_hdr){"List-Id", "x\r\nBcc: evil@example.jp"};
  assert_false(mail_msg_ok(&m, &why));
  m.extra[1] = (mail_hdr){"List-Id", "日本語"}; /* extra values are ASCII */
  assert_false(mail_msg_ok(&m, &why));

  m = sample();
  m.subject = "件名\r\nBcc: evil@example.jp";
  assert_false(mail_msg_ok(&m, &why));
  assert_string_equal(why, "subject");
  m = sample();
  m.from_name = "センター\nBcc: evil@example.jp";
  assert_false(mail_msg_ok(&m, &why));
  assert_string_equal(why, "from_name");
  m = sample();
  m.bcc = "centre@example.jp\r\nX: y";
  assert_false(mail_msg_ok(&m, &why));
  assert_string_equal(why, "bcc");
  m = sample();
  m.body = "\xff\xfe";
  assert_false(mail_msg_ok(&m, &why));
  assert_string_equal(why, "body");
}

/* ---------- RFC 2047 ---------- */

static void test_encoded_words_round_trip(void **st) {
  (void)st;
  const char *subjects[] = {
      "登録",
      "【あいかさねっと】メールアドレスの確認",
      "山口県県民活動スーパーネット：ボランティア募集「子ども食堂の調理補助」への応募がありました",
      "𠮷野家と🍙おにぎり ASCII mixed 漢字かなカナ 123 ＡＢＣ",
      "a",
      "Ünïcödé ß and a very long ASCII-ish tail that goes on and on and on and on and on",
  };
  for (size_t i = 0; i < sizeof subjects / sizeof *subjects; i++) {
    for (size_t col = 0; col <= 72; col += 6) {
      buf b;
      buf_init(&b);
      mail_encode_words(&b, subjects[i], col);
      char *dec = decode_words(buf_cstr(&b), col);
      assert_string_equal(dec, subjects[i]);
      free(dec);
      buf_free(&b);
    }
  }
  /* every length up to 300 bytes of 3-byte characters: splits never break one */
  char s[400] = "";
  for (int k = 0; k < 100; k++) {
    strcat(s, (k % 3) ? "あ" : "漢");
    buf b;
    buf_init(&b);
    mail_encode_words(&b, s, 9);
    char *dec = decode_words(buf_cstr(&b), 9);
    assert_string_equal(dec, s);
    free(dec);
    buf_free(&b);
  }
}

/* ---------- whole messages ---------- */

static char *build(const mail_msg *m) {
  buf b;
  buf_init(&b);
  assert_int_equal(mail_build(m, "<0123456789abcdef0123456789abcdef@centre.example.jp>",
                              1763769600, &b),
                   0);
  buf_cstr(&b);
  return b.data;
}

static void test_message_headers(void **st) {
  (void)st;
  mail_msg m = sample();
  m.extra[0] = (mail_hdr){"List-Unsubscribe", "<https://example.jp/u?t=abc>"};
  char *msg = build(&m);
  /* CRLF everywhere, no bare CR or LF; with these short addresses every
   * line fits in 76 columns (RFC 5322 recommends 78) */
  size_t line = 0;
  for (const char *p = msg; *p; p++) {
    if (*p == '\n') assert_true(p > msg && p[-1] == '\r');
    if (*p == '\r') assert_true(p[1] == '\n');
    line = *p == '\r' || *p == '\n' ? 0 : line + 1;
    assert_true(line <= 76);
  }
  char *v = header_value(msg, "Date");
  assert_string_equal(v, "Sat, 22 Nov 2025 09:00:00 +0900");
  free(v);
  v = header_value(msg, "To");
  assert_string_equal(v, "member@example.jp");
  free(v);
  v = header_value(msg, "Subject");
  char *dec = decode_words(v, 9);
  assert_string_equal(dec, m.subject);
  free(dec), free(v);
  v = header_value(msg, "From");
  const char *lt = strrchr(v, '<');
  assert_non_null(lt);
  assert_string_equal(lt, "<noreply@centre.example.jp>");
  /* the address went to a folded line of its own: it did not fit */
  assert_true(lt - v > 3 && !memcmp(lt - 3, "\r\n ", 3));
  char *name = strndup(v, (size_t)(lt - v - 3));
  dec = decode_words(name, 6);
  assert_string_equal(dec, "やまぐち県民活動支援センター");
  free(dec), free(name), free(v);
  v = header_value(msg, "Message-ID");
  assert_string_equal(v, "<0123456789abcdef0123456789abcdef@centre.example.jp>");
  free(v);
  v = header_value(msg, "MIME-Version");
  assert_string_equal(v, "1.0");
  free(v);
  v = header_value(msg, "Content-Type");
  assert_string_equal(v, "text/plain; charset=UTF-8");
  free(v);
  v = header_value(msg, "Content-Transfer-Encoding");
  assert_string_equal(v, "base64");
  free(v);
  v = header_value(msg, "List-Unsubscribe");
  assert_string_equal(v, "<https://example.jp/u?t=abc>");
  free(v);
  /* BCC recipients go only into the envelope */
  assert_null(header_value(msg, "Bcc"));
  assert_null(strcasestr(msg, "\nbcc"));
  assert_null(strstr(msg, "centre@example.jp"));
  free(msg);

  /* a plain ASCII subject and display name stay readable */
  m = sample();
  m.subject = "Test";
  m.from_name = "Centre \"Office\"";
  msg = build(&m);
  v = header_value(msg, "Subject");
  assert_string_equal(v, "Test");
  free(v);
  v = header_value(msg, "From");
  assert_string_equal(v, "\"Centre \\\"Office\\\"\" <noreply@centre.example.jp>");
  free(v);
  free(msg);

  /* an invalid message is never built */
  m = sample();
  m.to = "a@example.jp\r\nBcc: evil@example.jp";
  buf b;
  buf_init(&b);
  assert_int_equal(mail_build(&m, "<x@y>", 0, &b), -1);
  buf_free(&b);
}

static void test_body_base64_lines(void **st) {
  (void)st;
  buf body;
  buf_init(&body);
  for (int i = 0; i < 40; i++)
    buf_printf(&body, "%d行目: 山口県の県民活動を支援します。ASCII text too.\n", i);
  buf_puts(&body, "CRLF line\r\nlast line without newline");
  mail_msg m = sample();
  m.body = buf_cstr(&body);
  char *msg = build(&m);
  const char *p = strstr(msg, "\r\n\r\n");
  assert_non_null(p);
  p += 4;
  buf b64, dec;
  buf_init(&b64);
  buf_init(&dec);
  while (*p) {
    const char *e = strstr(p, "\r\n");
    assert_non_null(e);
    size_t n = (size_t)(e - p);
    assert_true(n > 0 && n <= 76);
    buf_append(&b64, p, n);
    p = e + 2;
  }
  unsigned char *out = malloc(b64.len + 1);
  int len = b64_decode(b64.data, b64.len, out);
  assert_true(len > 0);
  /* canonical CRLF line ends, content unchanged */
  for (const char *q = body.data; *q; q++) {
    if (*q == '\n' && (q == body.data || q[-1] != '\r')) buf_putc(&dec, '\r');
    buf_putc(&dec, *q);
  }
  assert_int_equal((size_t)len, dec.len);
  assert_memory_equal(out, dec.data, dec.len);
  free(out);
  free(msg);
  buf_free(&b64);
  buf_free(&dec);
  buf_free(&body);
}

static void test_message_id_and_date(void **st) {
  (void)st;
  char a[320], b[320];
  assert_int_equal(mail_message_id("noreply@centre.example.jp", a, sizeof a), 0);
  assert_int_equal(mail_message_id("noreply@centre.example.jp", b, sizeof b), 0);
  assert_string_not_equal(a, b);
  assert_int_equal(strlen(a), 1 + 32 + 1 + strlen("centre.example.jp") + 1);
  assert_int_equal(a[0], '<');
  assert_int_equal(strspn(a + 1, "0123456789abcdef"), 32);
  assert_string_equal(a + 33, "@centre.example.jp>");
  assert_int_equal(mail_message_id("no-at-sign", a, sizeof a), -1);
  char d[40];
  mail_date(0, d);
  assert_string_equal(d, "Thu, 01 Jan 1970 09:00:00 +0900");
  mail_date(1767193200, d); /* 2025-12-31 15:00 UTC */
  assert_string_equal(d, "Thu, 01 Jan 2026 00:00:00 +0900");
}

static void test_render_mail_template(void **st) {
  (void)st;
  const char *files[] = {
      "mail/ok.txt", "Subject: {{ s }}のお知らせ\n\n{{ name }} 様\n<{{ url }}>\n",
      "mail/nosubject.txt", "Hello\n\nbody\n",
      "mail/noblank.txt", "Subject: x\nbody\n",
      NULL};
  char err[256];
  tmpl_set *ts = tmpl_load_mem(files, err, sizeof err);
  assert_non_null(ts);
  arena a;
  arena_init(&a);
  tval *ctx = tv_map(&a);
  tv_set_str(&a, ctx, "s", "登録");
  tv_set_str(&a, ctx, "name", "A&B \"会\" <'x'>");
  tv_set_str(&a, ctx, "url", "https://example.jp/v?a=1&b=2");
  const char *subject = NULL, *body = NULL;
  assert_int_equal(mail_render(ts, "mail/ok.txt", ctx, &a, &subject, &body, err, sizeof err), 0);
  assert_string_equal(subject, "登録のお知らせ");
  assert_string_equal(body, "A&B \"会\" <'x'> 様\n<https://example.jp/v?a=1&b=2>\n");
  assert_int_equal(mail_render(ts, "mail/nosubject.txt", ctx, &a, &subject, &body, err, sizeof err), -1);
  assert_int_equal(mail_render(ts, "mail/noblank.txt", ctx, &a, &subject, &body, err, sizeof err), -1);
  assert_int_equal(mail_render(ts, "mail/missing.txt", ctx, &a, &subject, &body, err, sizeof err), -1);
  tmpl_free(ts);

  /* the shipped test mail renders to a valid message */
  ts = tmpl_load_dir(CIVICNET_ROOT "/templates", err, sizeof err);
  assert_non_null(ts);
  tv_set_str(&a, ctx, "centre", "やまぐち県民活動支援センター");
  tv_set_str(&a, ctx, "to", "someone@example.jp");
  assert_int_equal(mail_render(ts, "mail/test.txt", ctx, &a, &subject, &body, err, sizeof err), 0);
  assert_non_null(strstr(subject, "テスト"));
  assert_non_null(strstr(body, "someone@example.jp"));
  mail_msg m = sample();
  m.subject = subject;
  m.body = body;
  assert_true(mail_msg_ok(&m, NULL));
  tmpl_free(ts);
  arena_free(&a);
}

/* ---------- settings and retry policy ---------- */

static void test_mail_settings(void **st) {
  (void)st;
  unsetenv("CIVICNET_SMTP");
  config c;
  config_defaults(&c);
  assert_string_equal(c.smtp_url, "smtp://127.0.0.1:25");
  assert_string_equal(c.mail_from, "noreply@localhost");
  assert_string_equal(c.mail_from_name, "やまぐち県民活動支援センター");
  assert_int_equal(c.mail_rate_per_minute, 120);
  assert_int_equal(c.mail_retry_base_seconds, 30);
  assert_false(c.smtp_starttls);
  char path[] = "/tmp/civicnet-mailcfg-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  const char *text = "smtp_url = smtps://mail.example.jp:465\nsmtp_starttls = yes\n"
                     "smtp_user = civicnet\nsmtp_password = p@ss=word#1\n"
                     "mail_from = info@example.jp\nmail_from_name = センター\n"
                     "centre_address = centre@example.jp\nmail_rate_per_minute = 30\n"
                     "mail_retry_base_seconds = 1\n";
  assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
  close(fd);
  char err[256];
  assert_int_equal(config_load(&c, path, err, sizeof err), 0);
  assert_string_equal(c.smtp_url, "smtps://mail.example.jp:465");
  assert_true(c.smtp_starttls);
  assert_string_equal(c.smtp_user, "civicnet");
  assert_string_equal(c.smtp_password, "p@ss=word#1");
  assert_string_equal(c.mail_from, "info@example.jp");
  assert_string_equal(c.mail_from_name, "センター");
  assert_string_equal(c.centre_address, "centre@example.jp");
  assert_int_equal(c.mail_rate_per_minute, 30);
  assert_int_equal(c.mail_retry_base_seconds, 1);
  /* the environment overrides smtp_url, also over the file */
  setenv("CIVICNET_SMTP", "smtp://127.0.0.1:2525", 1);
  config_defaults(&c);
  assert_string_equal(c.smtp_url, "smtp://127.0.0.1:2525");
  assert_int_equal(config_load(&c, path, err, sizeof err), 0);
  assert_string_equal(c.smtp_url, "smtp://127.0.0.1:2525");
  unsetenv("CIVICNET_SMTP");
  const char *bad[] = {"smtp_url = http://example.jp\n", "smtp_url = smtp://\n",
                       "smtp_starttls = maybe\n", "mail_from = not an address\n",
                       "centre_address = a@@example.jp\n", "mail_rate_per_minute = 0\n",
                       "mail_from_name = \x1b[31m\n"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bad[i], strlen(bad[i])), (int)strlen(bad[i]));
    close(fd);
    config_defaults(&c);
    assert_int_equal(config_load(&c, path, err, sizeof err), -1);
  }
  unlink(path);
}

static void test_retry_policy(void **st) {
  (void)st;
  assert_int_equal(outbox_classify(CURLE_OK, 250, true), OUTBOX_SENT);
  assert_int_equal(outbox_classify(CURLE_COULDNT_CONNECT, 0, false), OUTBOX_RETRY);
  assert_int_equal(outbox_classify(CURLE_OPERATION_TIMEDOUT, 0, false), OUTBOX_RETRY);
  assert_int_equal(outbox_classify(CURLE_SEND_ERROR, 451, false), OUTBOX_RETRY); /* 4xx */
  assert_int_equal(outbox_classify(CURLE_SEND_ERROR, 421, false), OUTBOX_RETRY);
  assert_int_equal(outbox_classify(CURLE_SEND_ERROR, 550, false), OUTBOX_FAIL); /* RCPT */
  assert_int_equal(outbox_classify(CURLE_WEIRD_SERVER_REPLY, 554, true), OUTBOX_FAIL);
  assert_int_equal(outbox_classify(CURLE_RECV_ERROR, 552, true), OUTBOX_FAIL);
  /* a 5xx greeting (nothing sent) or a login problem: configuration, retry */
  assert_int_equal(outbox_classify(CURLE_WEIRD_SERVER_REPLY, 554, false), OUTBOX_RETRY);
  assert_int_equal(outbox_classify(CURLE_LOGIN_DENIED, 535, false), OUTBOX_RETRY);
  assert_int_equal(outbox_classify(CURLE_USE_SSL_FAILED, 502, false), OUTBOX_RETRY);
  assert_int_equal(outbox_backoff(30, 1), 30);
  assert_int_equal(outbox_backoff(30, 2), 60);
  assert_int_equal(outbox_backoff(30, 5), 480);
  assert_int_equal(outbox_backoff(30, 8), 3600);
  assert_int_equal(outbox_backoff(30, 60), 3600);
  assert_int_equal(outbox_backoff(1, 3), 4);
}

/* ---------- the outbox table ---------- */

static sqlite3 *mem_db(void) {
  char err[512];
  sqlite3 *db = db_open_path(":memory:", err, sizeof err);
  assert_non_null(db);
  assert_true(db_migrate(db, CIVICNET_ROOT "/db/migrations", NULL, err, sizeof err) >= 1);
  return db;
}

static long long count_rows(sqlite3 *db) {
  sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM outbox");
  assert_non_null(st);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  long long n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

static void test_enqueue_is_idempotent(void **st) {
  (void)st;
  sqlite3 *db = mem_db();
  mail_msg m = sample();
  m.extra[0] = (mail_hdr){"List-Unsubscribe", "<https://example.jp/u?t=abc>"};
  long long id1 = 0, id2 = 0;
  assert_int_equal(outbox_enqueue(db, &m, "verify:member:42:abcd", &id1), OUTBOX_OK);
  assert_true(id1 > 0);
  m.subject = "別の件名"; /* the same event: ignored, not updated */
  assert_int_equal(outbox_enqueue(db, &m, "verify:member:42:abcd", &id2), OUTBOX_OK);
  assert_int_equal(id1, id2);
  assert_int_equal(count_rows(db), 1);
  assert_int_equal(outbox_enqueue(db, &m, "verify:member:43:abcd", &id2), OUTBOX_OK);
  assert_true(id2 != id1);
  assert_int_equal(count_rows(db), 2);

  sqlite3_stmt *q = db_prep(db, "SELECT state, attempts, next_attempt_at = created_at, subject,"
                                " bcc, headers_extra, message_id, to_addr FROM outbox WHERE id=?1");
  sqlite3_bind_int64(q, 1, id1);
  assert_int_equal(sqlite3_step(q), SQLITE_ROW);
  assert_string_equal(db_text(q, 0), "queued");
  assert_int_equal(sqlite3_column_int(q, 1), 0);
  assert_int_equal(sqlite3_column_int(q, 2), 1);
  assert_string_equal(db_text(q, 3), "【あいかさねっと】メールアドレスの確認");
  assert_string_equal(db_text(q, 4), "centre@example.jp");
  assert_string_equal(db_text(q, 5), "List-Unsubscribe: <https://example.jp/u?t=abc>\n");
  assert_non_null(strstr(db_text(q, 6), "@centre.example.jp>"));
  assert_string_equal(db_text(q, 7), "member@example.jp");
  sqlite3_finalize(q);
  sqlite3_close(db);
}

static void test_enqueue_rejects_invalid_input(void **st) {
  (void)st;
  sqlite3 *db = mem_db();
  long long id = 0;
  mail_msg m = sample();
  m.to = "a@example.jp\r\nBcc: evil@example.jp";
  assert_int_equal(outbox_enqueue(db, &m, "k1", &id), OUTBOX_ERR_INVALID);
  m = sample();
  m.subject = "x\nBcc: evil@example.jp";
  assert_int_equal(outbox_enqueue(db, &m, "k2", &id), OUTBOX_ERR_INVALID);
  m = sample();
  m.extra[0] = (mail_hdr){"Cc", "evil@example.jp"};
  assert_int_equal(outbox_enqueue(db, &m, "k3", &id), OUTBOX_ERR_INVALID);
  m = sample();
  assert_int_equal(outbox_enqueue(db, &m, "", &id), OUTBOX_ERR_INVALID);
  assert_int_equal(outbox_enqueue(db, &m, "key\nwith newline", &id), OUTBOX_ERR_INVALID);
  assert_int_equal(outbox_enqueue(db, &m, NULL, &id), OUTBOX_ERR_INVALID);
  assert_int_equal(count_rows(db), 0);
  sqlite3_close(db);
}

static void test_enqueue_joins_the_transaction(void **st) {
  (void)st;
  sqlite3 *db = mem_db();
  mail_msg m = sample();
  long long id = 0;
  assert_int_equal(db_exec(db, "BEGIN"), 0);
  assert_int_equal(outbox_enqueue(db, &m, "signup:member:7", &id), OUTBOX_OK);
  assert_int_equal(count_rows(db), 1);
  assert_int_equal(db_exec(db, "ROLLBACK"), 0);
  assert_int_equal(count_rows(db), 0); /* the change was undone: so was the mail */
  assert_int_equal(db_exec(db, "BEGIN"), 0);
  assert_int_equal(outbox_enqueue(db, &m, "signup:member:7", &id), OUTBOX_OK);
  assert_int_equal(db_exec(db, "COMMIT"), 0);
  assert_int_equal(count_rows(db), 1);
  sqlite3_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_header_ok_rejects_controls_and_bad_utf8),
      cmocka_unit_test(test_addresses),
      cmocka_unit_test(test_address_lists_and_extra_headers),
      cmocka_unit_test(test_encoded_words_round_trip),
      cmocka_unit_test(test_message_headers),
      cmocka_unit_test(test_body_base64_lines),
      cmocka_unit_test(test_message_id_and_date),
      cmocka_unit_test(test_render_mail_template),
      cmocka_unit_test(test_mail_settings),
      cmocka_unit_test(test_retry_policy),
      cmocka_unit_test(test_enqueue_is_idempotent),
      cmocka_unit_test(test_enqueue_rejects_invalid_input),
      cmocka_unit_test(test_enqueue_joins_the_transaction),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
