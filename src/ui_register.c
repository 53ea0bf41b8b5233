/* ui_register.c — 掲載登録 (S3): the hub page /register/ and the
 * registration of a group or company (別紙3; function list 「団体・企業新規
 * 登録」): kind (県民活動団体・NPO法人・企業) → 登録規約, shown before the
 * form, accepted only by the POST of 「同意する」 (recorded in the draft) →
 * the 別紙3 form of that kind → confirmation screen → 仮登録 (status
 * 'review', activity 'active'), mails to the centre and the registrant →
 * complete page with 「あいかさねっとに登録」, which hands the shared
 * fields to Aika's sign-up through a one-use server-side draft
 * (handoff.c). The form steps are the shared flow of ui_submit.c. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "content.h"
#include "db.h"
#include "handoff.h"
#include "request.h"
#include "session.h"
#include "ui.h"

#define GROUPISH "citizen npo"

/* 別紙3 item 38 登録要件: one box each, all required. The wording is that
 * of Aika's sign-up (member_fields.c), PROVISIONAL until the centre
 * supplies its own (「登録要件については、別途提示」). Not columns: the
 * record keeps requirements_agreed = 1. */
static const field REQ_FIELDS[] = {
    {.column = "req_1", .label = "【登録要件】営利を目的とした活動ではありません", .kind = F_BOOL, .required = true, .kinds = GROUPISH},
    {.column = "req_2", .label = "【登録要件】宗教活動や政治活動を主たる目的とした団体ではありません", .kind = F_BOOL, .required = true, .kinds = GROUPISH},
    {.column = "req_3", .label = "【登録要件】特定の公職者（候補者を含む）や政党を推薦・支持・反対することを目的とした団体ではありません", .kind = F_BOOL, .required = true, .kinds = GROUPISH},
    {.column = "req_4", .label = "【登録要件】暴力団又は暴力団員の統制の下にある団体ではありません", .kind = F_BOOL, .required = true, .kinds = GROUPISH},
    {0}};

/* Stored with the record for groups (all boxes above were ticked). */
static const field AGREED_FIELD = {.column = "requirements_agreed", .label = "登録要件への同意", .kind = F_BOOL,
                                   .kinds = GROUPISH};

const char *group_kind_label(const char *kind) {
  if (!kind) return "";
  if (!strcmp(kind, "citizen")) return "県民活動団体";
  if (!strcmp(kind, "npo")) return "NPO法人";
  if (!strcmp(kind, "company")) return "企業";
  return "";
}

static bool groupish(const char *kind) {
  return kind && (!strcmp(kind, "citizen") || !strcmp(kind, "npo"));
}

int register_hub(request *r) {
  tval *c = page_ctx(r, "掲載登録");
  page_crumb(r, c, "掲載登録", NULL);
  return render(r, "supernet/register_hub.html", c);
}

int register_group_kind(request *r) {
  tval *c = page_ctx(r, "団体・企業の新規登録");
  page_crumb(r, c, "掲載登録", "/register/");
  page_crumb(r, c, "団体・企業の新規登録", NULL);
  return render(r, "supernet/register_group.html", c);
}

int register_group_terms(request *r) {
  const char *kind = req_query(r, "kind");
  if (!*group_kind_label(kind)) return resp_redirect(r, "/register/group");
  tval *c = page_ctx(r, arena_printf(&r->a, "登録規約（%s）", group_kind_label(kind)));
  tv_set_str(&r->a, c, "kind", kind);
  tv_set_str(&r->a, c, "kind_label", group_kind_label(kind));
  tv_set_str(&r->a, c, "csrf", csrf_token(r));
  tv_set_str(&r->a, c, "flow", "group");
  tv_set_str(&r->a, c, "step", "terms");
  /* issue 5: member side — a hand-off from Aika (handoff_from_aika): the
   * token moves from the URL into the cookie cn_handoff_sn, used up when
   * the terms are agreed (register_group_terms_post); the page says
   * whether it is still good */
  const char *ho = req_query(r, "handoff");
  sqlite3 *hdb = ho ? db_thread(r->app) : NULL;
  if (hdb) {
    bool live = handoff_from_aika(r, hdb, ho, false) != NULL;
    resp_cookie(r, "cn_handoff_sn", live ? ho : "", live ? -1 : 0);
    r->set_cookie = true;
    tv_set_str(&r->a, c, "handoff_notice",
               live ? "あいかさねっとで登録した団体・企業の情報を引き継ぎます。「同意する」を押すと、"
                      "引き継いだ項目を入力済みの登録フォームに進みます。"
                    : "あいかさねっとからの引き継ぎの有効期限が切れているか、すでに使われています。"
                      "お手数ですが、登録フォームの各項目を入力してください。");
  }
  /* end issue 5: member side */
  page_crumb(r, c, "掲載登録", "/register/");
  page_crumb(r, c, "団体・企業の新規登録", "/register/group");
  page_crumb(r, c, "登録規約", NULL);
  r->no_store = true;
  return render(r, "supernet/register_terms.html", c);
}

/* ---- the flow ------------------------------------------------------------ */

static const char *draft_kind(const submit_at *at) {
  return at->kind ? at->kind : kv_get(at->draft, "_kind");
}

/* The form of the kind: every 別紙3 field applying to it except the
 * staff's workflow fields, guardian consent required for groups (「上記に
 * 同意する」☑必須), then the 登録要件 boxes. */
static const field *group_fields(request *r, const submit_at *at) {
  const char *kind = draft_kind(at);
  field *f = fields_pick(&r->a, schema_find("group")->fields, kind, "kind activity status published_at", REQ_FIELDS);
  for (field *p = f; p->column; p++)
    if (!strcmp(p->column, "guardian_consent")) {
      p->required = true;
      p->label = "未成年者の方への注意事項（下記）に同意する";
    }
  return f;
}

static const char *group_title(request *r, const submit_at *at) {
  return arena_printf(&r->a, "団体・企業の新規登録（%s）", group_kind_label(draft_kind(at)));
}

/* Is the value one of the 19 市町 (not 「山口県外」)? */
static bool in_yamaguchi(const char *city) { return city && *city && strcmp(city, "山口県外") != 0; }

void group_cross_rules(request *r, sqlite3 *db, const field *fields, const kv *values, long long self_id,
                       field_error **errs) {
  arena *a = &r->a;
  const char *area = kv_get(values, "target_area"), *cities = kv_get(values, "target_municipalities");
  if (field_by_column(fields, "target_municipalities") && area && !strcmp(area, "山口県内市町") &&
      (!cities || !*cities) && !has_field_error(*errs, "target_municipalities"))
    fields_add_error(a, errs, fields, "target_municipalities",
                     "対象エリアで「山口県内市町」を選んだときは、対象市町を1つ以上選択してください。");
  const char *pref = kv_get(values, "prefecture"), *city = kv_get(values, "municipality");
  if (pref && *pref && city && *city && !has_field_error(*errs, "municipality") &&
      !has_field_error(*errs, "prefecture")) {
    bool yamaguchi = !strcmp(pref, "山口県");
    if (yamaguchi && !in_yamaguchi(city))
      fields_add_error(a, errs, fields, "municipality", "都道府県が山口県のときは、市町を19市町から選択してください。");
    else if (!yamaguchi && in_yamaguchi(city))
      fields_add_error(a, errs, fields, "municipality",
                       "都道府県が山口県以外のときは、市町は「山口県外」を選択してください。");
  }
  const char *name = kv_get(values, "name");
  if (name && *name && !has_field_error(*errs, "name")) {
    sqlite3_stmt *st = db_prep(db, "SELECT 1 FROM groups WHERE name=?1 AND activity<>'withdrawn' AND id<>?2 LIMIT 1");
    if (st) {
      sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
      sqlite3_bind_int64(st, 2, self_id);
      if (sqlite3_step(st) == SQLITE_ROW)
        fields_add_error(a, errs, fields, "name",
                         "同じ名前の団体がすでに登録されています。登録済みの団体の情報を変えるときは、"
                         "「登録内容の修正依頼」からお申し込みください。");
      sqlite3_finalize(st);
    }
  }
}

static void group_rules(request *r, sqlite3 *db, const submit_at *at, const field *fields, const kv *values,
                        field_error **errs) {
  (void)at;
  group_cross_rules(r, db, fields, values, 0, errs);
}

/* The 仮登録 record, its files, the audit entry and the two mails. */
static long long group_commit(request *r, sqlite3 *db, const submit_at *at, const field *fields,
                              const kv *values, field_error **errs) {
  (void)errs;
  arena *a = &r->a;
  const content_type *t = schema_find("group");
  const char *kind = draft_kind(at);
  const field extra[] = {*field_by_column(t->fields, "kind"), *field_by_column(t->fields, "activity"),
                         *field_by_column(t->fields, "status"), AGREED_FIELD, {0}};
  field *cols = fields_pick(a, fields, kind, "req_1 req_2 req_3 req_4", extra);
  kv *v = kv_without(a, values, "req_1 req_2 req_3 req_4");
  kv_put(a, &v, "kind", kind);
  kv_put(a, &v, "activity", "active");
  kv_put(a, &v, "status", "review");
  if (groupish(kind)) kv_put(a, &v, "requirements_agreed", "1");
  long long id = content_insert(r, db, t, cols, v);
  if (id <= 0 || submit_adopt_files(db, fields, v, id)) return -1;
  if (audit_append(db, "guest", "group_register", arena_printf(a, "group:%lld", id), kind, r->client_ip))
    return -1;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "name", kv_get(v, "name"));
  tv_set_str(a, ctx, "kind_label", group_kind_label(kind));
  tv_set_int(a, ctx, "id", id);
  tv_set(a, ctx, "values", values_display(r, db, fields, values));
  const char *centre = r->app->cfg.centre_address;
  if (*centre && submit_mail(r, db, "mail/group_registered_centre.txt", ctx, centre, NULL,
                             arena_printf(a, "group-registered-centre:%lld", id)))
    return -1;
  if (submit_mail(r, db, "mail/group_registered.txt", ctx, kv_get(v, "registrant_email"), NULL,
                  arena_printf(a, "group-registered:%lld", id)))
    return -1;
  return id;
}

static const submit_flow GROUP_FLOW = {
    .name = "group", .heading = "団体・企業の新規登録", .crumb_label = "掲載登録", .crumb_href = "/register/",
    .submit_label = "この内容で登録する", .start_url = "/register/group", .fields = group_fields,
    .title = group_title, .rules = group_rules, .commit = group_commit};

static submit_at group_at(void) {
  return (submit_at){.flow = &GROUP_FLOW, .base = "/register/group", .form_url = "/register/group/form"};
}

/* 「同意する」: a draft that records the kind and the consent. */
int register_group_terms_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const char *kind = req_form(r, "kind");
  if (!*group_kind_label(kind)) return resp_redirect(r, "/register/group");
  submit_at at = group_at();
  kv *init = NULL;
  kv_put(&r->a, &init, "_kind", kind);
  kv_put(&r->a, &init, "_terms", "1");
  /* ※NPO法人は初期設定で「NPO法人」を表示 */
  if (!strcmp(kind, "npo")) kv_put(&r->a, &init, "org_class", "NPO法人");
  /* issue 5: member side — the values handed over from Aika, each only
   * when this kind's form accepts it; a hand-off used or expired since
   * the terms page was shown: back to it, which now says so */
  const char *ho = req_cookie(r, "cn_handoff_sn");
  if (ho) {
    resp_cookie(r, "cn_handoff_sn", "", 0);
    r->set_cookie = true;
    kv *p = handoff_from_aika(r, db, ho, true);
    if (!p && handoff_token_ok(ho))
      return resp_redirect(r, arena_printf(&r->a, "/register/group/terms?kind=%s&handoff=%s", kind, ho));
    submit_at probe_at = group_at();
    probe_at.kind = kind;
    const field *form = group_fields(r, &probe_at);
    for (const kv *e = p; e; e = e->next) {
      const field *f = field_by_column(form, e->name);
      if (!f || !*e->value) continue;
      field one[2] = {*f, {0}};
      kv *probe = NULL;
      kv_put(&r->a, &probe, f->column, e->value);
      field_error *errs = NULL;
      if (!fields_validate_db(db, &r->a, one, probe, NULL, &errs)) kv_put(&r->a, &init, f->column, e->value);
    }
  }
  /* end issue 5: member side */
  if (!submit_start(r, db, &at, init)) return 500;
  return resp_redirect(r, submit_url(r, &at, ""));
}

int register_group_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  submit_at at = group_at();
  if (!submit_load(r, db, &at) || !kv_get(at.draft, "_terms")) return resp_redirect(r, "/register/group");
  const char *state = kv_get(at.draft, "_state");
  if (state && !strcmp(state, "done")) return resp_redirect(r, submit_url(r, &at, "done"));
  return submit_form_page(r, &at, NULL, NULL);
}

int register_group_form_post(request *r) {
  submit_at at = group_at();
  return submit_form_post(r, &at);
}

int register_group_confirm(request *r) {
  submit_at at = group_at();
  return submit_confirm_page(r, &at);
}

int register_group_confirm_post(request *r) {
  submit_at at = group_at();
  return submit_confirm_post(r, &at);
}

int register_group_done(request *r) {
  submit_at at = group_at();
  return submit_done_page(r, &at);
}

/* 「あいかさねっとに登録」: the shared fields of the group just registered
 * go into a one-use hand-off for Aika's sign-up; the URL carries only the
 * token. Aika's 団体 or 企業 forms name the 市町 outside Yamaguchi 「―」. */
int register_group_aika(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  submit_at at = group_at();
  const char *state = NULL, *id = NULL;
  if (submit_load(r, db, &at)) state = kv_get(at.draft, "_state"), id = kv_get(at.draft, "_id");
  if (!state || strcmp(state, "done") || !id) return resp_redirect(r, "/register/group");
  kv *g = content_load(r, schema_find("group"), strtoll(id, NULL, 10), true);
  if (!g) return resp_redirect(r, "/register/group");
  arena *a = &r->a;
  kv *p = NULL;
  const char *kind = kv_get(g, "kind");
  kv_put(a, &p, "kind", groupish(kind) ? "group" : "company");
  static const char *const SAME[][2] = {{"org_type", "org_class"}, {"org_name", "name"}, {"org_kana", "kana"},
                                        {"representative", "representative"}, {"rep_title", "rep_title"},
                                        {"prefecture", "prefecture"}, {"municipality", "municipality"},
                                        {"phone", "phone"}, {"email", "registrant_email"}};
  for (size_t i = 0; i < sizeof SAME / sizeof SAME[0]; i++) {
    const char *v = kv_get(g, SAME[i][1]);
    if (v && *v) kv_put(a, &p, SAME[i][0], v);
  }
  const char *city = kv_get(p, "municipality");
  if (city && !strcmp(city, "山口県外")) kv_put(a, &p, "municipality", "―");
  const char *phone = kv_get(p, "phone"), *own = kv_get(g, "registrant_phone");
  if ((!phone || !*phone) && own && *own) kv_put(a, &p, "phone", own);
  const char *tok = handoff_put(r, db, "aika", p, HANDOFF_TTL_S);
  if (!tok) return 500;
  return resp_redirect(r, arena_printf(a, "/aikasanet/signup?handoff=%s", tok));
}
