/* test_svg_chart.c — unit tests for src/svg_chart.c: the output is
 * well-formed XML (checked by a small strict checker here, and by xmllint
 * when it is installed), labels and titles are escaped, the accessible
 * name and description are wired up (role="img", aria-labelledby →
 * <title>, <desc>), the y scale is a "nice" bound, bar heights follow the
 * values, and an empty series draws a frame that says so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "svg_chart.h"

/* Strict well-formedness: balanced tags, quoted attributes, entities only
 * from a known list, one root element. Returns NULL or the problem. */
static const char *xml_problem(const char *s) {
  const char *stack[64];
  size_t lens[64];
  int depth = 0, roots = 0;
  const char *p = s;
  while (*p) {
    if (*p == '<') {
      p++;
      if (*p == '/') {
        p++;
        const char *n = p;
        while (*p && *p != '>' && *p != ' ') p++;
        if (!depth) return "close without open";
        depth--;
        if ((size_t)(p - n) != lens[depth] || strncmp(n, stack[depth], lens[depth])) return "mismatched close tag";
        if (*p != '>') return "bad close tag";
        p++;
        continue;
      }
      const char *n = p;
      while (*p && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == ':')) p++;
      if (p == n) return "bad tag name";
      if (depth == 0) roots++;
      size_t nl = (size_t)(p - n);
      for (;;) {
        while (*p == ' ') p++;
        if (*p == '>') { p++; if (depth >= 64) return "too deep"; stack[depth] = n; lens[depth++] = nl; break; }
        if (*p == '/' && p[1] == '>') { p += 2; break; }
        const char *an = p;
        while (*p && *p != '=' && *p != ' ' && *p != '>') p++;
        if (p == an || *p != '=' || p[1] != '"') return "attribute without quoted value";
        p += 2;
        while (*p && *p != '"') {
          if (*p == '<') return "< in attribute";
          if (*p == '&' && strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) &&
              strncmp(p, "&quot;", 6) && strncmp(p, "&#", 2)) return "bad entity in attribute";
          p++;
        }
        if (!*p) return "unterminated attribute";
        p++;
      }
      continue;
    }
    if (*p == '&') {
      if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) && strncmp(p, "&quot;", 6) &&
          strncmp(p, "&#", 2)) return "bad entity in text";
    } else if (depth == 0) {
      return "text outside the root";
    }
    p++;
  }
  if (depth) return "unclosed element";
  if (roots != 1) return "not exactly one root";
  return NULL;
}

/* xmllint agrees (when installed; otherwise only the checker above). */
static void assert_xmllint_ok(const char *svg) {
  if (access("/usr/bin/xmllint", X_OK) != 0) return;
  char path[] = "/tmp/svgchartXXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs(svg, f);
  fclose(f);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "/usr/bin/xmllint --noout %s 2>/dev/null", path);
  int rc = system(cmd);
  unlink(path);
  assert_int_equal(rc, 0);
}

static const char *draw(buf *b, const chart_point *p, size_t n, const chart_opts *o) {
  buf_reset(b);
  svg_bar_chart(b, p, n, o);
  return buf_cstr(b);
}

static void test_scale(void **state) {
  (void)state;
  long long step;
  assert_int_equal(svg_chart_scale(0, &step), 5);
  assert_int_equal(step, 1);
  assert_int_equal(svg_chart_scale(5, &step), 5);
  assert_int_equal(svg_chart_scale(6, &step), 10);
  assert_int_equal(step, 2);
  assert_int_equal(svg_chart_scale(11, &step), 20);
  assert_int_equal(step, 5);
  assert_int_equal(svg_chart_scale(21, &step), 50);
  assert_int_equal(step, 10);
  assert_int_equal(svg_chart_scale(100, &step), 100);
  assert_int_equal(step, 20);
  assert_int_equal(svg_chart_scale(101, &step), 200);
  assert_int_equal(step, 50);
  assert_int_equal(svg_chart_scale(12345, &step), 20000);
  assert_int_equal(step, 5000);
  /* every bound is a whole number of steps */
  for (long long m = 0; m < 100000; m += 37) {
    long long b = svg_chart_scale(m, &step);
    assert_true(b >= m);
    assert_true(step > 0);
    assert_int_equal(b % step, 0);
    assert_true(b / step >= 4 && b / step <= 5);
  }
}

static void test_well_formed_and_accessible(void **state) {
  (void)state;
  buf b;
  buf_init(&b);
  chart_point p[31];
  char labels[31][16];
  for (int i = 0; i < 31; i++) {
    snprintf(labels[i], sizeof labels[i], "11/%d", i + 1);
    p[i].label = labels[i];
    p[i].value = (i * 7) % 23;
  }
  chart_opts o = {.id = "chart-views", .title = "閲覧数の推移", .desc = "合計と最大", .unit = "件"};
  const char *svg = draw(&b, p, 31, &o);
  const char *why = xml_problem(svg);
  assert_null(why);
  assert_xmllint_ok(svg);
  assert_non_null(strstr(svg, "role=\"img\""));
  assert_non_null(strstr(svg, "aria-labelledby=\"chart-views-title chart-views-desc\""));
  assert_non_null(strstr(svg, "<title id=\"chart-views-title\">閲覧数の推移</title>"));
  assert_non_null(strstr(svg, "<desc id=\"chart-views-desc\">合計と最大</desc>"));
  assert_non_null(strstr(svg, "xmlns=\"http://www.w3.org/2000/svg\""));
  /* first and last x labels are printed; y axis from 0 to the bound */
  assert_non_null(strstr(svg, ">11/1</text>"));
  assert_non_null(strstr(svg, ">11/31</text>"));
  assert_non_null(strstr(svg, ">0</text>"));
  assert_non_null(strstr(svg, ">50</text>")); /* max 22 → bound 50, ticks of 10 */
  assert_non_null(strstr(svg, ">40</text>"));
  buf_free(&b);
}

static void test_escaping(void **state) {
  (void)state;
  buf b;
  buf_init(&b);
  chart_point p[] = {{"<script>alert(1)</script>", 3}, {"a&b \"q\" 'x'", 1}};
  chart_opts o = {.id = "x\" onload=\"evil", .title = "</title><script>", .desc = "&amp; <b>"};
  const char *svg = draw(&b, p, 2, &o);
  assert_null(xml_problem(svg));
  assert_xmllint_ok(svg);
  assert_null(strstr(svg, "<script"));
  assert_null(strstr(svg, "onload=\""));
  assert_non_null(strstr(svg, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  assert_non_null(strstr(svg, "a&amp;b &quot;q&quot; &#39;x&#39;"));
  assert_non_null(strstr(svg, "&amp;amp; &lt;b&gt;"));
  assert_non_null(strstr(svg, "id=\"x__onload__evil-title\""));
  buf_free(&b);
}

static void test_bar_heights(void **state) {
  (void)state;
  buf b;
  buf_init(&b);
  /* default 720 × 300: plot height 300 - 28 - 44 = 228; bound for 10 is 10 */
  chart_point p[] = {{"a", 10}, {"b", 5}, {"c", 0}, {"d", -3}};
  chart_opts o = {.id = "h", .title = "t"};
  const char *svg = draw(&b, p, 4, &o);
  assert_null(xml_problem(svg));
  assert_non_null(strstr(svg, "height=\"228.0\"><title>a：10</title>"));
  assert_non_null(strstr(svg, "height=\"114.0\"><title>b：5</title>"));
  assert_non_null(strstr(svg, "height=\"0.0\"><title>c：0</title>"));
  assert_non_null(strstr(svg, "height=\"0.0\"><title>d：0</title>")); /* negatives drawn as 0 */
  /* thousands separators on the axis */
  chart_point big[] = {{"x", 123456}};
  svg = draw(&b, big, 1, &o);
  assert_non_null(strstr(svg, ">200,000</text>"));
  buf_free(&b);
}

static void test_empty(void **state) {
  (void)state;
  buf b;
  buf_init(&b);
  const char *svg = draw(&b, NULL, 0, &(chart_opts){.id = "e", .title = "空"});
  assert_null(xml_problem(svg));
  assert_xmllint_ok(svg);
  assert_non_null(strstr(svg, "データがありません"));
  assert_non_null(strstr(svg, "<title id=\"e-title\">空</title>"));
  assert_null(strstr(svg, "<rect x=\"6")); /* no bars */
  /* defaults when no options at all */
  svg = draw(&b, NULL, 0, NULL);
  assert_null(xml_problem(svg));
  assert_non_null(strstr(svg, "id=\"chart-title\""));
  buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_scale),
      cmocka_unit_test(test_well_formed_and_accessible),
      cmocka_unit_test(test_escaping),
      cmocka_unit_test(test_bar_heights),
      cmocka_unit_test(test_empty),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
