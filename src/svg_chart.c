/* svg_chart.c — server-side SVG bar charts (see svg_chart.h). Geometry is
 * computed in doubles and printed with one decimal; every piece of text
 * goes through html_escape (valid in XML: & < > " ' become entities). */
#include "svg_chart.h"

#include <stdio.h>
#include <string.h>

#include "html.h"

long long svg_chart_scale(long long max, long long *step) {
  long long bound = 5, st = 1;
  if (max > 5) {
    long long p = 10;
    for (;;) {
      if (max <= p) { bound = p, st = p / 5; break; }
      if (max <= 2 * p) { bound = 2 * p, st = p / 2; break; }
      if (max <= 5 * p) { bound = 5 * p, st = p; break; }
      if (p > 1000000000000000LL) { bound = max, st = max; break; }
      p *= 10;
    }
  }
  if (step) *step = st;
  return bound;
}

static void esc(buf *out, const char *s) {
  if (s) html_escape(out, s, strlen(s));
}

/* Only [A-Za-z0-9_-] survive in ids; anything else becomes '_'. */
static void put_id(buf *out, const char *id) {
  if (!id || !*id) id = "chart";
  for (const char *p = id; *p; p++) {
    char c = *p;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    buf_putc(out, ok ? c : '_');
  }
}

/* Thousands separators for axis labels (12,345). */
static void put_num(buf *out, long long v) {
  char s[32];
  snprintf(s, sizeof s, "%lld", v < 0 ? 0 : v);
  size_t n = strlen(s);
  for (size_t i = 0; i < n; i++) {
    if (i && (n - i) % 3 == 0) buf_putc(out, ',');
    buf_putc(out, s[i]);
  }
}

void svg_bar_chart(buf *out, const chart_point *pts, size_t n, const chart_opts *o) {
  int W = o && o->width > 0 ? o->width : 720, H = o && o->height > 0 ? o->height : 300;
  const double ml = 64, mr = 16, mt = 28, mb = 44;
  double pw = W - ml - mr, ph = H - mt - mb;
  const char *id = o ? o->id : NULL;
  buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 %d %d\""
                  " width=\"100%%\" preserveAspectRatio=\"xMinYMin meet\" aria-labelledby=\"", W, H);
  put_id(out, id);
  buf_puts(out, "-title ");
  put_id(out, id);
  buf_puts(out, "-desc\"><title id=\"");
  put_id(out, id);
  buf_puts(out, "-title\">");
  esc(out, o && o->title ? o->title : "グラフ");
  buf_puts(out, "</title><desc id=\"");
  put_id(out, id);
  buf_puts(out, "-desc\">");
  esc(out, o && o->desc ? o->desc : "");
  buf_puts(out, "</desc>");
  buf_printf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>", W, H);
  if (n == 0) {
    buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"16\" fill=\"#1a1a1a\">"
                    "データがありません</text></svg>", W / 2, H / 2);
    return;
  }
  long long max = 0;
  for (size_t i = 0; i < n; i++)
    if (pts[i].value > max) max = pts[i].value;
  long long step, bound = svg_chart_scale(max, &step);
  /* unit label above the y axis */
  buf_printf(out, "<text x=\"%.1f\" y=\"16\" font-size=\"12\" fill=\"#1a1a1a\">（", ml - 8);
  esc(out, o && o->unit ? o->unit : "件");
  buf_puts(out, "）</text>");
  /* horizontal grid lines and y tick labels */
  buf_puts(out, "<g font-size=\"12\" fill=\"#1a1a1a\" text-anchor=\"end\">");
  for (long long v = 0; v <= bound; v += step) {
    double y = mt + ph - ph * (double)v / (double)bound;
    buf_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"/>",
               ml, y, ml + pw, y, v == 0 ? "#333333" : "#c8c8c8");
    buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\">", ml - 6, y + 4);
    put_num(out, v);
    buf_puts(out, "</text>");
  }
  buf_puts(out, "</g>");
  /* bars: each has its own <title> (label: value) for pointer users */
  double slot = pw / (double)n, bw = slot * 0.7 < 1 ? 1 : slot * 0.7;
  buf_puts(out, "<g fill=\"#1f5f99\" stroke=\"#0b2f4f\" stroke-width=\"1\">");
  for (size_t i = 0; i < n; i++) {
    long long v = pts[i].value < 0 ? 0 : pts[i].value;
    double h = ph * (double)v / (double)bound, x = ml + slot * (double)i + (slot - bw) / 2;
    buf_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>", x,
               mt + ph - h, bw, h);
    esc(out, pts[i].label);
    buf_puts(out, "：");
    put_num(out, v);
    buf_puts(out, "</title></rect>");
  }
  buf_puts(out, "</g>");
  /* x labels: at most one per 64 px, the first and the last included */
  size_t every = (size_t)(64.0 / slot) + 1;
  buf_puts(out, "<g font-size=\"12\" fill=\"#1a1a1a\" text-anchor=\"middle\">");
  for (size_t i = 0; i < n; i++) {
    /* the last label always; a regular one only when not crowding it */
    if (i != n - 1 && (i % every || n - 1 - i < every - 1)) continue;
    buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\">", ml + slot * (double)i + slot / 2, mt + ph + 18);
    esc(out, pts[i].label);
    buf_puts(out, "</text>");
  }
  buf_puts(out, "</g></svg>");
}
