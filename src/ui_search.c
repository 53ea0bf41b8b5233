/* ui_search.c — whole-site search S10: GET /search (Supernet) and
 * GET /aikasanet/search (Aika), each over its own site's published
 * content (search_index.site): news, groups, events, grants, reports,
 * books and fixed pages (Supernet); news, recruitments, members,
 * interview reports and fixed pages (Aika). Results are grouped by type in a fixed order with a count
 * per type, 10 per page, newest first within a type, each with the title,
 * a link to its page and a snippet in which the query words are marked.
 *
 * Speed (issue 4: uncached p99 under 50 ms with 10× data, where a common
 * two-character word matches tens of thousands of rows): nothing is
 * computed per matching row except in one counting pass, which reads only
 * rowids (the type is rowid % 16, search.h) and, for the two types shared
 * by both sites (news, pages), their site and kind. A page of
 * results then asks FTS5 for at most a few types, each "ORDER BY rowid
 * DESC LIMIT n OFFSET m", which FTS5 answers by walking its doclist
 * backwards and stopping early. Ranking by bm25() would score every match
 * (hundreds of milliseconds for such a word) and is not used.
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
/* issue 6: analytics */
#include "analytics.h"
/* end issue 6: analytics */
#include "match.h"
#include "request.h"
#include "search.h"
#include "text.h"
#include "ui.h"

#define SEARCH_PER_PAGE 10
#define SNIPPET_CHARS 120
#define SEARCH_SYNC_MAX 1024 /* queued rows a search indexes itself (search.h) */

/* Result types in display order. code: the kind code in the rowid
 * (search.h); shared: the code is used by more than one (kind, site), so
 * the row's site and kind columns decide. href: the prefix of an item's
 * page (+ ref_id), NULL for types without a public detail page (their
 * results are text only). Fixed pages ("page") are addressed by their path
 * of slugs instead (page_href()). */
typedef struct kind_info {
  const char *kind, *site, *label, *href;
  int code;
  bool shared;
} kind_info;

static const kind_info KINDS[] = {
    {"news", "supernet", "お知らせ", "/news/", SEARCH_NEWS, true},
    {"centre", "supernet", "センターからのお知らせ", "/center-news/", SEARCH_NEWS, true},
    {"news", "aika", "お知らせ", "/aikasanet/news/", SEARCH_NEWS, true},
    {"group", "supernet", "団体・企業", "/groups/", SEARCH_GROUP, false},
    {"event", "supernet", "イベント・募集", "/events/", SEARCH_EVENT, false},
    {"grant", "supernet", "助成", "/grants/", SEARCH_GRANT, false},
    {"report", "supernet", "活動実績・事例", "/reports/", SEARCH_REPORT, false},
    {"book", "supernet", "蔵書", "/books/", SEARCH_BOOK, false},
    {"page", "supernet", "ページ", "/p/", SEARCH_PAGE, true}, /* href: page_href() */
    {"recruitment", "aika", "ボランティア募集", "/aikasanet/recruitments/", SEARCH_RECRUITMENT, false},
    {"member", "aika", "会員", "/aikasanet/members/", SEARCH_MEMBER, false},
    {"interview", "aika", "取材報告", "/aikasanet/interviews/", SEARCH_INTERVIEW, false},
    {"page", "aika", "ページ", "/aikasanet/p/", SEARCH_PAGE, true}, /* href: page_href() */
    {NULL, NULL, NULL, NULL, 0, false}};
#define NKINDS (sizeof KINDS / sizeof *KINDS)

/* The public address of fixed page id: /p/ and its slugs from the top
 * joined by "/" (/p/center/access), following parent_id, as ui_pages.c
 * resolves it; the top-level pages with a route of their own (center,
 * consult, policy) link there. Aika's pages: /aikasanet/p/…, and
 * /aikasanet/qa, guide, links, privacy. NULL when some page of the chain
 * is not published, or the chain does not reach a top page within 16
 * levels (a cycle): such a page has no public address. */
static const char *page_href(request *r, sqlite3 *db, sqlite3_int64 id, bool aika) {
  sqlite3_stmt *st = db_prep(db,
      "WITH RECURSIVE up(id, parent_id, path, ok, depth) AS ("
      "  SELECT id, parent_id, slug, status = 'published', 0 FROM pages WHERE id = ?1"
      "  UNION ALL"
      "  SELECT p.id, p.parent_id, p.slug || '/' || up.path, up.ok AND p.status = 'published',"
      "         up.depth + 1"
      "  FROM pages p JOIN up ON p.id = up.parent_id WHERE up.depth < 16)"
      " SELECT path FROM up WHERE parent_id IS NULL AND ok LIMIT 1");
  if (!st) return NULL;
  sqlite3_bind_int64(st, 1, id);
  const char *href = NULL;
  if (sqlite3_step(st) == SQLITE_ROW) {
    const char *path = db_text(st, 0);
    if (aika) {
      bool top = !strcmp(path, "qa") || !strcmp(path, "guide") || !strcmp(path, "links") || !strcmp(path, "privacy");
      href = arena_printf(&r->a, top ? "/aikasanet/%s" : "/aikasanet/p/%s", path);
    } else if (!strcmp(path, "center")) href = "/center/";
    else if (!strcmp(path, "consult")) href = "/consult/";
    else if (!strcmp(path, "policy")) href = "/policy";
    else href = arena_printf(&r->a, "/p/%s", path);
  }
  sqlite3_finalize(st);
  return href;
}

/* Does recruitment id have a public page (ui_aika_recruitments.c)? */
static bool recruitment_has_page(sqlite3 *db, sqlite3_int64 id) {
  sqlite3_stmt *st = db_prep(db, "SELECT 1 FROM recruitments r LEFT JOIN members m ON m.id = r.member_id"
                                 " WHERE r.id = ?1 AND (" RECRUITMENT_OPEN_SQL " OR " RECRUITMENT_PAST_SQL ")");
  if (!st) return false;
  sqlite3_bind_int64(st, 1, id);
  bool ok = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return ok;
}

/* ?page=N, 1-based; anything else means page 1. */
static long page_number(request *r) {
  const char *p = req_query(r, "page");
  if (!p || !*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 6) return 1;
  long n = strtol(p, NULL, 10);
  return n < 1 ? 1 : n;
}

/* Is key "site/kind" the (site, kind) of k? */
static bool key_is(const char *key, const kind_info *k) {
  size_t sl = strlen(k->site);
  return strncmp(key, k->site, sl) == 0 && key[sl] == '/' && strcmp(key + sl + 1, k->kind) == 0;
}

/* Count the matches of each type of site into n[] (indexed like KINDS)
 * and the "counts" list of ctx c (display order), in one pass over the
 * matching rowids; only news and page rows (codes shared by both sites)
 * have their site and kind read. Returns the total, -1 on error. */
static long long count_kinds(request *r, sqlite3 *db, const char *match, const char *site,
                             long long *n, tval *c) {
  sqlite3_stmt *st = db_prep(db, arena_printf(&r->a,
      "SELECT rowid, CASE WHEN rowid %% 16 IN (%d, %d) THEN site || '/' || kind END"
      " FROM search_index WHERE search_index MATCH ?1", SEARCH_NEWS, SEARCH_PAGE));
  if (!st) return -1;
  sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
  long long by_code[16] = {0};
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int code = (int)(sqlite3_column_int64(st, 0) & 15);
    if (code != SEARCH_NEWS && code != SEARCH_PAGE) {
      by_code[code]++;
      continue;
    }
    const char *key = db_text(st, 1);
    for (size_t i = 0; KINDS[i].kind; i++)
      if (KINDS[i].shared && key_is(key, &KINDS[i])) n[i]++;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return -1;
  for (size_t i = 0; KINDS[i].kind; i++)
    if (!KINDS[i].shared && strcmp(KINDS[i].site, site) == 0) n[i] = by_code[KINDS[i].code];
  arena *a = &r->a;
  long long total = 0;
  tval *list = tv_set(a, c, "counts", tv_list(a));
  for (size_t i = 0; KINDS[i].kind; i++) {
    if (!n[i] || strcmp(KINDS[i].site, site) != 0) continue;
    tval *m = tv_map(a);
    tv_set_str(a, m, "label", KINDS[i].label);
    tv_set_int(a, m, "count", n[i]);
    tv_push(a, list, m);
    total += n[i];
  }
  return total;
}

/* Up to limit results of type k, newest first, skipping offset, appended
 * to the items list of a new group in groups. 0 or -1. */
static int kind_results(request *r, sqlite3 *db, const char *match, const char *site,
                        const char *fq, const kind_info *k, long long offset, long long limit,
                        tval *groups) {
  /* Only constants are spliced in: the kind code and, for shared codes,
   * the constant kind name from KINDS. */
  const char *sql = arena_printf(&r->a,
      "SELECT ref_id, title, body FROM search_index WHERE search_index MATCH ?1"
      " AND rowid %% 16 = %d%s%s%s ORDER BY rowid DESC LIMIT ?3 OFFSET ?4",
      k->code, k->shared ? " AND site = ?2 AND kind = '" : "", k->shared ? k->kind : "",
      k->shared ? "'" : "");
  sqlite3_stmt *st = db_prep(db, sql);
  if (!st) return -1;
  sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
  if (k->shared) sqlite3_bind_text(st, 2, site, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, limit);
  sqlite3_bind_int64(st, 4, offset);
  arena *a = &r->a;
  tval *g = tv_map(a);
  tv_set_str(a, g, "label", k->label);
  tv_set_str(a, g, "kind", k->kind);
  tval *items = tv_set(a, g, "items", tv_list(a));
  tv_push(a, groups, g);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    tval *m = tv_map(a);
    sqlite3_int64 ref = sqlite3_column_int64(st, 0);
    if (k->href && strcmp(k->kind, "page") == 0) {
      const char *href = page_href(r, db, ref, !strcmp(site, "aika"));
      if (href) tv_set_str(a, m, "href", href);
    } else if (k->code == SEARCH_RECRUITMENT) {
      /* only recruitments with a page (open or past; not one whose
       * application period has not started) are linked */
      if (recruitment_has_page(db, ref))
        tv_set_str(a, m, "href", arena_printf(a, "%s%lld", k->href, (long long)ref));
    } else if (k->href) {
      tv_set_str(a, m, "href", arena_printf(a, "%s%lld", k->href, (long long)ref));
    }
    /* tv_html: escaped by search_highlight, only <mark> added (see top). */
    tv_set(a, m, "title", tv_html(a, search_highlight(a, db_text(st, 1), fq, 0)));
    tv_set(a, m, "snippet", tv_html(a, search_highlight(a, db_text(st, 2), fq, SNIPPET_CHARS)));
    tv_push(a, items, m);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : -1;
}

/* One page of results into ctx "groups": the types (display order) whose
 * share of the result list overlaps this page. 0 or -1. */
static int result_page(request *r, sqlite3 *db, const char *match, const char *site,
                       const char *fq, long page, const long long *n, tval *c) {
  arena *a = &r->a;
  tval *groups = tv_set(a, c, "groups", tv_list(a));
  long long from = (long long)(page - 1) * SEARCH_PER_PAGE, to = from + SEARCH_PER_PAGE;
  long long start = 0; /* position of the type's first result in the whole list */
  for (size_t i = 0; KINDS[i].kind && start < to; i++) {
    if (!n[i] || strcmp(KINDS[i].site, site) != 0) continue;
    long long end = start + n[i];
    if (end > from) {
      long long off = from > start ? from - start : 0;
      long long lim = (to < end ? to : end) - (start + off);
      if (kind_results(r, db, match, site, fq, &KINDS[i], off, lim, groups)) return -1;
    }
    start = end;
  }
  return 0;
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
  if (!match) {
    /* issue 6: analytics — a search word with no results tells staff what is missing */
    analytics_search_results(r, site, q, 0);
    /* end issue 6: analytics */
    return render(r, "search/results.html", c); /* no letters: no results */
  }
  if (search_sync_limit(db, SEARCH_SYNC_MAX))
    fprintf(stderr, "civicnet: search index sync failed; results may be stale\n");
  long long n[NKINDS] = {0};
  long long total = count_kinds(r, db, match, site, n, c);
  if (total < 0) return 500;
  /* issue 6: analytics — the result count of the counted search word */
  analytics_search_results(r, site, q, total);
  /* end issue 6: analytics */
  long pages = total ? (long)((total + SEARCH_PER_PAGE - 1) / SEARCH_PER_PAGE) : 1;
  if (page > pages) return 404;
  if (result_page(r, db, match, site, fq, page, n, c)) return 500;
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
