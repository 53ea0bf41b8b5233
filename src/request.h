/* request.h — helpers a handler uses: reading declared parameters and
 * cookies, setting headers and cookies, redirects, rendering a page inside
 * the site layout, and the central error pages. */
#ifndef CIVICNET_REQUEST_H
#define CIVICNET_REQUEST_H
#include "app.h"
#include "route.h"

const char *kv_get(const kv *list, const char *name);
kv *kv_add(arena *a, kv **list, const char *name, const char *value,
           size_t len);

const char *req_query(const request *r, const char *name); /* NULL if absent */
const char *req_form(const request *r, const char *name);
const char *req_cookie(const request *r, const char *name);
long long req_param_int(const request *r, int i); /* typed {x:int} param */

/* A request header by name (case-insensitive), NULL if absent. */
const char *conn_header(request *r, const char *name);

void resp_header(request *r, const char *name, const char *value);
/* Set-Cookie with HttpOnly; SameSite=Lax; Path=/ and Secure under TLS.
 * max_age < 0: session cookie; 0: delete. */
void resp_cookie(request *r, const char *name, const char *value,
                 long max_age);
/* 303 See Other to a local path (must start with a single "/"). */
int resp_redirect(request *r, const char *location);

/* URL decoding and validation (RFC 3986 percent-decoding; '+' → space
 * only when plus_space). Returns NULL when the result would contain NUL or
 * control characters other than tab/CR/LF (for forms) or is not UTF-8. */
char *url_decode(arena *a, const char *s, size_t n, bool plus_space,
                 bool allow_newlines);
/* Split "a=1&b=2" into a list (all names, before the allow-list).
 * Returns -1 on invalid encoding. */
int query_parse(arena *a, const char *qs, kv **out);
/* Is path safe to route? Rejects "..", "//", backslashes, controls. */
bool path_is_safe(const char *path);
/* True for a local redirect target: "/x", not "//x" or "/\x". */
bool path_is_local(const char *p);

/* Pages. page_ctx makes the context every layout needs (site, nav,
 * display preferences, the user, a CSRF token); render puts a template in
 * it and writes r->body. */
tval *page_ctx(request *r, const char *title);
int render(request *r, const char *tmpl_name, tval *ctx);
void page_crumb(request *r, tval *ctx, const char *label, const char *href);
/* Central error page for status (400 403 404 405 413 414 500 …) in the
 * layout of the site the path belongs to. */
int error_page(request *r, int status, const char *detail);
/* "supernet", "aika" or "admin" from the request path. */
const char *site_of_path(const char *path);

/* Turn every row of a prepared, bound statement into a map keyed by
 * column name (text values; NULL → ""), then finalize it. */
tval *rows_to_list(request *r, void *stmt);
/* First column of the first row as integer (count queries); finalizes. */
long long row_int(void *stmt);
/* Plain text → list of paragraphs (split on blank lines), each a list of
 * lines, so templates can show text with <p> and <br> without raw HTML. */
tval *text_paragraphs(request *r, const char *text);

#endif
