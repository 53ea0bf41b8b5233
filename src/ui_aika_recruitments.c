/* ui_aika_recruitments.c — ボランティア募集 of Aika (REQUIREMENTS A2, A9):
 *   /aikasanet/recruitments/          現在募集中の一覧 (open now), with
 *                                     keyword, area, field and weekday
 *                                     filters and paging (listing.h)
 *   /aikasanet/recruitments/search    the detailed-search form of that list
 *   /aikasanet/recruitments/past      過去の一覧 (period over)
 *   /aikasanet/recruitments/{id}      詳細, with 「参加する」「問い合わせる」
 *                                     for a signed-in member (the actions
 *                                     themselves are matching's routes)
 * The calendar (/aikasanet/recruitments/calendar) is drawn by ui_calendar.c.
 *
 * Visibility (A2): a recruitment is shown only while it is published and
 * its group is public (members.status 'published', or no group); "open
 * now" is RECRUITMENT_OPEN_SQL (match.h, the one definition), "past" is
 * the same but with its last day (締切, else 終了日, else 開始日) gone by.
 * One not yet open (募集開始日 ahead) is neither and has no page yet. */
#include <sqlite3.h>
#include <string.h>

#include "content.h"
#include "db.h"
#include "html.h"
#include "listing.h"
#include "match.h"
#include "member.h"
#include "request.h"
#include "search.h"
#include "ui.h"

#define REC_LABEL "ボランティア募集"
#define REC_BASE "/aikasanet/recruitments/"
#define REC_LAST_DAY \
  "coalesce(nullif(r.apply_until, ''), nullif(r.ends_on, ''), nullif(r.starts_on, ''), '9999-12-31')"
#define REC_PAST_SQL RECRUITMENT_PAST_SQL /* ui.h */
/* The list pages select from "recruitments r" alone (listing.c pages by
 * rowid), so the group condition is a subquery over the join. */
#define REC_JOIN "recruitments r LEFT JOIN members m ON m.id = r.member_id"
#define OPEN_IDS "r.id IN (SELECT r.id FROM " REC_JOIN " WHERE " RECRUITMENT_OPEN_SQL ")"
#define PAST_IDS "r.id IN (SELECT r.id FROM " REC_JOIN " WHERE " REC_PAST_SQL ")"

static const list_filter REC_FILTERS[] = {
    {.name = "q", .label = "キーワード", .kind = LF_TEXT,
     .hint = "タイトル・活動内容・場所・主催者などに含まれる語。スペースで区切ると、すべてを含むものを探します。"},
    {.name = "area", .label = "活動地域", .kind = LF_MASTER, .master = "municipality"},
    {.name = "field", .label = "分野", .kind = LF_MASTER, .master = "aika_field"},
    {.name = "weekday", .label = "活動曜日", .kind = LF_MASTER, .master = "weekday"},
    {.name = "sort", .label = "並び順", .kind = LF_SORT, .choices = "new=新着順|date=活動日順"},
    {0}};

static const char *const REC_TEXT_COLS[] = {"r.title", "r.summary", "r.place", "r.notes", "r.organiser", NULL};

static void rec_filters(listing *l, sqlite3 *db) {
  const char *v;
  if ((v = listing_get(l, "q"))) listing_where_search(l, db, v, SEARCH_RECRUITMENT, "r.id", REC_TEXT_COLS);
  if ((v = listing_get(l, "area"))) listing_where_multi(l, "r.areas", v);
  if ((v = listing_get(l, "field"))) listing_where_multi(l, "r.fields", v);
  if ((v = listing_get(l, "weekday"))) listing_where_multi(l, "r.weekdays", v);
}

/* Columns of a list row (aika/recruit_list.html). */
#define REC_COLS                                                                                        \
  "r.id, '" REC_BASE "' || r.id AS href, r.title, r.organiser, r.place,"                                \
  " replace(r.areas, char(10), '、') AS areas, replace(r.weekdays, char(10), '、') AS weekdays,"        \
  " replace(r.fields, char(10), '、') AS fields, r.time_text,"                                          \
  " CASE WHEN r.anytime = 1 THEN '随時募集' ELSE coalesce(" JDATE("nullif(r.starts_on, '')") ", '')"     \
  "   || CASE WHEN coalesce(r.ends_on, '') <> '' AND r.ends_on <> coalesce(r.starts_on, '')"           \
  "      THEN '〜' || coalesce(" JDATE("r.ends_on") ", '') ELSE '' END END AS dates,"                   \
  " coalesce(nullif(r.starts_on, ''), '') AS iso,"                                                      \
  " CASE WHEN r.apply_until <> '' THEN " JDATE("r.apply_until") " ELSE '' END AS apply_until"

static int rec_list(request *r, bool past) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const char *base = past ? REC_BASE "past" : REC_BASE;
  const char *label = past ? "過去のボランティア募集" : REC_LABEL;
  listing l;
  listing_init(&l, r, db, base, past ? NULL : REC_BASE "search", REC_FILTERS);
  rec_filters(&l, db);
  bool by_new = strcmp(listing_get(&l, "sort"), "new") == 0;
  bool filtered = listing_filtered(&l);
  tval *c = page_ctx(r, listing_title(&l, past || filtered ? label : "現在募集中のボランティア"));
  tv_set_str(a, c, "heading", filtered ? arena_printf(a, "%sの検索結果", label)
                                       : past ? label : "現在募集中のボランティア");
  tv_set_str(a, c, "label", label);
  tv_set_bool(a, c, "past", past);
  const char *order = past ? (by_new ? "r.published_at DESC, r.id DESC" : REC_LAST_DAY " DESC, r.id DESC")
                           : (by_new ? "r.published_at DESC, r.id DESC"
                                     : "r.anytime, coalesce(nullif(r.starts_on, ''), '9999-12-31'), r.id");
  int rc = listing_run(&l, db, REC_COLS, "recruitments r", past ? PAST_IDS : OPEN_IDS, order, c);
  listing_free(&l);
  if (rc) return rc;
  tv_set_str(a, c, "calendar_href", REC_BASE "calendar");
  tv_set_str(a, c, "calendar_label", "募集カレンダー");
  tv_set_str(a, c, "other_href", past ? REC_BASE : REC_BASE "past");
  tv_set_str(a, c, "other_label", past ? "現在募集中の一覧" : "過去の募集の一覧");
  if (past) {
    page_crumb(r, c, REC_LABEL, REC_BASE);
    page_crumb(r, c, "過去の一覧", filtered ? base : NULL);
  } else {
    page_crumb(r, c, REC_LABEL, filtered ? REC_BASE : NULL);
  }
  if (filtered) page_crumb(r, c, "検索結果", NULL);
  return render(r, "aika/recruit_list.html", c);
}

int aika_recruitments_list(request *r) { return rec_list(r, false); }
int aika_recruitments_past(request *r) { return rec_list(r, true); }

int aika_recruitments_search(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  listing l;
  listing_init(&l, r, db, REC_BASE, REC_BASE "search", REC_FILTERS);
  tval *c = page_ctx(r, "ボランティア募集の詳細検索");
  tv_set_str(&r->a, c, "heading", "ボランティア募集の詳細検索");
  tv_set_str(&r->a, c, "intro", "条件を指定して、現在募集中のボランティアを探せます。指定しない項目は条件になりません。");
  listing_form(&l, db, c);
  listing_free(&l);
  page_crumb(r, c, REC_LABEL, REC_BASE);
  page_crumb(r, c, "詳細検索", NULL);
  return render(r, "supernet/search_form.html", c);
}

int aika_recruitments_detail(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  long long id = req_param_int(r, 0);
  sqlite3_stmt *st = db_prep(db, "SELECT " RECRUITMENT_OPEN_SQL ", " REC_PAST_SQL ", m.id, m.kind,"
                                 " m.org_name, m.status = 'published' FROM " REC_JOIN " WHERE r.id = ?1");
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, id);
  if (sqlite3_step(st) != SQLITE_ROW || !(sqlite3_column_int(st, 0) || sqlite3_column_int(st, 1))) {
    sqlite3_finalize(st);
    return 404; /* not published, group not public, or not open yet */
  }
  bool open = sqlite3_column_int(st, 0) != 0;
  long long group = sqlite3_column_type(st, 2) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 2);
  const char *gkind = arena_strdup(a, db_text(st, 3));
  const char *gname = arena_strdup(a, db_text(st, 4));
  sqlite3_finalize(st);

  kv *v = NULL;
  tval *c = listing_detail(r, schema_find("recruitment"), REC_LABEL, id, &v, false);
  if (!c) return 404;
  /* breadcrumbs: the list the recruitment is on */
  tv_set(a, c, "crumbs", tv_list(a));
  page_crumb(r, c, REC_LABEL, REC_BASE);
  if (!open) page_crumb(r, c, "過去の一覧", REC_BASE "past");
  page_crumb(r, c, tv_cstr(tv_get(c, "heading")), NULL);
  tv_set_str(a, c, "list_href", open ? REC_BASE : REC_BASE "past");
  tv_set_str(a, c, "list_label", open ? "現在募集中の一覧" : "過去の募集の一覧");
  tv_set_bool(a, c, "open", open);
  if (!open) tv_set_str(a, c, "status_note", "この募集は終了しました。");
  const char *anytime = kv_get(v, "anytime");
  if (anytime && !strcmp(anytime, "1")) tv_set_str(a, c, "kind_label", "随時募集");
  if (group) {
    tv_set_str(a, c, "group_href", arena_printf(a, "/aikasanet/members/%lld", group));
    tv_set_str(a, c, "group_label",
               arena_printf(a, "募集%s「%s」の会員情報", !strcmp(gkind, "company") ? "企業" : "団体",
                            *gname ? gname : kv_get(v, "organiser")));
  }
  tv_set_int(a, c, "id", id);
  /* A9: the signed-in member's actions (not on the group's own recruitment) */
  if (open && r->user && r->role == ROLE_MEMBER) {
    member_row me;
    if (!member_of_user(r, db, r->user->id, &me) || me.id != group) tv_set_bool(a, c, "can_act", true);
  } else if (open && !r->user) {
    buf u;
    buf_init(&u);
    buf_puts(&u, "/aikasanet/login?next=");
    url_encode(&u, r->path, strlen(r->path));
    tv_set_str(a, c, "login_href", arena_strdup(a, buf_cstr(&u)));
    buf_free(&u);
  }
  return render(r, "aika/recruit_detail.html", c);
}
