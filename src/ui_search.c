/* ui_search.c — whole-site search S10: GET /search (Supernet) and
 * GET /aikasanet/search (Aika), each over its own site's published
 * content (search_index.site). Results are grouped by type in a fixed
 * order with a count per type, 10 per page, each with the title and a
 * snippet in which the query words are marked.
 *
 * Raw HTML: the title and snippet of a result are made by
 * search_highlight(), which HTML-escapes every byte of the stored text and
 * adds only <mark> elements itself; they are the only values this page
 * passes through tv_html(). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "request.h"
#include "search.h"
#include "text.h"
#include "ui.h"

#define SEARCH_PER_PAGE 10
#define SNIPPET_CHARS 120

/* Result types in display order. href: where an item's page is, NULL while
 * the type has no public detail page yet (its results are text only). */
typedef struct kind_info {
  const char *kind, *site, *label, *href;
} kind_info;

static const kind_info KINDS[] = {
    {"news", "supernet", "お知らせ", "/news/"},
    {"centre", "supernet", "センターからのお知らせ", "/center-news/"},
    {"news", "aika", "お知らせ", "/aikasanet/news/"},
    {"group", "supernet", "団体・企業", NULL},
    {"event", "supernet", "イベント・募集", NULL},
    {"grant", "supernet", "助成", NULL},
    {"recruitment", "aika", "ボランティア募集", NULL},
    {"member", "aika", "会員", NULL},
    {NULL, NULL, NULL, NULL}};

static const kind_info *kind_find(const char *kind, const char *site) {
  for (const kind_info *k = KINDS; k->kind; k++)
    if (strcmp(k->kind, kind) == 0 && strcmp(k->site, site) == 0) return k;
  return NULL;
}

/* The same order in SQL (ORDER BY): a constant expression, no data. */
#define KIND_ORDER                                                              \
  "CASE kind WHEN 'news' THEN 1 WHEN 'centre' THEN 2 WHEN 'group' THEN 3"    \
  " WHEN 'event' THEN 4 WHEN 'grant' THEN 5 WHEN 'recruitment' THEN 6"         \
  " WHEN 'member' THEN 7 ELSE 8 END"

/* ?page=N, 1-based; anything else means page 1. */
static long page_number(request *r) {
  const char *p = req_query(r, "page");
  if (!p || !*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 6) return 1;
  long n = strtol(p, NULL, 10);
  return n < 1 ? 1 : n;
}

/* Count per type into ctx "counts" (display order); returns the total,
 * -1 on error. */
static long long count_kinds(request *r, sqlite3 *db, const char *match, const char *site,
                             tval *c) {
  sqlite3_stmt *st = db_prep(db, "SELECT kind, count(*) FROM search_index"
                                 " WHERE search_index MATCH ?1 AND site = ?2 GROUP BY kind");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, site, -1, SQLITE_STATIC);
  long long n[sizeof KINDS / sizeof *KINDS] = {0}, total = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const kind_info *k = kind_find(db_text(st, 0), site);
    if (k) n[k - KINDS] = sqlite3_column_int64(st, 1);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return -1;
  arena *a = &r->a;
  tval *list = tv_set(a, c, "counts", tv_list(a));
  for (const kind_info *k = KINDS; k->kind; k++) {
    if (!n[k - KINDS]) continue;
    tval *m = tv_map(a);
    tv_set_str(a, m, "label", k->label);
    tv_set_int(a, m, "count", n[k - KINDS]);
    tv_push(a, list, m);
    total += n[k - KINDS];
  }
  return total;
}

/* One page of results, grouped by type, into ctx "groups". 0 or -1. */
static int result_page(request *r, sqlite3 *db, const char *match, const char *site,
                       const char *fq, long page, tval *c) {
  sqlite3_stmt *st = db_prep(db,
      "SELECT kind, ref_id, title, body FROM search_index"
      " WHERE search_index MATCH ?1 AND site = ?2"
      " ORDER BY " KIND_ORDER ", bm25(search_index, 0, 0, 0, 5.0, 1.0), rowid DESC"
      " LIMIT ?3 OFFSET ?4");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, site, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 3, SEARCH_PER_PAGE);
  sqlite3_bind_int64(st, 4, (sqlite3_int64)(page - 1) * SEARCH_PER_PAGE);
  arena *a = &r->a;
  tval *groups = tv_set(a, c, "groups", tv_list(a));
  tval *items = NULL;
  const kind_info *cur = NULL;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const kind_info *k = kind_find(db_text(st, 0), site);
    if (!k) continue;
    if (k != cur) {
      cur = k;
      tval *g = tv_map(a);
      tv_set_str(a, g, "label", k->label);
      tv_set_str(a, g, "kind", k->kind);
      items = tv_set(a, g, "items", tv_list(a));
      tv_push(a, groups, g);
    }
    tval *m = tv_map(a);
    if (k->href) tv_set_str(a, m, "href", arena_printf(a, "%s%lld", k->href, sqlite3_column_int64(st, 1)));
    /* tv_html: escaped by search_highlight, only <mark> added (see top). */
    tv_set(a, m, "title", tv_html(a, search_highlight(a, db_text(st, 2), fq, 0)));
    tv_set(a, m, "snippet", tv_html(a, search_highlight(a, db_text(st, 3), fq, SNIPPET_CHARS)));
    tv_push(a, items, m);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : -1;
}

int search_page(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const char *site = strcmp(site_of_path(r->path), "aika") == 0 ? "aika" : "supernet";
  const char *action = strcmp(site, "aika") == 0 ? "/aikasanet/search" : "/search";
  const char *q = req_query(r, "q");
  if (!q) q = "";
  size_t qlen = text_length(q);
  const char *fq = qlen <= SEARCH_QUERY_MAX_CHARS ? text_fold(a, q) : "";
  long page = page_number(r);
  const char *title = "サイト内検索";
  if (*fq) {
    title = arena_printf(a, "「%s」の検索結果", q);
    if (page > 1) title = arena_printf(a, "%s（%ldページ目）", title, page);
  }
  tval *c = page_ctx(r, title);
  tv_set_str(a, c, "heading", *fq ? title : "サイト内検索");
  tv_set_str(a, c, "action", action);
  tv_set_str(a, c, "q", q);
  tv_set_int(a, c, "max_chars", SEARCH_QUERY_MAX_CHARS);
  page_crumb(r, c, "サイト内検索", *fq ? action : NULL);
  if (*fq) page_crumb(r, c, title, NULL);

  if (qlen > SEARCH_QUERY_MAX_CHARS) {
    tv_set_str(a, c, "error", arena_printf(a, "検索語は%d文字以内で入力してください（入力された検索語は%zu文字です）。",
                                           SEARCH_QUERY_MAX_CHARS, qlen));
    return render(r, "search/results.html", c);
  }
  if (!*fq) {
    tv_set_bool(a, c, "empty", true);
    return render(r, "search/results.html", c);
  }
  tv_set_bool(a, c, "searched", true);
  const char *match = search_fts_query(a, fq);
  if (!match) return render(r, "search/results.html", c); /* no letters: no results */
  if (search_sync(db)) fprintf(stderr, "civicnet: search index sync failed; results may be stale\n");
  long long total = count_kinds(r, db, match, site, c);
  if (total < 0) return 500;
  long pages = total ? (long)((total + SEARCH_PER_PAGE - 1) / SEARCH_PER_PAGE) : 1;
  if (page > pages) return 404;
  if (result_page(r, db, match, site, fq, page, c)) return 500;
  tv_set_int(a, c, "total", total);
  tv_set_int(a, c, "page", page);
  tv_set_int(a, c, "pages", pages);
  tv_set_int(a, c, "from", total ? (page - 1) * SEARCH_PER_PAGE + 1 : 0);
  long long to = (long long)page * SEARCH_PER_PAGE;
  tv_set_int(a, c, "to", to > total ? total : to);
  if (page > 1) tv_set_int(a, c, "prev", page - 1);
  if (page < pages) tv_set_int(a, c, "next", page + 1);
  return render(r, "search/results.html", c);
}
