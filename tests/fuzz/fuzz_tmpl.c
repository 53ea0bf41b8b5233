/* fuzz_tmpl.c — libFuzzer target: the template engine (issue 9). The input
 * is split at the first NUL into a page template and an included partial;
 * both are parsed, and when they parse, rendered with a context holding
 * strings with markup, numbers, lists and maps. Nothing may crash, leak or
 * read out of bounds, and every {{ value }} must come out escaped: the
 * rendered page never contains the raw "<script" of a value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *page = malloc(size + 1);
  memcpy(page, data, size);
  page[size] = 0;
  size_t first = strlen(page);
  const char *partial = first < size ? page + first + 1 : "{{ s }}";
  const char *files[] = {"page.html", page, "partials/p.html", partial, NULL};
  char err[256];
  tmpl_set *ts = tmpl_load_mem(files, err, sizeof err);
  if (ts) {
    arena a;
    arena_init(&a);
    tval *ctx = tv_map(&a);
    tv_set_str(&a, ctx, "s", "<script>alert(1)</script>\"'&");
    tv_set_int(&a, ctx, "n", -42);
    tv_set_bool(&a, ctx, "b", true);
    tval *list = tv_list(&a);
    for (int i = 0; i < 3; i++) {
      tval *m = tv_map(&a);
      tv_set_str(&a, m, "name", i ? "二" : "<script>x");
      tv_set_int(&a, m, "i", i);
      tv_push(&a, list, m);
    }
    tv_set(&a, ctx, "items", list);
    tv_set(&a, ctx, "html", tv_html(&a, "<b>ok</b>"));
    buf out;
    buf_init(&out);
    if (tmpl_render(ts, "page.html", ctx, &out, err, sizeof err) == 0 && out.len) {
      if (memmem(out.data, out.len, "<script", 7) && !memmem(page, first, "<script", 7) &&
          !memmem(partial, strlen(partial), "<script", 7))
        abort(); /* a value came out unescaped */
    }
    buf_free(&out);
    arena_free(&a);
    tmpl_free(ts);
  }
  free(page);
  return 0;
}
