/* tmpl.h — the template engine: files under templates/ are parsed once at
 * start-up (a syntax error stops start-up with "file:line: message") and
 * rendered against a tree of values. Output is escaped by default.
 *
 * Syntax (see docs/templates.md):
 *   {{ name }}            value, HTML-escaped (a value made by tv_html() —
 *                         sanitised HTML — is emitted raw; grep tv_html)
 *   {{ a.b.c }}           path into maps; "loop.index" (1-based),
 *                         "loop.first", "loop.last" inside for
 *   {{ name|attr }}       strict attribute escaper
 *   {{ name|url }}        URL-component (percent) encoding
 *   {{ name|href }}       safe URL for href/src (scheme allow-list)
 *   {{ name|default:"x" }} literal fallback when empty (may be combined:
 *                         {{ x|default:"なし"|attr }} — default applies first)
 *   {# comment #}
 *   {% if x %} … {% elif y %} … {% else %} … {% endif %}
 *                         truthy: non-empty string, non-zero int, true,
 *                         non-empty list, any map. "not x" negates;
 *                         "x == "lit"" and "x != "lit"" compare as strings.
 *   {% for item in list %} … {% else %} (list empty) … {% endfor %}
 *   {% include "partials/x.html" %}   rendered with the current scope
 *   {% extends "layout.html" %} must be first; then only
 *   {% block name %} … {% endblock %} at top level override the layout's
 *   blocks of the same name (nested extends allowed, one level is enough).
 *   {%- and -%} trim whitespace (incl. newlines) before/after the tag.
 * Unknown names render as empty strings (not an error); a path through a
 * non-map is empty.
 */
#ifndef CIVICNET_TMPL_H
#define CIVICNET_TMPL_H
#include <stdbool.h>
#include <stddef.h>
#include "util.h"

typedef enum { TV_STR, TV_HTML, TV_INT, TV_BOOL, TV_LIST, TV_MAP } tv_kind;
typedef struct tval tval;

/* Values live in an arena; all constructors copy strings into it. */
tval *tv_str(arena *a, const char *s);          /* NULL -> "" */
tval *tv_html(arena *a, const char *trusted);   /* sanitised HTML only */
tval *tv_int(arena *a, long long v);
tval *tv_bool(arena *a, bool v);
tval *tv_list(arena *a);
tval *tv_map(arena *a);
void tv_push(arena *a, tval *list, tval *item);
/* Setting an existing key replaces it. Returns v. */
tval *tv_set(arena *a, tval *map, const char *key, tval *v);
void tv_set_str(arena *a, tval *map, const char *key, const char *s);
void tv_set_int(arena *a, tval *map, const char *key, long long v);
void tv_set_bool(arena *a, tval *map, const char *key, bool v);
tval *tv_get(const tval *map, const char *key); /* NULL if missing */
tv_kind tv_kind_of(const tval *v);
size_t tv_len(const tval *list);                /* 0 for non-lists */
tval *tv_at(const tval *list, size_t i);        /* NULL when out of range */
const char *tv_cstr(const tval *v);             /* "" for non-strings */

typedef struct tmpl_set tmpl_set;

/* Load and parse every *.html and *.txt file under dir (recursively); names
 * are paths relative to dir ("supernet/home.html"). On error returns NULL
 * and writes "templates/x.html:12: unclosed {% if %}" into err. Errors are
 * also raised for unknown tags, unknown filters, extends of a missing file,
 * include of a missing file, unterminated {{ or {%. */
tmpl_set *tmpl_load_dir(const char *dir, char *err, size_t errlen);
/* Parse from memory (for tests): files is a NULL-terminated list of
 * name, text, name, text, … pairs. */
tmpl_set *tmpl_load_mem(const char *const *files, char *err, size_t errlen);
void tmpl_free(tmpl_set *ts);
bool tmpl_exists(const tmpl_set *ts, const char *name);
/* Render name with ctx into out. Returns 0, or -1 with err set (missing
 * template, include depth > 16). Rendering never reads outside ctx. */
int tmpl_render(const tmpl_set *ts, const char *name, const tval *ctx,
                buf *out, char *err, size_t errlen);

/* issue 6: mail texts */
/* Calls fn once per variable reference of template name (with its line),
 * in document order, duplicates included. Names are canonical: "a.b"; a
 * for-loop item is written as its list's name plus "[]" ("{% for v in
 * values %}{{ v.label }}" → "values", then "values[].label"); "loop.*" is
 * not reported. {% include %} and {% extends %} are reported as "" (mail
 * texts refuse them). Returns -1 when name is not in ts. */
int tmpl_vars(const tmpl_set *ts, const char *name,
              void (*fn)(void *ctx, const char *var, int line), void *ctx);
/* end issue 6: mail texts */

#endif
