/* ui_signup.c — member sign-up (A5, 別記2 3.3.1–3.3.2): kind choice →
 * terms (「同意する」 is a POST recorded in the draft) → the 別紙4 form
 * (member_fields.c) → an unverified account and a verification mail →
 * the link's GET shows a confirm page, its POST verifies (status 'draft'
 * until the 詳細登録 is saved, then 'review' = 仮登録) and mails the
 * registrant and the centre. A draft is
 * a signup_drafts row keyed by the SHA-256 of the cookie cn_signup. */
#include <sqlite3.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "crypto.h"
#include "db.h"
#include "handoff.h" /* issue 4: handoff */
#include "member.h"
#include "member_fields.h"
#include "outbox.h"
#include "pii.h"
#include "request.h"
#include "session.h"
#include "signup_files.h"
#include "upload.h"
#include "ui.h"

#define DRAFT_TTL_S (24 * 60 * 60)

typedef struct draft {
  char hash[65];
  const char *kind;
  bool agreed;
} draft;

/* The current draft from the cookie; false when none (or expired). */
static bool draft_load(request *r, sqlite3 *db, draft *d) {
  const char *c = req_cookie(r, "cn_signup");
  if (!c || strlen(c) != 43) return false;
  sha256_hex(c, strlen(c), d->hash);
  sqlite3_stmt *st = db_prep(db, "SELECT kind, terms_agreed_at IS NOT NULL FROM signup_drafts"
                                 " WHERE id_hash=?1 AND created_at > ?2");
  if (!st) return false;
  sqlite3_bind_text(st, 1, d->hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, (long long)time(NULL) - DRAFT_TTL_S);
  bool found = sqlite3_step(st) == SQLITE_ROW;
  if (found) {
    d->kind = arena_strdup(&r->a, db_text(st, 0));
    d->agreed = sqlite3_column_int(st, 1) != 0;
  }
  sqlite3_finalize(st);
  return found;
}

static int draft_create(request *r, sqlite3 *db, const char *kind) {
  unsigned char raw[32];
  char id[48], hash[65];
  if (crypto_random(raw, sizeof raw)) return -1;
  b64url_encode(raw, sizeof raw, id);
  sha256_hex(id, strlen(id), hash);
  long long now = (long long)time(NULL);
  sqlite3_stmt *st = db_prep(db, "DELETE FROM signup_drafts WHERE created_at < ?1");
  if (st) sqlite3_bind_int64(st, 1, now - DRAFT_TTL_S), sqlite3_step(st), sqlite3_finalize(st);
  upload_purge_orphans(r->app, db, 2 * DRAFT_TTL_S); /* files of abandoned drafts */
  st = db_prep(db, "INSERT INTO signup_drafts(id_hash, kind, created_at) VALUES (?1,?2,?3)");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, now);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  if (!rc) resp_cookie(r, "cn_signup", id, -1), r->set_cookie = true;
  return rc;
}

/* Common context of a form page: fields, error summary, CSRF. */
static tval *form_ctx(request *r, const char *title, const field *fields, const kv *values,
                      const field_error *errors) {
  arena *a = &r->a;
  tval *c = page_ctx(r, errors ? arena_printf(a, "エラー：%s", title) : title);
  tv_set_str(a, c, "heading", title);
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set(a, c, "fields", fields_ctx(r, fields, values, errors));
  tval *errs = fields_error_summary(r, errors);
  tv_set(a, c, "errors", errs);
  tv_set_int(a, c, "error_count", (long long)tv_len(errs));
  page_crumb(r, c, "会員登録", "/aikasanet/signup");
  if (errors) r->status = 422;
  r->no_store = true;
  return c;
}

static int kind_page(request *r, const kv *values, const field_error *errors) {
  tval *c = form_ctx(r, "会員登録（登録の種類）", MEMBER_KIND_FIELDS, values, errors);
  return render(r, "aika/signup_kind.html", c);
}

/* issue 4: handoff — cross-registration from Supernet (handoff.c): the
 * shared fields of a group or company just registered there arrive under a
 * one-use token (?handoff=, kept in the cookie cn_handoff from the kind
 * page to the form); a value is filled in only when this form accepts it.
 * The URL never carries the values themselves. */
#define HANDOFF_GONE "スーパーネットからの引き継ぎの有効期限が切れているか、すでに使われています。お手数ですが、各項目を入力してください。"
static const char *const HANDOFF_COLS[] = {"org_type", "org_name", "org_kana", "representative", "rep_title",
                                           "prefecture", "municipality", "phone", "email", NULL};

static int handoff_kind_page(request *r, const char *token) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  kv *p = handoff_get(r, db, "aika", token, false), *v = NULL;
  const char *kind = kv_get(p, "kind"), *notice = HANDOFF_GONE;
  if (p && kind) {
    kv_put(&r->a, &v, "kind", kind);
    resp_cookie(r, "cn_handoff", token, -1);
    r->set_cookie = true;
    notice = "山口県県民活動スーパーネットで登録した団体・企業の情報を引き継ぎます。"
             "登録の種類を確かめて「次へ（利用規約）」を押してください。";
  }
  tval *c = form_ctx(r, "会員登録（登録の種類）", MEMBER_KIND_FIELDS, v, NULL);
  tv_set_str(&r->a, c, "handoff_notice", notice);
  return render(r, "aika/signup_kind.html", c);
}

/* Handed-over values this kind's form accepts, into *v (used up). */
static void handoff_prefill(request *r, sqlite3 *db, const char *kind, kv **v) {
  const char *tok = req_query(r, "handoff"), *cookie = req_cookie(r, "cn_handoff");
  if (!tok) tok = cookie;
  if (!tok) return;
  if (cookie) resp_cookie(r, "cn_handoff", "", 0), r->set_cookie = true;
  kv *p = handoff_get(r, db, "aika", tok, true);
  const char *k = kv_get(p, "kind");
  if (!p || !k || strcmp(k, kind)) {
    kv_put(&r->a, v, "_handoff_notice", p ? "登録の種類が異なるため、スーパーネットの登録内容は引き継いでいません。" : HANDOFF_GONE);
    return;
  }
  const field *fields = member_signup_fields(kind);
  for (int i = 0; HANDOFF_COLS[i]; i++) {
    const field *f = field_by_column(fields, HANDOFF_COLS[i]);
    const char *val = kv_get(p, HANDOFF_COLS[i]);
    if (!f || !val || !*val) continue;
    field one[2] = {*f, {0}};
    kv *probe = NULL;
    kv_put(&r->a, &probe, f->column, val);
    field_error *errs = NULL;
    if (!fields_validate_db(db, &r->a, one, probe, NULL, &errs)) kv_put(&r->a, v, f->column, val);
  }
  kv_put(&r->a, v, "_handoff_notice", "スーパーネットで登録した内容を入力済みです。内容を確かめ、残りの項目を入力してください。");
}
/* end issue 4: handoff */

int signup_kind_form(request *r) {
  if (req_query(r, "handoff")) return handoff_kind_page(r, req_query(r, "handoff")); /* issue 4: handoff */
  return kind_page(r, NULL, NULL);
}

int signup_kind_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  field_error *errs = NULL;
  if (fields_validate(&r->a, MEMBER_KIND_FIELDS, r->form, &errs)) return kind_page(r, r->form, errs);
  if (draft_create(r, db, req_form(r, "kind"))) return 500;
  return resp_redirect(r, "/aikasanet/signup/terms");
}

int signup_terms(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  draft d;
  if (!draft_load(r, db, &d)) return resp_redirect(r, "/aikasanet/signup");
  tval *c = page_ctx(r, "あいかさねっと利用規約");
  tv_set_str(&r->a, c, "csrf", csrf_token(r));
  tv_set_str(&r->a, c, "kind_label", member_kind_label(d.kind));
  page_crumb(r, c, "会員登録", "/aikasanet/signup");
  page_crumb(r, c, "利用規約", NULL);
  r->no_store = true;
  return render(r, "aika/signup_terms.html", c);
}

int signup_terms_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  draft d;
  if (!draft_load(r, db, &d)) return resp_redirect(r, "/aikasanet/signup");
  sqlite3_stmt *st = db_prep(db, "UPDATE signup_drafts SET terms_agreed_at="
                                 "strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id_hash=?1");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, d.hash, -1, SQLITE_STATIC);
  sqlite3_step(st);
  sqlite3_finalize(st);
  return resp_redirect(r, "/aikasanet/signup/form");
}

static int form_page(request *r, const draft *d, const kv *values, const field_error *errors) {
  const char *title = arena_printf(&r->a, "会員登録（%s）", member_kind_label(d->kind));
  sqlite3 *db = db_thread(r->app);
  if (db) values = signup_files_values(r, db, d->hash, values); /* 「添付済み」 */
  tval *c = form_ctx(r, title, member_signup_fields(d->kind), values, errors);
  tv_set_str(&r->a, c, "kind", d->kind);
  tv_set_bool(&r->a, c, "multipart", fields_have_file(member_signup_fields(d->kind)));
  tv_set_str(&r->a, c, "handoff_notice", kv_get(values, "_handoff_notice")); /* issue 4: handoff */
  return render(r, "aika/signup_form.html", c);
}

int signup_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  draft d;
  if (!draft_load(r, db, &d)) return resp_redirect(r, "/aikasanet/signup");
  if (!d.agreed) return resp_redirect(r, "/aikasanet/signup/terms");
  kv *v = NULL;
  if (!strcmp(d.kind, "group")) kv_add(&r->a, &v, "org_type", "NPO法人", strlen("NPO法人"));
  handoff_prefill(r, db, d.kind, &v); /* issue 4: handoff */
  return form_page(r, &d, v, NULL);
}

static bool login_taken(sqlite3 *db, const char *login) {
  sqlite3_stmt *st = db_prep(db, "SELECT 1 FROM users WHERE login=?1 COLLATE NOCASE");
  if (!st) return true;
  sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  bool taken = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return taken;
}

static bool email_taken(sqlite3 *db, const char *index) {
  sqlite3_stmt *st = db_prep(db, "SELECT 1 FROM members WHERE email_index=?1");
  if (!st) return true;
  sqlite3_bind_text(st, 1, index, -1, SQLITE_STATIC);
  bool taken = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return taken;
}

/* Bind form value `col` (encrypted when enc) to parameter i. */
static void bind_col(request *r, sqlite3_stmt *st, int i, const char *col, bool enc) {
  const char *v = req_form(r, col);
  v = v ? v : "";
  if (enc) v = pii_encrypt(&r->a, &r->app->pii, col, v);
  sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

/* Insert users + members rows; returns the user id or 0. */
static long long create_account(request *r, sqlite3 *db, const char *kind, const char *hash,
                                const char *index, const char *terms_at) {
  bool person = !strcmp(kind, "individual");
  sqlite3_stmt *st = db_prep(db, "INSERT INTO users(login, display_name, role, pw_hash)"
                                 " VALUES (?1, ?2, 'member', ?3) RETURNING id");
  if (!st) return 0;
  sqlite3_bind_text(st, 1, req_form(r, "login"), -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, person ? "" : req_form(r, "org_name"), -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
  long long uid = row_int(st);
  if (!uid) return 0;
  st = db_prep(db,
      "INSERT INTO members(kind, display_name, area, status, user_id, person_name_enc, person_kana_enc,"
      " org_type, org_name, org_kana, representative, rep_title, prefecture, municipality, phone_enc,"
      " email_enc, email_index, gender, birth_date_enc, guardian_consent, wants_recruit, wants_join,"
      " requirements_agreed_at, terms_agreed_at)"
      " VALUES (?1, ?2, ?3, 'unverified', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?3, ?13, ?14, ?15,"
      " ?16, ?17, ?18, ?19, ?20, CASE WHEN ?1='group' THEN strftime('%Y-%m-%dT%H:%M:%SZ','now') END, ?21)");
  if (!st) return 0;
  const char *org = req_form(r, "org_name");
  sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, person || !org ? "" : org, -1, SQLITE_STATIC);
  bind_col(r, st, 3, "municipality", false);
  sqlite3_bind_int64(st, 4, uid);
  bind_col(r, st, 5, "person_name", true);
  bind_col(r, st, 6, "person_kana", true);
  const char *plain[] = {"org_type", "org_name", "org_kana", "representative", "rep_title", "prefecture"};
  for (int i = 0; i < 6; i++) bind_col(r, st, 7 + i, plain[i], false);
  bind_col(r, st, 13, "phone", true);
  bind_col(r, st, 14, "email", true);
  sqlite3_bind_text(st, 15, index, -1, SQLITE_STATIC);
  bind_col(r, st, 16, "gender", false);
  bind_col(r, st, 17, "birth_date", true);
  sqlite3_bind_int(st, 18, req_form(r, "guardian_consent") != NULL);
  sqlite3_bind_int(st, 19, req_form(r, "wants_recruit") != NULL);
  sqlite3_bind_int(st, 20, req_form(r, "wants_join") != NULL);
  sqlite3_bind_text(st, 21, terms_at, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? uid : 0;
}

/* Queue the verification mail for uid to `to` (inside a transaction). */
int signup_send_verify(request *r, sqlite3 *db, long long uid, const char *to) {
  const char *tok = token_issue(r, db, uid, "verify", TOKEN_VERIFY_TTL_S, NULL);
  if (!tok) return -1;
  char th[65];
  sha256_hex(tok, strlen(tok), th);
  tval *ctx = tv_map(&r->a);
  tv_set_str(&r->a, ctx, "link", arena_printf(&r->a, "%s/aikasanet/signup/verify?token=%s", public_base(r), tok));
  return member_mail(r, db, "mail/member_verify.txt", ctx, to,
                     arena_printf(&r->a, "verify:member:%lld:%.16s", uid, th));
}

/* The address is already registered: tell its owner (not the visitor). */
static int mail_already(request *r, sqlite3 *db, const char *to) {
  unsigned char rnd[12];
  char hex[25];
  if (crypto_random(rnd, sizeof rnd)) return -1;
  hex_encode(rnd, sizeof rnd, hex);
  return member_mail(r, db, "mail/member_already.txt", tv_map(&r->a), to,
                     arena_printf(&r->a, "signup-dup:%s", hex));
}

static void draft_delete(request *r, sqlite3 *db, const draft *d) {
  sqlite3_stmt *st = db_prep(db, "DELETE FROM signup_drafts WHERE id_hash=?1");
  if (st) sqlite3_bind_text(st, 1, d->hash, -1, SQLITE_STATIC), sqlite3_step(st), sqlite3_finalize(st);
  resp_cookie(r, "cn_signup", "", 0);
  r->set_cookie = true;
}

int signup_form_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  draft d;
  if (!draft_load(r, db, &d)) return resp_redirect(r, "/aikasanet/signup");
  if (!d.agreed) return resp_redirect(r, "/aikasanet/signup/terms");
  const field *fields = member_signup_fields(d.kind);
  field_error *errs = NULL;
  fields_validate_db(db, &r->a, fields, r->form, NULL, &errs); /* master lists: active only */
  member_cross_rules(r, d.kind, fields, &errs);
  /* files are kept even when other fields have errors (signup_files.h) */
  if (signup_files_take(r, db, d.hash, fields, &errs)) return 500;
  const char *login = req_form(r, "login");
  if (!errs && login_taken(db, login))
    fields_add_error(&r->a, &errs, fields, "login", "このログインIDはすでに使われています。別のIDを入力してください。");
  if (errs) return form_page(r, &d, r->form, errs);
  char hash[160], index[65];
  if (password_hash(req_form(r, "password"), hash, sizeof hash)) return 500;
  email_index(r, req_form(r, "email"), index);
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  long long uid = 0;
  int rc = -1;
  if (email_taken(db, index)) {
    rc = mail_already(r, db, req_form(r, "email"));
  } else {
    const char *at = "";
    sqlite3_stmt *st = db_prep(db, "SELECT terms_agreed_at FROM signup_drafts WHERE id_hash=?1");
    if (st) sqlite3_bind_text(st, 1, d.hash, -1, SQLITE_STATIC);
    if (st && sqlite3_step(st) == SQLITE_ROW) at = arena_strdup(&r->a, db_text(st, 0));
    sqlite3_finalize(st);
    uid = create_account(r, db, d.kind, hash, index, at);
    rc = uid ? signup_send_verify(r, db, uid, req_form(r, "email")) : -1;
    if (!rc) rc = signup_files_adopt(db, d.hash, uid);
  }
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    /* a concurrent sign-up took the login ID between check and insert */
    if (login_taken(db, login)) {
      fields_add_error(&r->a, &errs, fields, "login", "このログインIDはすでに使われています。別のIDを入力してください。");
      return form_page(r, &d, r->form, errs);
    }
    return 500;
  }
  outbox_wake(r->app);
  if (uid) audit_append(db, login, "member_signup", d.kind, "", r->client_ip);
  signup_files_discard(r, db, d.hash); /* none left unless the address was taken */
  draft_delete(r, db, &d);
  return resp_redirect(r, "/aikasanet/signup/sent");
}

int signup_sent(request *r) {
  tval *c = page_ctx(r, "確認メールを送信しました");
  page_crumb(r, c, "会員登録", "/aikasanet/signup");
  page_crumb(r, c, "確認メールの送信", NULL);
  return render(r, "aika/signup_sent.html", c);
}

int signup_login_check(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const char *login = req_query(r, "login");
  field f = {.column = "login", .label = "ログインID", .kind = F_LOGIN, .required = true, .max_len = 64, .min_len = 3};
  bool ok = login && !field_check(&r->a, &f, login) && !login_taken(db, login);
  buf_reset(&r->body);
  buf_puts(&r->body, ok ? "{\"available\":true}" : "{\"available\":false}");
  r->content_type = "application/json; charset=utf-8";
  r->no_store = true;
  return 200;
}
