/* ui_reports.c — 活動実績・事例 (S6): the public list (/reports/, newest
 * first, keyword search and paging) and the detail page
 * (/reports/{id}) with the report's photos (images re-encoded at upload,
 * served inline by /files/{id}). */
#include <sqlite3.h>
#include <string.h>

#include "content.h"
#include "db.h"
#include "listing.h"
#include "request.h"
#include "search.h"
#include "ui.h"

#define REPORTS_LABEL "活動実績・事例"

static const list_filter REPORT_FILTERS[] = {
    {.name = "q", .label = "キーワード", .kind = LF_TEXT},
    {0}};

static const char *const REPORT_TEXT_COLS[] = {"p.title", "p.body", "p.group_name", "p.group_kana", "p.place",
                                               "p.related_groups", NULL};

int reports_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  listing l;
  listing_init(&l, r, db, "/reports/", NULL, REPORT_FILTERS);
  const char *q = listing_get(&l, "q");
  if (q) listing_where_search(&l, db, q, SEARCH_REPORT, "p.id", REPORT_TEXT_COLS);
  bool filtered = listing_filtered(&l);
  tval *c = page_ctx(r, listing_title(&l, REPORTS_LABEL));
  tv_set_str(a, c, "heading", filtered ? REPORTS_LABEL "の検索結果" : REPORTS_LABEL);
  tv_set_str(a, c, "label", REPORTS_LABEL);
  int rc = listing_run(&l, db,
      "p.id, '/reports/' || p.id AS href, p.title, p.group_name, p.place, p.held_on AS iso,"
      " coalesce(" JDATE("p.held_on") ", '') AS date,"
      " substr(p.body, 1, 80) || CASE WHEN length(p.body) > 80 THEN '…' ELSE '' END AS summary",
      "reports p", "p.status = 'published'", "p.held_on DESC, p.published_at DESC, p.id DESC", c);
  listing_free(&l);
  if (rc) return rc;
  page_crumb(r, c, REPORTS_LABEL, filtered ? "/reports/" : NULL);
  if (filtered) page_crumb(r, c, "検索結果", NULL);
  return render(r, "supernet/reports_list.html", c);
}

int reports_detail(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  long long id = req_param_int(r, 0);
  kv *v = NULL;
  tval *c = listing_detail(r, schema_find("report"), REPORTS_LABEL, id, &v, true);
  if (!c) return 404;
  sqlite3_stmt *st = db_prep(db, "SELECT g.id, g.name FROM reports p JOIN groups g ON g.id = p.group_id"
                                 " AND g.status = 'published' WHERE p.id=?1");
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, id);
  if (sqlite3_step(st) == SQLITE_ROW) {
    tval *acts = tv_set(a, c, "actions", tv_list(a));
    tval *m = tv_map(a);
    tv_set_str(a, m, "href", arena_printf(a, "/groups/%lld", sqlite3_column_int64(st, 0)));
    tv_set_str(a, m, "label", arena_printf(a, "「%s」のページ", db_text(st, 1)));
    tv_push(a, acts, m);
  }
  sqlite3_finalize(st);
  tv_set_str(a, c, "list_label", "活動実績・事例の一覧");
  return render(r, "supernet/detail.html", c);
}
