/* ui_member_details.c — the member's own side of Aika (issue 5; A5 end,
 * A7, 連携機能):
 *  - my page (マイページ): the member's registered data, decrypted, each
 *    item marked 「公開」 or 「非公開」, and the links to every member screen;
 *    until the details are entered it asks for them;
 *  - 詳細登録 (/aikasanet/mypage/details, 別紙4 items 19–42) and 会員情報修正
 *    (/aikasanet/mypage/profile, items 3–16 the member may change plus
 *    19–42). Saving the details of a member in 'draft' (verified, details
 *    not yet entered) moves it to 'review' (仮登録: the centre checks it)
 *    and mails the centre. Edits of a member the centre has published stay
 *    published (no second review) and are audited by column;
 *  - メルマガ (item 42): ticking it makes an active newsletter_subscribers
 *    row of list 'aika' (the address is verified already), unticking stops
 *    it;
 *  - 「スーパーネットに登録」 for groups and companies, from my page and from
 *    the page shown right after the e-mail is verified: a one-use hand-off
 *    (handoff_member_to_supernet) and on to Supernet's registration.
 * Status flow: unverified → (verify) → draft → (details) → review →
 * (staff publish) → published. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "content.h"
#include "crypto.h"
#include "db.h"
#include "handoff.h"
#include "html.h"
#include "member.h"
#include "member_fields.h"
#include "outbox.h"
#include "pii.h"
#include "request.h"
#include "session.h"
#include "ui.h"

#define OFFER_COOKIE "cn_aika_offer"

static const content_type *member_type(void) { return schema_find("member"); }

/* The signed-in member as the my-page screens need it. */
typedef struct me {
  long long id;
  const char *kind, *status, *email;
  bool details_done, wants_recruit, resume_requested;
  long long recruitments; /* how many the group has registered */
} me;

/* Load the signed-in member: 0, or the status to return (staff are sent
 * to their own area; a member account without its members row is 404). */
static int me_load(request *r, sqlite3 *db, me *m) {
  int only = member_only(r);
  if (only) return only;
  member_row row;
  if (!member_of_user(r, db, r->user->id, &row)) return 404;
  m->id = row.id;
  m->kind = row.kind;
  m->status = row.status;
  m->email = row.email;
  sqlite3_stmt *st = db_prep(db, "SELECT details_completed_at IS NOT NULL, wants_recruit, resume_requested_at IS NOT NULL,"
                                 " (SELECT count(*) FROM recruitments WHERE member_id=?1) FROM members WHERE id=?1");
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, m->id);
  if (sqlite3_step(st) != SQLITE_ROW) return sqlite3_finalize(st), 404;
  m->details_done = sqlite3_column_int(st, 0) != 0;
  m->wants_recruit = sqlite3_column_int(st, 1) != 0;
  m->resume_requested = sqlite3_column_int(st, 2) != 0;
  m->recruitments = sqlite3_column_int64(st, 3);
  sqlite3_finalize(st);
  return 0;
}

static const char *status_label(const char *s) {
  static const char *const L[][2] = {
      {"unverified", "メールアドレス未確認"}, {"draft", "仮登録（詳細情報の入力待ち）"},
      {"review", "仮登録（センターで確認中）"}, {"published", "公開中"}, {"paused", "休止中"}, {"withdrawn", "退会"}};
  for (size_t i = 0; i < sizeof L / sizeof L[0]; i++)
    if (!strcmp(s, L[i][0])) return L[i][1];
  return s;
}

static const char *mypage_notice(const char *code) {
  static const char *const msgs[][2] = {
      {"password", "パスワードを変更しました。"},
      {"email", "新しいEメールあてに確認のメールを送りました。メールのリンクから確定すると変更されます。"},
      {"email_changed", "Eメールを変更しました。"},
      {"paused", "休止しました。再開するときは「再開を依頼する」を押してください。"},
      {"resume", "再開を依頼しました。センターで確認後、再開します。"},
      {"details", "詳細情報を登録しました。センターで登録内容を確認したのち、公開します。"},
      {"saved", "会員情報を保存しました。"}};
  for (size_t i = 0; code && i < sizeof msgs / sizeof msgs[0]; i++)
    if (!strcmp(code, msgs[i][0])) return msgs[i][1];
  return NULL;
}

/* Centre's workflow columns and what the page shows on its own. */
static bool hidden_on_mypage(const char *column) {
  static const char *const H[] = {"display_name", "mail_stopped", "mail_stop_reason", "review_note", "status",
                                  "published_at"};
  for (size_t i = 0; i < sizeof H / sizeof H[0]; i++)
    if (!strcmp(column, H[i])) return true;
  return false;
}

static tval *plain_row(request *r, const char *label, const char *value, bool public) {
  tval *m = tv_map(&r->a);
  tv_set_str(&r->a, m, "label", label);
  tv_set_str(&r->a, m, "kind", "text");
  tv_set_str(&r->a, m, "value", value);
  tv_set_bool(&r->a, m, "public", public);
  return m;
}

/* The member's data as display rows, each with public = shown to the
 * public (schema: not staff_only, pii or public_hidden). */
static tval *info_rows(request *r, sqlite3 *db, const me *m) {
  arena *a = &r->a;
  const content_type *t = member_type();
  kv *v = content_load(r, t, m->id, true);
  tval *shown = content_display(r, t, v, true), *out = tv_list(a);
  for (size_t i = 0; i < tv_len(shown); i++) {
    tval *row = tv_at(shown, i);
    const char *col = tv_cstr(tv_get(row, "column"));
    if (hidden_on_mypage(col)) continue;
    const field *f = field_by_column(t->fields, col);
    tv_set_bool(a, row, "public", f && member_field_public(f));
    tv_push(a, out, row);
    if (!strcmp(col, "kind")) {
      tv_push(a, out, plain_row(r, "ログインID", r->user->login, false));
      tv_push(a, out, plain_row(r, "Eメール", m->email, false));
    }
  }
  /* 別紙4 item 17: public with the member (ui_files.c), shown to the member */
  sqlite3_stmt *st = db_prep(db, "SELECT id, original_name FROM uploads WHERE owner_kind='member' AND owner_id=?1 ORDER BY id");
  if (st) {
    sqlite3_bind_int64(st, 1, m->id);
    tval *files = NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
      if (!files) {
        tval *row = tv_map(a);
        tv_set_str(a, row, "label", "参考ファイル");
        tv_set_str(a, row, "kind", "files");
        tv_set_bool(a, row, "public", true);
        files = tv_set(a, row, "files", tv_list(a));
        tv_push(a, out, row);
      }
      buf u = {0};
      const char *name = db_text(st, 1);
      buf_printf(&u, "/files/%lld/", (long long)sqlite3_column_int64(st, 0));
      url_encode(&u, name, strlen(name));
      tval *fm = tv_map(a);
      tv_set_str(a, fm, "href", buf_cstr(&u));
      tv_set_str(a, fm, "name", name);
      tv_push(a, files, fm);
      buf_free(&u);
    }
    sqlite3_finalize(st);
  }
  return out;
}

/* GET /aikasanet/mypage/ (A7): 登録情報, the links to every member screen. */
int mypage_home(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  me m;
  int rc = me_load(r, db, &m);
  if (rc) return rc;
  arena *a = &r->a;
  tval *c = page_ctx(r, "マイページ");
  tv_set(a, c, "info", info_rows(r, db, &m));
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set_str(a, c, "status_label", status_label(m.status));
  tv_set_bool(a, c, "resume_requested", m.resume_requested);
  tv_set_str(a, c, "kind_label", member_kind_label(m.kind));
  tv_set_bool(a, c, "need_details", !m.details_done);
  tv_set_bool(a, c, "in_review", !strcmp(m.status, "review"));
  tv_set_bool(a, c, "is_group", !strcmp(m.kind, "group"));
  tv_set_bool(a, c, "is_org", strcmp(m.kind, "individual") != 0);
  tv_set_bool(a, c, "recruits", !strcmp(m.kind, "group") && (m.wants_recruit || m.recruitments > 0));
  tv_set_bool(a, c, "paused", !strcmp(m.status, "paused"));
  tv_set_bool(a, c, "can_pause", !strcmp(m.status, "review") || !strcmp(m.status, "published"));
  const char *n = mypage_notice(req_query(r, "done"));
  if (n) tv_set_str(a, c, "notice", n);
  page_crumb(r, c, "マイページ", NULL);
  r->no_store = true;
  return render(r, "aika/mypage.html", c);
}

/* ---- 詳細登録 and 会員情報修正 -------------------------------------------- */

typedef struct form_kind {
  bool profile;
  const char *title, *tmpl, *action, *audit;
} form_kind;

static const form_kind DETAILS = {false, "詳細情報の登録", "aika/details_form.html", "/aikasanet/mypage/details",
                                  "member_details"};
static const form_kind PROFILE = {true, "会員情報の修正", "aika/mypage_profile.html", "/aikasanet/mypage/profile",
                                  "member_profile"};

static const field *form_fields(request *r, const form_kind *k, const char *kind) {
  return k->profile ? member_profile_fields(&r->a, kind) : member_details_fields(&r->a, kind);
}

/* A record's values as a form shows them: check boxes "1" or "". */
static kv *as_form_values(request *r, const field *fields, const kv *rec) {
  kv *out = NULL;
  for (const field *f = fields; f->column; f++) {
    if (field_by_column(fields, f->column) != f) continue;
    const char *v = kv_get(rec, f->column);
    if (f->kind == F_BOOL) v = v && !strcmp(v, "1") ? "1" : "";
    kv_put(&r->a, &out, f->column, v ? v : "");
  }
  return out;
}

static int form_page(request *r, const form_kind *k, const me *m, const field *fields, const kv *values,
                     const field_error *errors) {
  arena *a = &r->a;
  tval *c = page_ctx(r, errors ? arena_printf(a, "エラー：%s", k->title) : k->title);
  tv_set_str(a, c, "heading", k->title);
  tv_set_str(a, c, "action", k->action);
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set_str(a, c, "kind_label", member_kind_label(m->kind));
  tv_set_bool(a, c, "first_time", !m->details_done);
  tv_set_bool(a, c, "published", !strcmp(m->status, "published"));
  tv_set(a, c, "fields", fields_ctx(r, fields, values, errors));
  tval *errs = fields_error_summary(r, errors);
  tv_set(a, c, "errors", errs);
  tv_set_int(a, c, "error_count", (long long)tv_len(errs));
  page_crumb(r, c, "マイページ", "/aikasanet/mypage/");
  page_crumb(r, c, k->title, NULL);
  if (errors) r->status = 422;
  r->no_store = true;
  return render(r, k->tmpl, c);
}

static int form_get(request *r, const form_kind *k) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  me m;
  int rc = me_load(r, db, &m);
  if (rc) return rc;
  const field *fields = form_fields(r, k, m.kind);
  if (!fields) return 404;
  kv *rec = content_load(r, member_type(), m.id, true);
  if (!rec) return 404;
  return form_page(r, k, &m, fields, as_form_values(r, fields, rec), NULL);
}

/* Make the member's newsletter subscription (list 'aika') active, or stop
 * it. The address is the member's verified e-mail. 0 or -1. */
static int newsletter_sync(request *r, sqlite3 *db, long long member_id, const char *email, bool want) {
  if (!email || !*email) return 0;
  char index[65];
  email_index(r, email, index);
  sqlite3_stmt *st;
  if (!want) {
    st = db_prep(db, "UPDATE newsletter_subscribers SET status='stopped', stop_reason='member',"
                     " stopped_at=strftime('%Y-%m-%dT%H:%M:%SZ','now'), token_hash=NULL, token_expires=NULL"
                     " WHERE list='aika' AND email_index=?1 AND status<>'stopped'");
    if (!st) return -1;
    sqlite3_bind_text(st, 1, index, -1, SQLITE_STATIC);
  } else {
    unsigned char raw[32];
    char key[65];
    const char *enc = pii_encrypt(&r->a, &r->app->pii, "email", email);
    if (!enc || crypto_random(raw, sizeof raw)) return -1;
    hex_encode(raw, sizeof raw, key);
    st = db_prep(db, "INSERT INTO newsletter_subscribers(list, email_enc, email_index, status, unsub_key, member_id,"
                     " confirmed_at) VALUES ('aika', ?1, ?2, 'active', ?3, ?4, strftime('%Y-%m-%dT%H:%M:%SZ','now'))"
                     " ON CONFLICT(list, email_index) DO UPDATE SET status='active', stop_reason='', stopped_at=NULL,"
                     " email_enc=excluded.email_enc, member_id=excluded.member_id, token_hash=NULL, token_expires=NULL,"
                     " confirmed_at=coalesce(confirmed_at, excluded.confirmed_at)");
    if (!st) return -1;
    sqlite3_bind_text(st, 1, enc, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, index, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, member_id);
  }
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  return rc;
}

static bool is_on(const char *v) { return v && !strcmp(v, "1"); }

/* Columns whose value changed (names only: the audit log keeps no
 * personal data). */
static const char *changed_columns(request *r, const field *fields, const kv *old, const kv *v) {
  buf b = {0};
  for (const field *f = fields; f->column; f++) {
    if (field_by_column(fields, f->column) != f) continue;
    const char *a = kv_get(old, f->column), *n = kv_get(v, f->column);
    bool same = f->kind == F_BOOL ? is_on(a) == is_on(n) : !strcmp(a ? a : "", n ? n : "");
    if (!same) buf_printf(&b, "%s%s", b.len ? " " : "", f->column);
  }
  const char *s = arena_strdup(&r->a, b.len ? buf_cstr(&b) : "");
  buf_free(&b);
  return s;
}

static int exec_id(sqlite3 *db, const char *sql, long long id) {
  sqlite3_stmt *st = db_prep(db, sql);
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  return rc;
}

/* Inside the transaction: store the values, mark the details entered and
 * move a 'draft' member to 'review'; *to_review says whether it moved. */
static int save_member(request *r, sqlite3 *db, const form_kind *k, const me *m, const field *fields, const kv *v,
                       bool *to_review) {
  const content_type *t = member_type();
  int rc = content_update(r, db, t, fields, m->id, v);
  if (rc) return -1;
  if (k->profile) { /* the name shown in lists and in the header follows the organisation's name */
    if (exec_id(db, "UPDATE members SET area=municipality, display_name=CASE WHEN kind='individual'"
                    " THEN display_name ELSE org_name END WHERE id=?1", m->id) ||
        exec_id(db, "UPDATE users SET display_name=(SELECT org_name FROM members WHERE user_id=users.id)"
                    " WHERE id=?1 AND EXISTS (SELECT 1 FROM members WHERE user_id=users.id AND kind<>'individual')",
                r->user->id))
      return -1;
  }
  sqlite3_stmt *st = db_prep(db, "SELECT status FROM members WHERE id=?1");
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, m->id);
  *to_review = sqlite3_step(st) == SQLITE_ROW && !strcmp(db_text(st, 0), "draft");
  sqlite3_finalize(st);
  return exec_id(db, "UPDATE members SET details_completed_at=coalesce(details_completed_at,"
                     " strftime('%Y-%m-%dT%H:%M:%SZ','now')), status=CASE WHEN status='draft' THEN 'review'"
                     " ELSE status END WHERE id=?1",
                 m->id);
}

/* 「会員の詳細登録がありました」 to the centre (no personal data). */
static int mail_centre(request *r, sqlite3 *db, const me *m) {
  const char *centre = r->app->cfg.centre_address;
  if (!*centre) return 0;
  tval *ctx = tv_map(&r->a);
  tv_set_str(&r->a, ctx, "kind", member_kind_label(m->kind));
  tv_set_int(&r->a, ctx, "member_id", m->id);
  return member_mail(r, db, "mail/member_details_centre.txt", ctx, centre,
                     arena_printf(&r->a, "member-details-centre:%lld", m->id));
}

static int form_post(request *r, const form_kind *k) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  me m;
  int rc = me_load(r, db, &m);
  if (rc) return rc;
  arena *a = &r->a;
  const field *fields = form_fields(r, k, m.kind);
  kv *old = fields ? content_load(r, member_type(), m.id, true) : NULL;
  if (!old) return 404;
  kv *v = fields_values(r, fields, r->form);
  for (const field *f = fields; f->column; f++) /* unticked boxes and absent inputs are "" */
    if (!kv_get(v, f->column)) kv_put(a, &v, f->column, "");
  field_error *errs = NULL;
  fields_validate_db(db, a, fields, v, old, &errs);
  for (field_error *e = errs; e; e = e->next)
    if (e->f->kind == F_BOOL && !is_on(kv_get(v, e->f->column)))
      e->message = arena_printf(a, "「%s」にチェックを入れてください。", e->f->label);
  if (k->profile) member_cross_rules(r, m.kind, fields, &errs);
  if (errs) return form_page(r, k, &m, fields, v, errs);
  const char *changed = changed_columns(r, fields, old, v);
  bool want = is_on(kv_get(v, "newsletter_opt_in")), had = is_on(kv_get(old, "newsletter_opt_in"));
  bool to_review = false;
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  rc = save_member(r, db, k, &m, fields, v, &to_review);
  if (!rc && want != had) rc = newsletter_sync(r, db, m.id, m.email, want);
  if (!rc && to_review) rc = mail_centre(r, db, &m);
  if (!rc)
    rc = audit_append(db, r->user->login, k->audit, arena_printf(a, "member:%lld", m.id),
                      to_review ? arena_printf(a, "%s%sstatus=review", changed, *changed ? " " : "") : changed,
                      r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  if (to_review) outbox_wake(r->app);
  return resp_redirect(r, to_review ? "/aikasanet/mypage/?done=details" : "/aikasanet/mypage/?done=saved");
}

int mypage_details_form(request *r) { return form_get(r, &DETAILS); }
int mypage_details_post(request *r) { return form_post(r, &DETAILS); }
int mypage_profile_form(request *r) { return form_get(r, &PROFILE); }
int mypage_profile_post(request *r) { return form_post(r, &PROFILE); }

/* ---- 「スーパーネットに登録」 (連携機能) ----------------------------------- */

/* To Supernet's registration with the hand-off of member_id. */
static int to_supernet(request *r, sqlite3 *db, long long member_id) {
  const char *kind = NULL;
  const char *tok = handoff_member_to_supernet(r, db, member_id, &kind);
  if (!tok) return 500;
  audit_append(db, r->user ? r->user->login : arena_printf(&r->a, "member:%lld", member_id), "member_handoff_supernet",
               arena_printf(&r->a, "member:%lld", member_id), kind, r->client_ip);
  return resp_redirect(r, arena_printf(&r->a, "/register/group/terms?kind=%s&handoff=%s", kind, tok));
}

/* POST /aikasanet/mypage/supernet: a signed-in group or company. */
int mypage_supernet_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  me m;
  int rc = me_load(r, db, &m);
  if (rc) return rc;
  if (!strcmp(m.kind, "individual")) return 403;
  return to_supernet(r, db, m.id);
}

void member_supernet_offer(request *r, sqlite3 *db, long long member_id, const char *kind) {
  if (!kind || !strcmp(kind, "individual")) return;
  kv *p = NULL;
  kv_put(&r->a, &p, "_from", "aika-offer");
  kv_put(&r->a, &p, "member_id", arena_printf(&r->a, "%lld", member_id));
  const char *tok = handoff_put(r, db, "supernet", p, HANDOFF_TTL_S);
  if (!tok) return;
  resp_cookie(r, OFFER_COOKIE, tok, -1);
  r->set_cookie = true;
}

/* The member of this browser's live offer, or 0. */
static long long offer_member(request *r, sqlite3 *db) {
  const char *tok = req_cookie(r, OFFER_COOKIE);
  kv *p = tok ? handoff_get(r, db, "supernet", tok, false) : NULL;
  const char *from = kv_get(p, "_from"), *id = kv_get(p, "member_id");
  if (!from || strcmp(from, "aika-offer") || !id) return 0;
  return strtoll(id, NULL, 10);
}

void member_supernet_offer_ctx(request *r, tval *c) {
  sqlite3 *db = db_thread(r->app);
  if (!db || !offer_member(r, db)) return;
  tv_set_bool(&r->a, c, "supernet_offer", true);
  tv_set_str(&r->a, c, "csrf", csrf_token(r));
  r->no_store = true;
}

/* POST /aikasanet/signup/supernet: from the page after verification. */
int signup_supernet_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = offer_member(r, db);
  if (!id) return resp_redirect(r, "/aikasanet/signup/verified");
  return to_supernet(r, db, id);
}
