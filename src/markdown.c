/* markdown.c — Markdown (cmark) → HTML, and the allow-list HTML sanitiser
 * over gumbo's parse tree (see markdown.h).
 *
 * The sanitiser never copies input markup: it parses the fragment the way
 * a browser would (gumbo, HTML5 tree construction), then writes a new
 * document from the tree — allowed elements with allowed attributes only,
 * every text node and attribute value escaped again by html.c. Whatever
 * the input's tricks (entities in URLs, broken tags, comments, CDATA,
 * foreign SVG/MathML content), the output can only contain what this file
 * writes. Elements whose content is not text for a reader (script, style,
 * iframe, forms, SVG …) are dropped with their content; other unknown
 * elements are unwrapped, keeping their text. */
#include "markdown.h"

#include <cmark.h>
#include <gumbo.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

/* Deeper nesting than this is dropped (keeps the walk's stack bounded). */
#define SANITIZE_MAX_DEPTH 200

/* Allowed elements (output name; h1 is written as h2: the page has its h1). */
static const char *const ALLOWED[] = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
    "blockquote", "pre", "code", "em", "strong", "b", "i", "u", "s", "small", "sub", "sup",
    "a", "img", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "figure",
    "figcaption", "span", "div", NULL};

/* Elements removed together with everything inside them. */
static const char *const DROPPED[] = {
    "script", "style", "iframe", "object", "embed", "applet", "form", "input", "button",
    "select", "option", "optgroup", "textarea", "datalist", "fieldset", "legend", "label",
    "output", "meter", "progress", "template", "noscript", "noembed", "noframes", "frame",
    "frameset", "head", "title", "meta", "link", "base", "svg", "math", "xmp", "plaintext",
    "canvas", "audio", "video", "source", "track", "picture", "param", "portal", "dialog",
    "slot", NULL};

static bool in_list(const char *const *list, const char *s) {
  for (; *list; list++)
    if (strcmp(*list, s) == 0) return true;
  return false;
}

static bool is_void(const char *tag) {
  return !strcmp(tag, "br") || !strcmp(tag, "hr") || !strcmp(tag, "img");
}

/* All bytes of s in accept, and 1..max of them. */
static bool only_chars(const char *s, const char *accept, size_t max) {
  size_t n = strlen(s);
  return n > 0 && n <= max && strspn(s, accept) == n;
}

#define DIGITS "0123456789"
#define ALNUM_DASH "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-"

/* A URL allowed in href/src: html_escape_href rewrites anything outside
 * its allow-list (javascript:, data:, //host, controls …) to "#". The
 * value here is already entity-decoded by gumbo, as a browser would. */
static bool url_ok(const char *v) {
  size_t lead = strspn(v, " ");
  if (!v[lead]) return false;
  if (!strcmp(v + lead, "#")) return true;
  buf b;
  buf_init(&b);
  html_escape_href(&b, v, strlen(v));
  bool ok = strcmp(buf_cstr(&b), "#") != 0;
  buf_free(&b);
  return ok;
}

/* Is attribute name=v allowed on element tag (output name)? */
static bool attr_ok(const char *tag, const char *name, const char *v) {
  if (!strcmp(name, "lang")) return only_chars(v, ALNUM_DASH, 35);
  if (!strcmp(tag, "a")) {
    if (!strcmp(name, "href")) return url_ok(v);
    return !strcmp(name, "title");
  }
  if (!strcmp(tag, "img")) {
    if (!strcmp(name, "src")) return url_ok(v);
    if (!strcmp(name, "alt")) return true;
    if (!strcmp(name, "width") || !strcmp(name, "height")) return only_chars(v, DIGITS, 5);
    return false;
  }
  if (!strcmp(tag, "th") || !strcmp(tag, "td")) {
    if (!strcmp(name, "colspan") || !strcmp(name, "rowspan")) return only_chars(v, DIGITS, 4);
    if (!strcmp(tag, "th") && !strcmp(name, "scope"))
      return !strcmp(v, "row") || !strcmp(v, "col") || !strcmp(v, "rowgroup") || !strcmp(v, "colgroup");
    return false;
  }
  if (!strcmp(tag, "ol") && !strcmp(name, "start")) return only_chars(v, DIGITS, 6);
  return false;
}

typedef struct walker {
  buf out;
  int removed;
} walker;

static void walk(walker *w, const GumboNode *n, int depth);

static void walk_children(walker *w, const GumboVector *kids, int depth) {
  for (unsigned i = 0; i < kids->length; i++) walk(w, kids->data[i], depth + 1);
}

/* Tag name of an element as lower-case ASCII ("" when not representable). */
static const char *tag_name(const GumboElement *e, char *tmp, size_t n) {
  if (e->tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(e->tag);
  GumboStringPiece p = e->original_tag;
  gumbo_tag_from_original_text(&p);
  if (p.length == 0 || p.length >= n) return "";
  for (size_t i = 0; i < p.length; i++) {
    char c = p.data[i];
    tmp[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  tmp[p.length] = 0;
  return tmp;
}

static void walk_element(walker *w, const GumboElement *e, int depth) {
  char tmp[64];
  const char *tag = tag_name(e, tmp, sizeof tmp);
  if (e->tag_namespace != GUMBO_NAMESPACE_HTML || in_list(DROPPED, tag)) {
    w->removed++;
    return;
  }
  if (!strcmp(tag, "h1")) tag = "h2";
  if (!in_list(ALLOWED, tag)) {
    /* unknown or unwanted wrapper (font, center, html, body …): keep text */
    if (strcmp(tag, "html") && strcmp(tag, "body")) w->removed++;
    walk_children(w, &e->children, depth);
    return;
  }
  /* img needs a usable src; a link without a usable href is unwrapped */
  bool need_url = !strcmp(tag, "img") || !strcmp(tag, "a");
  bool has_url = false;
  for (unsigned i = 0; i < e->attributes.length; i++) {
    const GumboAttribute *at = e->attributes.data[i];
    if ((!strcmp(at->name, "src") && !strcmp(tag, "img")) || (!strcmp(at->name, "href") && !strcmp(tag, "a")))
      has_url = url_ok(at->value);
  }
  if (need_url && !has_url) {
    w->removed++;
    if (!strcmp(tag, "a")) walk_children(w, &e->children, depth);
    return;
  }
  buf_printf(&w->out, "<%s", tag);
  for (unsigned i = 0; i < e->attributes.length; i++) {
    const GumboAttribute *at = e->attributes.data[i];
    if (!attr_ok(tag, at->name, at->value)) {
      w->removed++;
      continue;
    }
    buf_printf(&w->out, " %s=\"", at->name);
    if (!strcmp(at->name, "href") || !strcmp(at->name, "src"))
      html_escape_href(&w->out, at->value, strlen(at->value));
    else
      html_escape(&w->out, at->value, strlen(at->value));
    buf_putc(&w->out, '"');
  }
  buf_putc(&w->out, '>');
  if (is_void(tag)) return;
  walk_children(w, &e->children, depth);
  buf_printf(&w->out, "</%s>", tag);
}

static void walk(walker *w, const GumboNode *n, int depth) {
  if (depth > SANITIZE_MAX_DEPTH) {
    w->removed++;
    return;
  }
  switch (n->type) {
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_WHITESPACE:
    case GUMBO_NODE_CDATA:
      html_escape(&w->out, n->v.text.text, strlen(n->v.text.text));
      break;
    case GUMBO_NODE_COMMENT:
      w->removed++;
      break;
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE:
      walk_element(w, &n->v.element, depth);
      break;
    case GUMBO_NODE_DOCUMENT:
      walk_children(w, &n->v.document.children, depth);
      break;
  }
}

char *html_sanitize(arena *a, const char *html, int *removed) {
  if (removed) *removed = 0;
  if (!html || !*html) return arena_strdup(a, "");
  GumboOptions opt = kGumboDefaultOptions;
  opt.fragment_context = GUMBO_TAG_DIV;
  opt.fragment_namespace = GUMBO_NAMESPACE_HTML;
  GumboOutput *g = gumbo_parse_with_options(&opt, html, strlen(html));
  if (!g) return arena_strdup(a, "");
  walker w = {.removed = 0};
  buf_init(&w.out);
  walk(&w, g->root, 0);
  gumbo_destroy_output(&opt, g);
  char *res = arena_strdup(a, buf_cstr(&w.out));
  buf_free(&w.out);
  if (removed) *removed = w.removed;
  return res;
}

char *markdown_to_html(arena *a, const char *md) {
  if (!md || !*md) return arena_strdup(a, "");
  /* UNSAFE: raw HTML and any link scheme pass through cmark, so pasted
   * HTML keeps its structure; html_sanitize then decides what stays. */
  char *raw = cmark_markdown_to_html(md, strlen(md), CMARK_OPT_UNSAFE | CMARK_OPT_VALIDATE_UTF8);
  if (!raw) return arena_strdup(a, "");
  char *res = html_sanitize(a, raw, NULL);
  free(raw);
  return res;
}
