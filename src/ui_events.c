/* ui_events.c — イベント・募集 (S5): the public list (/events/) with
 * keyword search, filters (kind, field, municipality, date range, open
 * for applications) and paging; the detailed-search form
 * (/events/search); the detail page (/events/{id}). By default the list
 * shows events that have not ended yet, soonest first; 「終了したイベント
 * も表示」 (past=1) or a date range includes past ones. */
#include <sqlite3.h>
#include <string.h>

#include "content.h"
#include "db.h"
#include "listing.h"
#include "request.h"
#include "search.h"
#include "ui.h"

#define EVENTS_LABEL "イベント・募集"
#define TODAY "date('now','localtime')"
#define EV_END "coalesce(nullif(e.ends_on,''), e.starts_on)"

static const list_filter EVENT_FILTERS[] = {
    {.name = "q", .label = "キーワード", .kind = LF_TEXT,
     .hint = "タイトル・主催・内容・場所などに含まれる語。スペースで区切ると、すべてを含むものを探します。"},
    {.name = "kind", .label = "種類", .kind = LF_CHOICE, .choices = "event=イベント|recruit=募集"},
    {.name = "field", .label = "分野", .kind = LF_MASTER, .master = "field"},
    {.name = "municipality", .label = "開催市町", .kind = LF_MASTER, .master = "municipality",
     .choices = "山口県外=山口県外|online=オンライン"},
    {.name = "from", .label = "開催日（この日から）", .kind = LF_DATE, .hint = "例：2026-12-01"},
    {.name = "to", .label = "開催日（この日まで）", .kind = LF_DATE, .hint = "例：2026-12-31"},
    {.name = "open", .label = "申込受付中のものだけ", .kind = LF_FLAG},
    {.name = "past", .label = "終了したイベントも表示", .kind = LF_FLAG},
    {.name = "sort", .label = "並び順", .kind = LF_SORT, .choices = "date=開催日順|new=新着順"},
    {0}};

static const char *const EVENT_TEXT_COLS[] = {"e.title", "e.organiser", "e.summary", "e.purpose", "e.place",
                                              "e.target", "e.cohosts", NULL};

static void event_filters(listing *l, sqlite3 *db) {
  const char *v;
  if ((v = listing_get(l, "q"))) listing_where_search(l, db, v, SEARCH_EVENT, "e.id", EVENT_TEXT_COLS);
  if ((v = listing_get(l, "kind"))) {
    listing_where(l, "e.kind = ?");
    listing_bind_text(l, v);
  }
  if ((v = listing_get(l, "field"))) listing_where_multi(l, "e.fields", v);
  if ((v = listing_get(l, "municipality"))) {
    listing_where(l, "e.municipality = ?");
    listing_bind_text(l, v);
  }
  /* date range: the event's days [starts_on, end] overlap [from, to] */
  if ((v = listing_get(l, "from"))) {
    listing_where(l, EV_END " >= ?");
    listing_bind_text(l, v);
  }
  if ((v = listing_get(l, "to"))) {
    listing_where(l, "e.starts_on <= ?");
    listing_bind_text(l, v);
  }
  if (listing_has(l, "open"))
    listing_where(l, "(e.apply_from = '' OR e.apply_from <= " TODAY ") AND"
                     " (CASE WHEN e.apply_until <> '' THEN e.apply_until ELSE " EV_END " END) >= " TODAY);
  if (!listing_has(l, "past") && !listing_has(l, "from") && !listing_has(l, "to"))
    listing_where(l, EV_END " >= " TODAY);
}

int events_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  listing l;
  listing_init(&l, r, db, "/events/", "/events/search", EVENT_FILTERS);
  event_filters(&l, db);
  bool by_new = strcmp(listing_get(&l, "sort"), "new") == 0;
  bool filtered = listing_filtered(&l);
  tval *c = page_ctx(r, listing_title(&l, EVENTS_LABEL));
  tv_set_str(a, c, "heading", filtered ? EVENTS_LABEL "の検索結果" : EVENTS_LABEL);
  tv_set_str(a, c, "label", EVENTS_LABEL);
  if (!listing_has(&l, "past") && !listing_has(&l, "from") && !listing_has(&l, "to"))
    tv_set_str(a, c, "past_href", listing_href_set(&l, "past", "1"));
  int rc = listing_run(&l, db,
      "e.id, '/events/' || e.id AS href, e.title, e.organiser, e.place, e.municipality, e.starts_on AS iso,"
      " CASE e.kind WHEN 'recruit' THEN '募集' ELSE 'イベント' END AS kind_label,"
      " coalesce(" JDATE("e.starts_on") ", '') || CASE WHEN e.ends_on <> '' AND e.ends_on <> e.starts_on"
      "   THEN '〜' || coalesce(" JDATE("e.ends_on") ", '') ELSE '' END AS dates,"
      " CASE WHEN e.apply_until <> '' THEN " JDATE("e.apply_until") " ELSE '' END AS apply_until,"
      " CASE WHEN " EV_END " < " TODAY " THEN '終了' ELSE '' END AS ended,"
      " CASE e.municipality WHEN 'online' THEN 'オンライン' ELSE e.municipality END AS where_label",
      "events e", "e.status = 'published'",
      by_new ? "e.published_at DESC, e.id DESC"
             : "(" EV_END " < " TODAY "), CASE WHEN " EV_END " >= " TODAY " THEN e.starts_on END,"
               " e.starts_on DESC, e.id",
      c);
  listing_free(&l);
  if (rc) return rc;
  tv_set(a, c, "feeds", feed_links(r, "events"));
  tv_set_str(a, c, "calendar_href", "/events/calendar");
  tv_set_str(a, c, "calendar_label", "イベント・募集カレンダー");
  page_crumb(r, c, EVENTS_LABEL, filtered ? "/events/" : NULL);
  if (filtered) page_crumb(r, c, "検索結果", NULL);
  return render(r, "supernet/events_list.html", c);
}

int events_search(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  listing l;
  listing_init(&l, r, db, "/events/", "/events/search", EVENT_FILTERS);
  tval *c = page_ctx(r, "イベント・募集の詳細検索");
  tv_set_str(&r->a, c, "heading", "イベント・募集の詳細検索");
  tv_set_str(&r->a, c, "intro", "条件を指定して、イベント・募集を探せます。指定しない項目は条件になりません。"
                                "開催日を指定しないときは、終了していないものだけを表示します。");
  listing_form(&l, db, c);
  listing_free(&l);
  page_crumb(r, c, EVENTS_LABEL, "/events/");
  page_crumb(r, c, "詳細検索", NULL);
  return render(r, "supernet/search_form.html", c);
}

int events_detail(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  long long id = req_param_int(r, 0);
  kv *v = NULL;
  tval *c = listing_detail(r, schema_find("event"), EVENTS_LABEL, id, &v, false);
  if (!c) return 404;
  const char *kind = kv_get(v, "kind");
  tv_set_str(a, c, "kind_label", kind && !strcmp(kind, "recruit") ? "募集" : "イベント");
  sqlite3_stmt *st = db_prep(db,
      "SELECT g.id, g.name, coalesce(nullif(e.ends_on,''), e.starts_on) < " TODAY
      " FROM events e LEFT JOIN groups g ON g.id = e.group_id AND g.status = 'published' WHERE e.id=?1");
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, id);
  if (sqlite3_step(st) == SQLITE_ROW) {
    if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
      tval *acts = tv_set(a, c, "actions", tv_list(a));
      tval *m = tv_map(a);
      tv_set_str(a, m, "href", arena_printf(a, "/groups/%lld", sqlite3_column_int64(st, 0)));
      tv_set_str(a, m, "label", arena_printf(a, "主催団体「%s」のページ", db_text(st, 1)));
      tv_push(a, acts, m);
    }
    if (sqlite3_column_int(st, 2)) tv_set_str(a, c, "status_note", "このイベント・募集は終了しました。");
  }
  sqlite3_finalize(st);
  tv_set_str(a, c, "list_label", "イベント・募集の一覧");
  return render(r, "supernet/detail.html", c);
}
