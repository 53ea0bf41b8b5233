/* ui_pages.c — Supernet's fixed pages (固定ページ, S11). /p/{path} shows
 * the published page of site supernet whose chain of slugs (through
 * parent_id, every ancestor published too) equals the path, e.g.
 * /p/center/access; /center/, /consult/ and /policy show the top-level
 * pages 'center', 'consult' and 'policy'. The body is staff-written
 * Markdown, rendered by cmark and passed through the allow-list sanitiser
 * (markdown.c) — the only value this file gives to tv_html(). Published
 * child pages are listed below the body. A missing page is the normal
 * 404 page. Issue 5: the same for Aika's pages (site aika) under
 * /aikasanet/p/{path} and /aikasanet/qa, guide, links, privacy. */
#include <sqlite3.h>
#include <string.h>

#include "db.h"
#include "markdown.h"
#include "request.h"
#include "ui.h"

#define PAGE_MAX_DEPTH 8
#define PAGE_SITE "supernet"

/* The public address of a page from its slug path ("center/access"):
 * the fixed routes for the three top-level pages that have one. */
static const char *page_href(arena *a, const char *path) {
  /* issue 5: Aika public — "aika:" marks a page of Aika (show_page) */
  if (!strncmp(path, "aika:", 5)) {
    path += 5;
    if (!strcmp(path, "qa") || !strcmp(path, "guide") || !strcmp(path, "links") || !strcmp(path, "privacy"))
      return arena_printf(a, "/aikasanet/%s", path);
    return arena_printf(a, "/aikasanet/p/%s", path);
  }
  /* end issue 5 */
  if (!strcmp(path, "center")) return "/center/";
  if (!strcmp(path, "consult")) return "/consult/";
  if (!strcmp(path, "policy")) return "/policy";
  return arena_printf(a, "/p/%s", path);
}

static bool slug_ok(const char *s, size_t n) {
  if (n == 0 || n > 60 || s[0] == '-') return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-')) return false;
  return true;
}

/* issue 5: Aika public — the page of site (PAGE_SITE or "aika") at
 * path; the body of the former fixed_page(), with the site bound. */
static int show_page(request *r, const char *site, const char *path) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  bool aika = strcmp(site, "aika") == 0;
  if (!path || !*path) return 404;
  /* end issue 5 */

  /* Walk the slug chain from the top. */
  const char *titles[PAGE_MAX_DEPTH], *paths[PAGE_MAX_DEPTH];
  long long id = 0;
  const char *body = "";
  int depth = 0;
  for (const char *p = path; *p;) {
    const char *e = strchr(p, '/');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (depth >= PAGE_MAX_DEPTH || !slug_ok(p, n)) return 404;
    sqlite3_stmt *st = db_prep(db, "SELECT id, title, body FROM pages WHERE site = ?3" /* issue 5: site */
                                   " AND status = 'published' AND slug = ?1 AND coalesce(parent_id, 0) = ?2");
    if (!st) return 500;
    sqlite3_bind_text(st, 1, p, (int)n, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_text(st, 3, site, -1, SQLITE_STATIC); /* issue 5 */
    if (sqlite3_step(st) != SQLITE_ROW) {
      sqlite3_finalize(st);
      return 404;
    }
    id = sqlite3_column_int64(st, 0);
    titles[depth] = arena_strdup(a, db_text(st, 1));
    body = arena_strdup(a, db_text(st, 2));
    sqlite3_finalize(st);
    paths[depth] = arena_printf(a, "%s%.*s", aika ? "aika:" : "", (int)(p + n - path), path); /* issue 5 */
    depth++;
    p += n;
    if (*p == '/') p++;
  }
  if (!depth) return 404;

  const char *title = titles[depth - 1];
  tval *c = page_ctx(r, title);
  tv_set_str(a, c, "heading", title);
  /* tv_html: markdown_to_html output is sanitised by allow-list (markdown.c) */
  tv_set(a, c, "body", tv_html(a, markdown_to_html(a, body)));
  for (int i = 0; i < depth; i++) page_crumb(r, c, titles[i], i + 1 < depth ? page_href(a, paths[i]) : NULL);

  sqlite3_stmt *st = db_prep(db, "SELECT ?4 || ?2 || '/' || slug AS href, title FROM pages" /* issue 5: ?3 ?4 */
                                 " WHERE site = ?3 AND status = 'published' AND parent_id = ?1"
                                 " ORDER BY menu_order, title, id");
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, site, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, aika ? "/aikasanet/p/" : "/p/", -1, SQLITE_STATIC);
  tv_set(a, c, "children", rows_to_list(r, st));
  if (depth > 1) {
    tv_set_str(a, c, "parent_href", page_href(a, paths[depth - 2]));
    tv_set_str(a, c, "parent_title", titles[depth - 2]);
  }
  return render(r, "supernet/page.html", c);
}

/* issue 5: Aika public — /p/{path}, /center/, /consult/, /policy (site
 * supernet) and /aikasanet/p/{path}, /aikasanet/qa, /aikasanet/guide,
 * /aikasanet/links, /aikasanet/privacy (site aika: Q＆A, 利用案内, 関連団体
 * リンク, 個人情報保護, each a top-level page with that slug). */
int fixed_page(request *r) {
  const char *path;
  if (strncmp(r->path, "/p/", 3) == 0) path = r->params[0];
  else if (!strcmp(r->path, "/center/")) path = "center";
  else if (!strcmp(r->path, "/consult/")) path = "consult";
  else if (!strcmp(r->path, "/policy")) path = "policy";
  else return 404;
  return show_page(r, PAGE_SITE, path);
}

int aika_fixed_page(request *r) {
  static const char *const TOP[] = {"qa", "guide", "links", "privacy", NULL};
  if (strncmp(r->path, "/aikasanet/p/", 13) == 0) return show_page(r, "aika", r->params[0]);
  for (int i = 0; TOP[i]; i++)
    if (!strncmp(r->path, "/aikasanet/", 11) && !strcmp(r->path + 11, TOP[i]))
      return show_page(r, "aika", TOP[i]);
  return 404;
}
/* end issue 5: Aika public */
