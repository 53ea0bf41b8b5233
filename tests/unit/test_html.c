/* test_html.c — unit tests for the output escapers in src/html.c: each
 * escaper against quotes, &, <, control bytes, valid multibyte text and
 * every class of invalid UTF-8 (stray continuation, truncated, overlong,
 * surrogate, > U+10FFFF), plus the href scheme allow-list and its known
 * bypass tricks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "html.h"

#define FFFD "\xEF\xBF\xBD"

typedef void (*escfn)(buf *, const char *, size_t);

/* Runs fn over in[0..n) and asserts the exact output. */
static void check(escfn fn, const char *in, size_t n, const char *expect) {
  buf b;
  buf_init(&b);
  fn(&b, in, n);
  assert_string_equal(buf_cstr(&b), expect);
  buf_free(&b);
}

/* For string literals only: sizeof keeps embedded NUL bytes. */
#define CHECK(fn, lit, expect) check(fn, lit, sizeof(lit) - 1, expect)
#define VALID(lit) assert_true(utf8_valid(lit, sizeof(lit) - 1))
#define INVALID(lit) assert_false(utf8_valid(lit, sizeof(lit) - 1))

/* ----- html_escape ----- */

static void test_escape_specials(void **state) {
  (void)state;
  CHECK(html_escape, "a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&#39;f");
  CHECK(html_escape, "<script>alert('x')</script>",
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  CHECK(html_escape, "&amp;", "&amp;amp;");
}

static void test_escape_plain(void **state) {
  (void)state;
  CHECK(html_escape, "", "");
  CHECK(html_escape, "hello, world", "hello, world");
  CHECK(html_escape, "tab\tnl\n", "tab\tnl\n");
  CHECK(html_escape, "日本語テキスト", "日本語テキスト");
  CHECK(html_escape, "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"); /* U+1F600 */
}

static void test_escape_appends(void **state) {
  (void)state;
  buf b;
  buf_init(&b);
  buf_puts(&b, "x=");
  html_escape(&b, "<", 1);
  html_escape(&b, "ab&cd", 3); /* only n bytes are read */
  assert_string_equal(buf_cstr(&b), "x=&lt;ab&amp;");
  buf_free(&b);
}

static void test_escape_invalid_utf8(void **state) {
  (void)state;
  CHECK(html_escape, "a\x80" "b", "a" FFFD "b");        /* lone continuation */
  CHECK(html_escape, "a\xC3", "a" FFFD);                /* truncated at end */
  CHECK(html_escape, "\xC3(", FFFD "(");                /* bad continuation */
  CHECK(html_escape, "\xE6\x97", FFFD);                 /* maximal subpart */
  CHECK(html_escape, "\xFF\xFE", FFFD FFFD);            /* never valid */
  CHECK(html_escape, "x\0y", "x" FFFD "y");             /* NUL */
}

static void test_escape_overlong(void **state) {
  (void)state;
  /* "<" encoded overlong must not come out as "<" or pass through. */
  CHECK(html_escape, "\xC0\xBC", FFFD FFFD);
  CHECK(html_escape, "\xE0\x80\xBC", FFFD FFFD FFFD);
  CHECK(html_escape, "\xF0\x80\x80\xBC", FFFD FFFD FFFD FFFD);
  CHECK(html_escape, "\xC1\xBF", FFFD FFFD);
}

static void test_escape_surrogates_and_range(void **state) {
  (void)state;
  CHECK(html_escape, "\xED\xA0\x80", FFFD FFFD FFFD);     /* U+D800 */
  CHECK(html_escape, "\xED\xBF\xBF", FFFD FFFD FFFD);     /* U+DFFF */
  CHECK(html_escape, "\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD); /* >10FFFF */
  CHECK(html_escape, "\xF5\x80\x80\x80", FFFD FFFD FFFD FFFD);
  CHECK(html_escape, "\xED\x9F\xBF", "\xED\x9F\xBF");     /* U+D7FF ok */
  CHECK(html_escape, "\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"); /* U+10FFFF */
}

/* ----- html_escape_attr ----- */

static void test_attr_safe_chars(void **state) {
  (void)state;
  CHECK(html_escape_attr, "abcXYZ019,.-_", "abcXYZ019,.-_");
  CHECK(html_escape_attr, "", "");
  CHECK(html_escape_attr, "日本語", "日本語");
}

static void test_attr_escapes(void **state) {
  (void)state;
  CHECK(html_escape_attr, "a b", "a&#x20;b");
  CHECK(html_escape_attr, "\"'<>&=`",
        "&#x22;&#x27;&#x3C;&#x3E;&#x26;&#x3D;&#x60;");
  CHECK(html_escape_attr, "x onmouseover=alert(1)",
        "x&#x20;onmouseover&#x3D;alert&#x28;1&#x29;");
  CHECK(html_escape_attr, "\n\t\0\x7F", "&#x0A;&#x09;&#x00;&#x7F;");
  CHECK(html_escape_attr, "/?#:;", "&#x2F;&#x3F;&#x23;&#x3A;&#x3B;");
}

static void test_attr_invalid_utf8(void **state) {
  (void)state;
  CHECK(html_escape_attr, "a\xFF" "b", "a" FFFD "b");
  CHECK(html_escape_attr, "\xC0\xA2", FFFD FFFD); /* overlong '"' */
  CHECK(html_escape_attr, "\xED\xA0\x80", FFFD FFFD FFFD);
  CHECK(html_escape_attr, "名\xE5", "名" FFFD);
}

/* ----- url_encode ----- */

static void test_url_unreserved(void **state) {
  (void)state;
  CHECK(url_encode, "azAZ09-._~", "azAZ09-._~");
  CHECK(url_encode, "", "");
}

static void test_url_reserved(void **state) {
  (void)state;
  CHECK(url_encode, "a b&c=d/e?f#g", "a%20b%26c%3Dd%2Fe%3Ff%23g");
  CHECK(url_encode, "+%\"'<>", "%2B%25%22%27%3C%3E");
  CHECK(url_encode, "\x01\x7F", "%01%7F");
  CHECK(url_encode, ":@!$", "%3A%40%21%24");
}

static void test_url_utf8(void **state) {
  (void)state;
  CHECK(url_encode, "日本", "%E6%97%A5%E6%9C%AC");
  CHECK(url_encode, "\xFF", "%EF%BF%BD");
  CHECK(url_encode, "\xC0\xAF", "%EF%BF%BD%EF%BF%BD"); /* overlong '/' */
  CHECK(url_encode, "\xED\xA0\x80x", "%EF%BF%BD%EF%BF%BD%EF%BF%BDx");
}

/* ----- html_escape_href ----- */

static void test_href_allowed_schemes(void **state) {
  (void)state;
  CHECK(html_escape_href, "http://example.com/", "http://example.com/");
  CHECK(html_escape_href, "https://example.com/a?b=1&c=2",
        "https://example.com/a?b=1&amp;c=2");
  CHECK(html_escape_href, "HTTPS://EXAMPLE.COM", "HTTPS://EXAMPLE.COM");
  CHECK(html_escape_href, "mailto:a@example.com", "mailto:a@example.com");
  CHECK(html_escape_href, "MailTo:a@example.com", "MailTo:a@example.com");
  CHECK(html_escape_href, "tel:+81-3-1234-5678", "tel:+81-3-1234-5678");
}

static void test_href_relative(void **state) {
  (void)state;
  CHECK(html_escape_href, "/path/to", "/path/to");
  CHECK(html_escape_href, "./x", "./x");
  CHECK(html_escape_href, "../x", "../x");
  CHECK(html_escape_href, "?q=1&r=2", "?q=1&amp;r=2");
  CHECK(html_escape_href, "#top", "#top");
  CHECK(html_escape_href, "page.html", "page.html");
  CHECK(html_escape_href, "a/b:c", "a/b:c"); /* ':' after '/' : a path */
  CHECK(html_escape_href, "?next=javascript:x", "?next=javascript:x");
  CHECK(html_escape_href, "", "");
}

static void test_href_blocked_schemes(void **state) {
  (void)state;
  CHECK(html_escape_href, "javascript:alert(1)", "#");
  CHECK(html_escape_href, "JaVaScRiPt:alert(1)", "#");
  CHECK(html_escape_href, "data:text/html,<script>x</script>", "#");
  CHECK(html_escape_href, "vbscript:msgbox(1)", "#");
  CHECK(html_escape_href, "ftp://example.com/", "#");
  CHECK(html_escape_href, "file:///etc/passwd", "#");
  CHECK(html_escape_href, "httpx://example.com", "#");
}

static void test_href_whitespace_tricks(void **state) {
  (void)state;
  CHECK(html_escape_href, "java\tscript:alert(1)", "#");
  CHECK(html_escape_href, "java\nscript:alert(1)", "#");
  CHECK(html_escape_href, "java\rscript:alert(1)", "#");
  CHECK(html_escape_href, " javascript:alert(1)", "#");
  CHECK(html_escape_href, "\x01javascript:alert(1)", "#");
  CHECK(html_escape_href, "\xC2\xA0javascript:alert(1)", "#"); /* NBSP */
  CHECK(html_escape_href, "  https://example.com/  ", "https://example.com/");
}

static void test_href_control_chars(void **state) {
  (void)state;
  CHECK(html_escape_href, "https://example.com/\x7F", "#");
  CHECK(html_escape_href, "/a\0b", "#");
  CHECK(html_escape_href, "/a\nb", "#");
}

static void test_href_protocol_relative(void **state) {
  (void)state;
  CHECK(html_escape_href, "//evil.example/", "#");
  CHECK(html_escape_href, "\\\\evil.example", "#");
  CHECK(html_escape_href, "/\\evil.example", "#");
  CHECK(html_escape_href, "\\/evil.example", "#");
  CHECK(html_escape_href, " //evil.example", "#");
}

static void test_href_entities_stay_literal(void **state) {
  (void)state;
  /* No entity decoding: the output is escaped, so "&colon;" stays text. */
  CHECK(html_escape_href, "javascript&colon;alert(1)",
        "javascript&amp;colon;alert(1)");
  /* '#' of the entity starts a fragment: a harmless relative URL. */
  CHECK(html_escape_href, "&#106;avascript:alert(1)",
        "&amp;#106;avascript:alert(1)");
  CHECK(html_escape_href, "jav&#x09;ascript:alert(1)",
        "jav&amp;#x09;ascript:alert(1)");
  CHECK(html_escape_href, "javascript&#58;alert(1)",
        "javascript&amp;#58;alert(1)");
  CHECK(html_escape_href, "javascript%3Aalert(1)", "javascript%3Aalert(1)");
}

static void test_href_escaping_and_utf8(void **state) {
  (void)state;
  CHECK(html_escape_href, "/a\"onmouseover='x'",
        "/a&quot;onmouseover=&#39;x&#39;");
  CHECK(html_escape_href, "/s?q=<b>", "/s?q=&lt;b&gt;");
  CHECK(html_escape_href, "/\xFF", "/" FFFD);
  CHECK(html_escape_href, "/日本", "/日本");
  CHECK(html_escape_href, "jav\xC3\xA1script:x", "#");
}

/* ----- utf8_valid ----- */

static void test_utf8_valid_accepts(void **state) {
  (void)state;
  VALID("");
  VALID("plain ascii");
  VALID("a\0b");            /* U+0000 is a character */
  VALID("\xC2\x80");        /* U+0080 */
  VALID("\xDF\xBF");        /* U+07FF */
  VALID("\xE0\xA0\x80");    /* U+0800 */
  VALID("\xED\x9F\xBF");    /* U+D7FF */
  VALID("\xEE\x80\x80");    /* U+E000 */
  VALID("\xEF\xBF\xBF");    /* U+FFFF */
  VALID("\xF0\x90\x80\x80"); /* U+10000 */
  VALID("\xF4\x8F\xBF\xBF"); /* U+10FFFF */
  VALID("日本語 😀");
}

static void test_utf8_valid_rejects(void **state) {
  (void)state;
  INVALID("\x80");
  INVALID("\xBF");
  INVALID("\xC0\x80"); /* overlong NUL */
  INVALID("\xC1\xBF");
  INVALID("\xE0\x80\x80");
  INVALID("\xE0\x9F\xBF");
  INVALID("\xF0\x80\x80\x80");
  INVALID("\xF0\x8F\xBF\xBF");
  INVALID("\xED\xA0\x80"); /* U+D800 */
  INVALID("\xED\xBF\xBF"); /* U+DFFF */
  INVALID("\xF4\x90\x80\x80");
  INVALID("\xF5\x80\x80\x80");
  INVALID("\xFE");
  INVALID("\xFF");
}

static void test_utf8_valid_truncated(void **state) {
  (void)state;
  INVALID("\xC3");
  INVALID("\xE6\x97");
  INVALID("\xF0\x9F\x98");
  INVALID("\xC3(");
  INVALID("ok\xE6\x97" "a");
  assert_true(utf8_valid("\xE6\x97\xA5", 3));
  assert_false(utf8_valid("\xE6\x97\xA5", 2)); /* n is honoured */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_escape_specials),
      cmocka_unit_test(test_escape_plain),
      cmocka_unit_test(test_escape_appends),
      cmocka_unit_test(test_escape_invalid_utf8),
      cmocka_unit_test(test_escape_overlong),
      cmocka_unit_test(test_escape_surrogates_and_range),
      cmocka_unit_test(test_attr_safe_chars),
      cmocka_unit_test(test_attr_escapes),
      cmocka_unit_test(test_attr_invalid_utf8),
      cmocka_unit_test(test_url_unreserved),
      cmocka_unit_test(test_url_reserved),
      cmocka_unit_test(test_url_utf8),
      cmocka_unit_test(test_href_allowed_schemes),
      cmocka_unit_test(test_href_relative),
      cmocka_unit_test(test_href_blocked_schemes),
      cmocka_unit_test(test_href_whitespace_tricks),
      cmocka_unit_test(test_href_control_chars),
      cmocka_unit_test(test_href_protocol_relative),
      cmocka_unit_test(test_href_entities_stay_literal),
      cmocka_unit_test(test_href_escaping_and_utf8),
      cmocka_unit_test(test_utf8_valid_accepts),
      cmocka_unit_test(test_utf8_valid_rejects),
      cmocka_unit_test(test_utf8_valid_truncated),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
