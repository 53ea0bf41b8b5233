/* ui_groups.c — 団体・企業を探す (S2): the public list of published groups
 * with keyword search, detailed filters and paging (/groups/), the
 * detailed-search form (/groups/search) and the detail page
 * (/groups/{id}) with the group's events and activity reports. Dissolved
 * and withdrawn groups stay listed (after the active ones) with their
 * status shown. Nothing staff-only or personal is ever read here:
 * content_load(…, false) leaves those columns out of the SELECT. */
#include <sqlite3.h>
#include <string.h>

#include "content.h"
#include "db.h"
#include "listing.h"
#include "request.h"
#include "search.h"
#include "ui.h"

#define GROUPS_LABEL "団体・企業"

static const list_filter GROUP_FILTERS[] = {
    {.name = "q", .label = "キーワード", .kind = LF_TEXT,
     .hint = "団体名・ふりがな・活動内容などに含まれる語。スペースで区切ると、すべてを含むものを探します。"},
    {.name = "kind", .label = "組織形態", .kind = LF_CHOICE, .choices = "citizen=県民活動団体|npo=NPO法人|company=企業"},
    {.name = "field", .label = "活動分野", .kind = LF_MASTER, .master = "field"},
    {.name = "area", .label = "対象エリア", .kind = LF_MASTER, .master = "target_area"},
    {.name = "municipality", .label = "市町", .kind = LF_MASTER, .master = "municipality",
     .choices = "山口県外=山口県外", .hint = "事務所の所在地、または対象市町"},
    {.name = "activity", .label = "活動状況", .kind = LF_CHOICE, .choices = "active=活動中|dissolved=解散|withdrawn=退会"},
    {.name = "feature", .label = "特徴", .kind = LF_MASTER, .master = "feature"},
    {.name = "sort", .label = "並び順", .kind = LF_SORT, .choices = "kana=五十音順|new=新着順"},
    {0}};

static const char *const GROUP_TEXT_COLS[] = {"g.name", "g.kana", "g.purpose", "g.activities", "g.csr",
                                              "g.pr", "g.collaboration", NULL};

#define GROUP_SUMMARY "CASE WHEN g.purpose <> '' THEN g.purpose ELSE g.activities END"

static void group_filters(listing *l, sqlite3 *db) {
  const char *v;
  if ((v = listing_get(l, "q"))) listing_where_search(l, db, v, SEARCH_GROUP, "g.id", GROUP_TEXT_COLS);
  if ((v = listing_get(l, "kind"))) {
    listing_where(l, "g.kind = ?");
    listing_bind_text(l, v);
  }
  if ((v = listing_get(l, "field"))) listing_where_multi(l, "g.fields", v);
  if ((v = listing_get(l, "area"))) {
    listing_where(l, "g.target_area = ?");
    listing_bind_text(l, v);
  }
  if ((v = listing_get(l, "municipality"))) {
    listing_where(l, "g.municipality = ? OR instr(char(10)||g.target_municipalities||char(10), char(10)||?||char(10)) > 0");
    listing_bind_text(l, v);
    listing_bind_text(l, v);
  }
  if ((v = listing_get(l, "activity"))) {
    listing_where(l, "g.activity = ?");
    listing_bind_text(l, v);
  }
  if ((v = listing_get(l, "feature"))) listing_where_multi(l, "g.features", v);
}

int groups_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  listing l;
  listing_init(&l, r, db, "/groups/", "/groups/search", GROUP_FILTERS);
  group_filters(&l, db);
  bool by_new = strcmp(listing_get(&l, "sort"), "new") == 0;
  tval *c = page_ctx(r, listing_title(&l, GROUPS_LABEL));
  tv_set_str(a, c, "heading", listing_filtered(&l) ? GROUPS_LABEL "の検索結果" : "団体・企業を探す");
  tv_set_str(a, c, "label", GROUPS_LABEL);
  int rc = listing_run(&l, db,
      "g.id, '/groups/' || g.id AS href, g.name, g.kana, g.municipality,"
      " CASE g.kind WHEN 'citizen' THEN '県民活動団体' WHEN 'npo' THEN 'NPO法人' ELSE '企業' END AS kind_label,"
      " CASE g.activity WHEN 'dissolved' THEN '解散' WHEN 'withdrawn' THEN '退会' ELSE '' END AS inactive,"
      " (SELECT group_concat(label, '、') FROM (SELECT m.label FROM master_items m WHERE m.list = 'field'"
      "   AND instr(char(10)||g.fields||char(10), char(10)||m.value||char(10)) > 0 ORDER BY m.sort)) AS fields,"
      " substr(" GROUP_SUMMARY ", 1, 80) || CASE WHEN length(" GROUP_SUMMARY ") > 80 THEN '…' ELSE '' END AS summary",
      "groups g", "g.status = 'published'",
      by_new ? "g.activity <> 'active', g.published_at DESC, g.id DESC"
             : "g.activity <> 'active', g.kana, g.name, g.id",
      c);
  listing_free(&l);
  if (rc) return rc;
  page_crumb(r, c, "団体・企業を探す", listing_filtered(&l) ? "/groups/" : NULL);
  if (listing_filtered(&l)) page_crumb(r, c, "検索結果", NULL);
  return render(r, "supernet/groups_list.html", c);
}

int groups_search(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  listing l;
  listing_init(&l, r, db, "/groups/", "/groups/search", GROUP_FILTERS);
  tval *c = page_ctx(r, "団体・企業の詳細検索");
  tv_set_str(&r->a, c, "heading", "団体・企業の詳細検索");
  tv_set_str(&r->a, c, "intro", "条件を指定して、登録されている団体・企業を探せます。指定しない項目は条件になりません。");
  listing_form(&l, db, c);
  listing_free(&l);
  page_crumb(r, c, "団体・企業を探す", "/groups/");
  page_crumb(r, c, "詳細検索", NULL);
  return render(r, "supernet/search_form.html", c);
}

/* Published events or reports of group id, newest first, as
 * {href, title, date, iso}. */
static tval *group_related(request *r, sqlite3 *db, const char *sql, long long id) {
  sqlite3_stmt *st = db_prep(db, sql);
  if (!st) return tv_list(&r->a);
  sqlite3_bind_int64(st, 1, id);
  return rows_to_list(r, st);
}

int groups_detail(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  long long id = req_param_int(r, 0);
  kv *v = NULL;
  tval *c = listing_detail(r, schema_find("group"), GROUPS_LABEL, id, &v, false);
  if (!c) return 404;
  const char *kind = kv_get(v, "kind");
  tv_set_str(a, c, "kind_label", !kind ? "" : !strcmp(kind, "citizen") ? "県民活動団体"
                                   : !strcmp(kind, "npo")               ? "NPO法人"
                                                                        : "企業");
  /* activity is a staff field; its public meaning is a notice */
  sqlite3_stmt *st = db_prep(db, "SELECT activity FROM groups WHERE id=?1");
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, id);
  if (sqlite3_step(st) == SQLITE_ROW) {
    const char *act = db_text(st, 0);
    if (!strcmp(act, "dissolved")) tv_set_str(a, c, "status_note", "この団体・企業は解散しました。");
    else if (!strcmp(act, "withdrawn")) tv_set_str(a, c, "status_note", "この団体・企業は登録を取り消しました（退会）。");
  }
  sqlite3_finalize(st);
  tv_set_str(a, c, "list_href", "/groups/");
  tv_set_str(a, c, "list_label", "団体・企業の一覧");
  tval *rel = tv_set(a, c, "related", tv_list(a));
  tval *ev = tv_map(a);
  tv_set_str(a, ev, "heading", "この団体・企業のイベント・募集");
  tv_set_str(a, ev, "id", "h-group-events");
  tv_set(a, ev, "items", group_related(r, db,
      "SELECT '/events/' || id AS href, title, " JDATE("starts_on") " AS date, starts_on AS iso FROM events"
      " WHERE group_id=?1 AND status='published' ORDER BY starts_on DESC, id DESC LIMIT 50", id));
  tv_set_str(a, ev, "empty", "掲載中のイベント・募集はありません。");
  tv_push(a, rel, ev);
  tval *rp = tv_map(a);
  tv_set_str(a, rp, "heading", "この団体・企業の活動実績・事例");
  tv_set_str(a, rp, "id", "h-group-reports");
  tv_set(a, rp, "items", group_related(r, db,
      "SELECT '/reports/' || id AS href, title, " JDATE("held_on") " AS date, held_on AS iso FROM reports"
      " WHERE group_id=?1 AND status='published' ORDER BY held_on DESC, id DESC LIMIT 50", id));
  tv_set_str(a, rp, "empty", "掲載中の活動実績・事例はありません。");
  tv_push(a, rel, rp);
  tval *acts = tv_set(a, c, "actions", tv_list(a));
  tval *ch = tv_map(a);
  tv_set_str(a, ch, "href", arena_printf(a, "/groups/%lld/change", id));
  tv_set_str(a, ch, "label", "この団体の情報を修正する");
  tv_push(a, acts, ch);
  return render(r, "supernet/detail.html", c);
}
