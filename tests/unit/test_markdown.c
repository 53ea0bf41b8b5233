/* test_markdown.c — unit tests for src/markdown.c: Markdown rendering
 * (headings, lists, links, Japanese text) and the allow-list sanitiser
 * against XSS vectors — script/style elements, event handlers,
 * javascript: URLs hidden with entities, whitespace, controls and case,
 * data: URLs, SVG/MathML, comments, CDATA, nested and malformed tags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "markdown.h"

static arena A;

static int setup(void **state) {
  (void)state;
  arena_init(&A);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  arena_free(&A);
  return 0;
}

static const char *san(const char *in) { return html_sanitize(&A, in, NULL); }
static const char *md(const char *in) { return markdown_to_html(&A, in); }

/* Case-insensitive substring test. */
static bool has(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  for (const char *p = hay; *p; p++)
    if (strncasecmp(p, needle, n) == 0) return true;
  return false;
}

/* Nothing executable may survive in out. */
static void assert_inert(const char *in) {
  const char *out = san(in);
  const char *bad[] = {"<script", "javascript:", "vbscript:", "data:", "onerror", "onload",
                       "onclick", "onmouseover", "<svg", "<style", "<iframe", "<object",
                       "<embed", "<form", "<math", "<!--", "srcdoc", "<base", "<meta",
                       "<link", "expression(", NULL};
  for (int i = 0; bad[i]; i++)
    if (has(out, bad[i])) fail_msg("input %s\n produced %s\n which contains %s", in, out, bad[i]);
}

static void test_markdown_basic(void **state) {
  (void)state;
  assert_string_equal(md(""), "");
  assert_string_equal(md(NULL), "");
  assert_string_equal(md("# 見出し\n\n本文です。"), "<h2>見出し</h2>\n<p>本文です。</p>\n");
  assert_string_equal(md("## センターについて"), "<h2>センターについて</h2>\n");
  assert_string_equal(md("### 小見出し"), "<h3>小見出し</h3>\n");
  assert_string_equal(md("- 一つ目\n- 二つ目"), "<ul>\n<li>一つ目</li>\n<li>二つ目</li>\n</ul>\n");
  assert_string_equal(md("3. 三\n4. 四"), "<ol start=\"3\">\n<li>三</li>\n<li>四</li>\n</ol>\n");
  assert_string_equal(md("**強調**と*斜体*"), "<p><strong>強調</strong>と<em>斜体</em></p>\n");
  assert_string_equal(md("> 引用"), "<blockquote>\n<p>引用</p>\n</blockquote>\n");
  assert_string_equal(md("`a<b`"), "<p><code>a&lt;b</code></p>\n");
}

static void test_markdown_links(void **state) {
  (void)state;
  assert_string_equal(md("[交通案内](/p/center/access)"),
                      "<p><a href=\"/p/center/access\">交通案内</a></p>\n");
  assert_string_equal(md("[県](https://www.pref.yamaguchi.lg.jp/ \"山口県\")"),
                      "<p><a href=\"https://www.pref.yamaguchi.lg.jp/\" title=\"山口県\">県</a></p>\n");
  assert_string_equal(md("[メール](mailto:info@example.jp)"),
                      "<p><a href=\"mailto:info@example.jp\">メール</a></p>\n");
  assert_string_equal(md("[電話](tel:083-000-0000)"), "<p><a href=\"tel:083-000-0000\">電話</a></p>\n");
  /* a forbidden scheme: the link is unwrapped, its text stays */
  assert_string_equal(md("[押す](javascript:alert(1))"), "<p>押す</p>\n");
  assert_string_equal(md("[押す](JaVaScRiPt:alert(1))"), "<p>押す</p>\n");
  assert_string_equal(md("[x](data:text/html;base64,PHNjcmlwdD4=)"), "<p>x</p>\n");
  assert_string_equal(md("![写真](/files/3)"), "<p><img src=\"/files/3\" alt=\"写真\"></p>\n");
  assert_string_equal(md("![x](javascript:alert(1))"), "<p></p>\n");
  assert_string_equal(md("<https://example.jp/a?b=1&c=2>"),
                      "<p><a href=\"https://example.jp/a?b=1&amp;c=2\">https://example.jp/a?b=1&amp;c=2</a></p>\n");
}

static void test_markdown_japanese(void **state) {
  (void)state;
  const char *in = "やまぐち県民活動支援センターは、山口市にあります。\n開館時間：９時～１８時";
  assert_string_equal(md(in), "<p>やまぐち県民活動支援センターは、山口市にあります。\n開館時間：９時～１８時</p>\n");
  /* invalid UTF-8 never comes out as raw bytes */
  const char *bad = md("abc\xff\xfe");
  assert_null(strstr(bad, "\xff"));
}

static void test_markdown_raw_html(void **state) {
  (void)state;
  /* pasted HTML keeps its allowed structure */
  assert_string_equal(md("<table><tr><th scope=\"col\">曜日</th></tr><tr><td colspan=\"2\">月</td></tr></table>"),
                      "<table><tbody><tr><th scope=\"col\">曜日</th></tr><tr><td colspan=\"2\">月</td></tr></tbody></table>\n");
  const char *out = md("本文\n\n<script>alert(1)</script>\n\n続き");
  assert_null(strstr(out, "script"));
  assert_null(strstr(out, "alert"));
  assert_non_null(strstr(out, "<p>本文</p>"));
  assert_non_null(strstr(out, "<p>続き</p>"));
  out = md("<p onclick=\"alert(1)\">段落</p>");
  assert_string_equal(out, "<p>段落</p>\n");
}

static void test_sanitize_allowed(void **state) {
  (void)state;
  assert_string_equal(san("<p>a<br>b</p><hr>"), "<p>a<br>b</p><hr>");
  assert_string_equal(san("<h1>大見出し</h1>"), "<h2>大見出し</h2>");
  assert_string_equal(san("<dl><dt>語</dt><dd>説明</dd></dl>"), "<dl><dt>語</dt><dd>説明</dd></dl>");
  assert_string_equal(san("<figure><img src=\"a.png\" alt=\"図\" width=\"10\" height=\"20\"><figcaption>図1</figcaption></figure>"),
                      "<figure><img src=\"a.png\" alt=\"図\" width=\"10\" height=\"20\"><figcaption>図1</figcaption></figure>");
  assert_string_equal(san("<span lang=\"en\">Hello</span>"), "<span lang=\"en\">Hello</span>");
  assert_string_equal(san("<ol start=\"5\"><li>x</li></ol>"), "<ol start=\"5\"><li>x</li></ol>");
  assert_string_equal(san("<table><caption>表</caption><thead><tr><th rowspan=\"2\">a</th></tr></thead><tfoot><tr><td>b</td></tr></tfoot></table>"),
                      "<table><caption>表</caption><thead><tr><th rowspan=\"2\">a</th></tr></thead><tfoot><tr><td>b</td></tr></tfoot></table>");
  assert_string_equal(san("<em>e</em><strong>s</strong><b>b</b><i>i</i><u>u</u><s>s</s><small>m</small><sub>1</sub><sup>2</sup>"),
                      "<em>e</em><strong>s</strong><b>b</b><i>i</i><u>u</u><s>s</s><small>m</small><sub>1</sub><sup>2</sup>");
}

static void test_sanitize_attributes(void **state) {
  (void)state;
  int removed = 0;
  assert_string_equal(html_sanitize(&A, "<p class=\"x\" style=\"color:red\" id=\"y\">t</p>", &removed), "<p>t</p>");
  assert_int_equal(removed, 3);
  assert_string_equal(san("<a href=\"/x\" target=\"_blank\" onclick=\"evil()\">l</a>"), "<a href=\"/x\">l</a>");
  assert_string_equal(san("<img src=\"/a.png\" alt=\"a\" width=\"100%\" onerror=\"alert(1)\">"),
                      "<img src=\"/a.png\" alt=\"a\">");
  assert_string_equal(san("<td colspan=\"x\">1</td>"), "1"); /* td outside a table is not a cell */
  assert_string_equal(san("<th scope=\"evil\">h</th>"), "h");
  assert_string_equal(san("<span lang=\"en&quot; onclick=x\">a</span>"), "<span>a</span>");
  /* attribute values are escaped again on output */
  assert_string_equal(san("<a href=\"/a?b=1&amp;c=&quot;2\" title='&lt;t&gt; \"q\"'>x</a>"),
                      "<a href=\"/a?b=1&amp;c=&quot;2\" title=\"&lt;t&gt; &quot;q&quot;\">x</a>");
  /* text is escaped again */
  assert_string_equal(san("a &lt;script&gt; b &amp; c"), "a &lt;script&gt; b &amp; c");
}

static void test_sanitize_dropped_with_content(void **state) {
  (void)state;
  int removed = 0;
  assert_string_equal(html_sanitize(&A, "a<script>alert(1)</script>b", &removed), "ab");
  assert_int_equal(removed, 1);
  assert_string_equal(san("<style>body{display:none}</style>x"), "x");
  assert_string_equal(san("<iframe src=\"https://evil.example/\">fallback</iframe>y"), "y");
  assert_string_equal(san("<object data=\"x.swf\"><embed src=\"x.swf\"></object>z"), "z");
  assert_string_equal(san("<form action=\"/x\"><input name=a><button>送信</button></form>w"), "w");
  assert_string_equal(san("<svg><script>alert(1)</script><circle/></svg>v"), "v");
  assert_string_equal(san("<svg onload=alert(1)>"), "");
  assert_string_equal(san("<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>m"), "m");
  assert_string_equal(san("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>"), "");
  assert_string_equal(san("<textarea><script>alert(1)</script></textarea>t"), "t");
  assert_string_equal(san("<template><script>alert(1)</script></template>u"), "u");
}

static void test_sanitize_unknown_unwrapped(void **state) {
  (void)state;
  assert_string_equal(san("<font color=red>赤い</font>文字"), "赤い文字");
  assert_string_equal(san("<center><p>中央</p></center>"), "<p>中央</p>");
  assert_string_equal(san("<custom-el onclick=x>自作</custom-el>"), "自作");
  assert_string_equal(san("<marquee>流れる</marquee>"), "流れる");
}

static void test_sanitize_comments_cdata(void **state) {
  (void)state;
  assert_string_equal(san("a<!-- <script>alert(1)</script> -->b"), "ab");
  assert_string_equal(san("a<!--><img src=x onerror=alert(1)>-->b"), "a<img src=\"x\">--&gt;b");
  /* outside foreign content CDATA is a bogus comment ending at the first '>' */
  assert_string_equal(san("<![CDATA[<script>alert(1)</script>]]>c"), "alert(1)]]&gt;c");
  assert_inert("<![CDATA[><img src=x onerror=alert(1)>]]>");
  assert_inert("<svg><![CDATA[<img src=x onerror=alert(1)>]]></svg>");
  assert_inert("<!--[if IE]><script>alert(1)</script><![endif]-->");
}

static void test_sanitize_javascript_urls(void **state) {
  (void)state;
  const char *vectors[] = {
      "<a href=\"javascript:alert(1)\">x</a>",
      "<a href=\"JAVASCRIPT:alert(1)\">x</a>",
      "<a href=\" javascript:alert(1)\">x</a>",
      "<a href=\"java\tscript:alert(1)\">x</a>",
      "<a href=\"java&#x09;script:alert(1)\">x</a>",
      "<a href=\"java&#10;script:alert(1)\">x</a>",
      "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
      "<a href=\"&#x6A;avascript&colon;alert(1)\">x</a>",
      "<a href=\"javascript&#58;alert(1)\">x</a>",
      "<a href=\"&#0000106avascript:alert(1)\">x</a>",
      "<a href=\"\x01javascript:alert(1)\">x</a>",
      "<a href=\"vbscript:msgbox(1)\">x</a>",
      "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
      "<a href=\"//evil.example/\">x</a>",
      "<a href=\"\\\\evil.example\">x</a>",
      "<a href=javascript:alert(1)>x</a>",
      "<img src=\"javascript:alert(1)\">",
      "<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">",
      "<img src=x onerror=alert(1)//",
      "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">",
      "<a href=\"  &#14;  javascript:alert(1)\">x</a>",
      NULL};
  for (int i = 0; vectors[i]; i++) {
    assert_inert(vectors[i]);
    const char *out = san(vectors[i]);
    if (strstr(vectors[i], "<a ")) assert_null(strstr(out, "<a"));
  }
  assert_string_equal(san("<a href=\"#top\">上へ</a>"), "<a href=\"#top\">上へ</a>");
  assert_string_equal(san("<a href=\"?page=2\">次</a>"), "<a href=\"?page=2\">次</a>");
  assert_string_equal(san("<a href=\"HTTPS://Example.JP/\">e</a>"), "<a href=\"HTTPS://Example.JP/\">e</a>");
}

static void test_sanitize_malformed(void **state) {
  (void)state;
  const char *vectors[] = {
      "<scr<script>ipt>alert(1)</scr</script>ipt>",
      "<<script>script>alert(1)<</script>/script>",
      "<script/src=//evil.example/x.js></script>",
      "<script\n>alert(1)</script\n>",
      "<ScRiPt>alert(1)</sCrIpT>",
      "<p <script>alert(1)</script>>",
      "<img \"\"\"><script>alert(1)</script>\">",
      "<a href=\"x\" <script>alert(1)</script>",
      "<div><div><script>alert(1)",
      "<style><img src=x onerror=alert(1)></style>",
      "<title><img src=x onerror=alert(1)></title>",
      "<xmp><img src=x onerror=alert(1)></xmp>",
      "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
      "<base href=\"javascript:alert(1)//\">",
      "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
      "<link rel=stylesheet href=\"javascript:alert(1)\">",
      "<div style=\"width:expression(alert(1))\">x</div>",
      "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
      "<math><a href=\"javascript:alert(1)\">x</a></math>",
      "<table><td background=\"javascript:alert(1)\">x</td></table>",
      "<body onload=alert(1)>",
      "<details open ontoggle=alert(1)>",
      "<video><source onerror=\"alert(1)\"></video>",
      "\"><script>alert(1)</script>",
      "</p><script>alert(1)</script><p>",
      NULL};
  for (int i = 0; vectors[i]; i++) assert_inert(vectors[i]);
  /* unclosed elements are closed */
  assert_string_equal(san("<p><strong>太字"), "<p><strong>太字</strong></p>");
  assert_string_equal(san("<b><i>x</b></i>"), "<b><i>x</i></b>");
}

static void test_sanitize_markdown_vectors(void **state) {
  (void)state;
  const char *vectors[] = {
      "[a](javascript:alert(1))",
      "[a](&#x6A;avascript:alert(1))",
      "[a]( javascript:alert(1) )",
      "[a](<javascript:alert(1)>)",
      "![a](x \"onerror=alert(1)\")",
      "<javascript:alert(1)>",
      "[a][r]\n\n[r]: javascript:alert(1)",
      "```\n<script>alert(1)</script>\n```",
      "<div>\n<script>alert(1)</script>\n</div>",
      "<img src=x onerror=alert(1)>",
      NULL};
  for (int i = 0; vectors[i]; i++) {
    const char *out = md(vectors[i]);
    /* the text "javascript:" may remain, but never inside a tag */
    const char *bad[] = {"<script", "href=\"javascript", "src=\"javascript", " onerror", "<a", NULL};
    for (int k = 0; bad[k]; k++)
      if (has(out, bad[k])) fail_msg("markdown %s → %s", vectors[i], out);
  }
  /* code blocks show markup as text */
  assert_string_equal(md("```\n<script>alert(1)</script>\n```"),
                      "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>\n");
}

static void test_sanitize_deep_nesting(void **state) {
  (void)state;
  buf b;
  buf_init(&b);
  for (int i = 0; i < 5000; i++) buf_puts(&b, "<div>");
  buf_puts(&b, "深い");
  const char *out = san(buf_cstr(&b));
  assert_non_null(out);
  assert_true(strlen(out) < 5000 * 6);
  buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_markdown_basic, setup, teardown),
      cmocka_unit_test_setup_teardown(test_markdown_links, setup, teardown),
      cmocka_unit_test_setup_teardown(test_markdown_japanese, setup, teardown),
      cmocka_unit_test_setup_teardown(test_markdown_raw_html, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sanitize_allowed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sanitize_attributes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sanitize_dropped_with_content, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sanitize_unknown_unwrapped, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sanitize_comments_cdata, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sanitize_javascript_urls, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sanitize_malformed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sanitize_markdown_vectors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sanitize_deep_nesting, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
