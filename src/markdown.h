/* markdown.h — staff-written rich text (fixed pages S11, C7): Markdown
 * rendered by cmark (CommonMark, raw HTML allowed so pasted HTML works)
 * and then sanitised by an allow-list over the gumbo parse tree: only
 * known-harmless elements and attributes survive, URLs must be http(s),
 * mailto, tel or relative; scripts, styles, event handlers, iframes and
 * javascript:/data: URLs are removed. The result may be given to
 * tv_html(). The sanitiser is also what the WordPress import (issue 7)
 * uses for post bodies. */
#ifndef CIVICNET_MARKDOWN_H
#define CIVICNET_MARKDOWN_H
#include "util.h"

/* Markdown → sanitised HTML in arena a ("" for NULL/empty). */
char *markdown_to_html(arena *a, const char *md);
/* Any HTML fragment → sanitised HTML fragment in arena a. *removed (may
 * be NULL) receives how many elements/attributes were dropped. */
char *html_sanitize(arena *a, const char *html, int *removed);

#endif
