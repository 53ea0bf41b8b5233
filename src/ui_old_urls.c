/* ui_old_urls.c — old URLs of the WordPress sites keep working (issue 7,
 * REQUIREMENTS D2). The importer (import_wp.c) fills table old_urls with
 * every old path of every imported record (/?p=123, /?page_id=45,
 * /?post_type=event&p=7, pretty permalinks, /boranet201909/…,
 * /wp-content/uploads/…); the server asks here when no route matches a
 * GET/HEAD, and for "/" when its query carries WordPress parameters.
 *
 * Answer: 301 to the stored path, which is always site-relative — a row
 * that points anywhere else (scheme, "//host", "/\host", control
 * characters) is never followed: the request gets the normal 404. Unknown
 * old paths also get the normal 404 (and "/?p=999" a 404 rather than the
 * top page, as the old site answered). */
#include <sqlite3.h>
#include <string.h>

#include "db.h"
#include "request.h"
#include "ui.h"

/* WordPress query parameters, in the order import_wp.c writes them. */
static const char *const WP_PARAMS[] = {"post_type", "p", "page_id", "attachment_id", "cat", "tag", NULL};

/* The raw query's value of name (undecoded, as the old site linked it),
 * or NULL. */
static const char *raw_param(arena *a, const char *query, const char *name) {
  size_t n = strlen(name);
  for (const char *p = query; p && *p;) {
    const char *amp = strchr(p, '&');
    size_t len = amp ? (size_t)(amp - p) : strlen(p);
    if (len > n && p[n] == '=' && !strncmp(p, name, n)) return arena_strndup(a, p + n + 1, len - n - 1);
    p = amp ? amp + 1 : NULL;
  }
  return NULL;
}

/* The target of old path key, or NULL. */
static const char *lookup(request *r, sqlite3 *db, const char *key) {
  sqlite3_stmt *st = db_prep(db, "SELECT new_path FROM old_urls WHERE old_path=?1");
  if (!st) return NULL;
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  const char *out = sqlite3_step(st) == SQLITE_ROW ? arena_strdup(&r->a, db_text(st, 0)) : NULL;
  sqlite3_finalize(st);
  return out;
}

/* A site-relative target made safe for the Location header (non-ASCII
 * and spaces percent-encoded), or NULL when the row is not a local path. */
static const char *safe_target(request *r, const char *t) {
  if (!t || !path_is_local(t)) return NULL;
  buf b;
  buf_init(&b);
  for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
    if (*p < 0x20 || *p == 0x7f || *p == '\\') {
      buf_free(&b);
      return NULL;
    }
    if (*p >= 0x80 || *p == ' ' || *p == '"' || *p == '<' || *p == '>') buf_printf(&b, "%%%02X", *p);
    else buf_putc(&b, (char)*p);
  }
  const char *out = arena_strdup(&r->a, buf_cstr(&b));
  buf_free(&b);
  return out;
}

int old_url_redirect(request *r, bool route_found) {
  if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) return 0;
  const char *q = r->raw_uri ? strchr(r->raw_uri, '?') : NULL;
  q = q ? q + 1 : NULL;
  arena *a = &r->a;
  /* the WordPress parameters in canonical order */
  buf canon;
  buf_init(&canon);
  for (int i = 0; q && WP_PARAMS[i]; i++) {
    const char *v = raw_param(a, q, WP_PARAMS[i]);
    if (v) buf_printf(&canon, "%s%s=%s", canon.len ? "&" : "", WP_PARAMS[i], v);
  }
  bool wp_query = canon.len > 0;
  if (route_found && !(wp_query && !strcmp(r->path, "/"))) {
    buf_free(&canon);
    return 0;
  }
  sqlite3 *db = db_thread(r->app);
  if (!db) {
    buf_free(&canon);
    return 0;
  }
  const char *target = NULL;
  if (q && *q) target = lookup(r, db, arena_printf(a, "%s?%s", r->path, q));
  if (!target && wp_query) target = lookup(r, db, arena_printf(a, "%s?%s", r->path, buf_cstr(&canon)));
  if (!target && !wp_query) {
    target = lookup(r, db, r->path);
    size_t n = strlen(r->path);
    if (!target && n > 1) /* with or without the trailing slash */
      target = lookup(r, db, r->path[n - 1] == '/' ? arena_strndup(a, r->path, n - 1) : arena_printf(a, "%s/", r->path));
  }
  buf_free(&canon);
  const char *loc = safe_target(r, target);
  if (!loc) return wp_query ? 404 : 0; /* an unknown /?p=…: the old site's 404 too */
  resp_header(r, "Location", loc);
  resp_header(r, "Cache-Control", "max-age=86400");
  r->status = 301;
  buf_reset(&r->body);
  return 301;
}
