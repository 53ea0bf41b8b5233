/* ui_sitemap.c — what tells people and crawlers where things are:
 * /sitemap.xml (sitemaps.org: the fixed public URLs taken from the route
 * table plus every published group, event, grant, report, book, news item
 * and fixed page; over 50,000 URLs it becomes a sitemap index of parts
 * /sitemap.xml?part=N), /sitemap (the HTML サイトマップ built from the
 * site navigation, the sub-pages that exist in the route table and the
 * published fixed pages in their hierarchy) and /robots.txt. */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "match.h" /* issue 5: Aika public */
#include "member.h"
#include "request.h"
#include "route.h"
#include "ui.h"

#define SITEMAP_MAX_URLS 50000
#define SITEMAP_TREE_DEPTH 4 /* nesting shown on /sitemap; deeper pages join level 4 */

/* Published fixed pages of Supernet with their /p/ path (slugs of the
 * whole parent chain; a page is listed only when every ancestor is
 * published too). sortkey orders depth-first by menu_order then slug (a
 * space separates levels: it sorts before every slug character). */
#define PAGE_TREE                                                                      \
  "WITH RECURSIVE tree(id, path, depth, sortkey) AS ("                                  \
  " SELECT id, slug, 1, printf('%012d', menu_order + 100000000) || slug FROM pages"     \
  "  WHERE site='supernet' AND parent_id IS NULL AND status='published'"                \
  " UNION ALL"                                                                          \
  " SELECT p.id, tree.path || '/' || p.slug, tree.depth + 1,"                           \
  "  tree.sortkey || ' ' || printf('%012d', p.menu_order + 100000000) || p.slug"        \
  "  FROM pages p JOIN tree ON p.parent_id = tree.id"                                   \
  "  WHERE p.status='published' AND tree.depth < 32)"

/* issue 5: Aika public — the same tree of Aika's pages; the top-level
 * pages qa, guide, links and privacy have routes of their own. */
#define AIKA_PAGE_TREE                                                                 \
  "WITH RECURSIVE tree(id, path, depth, sortkey) AS ("                                  \
  " SELECT id, slug, 1, printf('%012d', menu_order + 100000000) || slug FROM pages"     \
  "  WHERE site='aika' AND parent_id IS NULL AND status='published'"                    \
  " UNION ALL"                                                                          \
  " SELECT p.id, tree.path || '/' || p.slug, tree.depth + 1,"                           \
  "  tree.sortkey || ' ' || printf('%012d', p.menu_order + 100000000) || p.slug"        \
  "  FROM pages p JOIN tree ON p.parent_id = tree.id"                                   \
  "  WHERE p.status='published' AND tree.depth < 32)"
#define AIKA_NOT_ALIASED "NOT (tree.depth = 1 AND tree.path IN ('qa', 'guide', 'links', 'privacy'))"
/* end issue 5: Aika public */

/* ------------------------------------------------------------ fixed URLs */

/* A route that is a fixed public page: GET, anonymous, cacheable, no path
 * parameters, not staff/settings/static/files, not a feed or this file. */
static bool fixed_public(const route *rt) {
  static const char *const skip_prefix[] = {"/admin", "/settings", "/static", "/files", NULL};
  static const char *const skip_suffix[] = {".atom", ".ics", ".xml", ".txt", NULL};
  if (!(rt->methods & M_GET) || rt->min_role != ROLE_ANON || !rt->cacheable) return false;
  if (strchr(rt->pattern, '{')) return false;
  for (int i = 0; skip_prefix[i]; i++) {
    size_t n = strlen(skip_prefix[i]);
    if (strncmp(rt->pattern, skip_prefix[i], n) == 0 &&
        (rt->pattern[n] == '/' || rt->pattern[n] == 0))
      return false;
  }
  size_t pl = strlen(rt->pattern);
  for (int i = 0; skip_suffix[i]; i++) {
    size_t n = strlen(skip_suffix[i]);
    if (pl >= n && strcmp(rt->pattern + pl - n, skip_suffix[i]) == 0) return false;
  }
  return true;
}

/* A top-level fixed page that also has its own route (/center/ shows the
 * page 'center'): that route, or NULL. path is "/p/<slug path>". */
static const char *page_alias(arena *a, const char *path) {
  const char *slug = path + 3;
  if (strncmp(path, "/p/", 3) != 0 || strchr(slug, '/')) return NULL;
  const char *with = arena_printf(a, "/%s/", slug);
  const char *without = arena_strndup(a, with, strlen(with) - 1);
  for (const route *rt = ROUTES; rt->pattern; rt++)
    if (fixed_public(rt) && (strcmp(rt->pattern, with) == 0 || strcmp(rt->pattern, without) == 0))
      return rt->pattern;
  return NULL;
}

/* --------------------------------------------------------- sitemap.xml */

/* Published detail URLs, one source per type: a count and the rows
 * (path, lastmod) in a stable order, paged with ?1 LIMIT / ?2 OFFSET. */
typedef struct sm_source {
  const char *count_sql, *rows_sql;
} sm_source;

#define SM_TABLE(prefix, table)                                                   \
  {"SELECT count(*) FROM " table " WHERE status='published'",                      \
   "SELECT '" prefix "' || id, date(coalesce(updated_at, published_at)) FROM " table \
   " WHERE status='published' ORDER BY id LIMIT ?1 OFFSET ?2"}

static const sm_source SOURCES[] = {
    {PAGE_TREE " SELECT count(*) FROM tree",
     PAGE_TREE " SELECT '/p/' || tree.path, date(coalesce(pages.updated_at, pages.published_at))"
               " FROM tree JOIN pages ON pages.id = tree.id ORDER BY tree.sortkey LIMIT ?1 OFFSET ?2"},
    SM_TABLE("/groups/", "groups"),
    SM_TABLE("/events/", "events"),
    SM_TABLE("/grants/", "grants"),
    SM_TABLE("/reports/", "reports"),
    SM_TABLE("/books/", "books"),
    {"SELECT count(*) FROM news WHERE status='published'",
     "SELECT CASE WHEN site='aika' THEN '/aikasanet/news/'"
     " WHEN category='centre' THEN '/center-news/' ELSE '/news/' END || id,"
     " date(coalesce(updated_at, published_at)) FROM news"
     " WHERE status='published' ORDER BY id LIMIT ?1 OFFSET ?2"},
    /* issue 5: Aika public — recruitments with a page (open or past),
     * published members and interviews, Aika's fixed pages (the top-level
     * ones with their own route — qa, guide, links, privacy — are listed
     * as those fixed URLs) */
    {"SELECT count(*) FROM recruitments r LEFT JOIN members m ON m.id = r.member_id"
     " WHERE " RECRUITMENT_OPEN_SQL " OR " RECRUITMENT_PAST_SQL,
     "SELECT '/aikasanet/recruitments/' || r.id, date(coalesce(r.updated_at, r.published_at))"
     " FROM recruitments r LEFT JOIN members m ON m.id = r.member_id"
     " WHERE " RECRUITMENT_OPEN_SQL " OR " RECRUITMENT_PAST_SQL " ORDER BY r.id LIMIT ?1 OFFSET ?2"},
    SM_TABLE("/aikasanet/members/", "members"),
    SM_TABLE("/aikasanet/interviews/", "interviews"),
    {AIKA_PAGE_TREE " SELECT count(*) FROM tree WHERE " AIKA_NOT_ALIASED,
     AIKA_PAGE_TREE " SELECT '/aikasanet/p/' || tree.path, date(coalesce(pages.updated_at, pages.published_at))"
                    " FROM tree JOIN pages ON pages.id = tree.id WHERE " AIKA_NOT_ALIASED
                    " ORDER BY tree.sortkey LIMIT ?1 OFFSET ?2"},
    /* end issue 5: Aika public */
    /* issue 6: newsletters — back numbers of both lists */
    {"SELECT count(*) FROM newsletters WHERE status='published'",
     "SELECT CASE WHEN list='aika' THEN '/aikasanet/mailmag/' ELSE '/mailmag/' END || id, date(published_at)"
     " FROM newsletters WHERE status='published' ORDER BY id LIMIT ?1 OFFSET ?2"},
    /* end issue 6: newsletters */
    {NULL, NULL}};

static void sm_url(buf *o, const char *base, const char *path, const char *lastmod) {
  buf_puts(o, "  <url><loc>");
  xml_escape(o, base);
  xml_escape(o, path);
  buf_puts(o, "</loc>");
  if (lastmod && *lastmod) {
    buf_puts(o, "<lastmod>");
    xml_escape(o, lastmod);
    buf_puts(o, "</lastmod>");
  }
  buf_puts(o, "</url>\n");
}

int sitemap_xml(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const char *base = public_base(r);
  long long counts[16], total = 0, nfixed = 0;
  for (const route *rt = ROUTES; rt->pattern; rt++)
    if (fixed_public(rt)) nfixed++;
  total = nfixed;
  int ns = 0;
  for (; SOURCES[ns].count_sql; ns++) {
    sqlite3_stmt *st = db_prep(db, SOURCES[ns].count_sql);
    if (!st) return 500;
    counts[ns] = row_int(st);
    total += counts[ns];
  }
  long long parts = (total + SITEMAP_MAX_URLS - 1) / SITEMAP_MAX_URLS;
  const char *pv = req_query(r, "part");
  long long part = 0;
  if (pv) {
    if (!*pv || strlen(pv) > 6 || strspn(pv, "0123456789") != strlen(pv)) return 404;
    part = atoll(pv);
    if (part < 1 || part > (parts ? parts : 1)) return 404;
  }
  buf *o = &r->body;
  buf_reset(o);
  r->content_type = "application/xml; charset=utf-8";
  buf_puts(o, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
  if (parts > 1 && !part) { /* the index of the parts */
    buf_puts(o, "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (long long i = 1; i <= parts; i++) {
      buf_puts(o, "  <sitemap><loc>");
      xml_escape(o, arena_printf(&r->a, "%s/sitemap.xml?part=%lld", base, i));
      buf_puts(o, "</loc></sitemap>\n");
    }
    buf_puts(o, "</sitemapindex>\n");
    return 200;
  }
  long long skip = part > 1 ? (part - 1) * SITEMAP_MAX_URLS : 0, left = SITEMAP_MAX_URLS;
  buf_puts(o, "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
  for (const route *rt = ROUTES; rt->pattern && left > 0; rt++) {
    if (!fixed_public(rt)) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    sm_url(o, base, rt->pattern, NULL);
    left--;
  }
  for (int i = 0; i < ns && left > 0; i++) {
    if (skip >= counts[i]) {
      skip -= counts[i];
      continue;
    }
    sqlite3_stmt *st = db_prep(db, SOURCES[i].rows_sql);
    if (!st) return 500;
    sqlite3_bind_int64(st, 1, left);
    sqlite3_bind_int64(st, 2, skip);
    skip = 0;
    while (sqlite3_step(st) == SQLITE_ROW && left > 0) {
      /* a page with its own route is listed as that fixed URL; its slot
       * still counts, so the parts' offsets stay aligned with counts[] */
      if (!(i == 0 && page_alias(&r->a, db_text(st, 0)))) sm_url(o, base, db_text(st, 0), db_text(st, 1));
      left--;
    }
    sqlite3_finalize(st);
  }
  buf_puts(o, "</urlset>\n");
  return 200;
}

/* ---------------------------------------------------------- robots.txt */

int robots_txt(request *r) {
  buf *o = &r->body;
  buf_reset(o);
  buf_printf(o,
             "User-agent: *\n"
             "Allow: /\n"
             "Disallow: /admin/\n"
             "Disallow: /aikasanet/mypage/\n"
             "Disallow: /settings/\n"
             "Disallow: /files/\n"
             "\n"
             "Sitemap: %s/sitemap.xml\n",
             public_base(r));
  r->content_type = "text/plain; charset=utf-8";
  return 200;
}

/* ------------------------------------------------------- HTML sitemap */

/* Pages below the global navigation's sections, listed only when the
 * route exists (so the sitemap never links to a page not built). */
static const struct {
  const char *parent, *href, *label;
} SUBPAGES[] = {
    {"/register/", "/register/group", "団体・企業の登録"},
    {"/register/", "/register/event", "イベント・募集の掲載登録"},
    {"/register/", "/register/report", "活動実績・事例の掲載登録"},
    {"/groups/", "/groups/search", "団体・企業の詳細検索"},
    {"/groups/", "/groups/change", "団体情報の修正依頼"},
    {"/events/", "/events/search", "イベント・募集の詳細検索"},
    {"/events/", "/events/calendar", "イベント・募集カレンダー"},
    {"/grants/", "/grants/search", "助成の詳細検索"},
    {"/grants/", "/grants/calendar", "募集締め切りカレンダー"},
    {"/reports/", "/reports/search", "活動実績・事例の詳細検索"},
    {"/books/", "/books/search", "蔵書の詳細検索"},
    {NULL, NULL, NULL}};

static bool route_exists(const char *path) {
  for (const route *rt = ROUTES; rt->pattern; rt++)
    if ((rt->methods & M_GET) && rt->min_role == ROLE_ANON && strcmp(rt->pattern, path) == 0)
      return true;
  return false;
}

static void add_link(request *r, tval *list, const char *href, const char *label) {
  tval *m = tv_map(&r->a);
  tv_set_str(&r->a, m, "href", href);
  tv_set_str(&r->a, m, "label", label);
  tv_set(&r->a, m, "children", tv_list(&r->a));
  tv_push(&r->a, list, m);
}

/* Published fixed pages as a tree (children under "children"). */
static tval *page_tree(request *r, sqlite3 *db) {
  arena *a = &r->a;
  tval *roots = tv_list(a);
  sqlite3_stmt *st = db_prep(db, PAGE_TREE " SELECT tree.path, pages.title, tree.depth"
                                           " FROM tree JOIN pages ON pages.id = tree.id"
                                           " ORDER BY tree.sortkey LIMIT 5000");
  if (!st) return roots;
  tval *stack[SITEMAP_TREE_DEPTH + 1] = {roots}; /* stack[d]: list for depth d+1 */
  while (sqlite3_step(st) == SQLITE_ROW) {
    int depth = sqlite3_column_int(st, 2);
    if (depth > SITEMAP_TREE_DEPTH) depth = SITEMAP_TREE_DEPTH;
    tval *list = stack[depth - 1];
    if (!list) continue; /* parent not listed (cannot happen in DFS order) */
    const char *href = arena_printf(a, "/p/%s", db_text(st, 0));
    const char *alias = page_alias(a, href);
    add_link(r, list, alias ? alias : href, db_text(st, 1));
    tval *node = tv_at(list, tv_len(list) - 1);
    if (depth < SITEMAP_TREE_DEPTH) {
      stack[depth] = tv_get(node, "children");
      for (int d = depth + 1; d <= SITEMAP_TREE_DEPTH; d++) stack[d] = NULL;
    }
  }
  sqlite3_finalize(st);
  return roots;
}

/* issue 5: Aika public — /aikasanet/sitemap: Aika's navigation (top and
 * side), the sub-pages that exist, the other pages (footer links, search)
 * and Aika's published fixed pages in their hierarchy, the sub-pages of
 * Q＆A, 利用案内, 関連団体リンク and 個人情報保護 under those entries. */
static const struct {
  const char *parent, *href, *label;
} AIKA_SUBPAGES[] = {
    {"/aikasanet/recruitments/", "/aikasanet/recruitments/calendar", "募集カレンダー"},
    {"/aikasanet/recruitments/", "/aikasanet/recruitments/past", "過去の募集の一覧"},
    {"/aikasanet/recruitments/", "/aikasanet/recruitments/search", "ボランティア募集の詳細検索"},
    {"/aikasanet/members/", "/aikasanet/members/search", "会員の検索フォーム"},
    {"/aikasanet/login", "/aikasanet/password-reset", "パスワードの再設定"},
    {"/aikasanet/signup", "/aikasanet/signup/resend", "確認メールの再送"},
    {"/aikasanet/newsletter", "/aikasanet/newsletter/unsubscribe", "メルマガの配信停止"},
    {"/aikasanet/newsletter", "/aikasanet/mailmag/", "メルマガのバックナンバー"}, /* issue 6 */
    {NULL, NULL, NULL}};

static const char *aika_page_href(arena *a, const char *path) {
  if (!strcmp(path, "qa") || !strcmp(path, "guide") || !strcmp(path, "links") || !strcmp(path, "privacy"))
    return arena_printf(a, "/aikasanet/%s", path);
  return arena_printf(a, "/aikasanet/p/%s", path);
}

/* nav-like list of page_ctx (key) with the sub-pages that exist */
static void aika_links(request *r, tval *out, tval *nav) {
  for (size_t i = 0; i < tv_len(nav); i++) {
    const tval *n = tv_at(nav, i);
    const char *href = tv_cstr(tv_get(n, "href"));
    if (strcmp(href, r->path) == 0) continue; /* this page */
    add_link(r, out, href, tv_cstr(tv_get(n, "label")));
    tval *kids = tv_get(tv_at(out, tv_len(out) - 1), "children");
    for (int k = 0; AIKA_SUBPAGES[k].parent; k++)
      if (strcmp(AIKA_SUBPAGES[k].parent, href) == 0 && route_exists(AIKA_SUBPAGES[k].href))
        add_link(r, kids, AIKA_SUBPAGES[k].href, AIKA_SUBPAGES[k].label);
  }
}

static int aika_sitemap(request *r, sqlite3 *db) {
  arena *a = &r->a;
  tval *c = page_ctx(r, "サイトマップ");
  tval *sections = tv_set(a, c, "sections", tv_list(a));
  aika_links(r, sections, tv_get(c, "nav"));
  aika_links(r, sections, tv_get(c, "side_nav"));
  tval *other = tv_set(a, c, "other", tv_list(a));
  aika_links(r, other, tv_get(c, "footer_links"));
  if (route_exists("/aikasanet/search")) add_link(r, other, "/aikasanet/search", "サイト内検索");
  /* fixed pages as a tree; stack[d]: the list for depth d+1 */
  tval *pages = tv_set(a, c, "pages", tv_list(a));
  tval *stack[SITEMAP_TREE_DEPTH + 1] = {pages};
  sqlite3_stmt *st = db_prep(db, AIKA_PAGE_TREE " SELECT tree.path, pages.title, tree.depth"
                                                " FROM tree JOIN pages ON pages.id = tree.id"
                                                " ORDER BY tree.sortkey LIMIT 5000");
  if (!st) return 500;
  while (sqlite3_step(st) == SQLITE_ROW) {
    int depth = sqlite3_column_int(st, 2);
    if (depth > SITEMAP_TREE_DEPTH) depth = SITEMAP_TREE_DEPTH;
    tval *list = stack[depth - 1];
    if (!list) continue;
    const char *href = aika_page_href(a, db_text(st, 0));
    tval *home = NULL; /* a top-level page already listed by its own route */
    for (int l = 0; depth == 1 && l < 2 && !home; l++) {
      tval *ls = l ? other : sections;
      for (size_t k = 0; k < tv_len(ls) && !home; k++)
        if (strcmp(tv_cstr(tv_get(tv_at(ls, k), "href")), href) == 0) home = tv_at(ls, k);
    }
    if (!home) {
      add_link(r, list, href, db_text(st, 1));
      home = tv_at(list, tv_len(list) - 1);
    }
    if (depth < SITEMAP_TREE_DEPTH) {
      stack[depth] = tv_get(home, "children");
      for (int d = depth + 1; d <= SITEMAP_TREE_DEPTH; d++) stack[d] = NULL;
    }
  }
  sqlite3_finalize(st);
  page_crumb(r, c, "サイトマップ", NULL);
  return render(r, "aika/sitemap.html", c);
}
/* end issue 5: Aika public */

int sitemap_page(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  if (strcmp(site_of_path(r->path), "aika") == 0) return aika_sitemap(r, db); /* issue 5 */
  arena *a = &r->a;
  tval *c = page_ctx(r, "サイトマップ");
  /* sections: the global navigation, each with its sub-pages and feeds */
  tval *sections = tv_set(a, c, "sections", tv_list(a));
  tval *nav = tv_get(c, "nav");
  for (size_t i = 0; i < tv_len(nav); i++) {
    const tval *n = tv_at(nav, i);
    const char *href = tv_cstr(tv_get(n, "href"));
    add_link(r, sections, href, tv_cstr(tv_get(n, "label")));
    tval *kids = tv_get(tv_at(sections, tv_len(sections) - 1), "children");
    for (int k = 0; SUBPAGES[k].parent; k++)
      if (strcmp(SUBPAGES[k].parent, href) == 0 && route_exists(SUBPAGES[k].href))
        add_link(r, kids, SUBPAGES[k].href, SUBPAGES[k].label);
    const char *feeds = strcmp(href, "/news/") == 0     ? "news"
                        : strcmp(href, "/events/") == 0 ? "events"
                        : strcmp(href, "/grants/") == 0 ? "grants"
                                                        : NULL;
    if (feeds) {
      tval *fl = feed_links(r, feeds);
      for (size_t f = 0; f < tv_len(fl); f++)
        add_link(r, kids, tv_cstr(tv_get(tv_at(fl, f), "href")),
                 tv_cstr(tv_get(tv_at(fl, f), "label")));
    }
  }
  /* the rest: footer links (centre news with its feed, policy, contact …) */
  tval *other = tv_set(a, c, "other", tv_list(a));
  tval *foot = tv_get(c, "footer_links");
  for (size_t i = 0; i < tv_len(foot); i++) {
    const tval *n = tv_at(foot, i);
    const char *href = tv_cstr(tv_get(n, "href"));
    if (strcmp(href, r->path) == 0) continue; /* this page */
    add_link(r, other, href, tv_cstr(tv_get(n, "label")));
    if (strcmp(href, "/center-news/") == 0) {
      tval *kids = tv_get(tv_at(other, tv_len(other) - 1), "children");
      tval *fl = feed_links(r, "center-news");
      for (size_t f = 0; f < tv_len(fl); f++)
        add_link(r, kids, tv_cstr(tv_get(tv_at(fl, f), "href")),
                 tv_cstr(tv_get(tv_at(fl, f), "label")));
    }
  }
  if (route_exists("/search")) add_link(r, other, "/search", "サイト内検索");
  /* fixed pages: a top-level page with its own route (/center/) is
   * already listed above, so its sub-pages go under that entry */
  tval *tree = page_tree(r, db), *pages = tv_set(a, c, "pages", tv_list(a));
  for (size_t i = 0; i < tv_len(tree); i++) {
    tval *node = tv_at(tree, i);
    const char *href = tv_cstr(tv_get(node, "href"));
    tval *home = NULL;
    for (int l = 0; l < 2 && !home; l++) {
      tval *list = l ? other : sections;
      for (size_t k = 0; k < tv_len(list) && !home; k++)
        if (strcmp(tv_cstr(tv_get(tv_at(list, k), "href")), href) == 0) home = tv_at(list, k);
    }
    if (!home) {
      tv_push(a, pages, node);
      continue;
    }
    tval *kids = tv_get(node, "children");
    for (size_t k = 0; k < tv_len(kids); k++) tv_push(a, tv_get(home, "children"), tv_at(kids, k));
  }
  page_crumb(r, c, "サイトマップ", NULL);
  return render(r, "supernet/sitemap.html", c);
}
