/* test_tmpl.c — unit tests for the template engine (src/tmpl.c): values,
 * variables and escaping, filters, if/for/include/extends/block, whitespace
 * trimming, every load-time error message with its file:line, render-time
 * errors, tmpl_load_dir on a real directory tree, and concurrent rendering
 * of one set from several threads. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkdtemp, mkdir */
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tmpl.h"

#define FFFD "\xEF\xBF\xBD"

/* Each test gets a fresh arena for its context values. */
static int setup(void **state) {
  arena *a = malloc(sizeof *a);
  arena_init(a);
  *state = a;
  return 0;
}

static int teardown(void **state) {
  arena_free(*state);
  free(*state);
  return 0;
}

/* Loads files (name, text, ..., NULL), renders name with ctx and asserts
 * the exact output. */
static void expect_files(const char *const *files, const char *name,
                         const tval *ctx, const char *expect) {
  char err[256];
  tmpl_set *ts = tmpl_load_mem(files, err, sizeof err);
  if (!ts) fail_msg("load failed: %s", err);
  buf out;
  buf_init(&out);
  int rc = tmpl_render(ts, name, ctx, &out, err, sizeof err);
  tmpl_free(ts);
  if (rc != 0) {
    buf_free(&out);
    fail_msg("render failed: %s", err);
  }
  bool same = strcmp(buf_cstr(&out), expect) == 0;
  if (!same) fprintf(stderr, "got:    [%s]\nexpect: [%s]\n", out.data, expect);
  buf_free(&out);
  assert_true(same);
}

/* One template named t.html. */
static void expect1(const char *src, const tval *ctx, const char *expect) {
  const char *files[] = {"t.html", src, NULL};
  expect_files(files, "t.html", ctx, expect);
}

/* Asserts that loading fails with exactly this message. */
static void expect_load_err(const char *const *files, const char *expect) {
  char err[256] = "";
  tmpl_set *ts = tmpl_load_mem(files, err, sizeof err);
  if (ts) {
    tmpl_free(ts);
    fail_msg("load succeeded, expected: %s", expect);
  }
  assert_string_equal(err, expect);
}

static void expect_err1(const char *src, const char *expect) {
  const char *files[] = {"t.html", src, NULL};
  expect_load_err(files, expect);
}

/* ----- values ----- */

static void test_values_api(void **state) {
  arena *a = *state;
  tval *m = tv_map(a);
  tv_set_str(a, m, "k", "one");
  tv_set_str(a, m, "k", "two"); /* replaces */
  tv_set_int(a, m, "n", 42);
  tv_set_bool(a, m, "b", true);
  assert_string_equal(tv_cstr(tv_get(m, "k")), "two");
  assert_int_equal(tv_kind_of(tv_get(m, "n")), TV_INT);
  assert_int_equal(tv_kind_of(tv_get(m, "b")), TV_BOOL);
  assert_null(tv_get(m, "missing"));
  assert_null(tv_get(NULL, "k"));
  assert_string_equal(tv_cstr(tv_str(a, NULL)), "");
  assert_string_equal(tv_cstr(tv_int(a, 1)), "");
  assert_string_equal(tv_cstr(tv_html(a, "<b>")), "<b>");
  tval *l = tv_list(a);
  assert_int_equal(tv_len(l), 0);
  for (int i = 0; i < 100; i++) tv_push(a, l, tv_int(a, i));
  assert_int_equal(tv_len(l), 100);
  assert_int_equal(tv_len(m), 0);
  assert_int_equal(tv_kind_of(l), TV_LIST);
}

static void test_values_copied(void **state) {
  arena *a = *state;
  char s[] = "orig";
  tval *m = tv_map(a);
  char key[] = "key";
  tv_set_str(a, m, key, s);
  s[0] = 'X';
  key[0] = 'X';
  assert_string_equal(tv_cstr(tv_get(m, "key")), "orig");
}

/* ----- variables and escaping ----- */

static void test_plain_text(void **state) {
  (void)state;
  expect1("", NULL, "");
  expect1("hello\nworld\n", NULL, "hello\nworld\n");
  expect1("a { b } {x} }} %} #}", NULL, "a { b } {x} }} %} #}");
  expect1("trailing {", NULL, "trailing {");
}

static void test_variables(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "name", "世界");
  tv_set_int(a, ctx, "n", -12);
  tv_set_bool(a, ctx, "t", true);
  tv_set_bool(a, ctx, "f", false);
  expect1("Hello, {{ name }}!", ctx, "Hello, 世界!");
  expect1("{{n}}|{{ t }}|{{ f }}", ctx, "-12|true|false");
  expect1("{{ name }}{{ name }}", ctx, "世界世界");
}

static void test_unknown_var_is_empty(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "s", "str");
  tv_set(a, ctx, "l", tv_list(a));
  tv_set(a, ctx, "m", tv_map(a));
  expect1("[{{ nope }}]", ctx, "[]");
  expect1("[{{ nope.deeper }}]", ctx, "[]");
  expect1("[{{ s.x }}]", ctx, "[]"); /* path through a non-map */
  expect1("[{{ l }}][{{ m }}]", ctx, "[][]");
  expect1("[{{ loop.index }}]", ctx, "[]"); /* loop outside any for */
  expect1("[{{ x }}]", NULL, "[]");         /* NULL context */
}

static void test_paths(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tval *user = tv_set(a, ctx, "user", tv_map(a));
  tval *addr = tv_set(a, user, "addr", tv_map(a));
  tv_set_str(a, user, "name", "Hanako");
  tv_set_str(a, addr, "city", "Kyoto");
  expect1("{{ user.name }} / {{ user.addr.city }} / {{ user.addr.zip }}", ctx,
          "Hanako / Kyoto / ");
}

static void test_escaped_by_default(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "x", "<script>alert(\"x\" & 'y')</script>");
  expect1("{{ x }}", ctx,
          "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)"
          "&lt;/script&gt;");
}

static void test_invalid_utf8_value(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "x", "a\xC0\xBC" "b\xED\xA0\x80");
  expect1("{{ x }}", ctx, "a" FFFD FFFD "b" FFFD FFFD FFFD);
}

static void test_html_value_raw(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set(a, ctx, "body", tv_html(a, "<p>safe &amp; sound</p>"));
  expect1("{{ body }}", ctx, "<p>safe &amp; sound</p>");
  /* An explicit escaping filter still escapes trusted HTML. */
  expect1("{{ body|attr }}", ctx,
          "&#x3C;p&#x3E;safe&#x20;&#x26;amp&#x3B;&#x20;sound&#x3C;&#x2F;"
          "p&#x3E;");
}

/* ----- filters ----- */

static void test_filter_attr(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "v", "a b\"c");
  expect1("<x title={{ v|attr }}>", ctx, "<x title=a&#x20;b&#x22;c>");
  expect1("{{ v | attr }}", ctx, "a&#x20;b&#x22;c");
}

static void test_filter_url(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "q", "東京 & more");
  tv_set_int(a, ctx, "n", 7);
  expect1("/s?q={{ q|url }}&n={{ n|url }}", ctx,
          "/s?q=%E6%9D%B1%E4%BA%AC%20%26%20more&n=7");
}

static void test_filter_href(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "bad", "javascript:alert(1)");
  tv_set_str(a, ctx, "good", "https://example.com/?a=1&b=2");
  tv_set_str(a, ctx, "rel", "/x/y");
  expect1("<a href=\"{{ bad|href }}\">", ctx, "<a href=\"#\">");
  expect1("<a href=\"{{ good|href }}\">", ctx,
          "<a href=\"https://example.com/?a=1&amp;b=2\">");
  expect1("{{ rel|href }}", ctx, "/x/y");
}

static void test_filter_default(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "empty", "");
  tv_set_str(a, ctx, "set", "yes");
  tv_set_int(a, ctx, "zero", 0);
  tv_set(a, ctx, "h", tv_html(a, ""));
  expect1("{{ missing|default:\"none\" }}", ctx, "none");
  expect1("{{ empty|default:\"none\" }}", ctx, "none");
  expect1("{{ set|default:\"none\" }}", ctx, "yes");
  expect1("{{ zero|default:\"none\" }}", ctx, "0");
  /* The literal is escaped like any other value. */
  expect1("{{ missing|default:\"<b>\" }}", ctx, "&lt;b&gt;");
  expect1("{{ h|default:\"<i>\" }}", ctx, "&lt;i&gt;");
  expect1("{{ missing|default:\"say \\\"hi\\\"\" }}", ctx,
          "say &quot;hi&quot;");
  expect1("{{ missing|default:\"}}\" }}", ctx, "}}");
  expect1("{{ a|default:\"\"|default:\"second\" }}", ctx, "second");
}

static void test_filter_default_combined(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "v", "x y");
  expect1("{{ missing|default:\"なし\"|attr }}", ctx, "なし");
  expect1("{{ missing|default:\"a b\"|attr }}", ctx, "a&#x20;b");
  expect1("{{ v|default:\"z\"|attr }}", ctx, "x&#x20;y");
  /* default applies first even when written after the escaper */
  expect1("{{ missing|url|default:\"a b\" }}", ctx, "a%20b");
}

static void test_filter_chain(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "v", "a b");
  /* url first ("a%20b"), then attr escapes the '%'. */
  expect1("{{ v|url|attr }}", ctx, "a&#x25;20b");
  expect1("{{ v|url|url|url }}", ctx, "a%252520b");
}

/* ----- if ----- */

static void test_if_truthiness(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tval *full = tv_set(a, ctx, "full", tv_list(a));
  tv_push(a, full, tv_int(a, 1));
  tv_set(a, ctx, "none", tv_list(a));
  tv_set(a, ctx, "map", tv_map(a));
  tv_set_str(a, ctx, "s", "x");
  tv_set_str(a, ctx, "es", "");
  tv_set_int(a, ctx, "i", 3);
  tv_set_int(a, ctx, "z", 0);
  tv_set_bool(a, ctx, "t", true);
  tv_set_bool(a, ctx, "f", false);
  tv_set(a, ctx, "h", tv_html(a, "<br>"));
  const char *src =
      "{% if s %}s{% endif %}{% if es %}ES{% endif %}"
      "{% if i %}i{% endif %}{% if z %}Z{% endif %}"
      "{% if t %}t{% endif %}{% if f %}F{% endif %}"
      "{% if full %}l{% endif %}{% if none %}N{% endif %}"
      "{% if map %}m{% endif %}{% if missing %}M{% endif %}"
      "{% if h %}h{% endif %}";
  expect1(src, ctx, "sitlmh");
}

static void test_if_elif_else(void **state) {
  arena *a = *state;
  const char *src =
      "{% if a %}A{% elif b %}B{% elif c %}C{% else %}E{% endif %}";
  tval *ctx = tv_map(a);
  expect1(src, ctx, "E");
  tv_set_bool(a, ctx, "c", true);
  expect1(src, ctx, "C");
  tv_set_bool(a, ctx, "b", true);
  expect1(src, ctx, "B");
  tv_set_bool(a, ctx, "a", true);
  expect1(src, ctx, "A");
  expect1("{% if x %}X{% endif %}", ctx, "");
  expect1("{% if x %}X{% else %}Y{% endif %}", ctx, "Y");
}

static void test_if_not(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set_bool(a, ctx, "yes", true);
  tv_set_str(a, ctx, "notes", "n"); /* a name starting with "not" */
  expect1("{% if not yes %}1{% else %}0{% endif %}", ctx, "0");
  expect1("{% if not missing %}1{% endif %}", ctx, "1");
  expect1("{% if notes %}N{% endif %}", ctx, "N");
  expect1("{% if not notes %}N{% else %}-{% endif %}", ctx, "-");
}

static void test_if_compare(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "role", "admin");
  tv_set_int(a, ctx, "n", 5);
  tv_set_bool(a, ctx, "b", true);
  tv_set_str(a, ctx, "q", "say \"hi\"");
  expect1("{% if role == \"admin\" %}yes{% endif %}", ctx, "yes");
  expect1("{% if role == \"Admin\" %}yes{% else %}no{% endif %}", ctx, "no");
  expect1("{% if role != \"admin\" %}yes{% else %}no{% endif %}", ctx, "no");
  expect1("{% if role != \"user\" %}yes{% endif %}", ctx, "yes");
  expect1("{% if n == \"5\" %}five{% endif %}", ctx, "five");
  expect1("{% if b == \"true\" %}T{% endif %}", ctx, "T");
  expect1("{% if missing == \"\" %}empty{% endif %}", ctx, "empty");
  expect1("{% if q == \"say \\\"hi\\\"\" %}q{% endif %}", ctx, "q");
  expect1("{% if not role == \"admin\" %}x{% else %}y{% endif %}", ctx, "y");
  expect1("{% if role==\"admin\" %}tight{% endif %}", ctx, "tight");
}

static void test_if_nested(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set_bool(a, ctx, "a", true);
  expect1("{% if a %}[{% if b %}b{% else %}!b{% endif %}]{% endif %}", ctx,
          "[!b]");
}

/* ----- for ----- */

static tval *str_list(arena *a, const char *const *items) {
  tval *l = tv_list(a);
  for (; *items; items++) tv_push(a, l, tv_str(a, *items));
  return l;
}

static void test_for_basic(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set(a, ctx, "xs", str_list(a, (const char *[]){"a", "<b>", "c", NULL}));
  expect1("{% for x in xs %}({{ x }}){% endfor %}", ctx, "(a)(&lt;b&gt;)(c)");
  /* the loop variable does not leak out of the loop */
  expect1("{% for x in xs %}{% endfor %}[{{ x }}]", ctx, "[]");
}

static void test_for_else(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set(a, ctx, "empty", tv_list(a));
  tv_set_str(a, ctx, "str", "not a list");
  const char *src1 = "{% for x in empty %}{{ x }}{% else %}none{% endfor %}";
  expect1(src1, ctx, "none");
  expect1("{% for x in missing %}x{% else %}none{% endfor %}", ctx, "none");
  expect1("{% for x in str %}x{% else %}none{% endfor %}", ctx, "none");
  expect1("{% for x in empty %}x{% endfor %}", ctx, "");
}

static void test_for_loop_vars(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set(a, ctx, "xs", str_list(a, (const char *[]){"a", "b", "c", NULL}));
  expect1("{% for x in xs %}{{ loop.index }}{{ x }}"
          "{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %}"
          "{% if not loop.last %},{% endif %}{% endfor %}",
          ctx, "1aF,2b,3cL");
  expect1("{% for x in xs %}{{ loop.index0 }}/{{ loop.length }} {% endfor %}",
          ctx, "0/3 1/3 2/3 ");
  expect1("{% for x in xs %}{{ loop.nope }}{% endfor %}", ctx, "");
}

static void test_for_maps(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tval *users = tv_set(a, ctx, "users", tv_list(a));
  for (int i = 0; i < 2; i++) {
    tval *u = tv_map(a);
    tv_set_str(a, u, "name", i ? "Bob" : "Ann");
    tv_set_int(a, u, "age", 30 + i);
    tv_push(a, users, u);
  }
  expect1("{% for u in users %}{{ u.name }}={{ u.age }};{% endfor %}", ctx,
          "Ann=30;Bob=31;");
}

static void test_for_nested(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tval *rows = tv_set(a, ctx, "rows", tv_list(a));
  tv_push(a, rows, str_list(a, (const char *[]){"a", "b", NULL}));
  tv_push(a, rows, str_list(a, (const char *[]){"c", NULL}));
  tv_set_str(a, ctx, "sep", "|");
  expect1("{% for r in rows %}{{ loop.index }}:"
          "{% for c in r %}{{ loop.index }}{{ c }}{{ sep }}{% endfor %}"
          "{{ loop.index }}{% if loop.last %}.{% else %} {% endif %}"
          "{% endfor %}",
          ctx, "1:1a|2b|1 2:1c|2.");
  /* inner loop can read the outer item */
  tv_set(a, ctx, "xs", str_list(a, (const char *[]){"x", "y", NULL}));
  expect1("{% for o in xs %}{% for i in xs %}{{ o }}{{ i }} {% endfor %}"
          "{% endfor %}",
          ctx, "xx xy yx yy ");
}

static void test_for_shadowing(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "x", "outer");
  tv_set(a, ctx, "xs", str_list(a, (const char *[]){"in", NULL}));
  expect1("{{ x }}{% for x in xs %}-{{ x }}-{% endfor %}{{ x }}", ctx,
          "outer-in-outer");
}

/* ----- include ----- */

static void test_include_scope(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "title", "T");
  tv_set(a, ctx, "xs", str_list(a, (const char *[]){"a", "b", NULL}));
  const char *files[] = {
      "page.html",
      "<{{ title }}>{% for x in xs %}{% include \"partials/item.html\" %}"
      "{% endfor %}{% include \"partials/foot.html\" %}",
      "partials/item.html", "[{{ loop.index }}{{ x }}{{ title }}]",
      "partials/foot.html", "{% include \"partials/inner.txt\" %}!",
      "partials/inner.txt", "end{{ x }}",
      NULL};
  expect_files(files, "page.html", ctx, "<T>[1aT][2bT]end!");
}

static void test_include_of_extending_template(void **state) {
  (void)state;
  const char *files[] = {
      "box.html", "<div>{% block c %}box{% endblock %}</div>",
      "redbox.html", "{% extends \"box.html\" %}{% block c %}red{% endblock %}",
      "page.html",
      "{% extends \"layout.html\" %}"
      "{% block c %}{% include \"redbox.html\" %}{% endblock %}",
      "layout.html", "L({% block c %}{% endblock %})",
      NULL};
  /* The included template resolves its blocks with its own chain. */
  expect_files(files, "page.html", NULL, "L(<div>red</div>)");
}

/* ----- extends / block ----- */

static const char *const layout_files[] = {
    "layout.html",
    "<title>{% block title %}Default{% endblock %}</title>"
    "<main>{% block main %}{% endblock %}</main>"
    "<footer>{% block footer %}(c){% endblock %}</footer>",
    "page.html",
    "{% extends \"layout.html\" %}\n"
    "{% block title %}Page {{ name }}{% endblock %}\n"
    "{% block main %}body{% endblock main %}\n",
    "sub.html",
    "{% extends \"page.html\" %}{% block main %}sub body{% endblock %}",
    NULL};

static void test_extends_blocks(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "name", "<x>");
  expect_files(layout_files, "page.html", ctx,
               "<title>Page &lt;x&gt;</title><main>body</main>"
               "<footer>(c)</footer>");
  expect_files(layout_files, "layout.html", ctx,
               "<title>Default</title><main></main><footer>(c)</footer>");
}

static void test_extends_two_levels(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "name", "N");
  expect_files(layout_files, "sub.html", ctx,
               "<title>Page N</title><main>sub body</main>"
               "<footer>(c)</footer>");
}

static void test_extends_nested_blocks(void **state) {
  (void)state;
  const char *files[] = {
      "base.html",
      "{% block outer %}[{% block inner %}i{% endblock %}]{% endblock %}",
      "a.html", "{% extends \"base.html\" %}{% block inner %}I{% endblock %}",
      "b.html",
      "{% extends \"base.html\" %}"
      "{% block outer %}<{% block inner %}x{% endblock %}>{% endblock %}",
      "c.html", "{% extends \"b.html\" %}{% block inner %}C{% endblock %}",
      NULL};
  expect_files(files, "base.html", NULL, "[i]");
  expect_files(files, "a.html", NULL, "[I]");
  expect_files(files, "b.html", NULL, "<x>");
  expect_files(files, "c.html", NULL, "<C>");
}

static void test_extends_blocks_see_scope(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set(a, ctx, "xs", str_list(a, (const char *[]){"a", "b", NULL}));
  const char *files[] = {
      "l.html", "{% for x in xs %}{% block item %}-{% endblock %}{% endfor %}",
      "p.html",
      "{# leading comment is fine #}\n{% extends \"l.html\" %}\n"
      "{% block item %}{{ loop.index }}{{ x }}{% endblock %}",
      NULL};
  expect_files(files, "p.html", ctx, "1a2b");
}

/* ----- whitespace control and comments ----- */

static void test_trim(void **state) {
  arena *a = *state;
  tval *ctx = tv_map(a);
  tv_set(a, ctx, "xs", str_list(a, (const char *[]){"a", "b", NULL}));
  tv_set_str(a, ctx, "v", "V");
  expect1("<ul>\n  {%- for x in xs -%}\n  <li>{{ x }}</li>\n  {%- endfor -%}\n"
          "</ul>",
          ctx, "<ul><li>a</li><li>b</li></ul>");
  expect1("a  \n {{- v -}} \n\t b", ctx, "aVb");
  expect1("a \n{%- if v %} x {% endif -%}\n b", ctx, "a x b");
  expect1("a {#- note -#} b", ctx, "ab");
  expect1("a {{ v -}}  b", ctx, "a Vb");
  expect1("a  {{- v }}  b", ctx, "aV  b");
}

static void test_comments(void **state) {
  (void)state;
  expect1("a{# comment {{ x }} {% if %} #}b", NULL, "ab");
  expect1("a{#\nmulti\nline\n#}b", NULL, "ab");
}

/* ----- load errors ----- */

static void test_err_unclosed(void **state) {
  (void)state;
  expect_err1("line1\nline2\n{% if x %}\nno end\n",
              "t.html:3: unclosed {% if %}");
  expect_err1("\n{% for x in y %}", "t.html:2: unclosed {% for %}");
  expect_err1("{% block b %}\n\n", "t.html:1: unclosed {% block %}");
  expect_err1("\n\n{% if a %}\n{% elif b %}\n{% else %}\n",
              "t.html:3: unclosed {% if %}");
  expect_err1("{% for x in y %}\n{% else %}\n", "t.html:1: unclosed {% for %}");
}

static void test_err_mismatched(void **state) {
  (void)state;
  expect_err1("{% if a %}\n{% endfor %}",
              "t.html:2: {% endfor %} does not match {% if %} on line 1");
  expect_err1("{% for x in y %}{% endif %}",
              "t.html:1: {% endif %} does not match {% for %} on line 1");
  expect_err1("{% for x in y %}{% elif z %}{% endfor %}",
              "t.html:1: {% elif %} does not match {% for %} on line 1");
  expect_err1("{% block b %}\n{% endif %}",
              "t.html:2: {% endif %} does not match {% block %} on line 1");
  expect_err1("{% block b %}{% endblock c %}",
              "t.html:1: {% endblock c %} does not match {% block b %}");
  expect_err1("{% if a %}{% else %}{% else %}{% endif %}",
              "t.html:1: {% else %} after {% else %}");
  expect_err1("{% if a %}{% else %}\n{% elif b %}{% endif %}",
              "t.html:2: {% elif %} after {% else %}");
}

static void test_err_unexpected(void **state) {
  (void)state;
  expect_err1("a\n\n{% endif %}", "t.html:3: unexpected {% endif %}");
  expect_err1("{% else %}", "t.html:1: unexpected {% else %}");
  expect_err1("x\n{% endblock %}", "t.html:2: unexpected {% endblock %}");
}

static void test_err_unknown_tag(void **state) {
  (void)state;
  expect_err1("\n{% frobnicate x %}",
              "t.html:2: unknown tag {% frobnicate x %}");
  expect_err1("{% %}", "t.html:1: unknown tag {%  %}");
  expect_err1("{% raw %}", "t.html:1: unknown tag {% raw %}");
}

static void test_err_unknown_filter(void **state) {
  (void)state;
  expect_err1("a\nb\n{{ x|upper }}", "t.html:3: unknown filter 'upper'");
  expect_err1("{{ x|attr|raw }}", "t.html:1: unknown filter 'raw'");
}

static void test_err_bad_expression(void **state) {
  (void)state;
  expect_err1("{{ a b }}", "t.html:1: bad expression 'a b'");
  expect_err1("{{ }}", "t.html:1: bad expression ''");
  expect_err1("{{ a. }}", "t.html:1: bad expression 'a.'");
  expect_err1("{{ 1x }}", "t.html:1: bad expression '1x'");
  expect_err1("{{ a| }}", "t.html:1: bad expression 'a|'");
  expect_err1("{{ a|default }}", "t.html:1: bad expression 'a|default'");
  expect_err1("{{ a|default:x }}", "t.html:1: bad expression 'a|default:x'");
  expect_err1("\n{% if a = \"b\" %}{% endif %}",
              "t.html:2: bad expression 'if a = \"b\"'");
  expect_err1("{% if a == b %}{% endif %}",
              "t.html:1: bad expression 'if a == b'");
  expect_err1("{% if %}{% endif %}", "t.html:1: bad expression 'if'");
  expect_err1("{% for x of y %}{% endfor %}",
              "t.html:1: bad expression 'for x of y'");
  expect_err1("{% if a %}{% endif junk %}",
              "t.html:1: bad expression 'endif junk'");
  expect_err1("{% block %}{% endblock %}", "t.html:1: bad expression 'block'");
}

static void test_err_unterminated(void **state) {
  (void)state;
  expect_err1("a\n{{ x ", "t.html:2: unterminated {{");
  expect_err1("a\nb\n{% if x", "t.html:3: unterminated {%");
  expect_err1("{# never closed\n\n", "t.html:1: unterminated {#");
  expect_err1("{{ x|default:\"}} }}", "t.html:1: unterminated {{");
}

static void test_err_line_numbers(void **state) {
  (void)state;
  /* Lines are counted through comments, tags and trimmed whitespace. */
  expect_err1("{# a\nb\nc #}\n{{ x }}\n  {%- if y -%}\n\n\n{{ z|bad }}",
              "t.html:8: unknown filter 'bad'");
  expect_err1("{% if a\n %}\n{% endif %}{{\n\nx|nope }}",
              "t.html:3: unknown filter 'nope'");
}

static void test_err_include_extends_args(void **state) {
  (void)state;
  expect_err1("{% include partial.html %}",
              "t.html:1: {% include %} needs one \"quoted\" template name");
  expect_err1("{% extends \"a.html\" \"b.html\" %}",
              "t.html:1: {% extends %} needs one \"quoted\" template name");
}

static void test_err_extends_not_first(void **state) {
  (void)state;
  const char *f1[] = {"l.html", "", "t.html",
                      "hello\n{% extends \"l.html\" %}", NULL};
  expect_load_err(f1, "t.html:2: {% extends %} must be the first tag");
  const char *f2[] = {"l.html", "", "t.html",
                      "{% if x %}{% endif %}{% extends \"l.html\" %}", NULL};
  expect_load_err(f2, "t.html:1: {% extends %} must be the first tag");
  const char *f3[] = {"l.html", "", "t.html",
                      "{% extends \"l.html\" %}\n{% extends \"l.html\" %}",
                      NULL};
  expect_load_err(f3, "t.html:2: {% extends %} must be the first tag");
  const char *f4[] = {"l.html", "", "t.html",
                      "{{ x }}{% extends \"l.html\" %}", NULL};
  expect_load_err(f4, "t.html:1: {% extends %} must be the first tag");
}

static void test_err_content_outside_block(void **state) {
  (void)state;
  const char *files[] = {"l.html", "", "t.html",
                         "{% extends \"l.html\" %}\n"
                         "{% block a %}{% endblock %}\nstray text\n",
                         NULL};
  expect_load_err(files,
                  "t.html:2: content outside {% block %} in a template "
                  "that extends another");
}

static void test_err_duplicate_block(void **state) {
  (void)state;
  expect_err1("{% block a %}{% endblock %}\n{% block a %}{% endblock %}",
              "t.html:2: duplicate {% block a %}");
}

static void test_err_missing_targets(void **state) {
  (void)state;
  const char *f1[] = {"a.html", "ok", "sub/b.html",
                      "\n{% extends \"nope.html\" %}", NULL};
  expect_load_err(f1,
                  "sub/b.html:2: {% extends %} of unknown template "
                  "\"nope.html\"");
  const char *f2[] = {"a.html", "x\ny\n{% include \"gone.html\" %}", NULL};
  expect_load_err(f2,
                  "a.html:3: {% include %} of unknown template \"gone.html\"");
}

static void test_err_extends_cycle(void **state) {
  (void)state;
  const char *f1[] = {"a.html", "{% extends \"b.html\" %}", "b.html",
                      "\n{% extends \"a.html\" %}", NULL};
  expect_load_err(f1, "a.html:1: extends cycle: a.html -> b.html -> a.html");
  const char *f2[] = {"self.html", "{% extends \"self.html\" %}", NULL};
  expect_load_err(f2, "self.html:1: extends cycle: self.html -> self.html");
  /* d leads into the b<->c cycle; the cycle members are reported */
  const char *f3[] = {"b.html", "{% extends \"c.html\" %}",
                      "c.html", "{% extends \"b.html\" %}",
                      "a.html", "{% extends \"b.html\" %}", NULL};
  expect_load_err(f3, "b.html:1: extends cycle: b.html -> c.html -> b.html");
}

static void test_err_duplicate_name(void **state) {
  (void)state;
  const char *files[] = {"a.html", "1", "a.html", "2", NULL};
  expect_load_err(files, "duplicate template name a.html");
}

/* ----- render-time behaviour ----- */

static void test_render_missing_template(void **state) {
  (void)state;
  const char *files[] = {"a.html", "A", NULL};
  char err[128];
  tmpl_set *ts = tmpl_load_mem(files, err, sizeof err);
  assert_non_null(ts);
  assert_true(tmpl_exists(ts, "a.html"));
  assert_false(tmpl_exists(ts, "b.html"));
  buf out;
  buf_init(&out);
  assert_int_equal(tmpl_render(ts, "b.html", NULL, &out, err, sizeof err), -1);
  assert_string_equal(err, "template not found: b.html");
  assert_int_equal(tmpl_render(ts, "a.html", NULL, &out, err, sizeof err), 0);
  assert_string_equal(buf_cstr(&out), "A");
  buf_free(&out);
  tmpl_free(ts);
}

static void test_render_depth_limit(void **state) {
  (void)state;
  const char *files[] = {"loop.html", "x{% include \"loop.html\" %}", NULL};
  char err[128];
  tmpl_set *ts = tmpl_load_mem(files, err, sizeof err);
  assert_non_null(ts);
  buf out;
  buf_init(&out);
  assert_int_equal(tmpl_render(ts, "loop.html", NULL, &out, err, sizeof err),
                   -1);
  assert_string_equal(err,
                      "include/extends nested deeper than 16 (at loop.html)");
  buf_free(&out);
  tmpl_free(ts);
}

/* t0 includes t1 ... includes tN: depth N. */
static int render_chain(int n, char *err, size_t errlen) {
  char names[20][24], srcs[20][64];
  const char *files[41];
  int k = 0;
  for (int i = 0; i <= n; i++) {
    snprintf(names[i], sizeof names[i], "t%d.html", i);
    if (i < n)
      snprintf(srcs[i], sizeof srcs[i], "%d{%% include \"t%d.html\" %%}", i,
               i + 1);
    else
      snprintf(srcs[i], sizeof srcs[i], "end");
    files[k++] = names[i];
    files[k++] = srcs[i];
  }
  files[k] = NULL;
  tmpl_set *ts = tmpl_load_mem(files, err, errlen);
  assert_non_null(ts);
  buf out;
  buf_init(&out);
  int rc = tmpl_render(ts, "t0.html", NULL, &out, err, errlen);
  buf_free(&out);
  tmpl_free(ts);
  return rc;
}

static void test_render_depth_boundary(void **state) {
  (void)state;
  char err[128];
  assert_int_equal(render_chain(16, err, sizeof err), 0);
  assert_int_equal(render_chain(17, err, sizeof err), -1);
  assert_string_equal(err,
                      "include/extends nested deeper than 16 (at t17.html)");
}

static void test_render_appends(void **state) {
  (void)state;
  const char *files[] = {"a.html", "A", NULL};
  char err[128];
  tmpl_set *ts = tmpl_load_mem(files, err, sizeof err);
  buf out;
  buf_init(&out);
  buf_puts(&out, "pre:");
  assert_int_equal(tmpl_render(ts, "a.html", NULL, &out, err, sizeof err), 0);
  assert_int_equal(tmpl_render(ts, "a.html", NULL, &out, err, sizeof err), 0);
  assert_string_equal(buf_cstr(&out), "pre:AA");
  buf_free(&out);
  tmpl_free(ts);
}

static void test_load_mem_empty(void **state) {
  (void)state;
  const char *files[] = {NULL};
  char err[64];
  tmpl_set *ts = tmpl_load_mem(files, err, sizeof err);
  assert_non_null(ts);
  assert_false(tmpl_exists(ts, "x"));
  tmpl_free(ts);
  tmpl_free(NULL);
}

/* ----- tmpl_load_dir ----- */

static void write_file(const char *dir, const char *rel, const char *text) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, rel);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void make_dir(const char *dir, const char *rel) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, rel);
  assert_int_equal(mkdir(path, 0700), 0);
}

static void remove_paths(const char *dir, const char *const *rels) {
  char path[512];
  for (; *rels; rels++) {
    snprintf(path, sizeof path, "%s/%s", dir, *rels);
    remove(path);
  }
  remove(dir);
}

static void test_load_dir(void **state) {
  (void)state;
  char dir[] = "/tmp/civicnet-tmpl-XXXXXX";
  assert_non_null(mkdtemp(dir));
  make_dir(dir, "partials");
  make_dir(dir, ".git");
  write_file(dir, "layout.html", "<{% block b %}{% endblock %}>");
  write_file(dir, "home.html",
             "{% extends \"layout.html\" %}"
             "{% block b %}{% include \"partials/x.html\" %}{% endblock %}");
  write_file(dir, "partials/x.html", "X{% include \"mail.txt\" %}");
  write_file(dir, "mail.txt", "T");
  write_file(dir, "README.md", "{% broken");
  write_file(dir, ".hidden.html", "{% broken");
  write_file(dir, ".git/config.html", "{% broken");
  char err[256];
  tmpl_set *ts = tmpl_load_dir(dir, err, sizeof err);
  if (!ts) fail_msg("%s", err);
  assert_true(tmpl_exists(ts, "partials/x.html"));
  assert_true(tmpl_exists(ts, "mail.txt"));
  assert_false(tmpl_exists(ts, "README.md"));
  assert_false(tmpl_exists(ts, ".hidden.html"));
  buf out;
  buf_init(&out);
  assert_int_equal(tmpl_render(ts, "home.html", NULL, &out, err, sizeof err),
                   0);
  assert_string_equal(buf_cstr(&out), "<XT>");
  buf_free(&out);
  tmpl_free(ts);
  /* A syntax error names the file with the directory prefix. */
  write_file(dir, "partials/bad.html", "ok\n\n{% if x %}");
  assert_null(tmpl_load_dir(dir, err, sizeof err));
  char expect[300];
  snprintf(expect, sizeof expect, "%s/partials/bad.html:3: unclosed {%% if %%}",
           dir);
  assert_string_equal(err, expect);
  const char *rels[] = {"partials/x.html", "partials/bad.html", "partials",
                        "layout.html", "home.html", "mail.txt", "README.md",
                        ".hidden.html", ".git/config.html", ".git", NULL};
  remove_paths(dir, rels);
}

static void test_load_dir_trailing_slash_and_missing(void **state) {
  (void)state;
  char dir[] = "/tmp/civicnet-tmpl-XXXXXX";
  assert_non_null(mkdtemp(dir));
  write_file(dir, "a.html", "{{ x|nope }}");
  char with_slash[64], expect[128], err[256];
  snprintf(with_slash, sizeof with_slash, "%s/", dir);
  assert_null(tmpl_load_dir(with_slash, err, sizeof err));
  snprintf(expect, sizeof expect, "%s/a.html:1: unknown filter 'nope'", dir);
  assert_string_equal(err, expect);
  const char *rels[] = {"a.html", NULL};
  remove_paths(dir, rels);
  err[0] = 0;
  assert_null(tmpl_load_dir(dir, err, sizeof err)); /* now gone */
  assert_non_null(strstr(err, dir));
}

/* ----- concurrency ----- */

typedef struct {
  const tmpl_set *ts;
  const tval *ctx;
  const char *expect;
  int mismatches;
} thread_job;

static void *render_many(void *arg) {
  thread_job *job = arg;
  buf out;
  buf_init(&out);
  char err[128];
  for (int i = 0; i < 200; i++) {
    buf_reset(&out);
    if (tmpl_render(job->ts, "page.html", job->ctx, &out, err, sizeof err) !=
            0 ||
        strcmp(buf_cstr(&out), job->expect) != 0)
      job->mismatches++;
  }
  buf_free(&out);
  return NULL;
}

static void test_concurrent_render(void **state) {
  arena *a = *state;
  const char *files[] = {
      "layout.html",
      "<h1>{% block t %}{% endblock %}</h1>{% block b %}{% endblock %}",
      "page.html",
      "{% extends \"layout.html\" %}{% block t %}{{ title }}{% endblock %}"
      "{% block b %}{% for x in xs %}{% include \"li.html\" %}{% endfor %}"
      "{% endblock %}",
      "li.html", "<li class={{ x|attr }}>{{ loop.index }}{{ x }}</li>",
      NULL};
  char err[128];
  tmpl_set *ts = tmpl_load_mem(files, err, sizeof err);
  assert_non_null(ts);
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "title", "T&");
  tval *xs = tv_set(a, ctx, "xs", tv_list(a));
  buf expect;
  buf_init(&expect);
  buf_puts(&expect, "<h1>T&amp;</h1>");
  for (int i = 0; i < 50; i++) {
    char s[16];
    snprintf(s, sizeof s, "v %d", i);
    tv_push(a, xs, tv_str(a, s));
    buf_printf(&expect, "<li class=v&#x20;%d>%dv %d</li>", i, i + 1, i);
  }
  thread_job jobs[4];
  pthread_t th[4];
  for (int i = 0; i < 4; i++) {
    jobs[i] = (thread_job){ts, ctx, buf_cstr(&expect), 0};
    assert_int_equal(pthread_create(&th[i], NULL, render_many, &jobs[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(jobs[i].mismatches, 0);
  }
  buf_free(&expect);
  tmpl_free(ts);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_values_api),
      T(test_values_copied),
      T(test_plain_text),
      T(test_variables),
      T(test_unknown_var_is_empty),
      T(test_paths),
      T(test_escaped_by_default),
      T(test_invalid_utf8_value),
      T(test_html_value_raw),
      T(test_filter_attr),
      T(test_filter_url),
      T(test_filter_href),
      T(test_filter_default),
      T(test_filter_default_combined),
      T(test_filter_chain),
      T(test_if_truthiness),
      T(test_if_elif_else),
      T(test_if_not),
      T(test_if_compare),
      T(test_if_nested),
      T(test_for_basic),
      T(test_for_else),
      T(test_for_loop_vars),
      T(test_for_maps),
      T(test_for_nested),
      T(test_for_shadowing),
      T(test_include_scope),
      T(test_include_of_extending_template),
      T(test_extends_blocks),
      T(test_extends_two_levels),
      T(test_extends_nested_blocks),
      T(test_extends_blocks_see_scope),
      T(test_trim),
      T(test_comments),
      T(test_err_unclosed),
      T(test_err_mismatched),
      T(test_err_unexpected),
      T(test_err_unknown_tag),
      T(test_err_unknown_filter),
      T(test_err_bad_expression),
      T(test_err_unterminated),
      T(test_err_line_numbers),
      T(test_err_include_extends_args),
      T(test_err_extends_not_first),
      T(test_err_content_outside_block),
      T(test_err_duplicate_block),
      T(test_err_missing_targets),
      T(test_err_extends_cycle),
      T(test_err_duplicate_name),
      T(test_render_missing_template),
      T(test_render_depth_limit),
      T(test_render_depth_boundary),
      T(test_render_appends),
      T(test_load_mem_empty),
      T(test_load_dir),
      T(test_load_dir_trailing_slash_and_missing),
      T(test_concurrent_render),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
