/* ui_aika_members.c — 会員を探す (REQUIREMENTS A3, A9, A11):
 *   /aikasanet/members/          検索結果一覧: published members, newest
 *                                first, by kind, area (活動可能地域 or 市町),
 *                                field (活動希望分野), 一芸・プロボノ分野 and
 *                                free words (the site search index, so the
 *                                matching is the same as Supernet's lists)
 *   /aikasanet/members/search    検索フォーム (GET to the list)
 *   /aikasanet/members/{id}      会員情報詳細 with the member's recruitments,
 *                                past ones included
 * Only public fields are ever shown (content_display without staff: no
 * staff-only, personal (.pii) or public_hidden field). An individual has
 * no public name (別紙2 §6): it appears as 「個人会員」 with its 市町 and
 * 職業; groups and companies by their 団体名・企業名. */
#include <sqlite3.h>
#include <string.h>

#include "content.h"
#include "db.h"
#include "listing.h"
#include "match.h"
#include "member.h"
#include "request.h"
#include "search.h"
#include "ui.h"

#define MEM_LABEL "会員を探す"
#define MEM_BASE "/aikasanet/members/"
/* The public name of member m (SQL). */
#define MEM_NAME_SQL                                                                          \
  "CASE WHEN m.kind = 'individual' THEN '個人会員' WHEN m.org_name <> '' THEN m.org_name"  \
  " ELSE m.display_name END"

static const list_filter MEM_FILTERS[] = {
    {.name = "q", .label = "キーワード", .kind = LF_TEXT,
     .hint = "団体名・企業名、セールスポイント、活動内容、職業、資格などに含まれる語。スペースで区切ると、すべてを含む会員を探します。"},
    {.name = "kind", .label = "会員の種類", .kind = LF_CHOICE, .choices = "individual=個人|group=団体|company=企業"},
    {.name = "area", .label = "地域", .kind = LF_MASTER, .master = "municipality",
     .hint = "活動可能地域または所在地（市町）"},
    {.name = "field", .label = "活動希望分野", .kind = LF_MASTER, .master = "aika_field"},
    {.name = "probono", .label = "一芸・プロボノの分野", .kind = LF_MASTER, .master = "probono_field"},
    {0}};

static const char *const MEM_TEXT_COLS[] = {"m.org_name", "m.sales_point", "m.main_activities", "m.occupation",
                                            "m.qualifications", "m.probono_content", NULL};

static void mem_filters(listing *l, sqlite3 *db) {
  const char *v;
  if ((v = listing_get(l, "q"))) listing_where_search(l, db, v, SEARCH_MEMBER, "m.id", MEM_TEXT_COLS);
  if ((v = listing_get(l, "kind"))) {
    listing_where(l, "m.kind = ?");
    listing_bind_text(l, v);
  }
  if ((v = listing_get(l, "area"))) {
    listing_where(l, "instr(char(10)||m.activity_areas||char(10), char(10)||?||char(10)) > 0 OR m.municipality = ?");
    listing_bind_text(l, v);
    listing_bind_text(l, v);
  }
  if ((v = listing_get(l, "field"))) listing_where_multi(l, "m.fields", v);
  if ((v = listing_get(l, "probono"))) listing_where_multi(l, "m.probono_fields", v);
}

int aika_members_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  listing l;
  listing_init(&l, r, db, MEM_BASE, MEM_BASE "search", MEM_FILTERS);
  mem_filters(&l, db);
  bool filtered = listing_filtered(&l);
  tval *c = page_ctx(r, listing_title(&l, "会員の一覧"));
  tv_set_str(a, c, "heading", filtered ? "会員の検索結果" : "会員の一覧");
  tv_set_str(a, c, "label", "会員");
  int rc = listing_run(&l, db,
      "m.id, '" MEM_BASE "' || m.id AS href, " MEM_NAME_SQL " AS name,"
      " CASE m.kind WHEN 'individual' THEN '個人' WHEN 'group' THEN '団体' ELSE '企業' END AS kind_label,"
      " m.municipality, CASE WHEN m.kind = 'individual' THEN m.occupation ELSE '' END AS occupation,"
      " replace(m.fields, char(10), '、') AS fields, replace(m.activity_areas, char(10), '、') AS areas,"
      " substr(m.sales_point, 1, 80) || CASE WHEN length(m.sales_point) > 80 THEN '…' ELSE '' END AS sales_point",
      "members m", "m.status = 'published'", "m.published_at DESC, m.id DESC", c);
  listing_free(&l);
  if (rc) return rc;
  page_crumb(r, c, MEM_LABEL, filtered ? MEM_BASE : NULL);
  if (filtered) page_crumb(r, c, "検索結果", NULL);
  return render(r, "aika/members_list.html", c);
}

int aika_members_search(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  listing l;
  listing_init(&l, r, db, MEM_BASE, MEM_BASE "search", MEM_FILTERS);
  tval *c = page_ctx(r, "会員の検索");
  tv_set_str(&r->a, c, "heading", "会員の検索");
  tv_set_str(&r->a, c, "intro", "条件を指定して、あいかさねっとの会員（個人・団体・企業）を探せます。"
                                "指定しない項目は条件になりません。個人会員の氏名や連絡先は公開していません。");
  listing_form(&l, db, c);
  listing_free(&l);
  page_crumb(r, c, MEM_LABEL, MEM_BASE);
  page_crumb(r, c, "検索フォーム", NULL);
  return render(r, "supernet/search_form.html", c);
}

/* The member's recruitments that have a page (open or past), newest first. */
static tval *member_recruitments(request *r, sqlite3 *db, long long id) {
  sqlite3_stmt *st = db_prep(db,
      "SELECT '/aikasanet/recruitments/' || r.id AS href, r.title,"
      " CASE WHEN " RECRUITMENT_OPEN_SQL " THEN '' ELSE '終了' END AS ended,"
      " CASE WHEN r.anytime = 1 THEN '随時募集' ELSE coalesce(" JDATE("nullif(r.starts_on, '')") ", '')"
      "   || CASE WHEN coalesce(r.ends_on, '') <> '' AND r.ends_on <> coalesce(r.starts_on, '')"
      "      THEN '〜' || coalesce(" JDATE("r.ends_on") ", '') ELSE '' END END AS dates"
      " FROM recruitments r LEFT JOIN members m ON m.id = r.member_id"
      " WHERE r.member_id = ?1 AND (" RECRUITMENT_OPEN_SQL " OR " RECRUITMENT_PAST_SQL ")"
      " ORDER BY (" RECRUITMENT_OPEN_SQL ") DESC, r.published_at DESC, r.id DESC LIMIT 200");
  if (st) sqlite3_bind_int64(st, 1, id);
  return rows_to_list(r, st);
}

int aika_members_detail(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  long long id = req_param_int(r, 0);
  const content_type *t = schema_find("member");
  kv *v = content_load(r, t, id, false); /* published only, public fields only */
  const char *status = v ? kv_get(v, "status") : NULL;
  if (!v || !status || strcmp(status, "published") != 0) return 404;
  const char *kind = kv_get(v, "kind");
  bool person = kind && !strcmp(kind, "individual");
  const char *org = kv_get(v, "org_name");
  const char *name = person ? "個人会員" : org && *org ? org : "会員";
  const char *muni = kv_get(v, "municipality");
  const char *heading = name;
  if (person && muni && *muni) heading = arena_printf(a, "個人会員（%s）", muni);
  /* individuals share their heading: the number keeps each title unique */
  tval *c = page_ctx(r, person ? arena_printf(a, "%s 会員番号%lld｜会員情報", heading, id)
                               : arena_printf(a, "%s｜会員情報", heading));
  tv_set_str(a, c, "heading", heading);
  tv_set_str(a, c, "kind_label", person ? "個人" : kind && !strcmp(kind, "group") ? "団体" : "企業");
  tv_set(a, c, "record", listing_record(r, t, v, NULL));
  const char *pub = kv_get(v, "published_at");
  if (pub && *pub) {
    tv_set_str(a, c, "published", listing_jdate(a, pub));
    tv_set_str(a, c, "published_iso", arena_strndup(a, pub, 10));
  }
  if (!person) tv_set(a, c, "recruitments", member_recruitments(r, db, id));
  /* A9: a signed-in group may inquire of another member */
  if (r->user && r->role == ROLE_MEMBER) {
    member_row me;
    if (member_of_user(r, db, r->user->id, &me) && !strcmp(me.kind, "group") && me.id != id)
      tv_set_str(a, c, "inquire_href", arena_printf(a, MEM_BASE "%lld/inquire", id));
  }
  page_crumb(r, c, MEM_LABEL, MEM_BASE);
  page_crumb(r, c, heading, NULL);
  return render(r, "aika/members_detail.html", c);
}
