/* ui_grants.c — 助成 (S7): the public list (/grants/) with keyword search,
 * filters (field, area, open now, deadline range, minimum amount) and
 * paging, upcoming deadlines first; the detailed-search form
 * (/grants/search); the detail page (/grants/{id}). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "db.h"
#include "listing.h"
#include "request.h"
#include "search.h"
#include "ui.h"

#define GRANTS_LABEL "助成"
#define TODAY "date('now','localtime')"

static const list_filter GRANT_FILTERS[] = {
    {.name = "q", .label = "キーワード", .kind = LF_TEXT,
     .hint = "助成名・助成団体・目的・対象などに含まれる語。スペースで区切ると、すべてを含むものを探します。"},
    {.name = "field", .label = "分野", .kind = LF_MASTER, .master = "field"},
    {.name = "area", .label = "対象地域", .kind = LF_MASTER, .master = "target_area"},
    {.name = "open", .label = "募集中のものだけ", .kind = LF_FLAG},
    {.name = "deadline_from", .label = "締切日（この日から）", .kind = LF_DATE, .hint = "例：2026-12-01"},
    {.name = "deadline_to", .label = "締切日（この日まで）", .kind = LF_DATE, .hint = "例：2027-03-31"},
    {.name = "amount_min", .label = "助成額の上限", .kind = LF_UINT, .unit = "万円以上",
     .hint = "半角数字（万円単位）。例：50 と入力すると、上限が50万円以上の助成を探します。"},
    {.name = "sort", .label = "並び順", .kind = LF_SORT, .choices = "deadline=締切日順|new=新着順"},
    {0}};

static const char *const GRANT_TEXT_COLS[] = {"t.title", "t.funder", "t.purpose", "t.summary", "t.amount",
                                              "t.eligible_projects", "t.eligible_applicants", NULL};

static void grant_filters(listing *l, sqlite3 *db) {
  const char *v;
  if ((v = listing_get(l, "q"))) listing_where_search(l, db, v, SEARCH_GRANT, "t.id", GRANT_TEXT_COLS);
  if ((v = listing_get(l, "field"))) listing_where_multi(l, "t.fields", v);
  if ((v = listing_get(l, "area"))) {
    listing_where(l, "t.area = ?");
    listing_bind_text(l, v);
  }
  if (listing_has(l, "open"))
    listing_where(l, "t.deadline >= " TODAY " AND (t.apply_from = '' OR t.apply_from <= " TODAY ")");
  if ((v = listing_get(l, "deadline_from"))) {
    listing_where(l, "t.deadline >= ?");
    listing_bind_text(l, v);
  }
  if ((v = listing_get(l, "deadline_to"))) {
    listing_where(l, "t.deadline <= ?");
    listing_bind_text(l, v);
  }
  if ((v = listing_get(l, "amount_min"))) {
    listing_where(l, "t.amount_max >= ?");
    listing_bind_int(l, strtoll(v, NULL, 10));
  }
}

int grants_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  listing l;
  listing_init(&l, r, db, "/grants/", "/grants/search", GRANT_FILTERS);
  grant_filters(&l, db);
  bool by_new = strcmp(listing_get(&l, "sort"), "new") == 0;
  bool filtered = listing_filtered(&l);
  tval *c = page_ctx(r, listing_title(&l, GRANTS_LABEL));
  tv_set_str(a, c, "heading", filtered ? GRANTS_LABEL "の検索結果" : GRANTS_LABEL);
  tv_set_str(a, c, "label", GRANTS_LABEL);
  int rc = listing_run(&l, db,
      "t.id, '/grants/' || t.id AS href, t.title, t.funder, t.amount, t.deadline AS iso,"
      " coalesce(" JDATE("t.deadline") ", '') AS deadline,"
      " coalesce((SELECT label FROM master_items m WHERE m.list = 'target_area' AND m.value = t.area), t.area) AS area,"
      " CASE WHEN t.deadline < " TODAY " THEN '募集終了'"
      "      WHEN t.apply_from <> '' AND t.apply_from > " TODAY " THEN '募集前' ELSE '募集中' END AS state",
      "grants t", "t.status = 'published'",
      by_new ? "t.published_at DESC, t.id DESC"
             : "(t.deadline < " TODAY "), CASE WHEN t.deadline >= " TODAY " THEN t.deadline END,"
               " t.deadline DESC, t.id",
      c);
  listing_free(&l);
  if (rc) return rc;
  tv_set(a, c, "feeds", feed_links(r, "grants"));
  tv_set_str(a, c, "calendar_href", "/grants/calendar");
  tv_set_str(a, c, "calendar_label", "助成の募集締め切りカレンダー");
  page_crumb(r, c, GRANTS_LABEL, filtered ? "/grants/" : NULL);
  if (filtered) page_crumb(r, c, "検索結果", NULL);
  return render(r, "supernet/grants_list.html", c);
}

int grants_search(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  listing l;
  listing_init(&l, r, db, "/grants/", "/grants/search", GRANT_FILTERS);
  tval *c = page_ctx(r, "助成の詳細検索");
  tv_set_str(&r->a, c, "heading", "助成の詳細検索");
  tv_set_str(&r->a, c, "intro", "条件を指定して、助成の情報を探せます。指定しない項目は条件になりません。");
  listing_form(&l, db, c);
  listing_free(&l);
  page_crumb(r, c, GRANTS_LABEL, "/grants/");
  page_crumb(r, c, "詳細検索", NULL);
  return render(r, "supernet/search_form.html", c);
}

int grants_detail(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  kv *v = NULL;
  tval *c = listing_detail(r, schema_find("grant"), GRANTS_LABEL, id, &v, false);
  if (!c) return 404;
  sqlite3_stmt *st = db_prep(db, "SELECT deadline < " TODAY " FROM grants WHERE id=?1");
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, id);
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0))
    tv_set_str(&r->a, c, "status_note", "この助成の募集は締め切りました。");
  sqlite3_finalize(st);
  tv_set_str(&r->a, c, "list_label", "助成の一覧");
  return render(r, "supernet/detail.html", c);
}
