/* fuzz_sanitize.c — libFuzzer target: the Markdown renderer and the HTML
 * allow-list sanitiser (markdown.c, issue 9). Whatever goes in, what comes
 * out must have no script element, no event-handler attribute and no
 * javascript: URL, and sanitising twice changes nothing more. */
#include <ctype.h>
#include <gumbo.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "markdown.h"

/* Walk the output as a browser would parse it (gumbo): no script, style,
 * iframe, object or embed element, no on* attribute, no style attribute,
 * no href/src whose scheme (ignoring case, spaces and controls) is
 * javascript: or data:. */
static void walk(const GumboNode *n) {
  if (n->type != GUMBO_NODE_ELEMENT) return;
  const GumboElement *e = &n->v.element;
  if (e->tag == GUMBO_TAG_SCRIPT || e->tag == GUMBO_TAG_STYLE || e->tag == GUMBO_TAG_IFRAME ||
      e->tag == GUMBO_TAG_OBJECT || e->tag == GUMBO_TAG_EMBED)
    abort();
  for (unsigned i = 0; i < e->attributes.length; i++) {
    const GumboAttribute *a = e->attributes.data[i];
    if (!strncasecmp(a->name, "on", 2) || !strcasecmp(a->name, "style")) abort();
    if (!strcasecmp(a->name, "href") || !strcasecmp(a->name, "src")) {
      char scheme[16];
      size_t k = 0;
      for (const char *p = a->value; *p && k < sizeof scheme - 1; p++)
        if (!isspace((unsigned char)*p) && (unsigned char)*p >= 0x20) scheme[k++] = (char)tolower((unsigned char)*p);
      scheme[k] = 0;
      if (!strncmp(scheme, "javascript:", 11) || !strncmp(scheme, "data:", 5) || !strncmp(scheme, "vbscript:", 9)) abort();
    }
  }
  for (unsigned i = 0; i < e->children.length; i++) walk(e->children.data[i]);
}

static void check_clean(const char *h) {
  if (!h) return;
  GumboOutput *o = gumbo_parse(h);
  walk(o->root);
  gumbo_destroy_output(&kGumboDefaultOptions, o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *in = malloc(size + 1);
  memcpy(in, data, size);
  in[size] = 0;
  arena a;
  arena_init(&a);
  int removed = 0;
  char *clean = html_sanitize(&a, in, &removed);
  check_clean(clean);
  if (clean) {
    int again = 0;
    char *twice = html_sanitize(&a, clean, &again);
    if (twice && strcmp(twice, clean) && again) abort(); /* sanitising must be final */
  }
  check_clean(markdown_to_html(&a, in));
  arena_free(&a);
  free(in);
  return 0;
}
