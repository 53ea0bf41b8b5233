/* ui_news.c — news lists and details for both sites: Supernet お知らせ
 * (/news/), センターからのお知らせ (/center-news/) and Aika お知らせ
 * (/aikasanet/news/). Only published items are ever shown. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "request.h"
#include "ui.h"

#define NEWS_PER_PAGE 10

typedef struct news_kind {
  const char *prefix, *site, *category, *label;
} news_kind;

static const news_kind KINDS[] = {
    {"/aikasanet/news/", "aika", "news", "お知らせ"},
    {"/center-news/", "supernet", "centre", "センターからのお知らせ"},
    {"/news/", "supernet", "news", "お知らせ"},
    {NULL, NULL, NULL, NULL}};

static const news_kind *kind_of(const char *path) {
  for (const news_kind *k = KINDS; k->prefix; k++)
    if (strncmp(path, k->prefix, strlen(k->prefix)) == 0) return k;
  return &KINDS[2];
}


/* ?page=N, 1-based; anything else means page 1. */
static long page_number(request *r) {
  const char *p = req_query(r, "page");
  if (!p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 6) return 1;
  long n = strtol(p, NULL, 10);
  return n < 1 ? 1 : n;
}

int news_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const news_kind *k = kind_of(r->path);
  sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM news"
                                 " WHERE site=?1 AND category=?2 AND status='published'");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, k->site, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, k->category, -1, SQLITE_STATIC);
  long long total = row_int(st);
  long pages = total ? (long)((total + NEWS_PER_PAGE - 1) / NEWS_PER_PAGE) : 1;
  long page = page_number(r);
  if (page > pages) return 404;
  st = db_prep(db,
      "SELECT id, title, " JDATE("published_at") " AS date,"
      " date(published_at) AS iso FROM news"
      " WHERE site=?1 AND category=?2 AND status='published'"
      " ORDER BY published_at DESC, id DESC LIMIT ?3 OFFSET ?4");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, k->site, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, k->category, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 3, NEWS_PER_PAGE);
  sqlite3_bind_int64(st, 4, (page - 1) * NEWS_PER_PAGE);
  arena *a = &r->a;
  const char *title = page > 1 ? arena_printf(a, "%s（%ldページ目）", k->label, page)
                               : k->label;
  tval *c = page_ctx(r, title);
  tv_set_str(a, c, "heading", k->label);
  tv_set_str(a, c, "base", k->prefix);
  tv_set(a, c, "items", rows_to_list(r, st));
  tv_set_int(a, c, "total", total);
  tv_set_int(a, c, "page", page);
  tv_set_int(a, c, "pages", pages);
  tv_set_int(a, c, "from", total ? (page - 1) * NEWS_PER_PAGE + 1 : 0);
  long long to = page * NEWS_PER_PAGE;
  tv_set_int(a, c, "to", to > total ? total : to);
  if (page > 1) tv_set_int(a, c, "prev", page - 1);
  if (page < pages) tv_set_int(a, c, "next", page + 1);
  page_crumb(r, c, k->label, NULL);
  return render(r, "news/list.html", c);
}

int news_detail(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const news_kind *k = kind_of(r->path);
  sqlite3_stmt *st = db_prep(db,
      "SELECT title, body, " JDATE("published_at") " AS date,"
      " date(published_at) AS iso FROM news"
      " WHERE id=?1 AND site=?2 AND category=?3 AND status='published'");
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, req_param_int(r, 0));
  sqlite3_bind_text(st, 2, k->site, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, k->category, -1, SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_finalize(st);
    return 404;
  }
  arena *a = &r->a;
  const char *title = arena_strdup(a, db_text(st, 0));
  tval *c = page_ctx(r, arena_printf(a, "%s｜%s", title, k->label));
  tv_set_str(a, c, "heading", title);
  tv_set(a, c, "paragraphs", text_paragraphs(r, db_text(st, 1)));
  tv_set_str(a, c, "date", db_text(st, 2));
  tv_set_str(a, c, "iso", db_text(st, 3));
  tv_set_str(a, c, "list_label", k->label);
  tv_set_str(a, c, "base", k->prefix);
  sqlite3_finalize(st);
  page_crumb(r, c, k->label, k->prefix);
  page_crumb(r, c, title, NULL);
  return render(r, "news/detail.html", c);
}
