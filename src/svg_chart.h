/* svg_chart.h — bar charts as inline SVG, drawn on the server (C9 access
 * analytics). The output is a well-formed XML <svg> element with
 * role="img", a <title> and <desc> referenced by aria-labelledby, every
 * text escaped, dark text on white (contrast above 4.5:1), bars with a
 * dark outline (not colour alone: one series, values on the axis and in
 * the data table the page shows next to the chart). Pages always follow
 * the chart with a table of the same numbers. */
#ifndef CIVICNET_SVG_CHART_H
#define CIVICNET_SVG_CHART_H
#include <stddef.h>
#include "util.h"

typedef struct chart_point {
  const char *label; /* x-axis label (UTF-8, escaped on output) */
  long long value;   /* >= 0; negative values are drawn as 0 */
} chart_point;

typedef struct chart_opts {
  const char *id;      /* prefix for element ids (unique per page), [A-Za-z0-9_-] */
  const char *title;   /* accessible name (<title>) */
  const char *desc;    /* description (<desc>), e.g. "合計 123件、最大 …" */
  const char *unit;    /* value unit for the y axis label, e.g. "件" */
  int width, height;   /* viewBox size; 0 → 720 × 300 */
} chart_opts;

/* The nice upper bound of the y axis for a maximum value: the smallest of
 * 1, 2, 5 × 10^k that is >= max (and at least 1), with *step the tick
 * distance (bound / 5 or bound / 4 so ticks are whole numbers). */
long long svg_chart_scale(long long max, long long *step);

/* Append a bar chart of n points to out. n == 0 draws an empty frame
 * saying 「データがありません」. */
void svg_bar_chart(buf *out, const chart_point *pts, size_t n, const chart_opts *o);

#endif
