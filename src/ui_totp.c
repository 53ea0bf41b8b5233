/* ui_totp.c — the staff second factor (TOTP, RFC 6238; C1, DESIGN
 * "Security model"): set-up with a QR code (libqrencode, drawn as inline
 * SVG) and the key in base32 groups for typing by hand; turning it off
 * (editors only: administrators must keep it); and the second sign-in
 * step, /admin/login/totp, between a correct password and the session.
 * The secret is stored encrypted (pii_encrypt, column "totp_secret"); a
 * time step is accepted at most once per account (table totp_used);
 * wrong codes count towards the same lock as wrong passwords. */
#include <qrencode.h>
#include <sqlite3.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "crypto.h"
#include "db.h"
#include "fields.h"
#include "login_throttle.h"
#include "pii.h"
#include "request.h"
#include "session.h"
#include "signin.h"
#include "totp.h"
#include "ui.h"

#define PENDING_COOKIE "cn_2fa"
#define PENDING_TTL_S (5 * 60)

static const field CODE_FIELDS[] = {
    {.column = "code", .label = "確認コード（6桁）", .kind = F_TEXT, .required = true, .max_len = 7,
     .hint = "認証アプリに表示されている6桁の半角数字を入力してください。",
     .autocomplete = "one-time-code"},
    {0}};

static const char MSG_BAD_CODE[] =
    "確認コードが正しくありません。認証アプリに表示されている最新の6桁を入力してください。";

/* ---- storage ---- */

/* The account's secret (enabled or still being set up) as raw bytes;
 * returns its length, or -1 when there is none or it cannot be read. */
static int secret_load(request *r, sqlite3 *db, long long uid, unsigned char *key,
                       size_t cap, bool *enabled) {
  sqlite3_stmt *st = db_prep(db, "SELECT coalesce(totp_secret,''), totp_enabled FROM users WHERE id=?1");
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, uid);
  const char *plain = NULL;
  if (sqlite3_step(st) == SQLITE_ROW) {
    plain = pii_decrypt(&r->a, &r->app->pii, "totp_secret", db_text(st, 0));
    if (enabled) *enabled = sqlite3_column_int(st, 1) != 0;
  }
  sqlite3_finalize(st);
  if (!plain || !*plain) return -1;
  return base32_decode(plain, key, cap);
}

/* A new secret for an account that has none yet (set-up in progress). */
static const char *secret_create(request *r, sqlite3 *db, long long uid) {
  unsigned char raw[TOTP_SECRET_BYTES];
  char b32[64];
  if (crypto_random(raw, sizeof raw)) return NULL;
  base32_encode(raw, sizeof raw, b32);
  const char *enc = pii_encrypt(&r->a, &r->app->pii, "totp_secret", b32);
  sqlite3_stmt *st = enc ? db_prep(db, "UPDATE users SET totp_secret=?2 WHERE id=?1 AND totp_enabled=0") : NULL;
  if (!st) return NULL;
  sqlite3_bind_int64(st, 1, uid);
  sqlite3_bind_text(st, 2, enc, -1, SQLITE_STATIC);
  bool ok = sqlite3_step(st) == SQLITE_DONE;
  sqlite3_finalize(st);
  return ok ? arena_strdup(&r->a, b32) : NULL;
}

static long long last_step(sqlite3 *db, long long uid) {
  sqlite3_stmt *st = db_prep(db, "SELECT coalesce((SELECT last_step FROM totp_used WHERE user_id=?1), -1)");
  if (st) sqlite3_bind_int64(st, 1, uid);
  return row_int(st);
}

/* Record a step as used; false when it (or a later one) already was,
 * which also settles two requests racing with the same code. */
static bool claim_step(sqlite3 *db, long long uid, long long step) {
  sqlite3_stmt *st = db_prep(db,
      "INSERT INTO totp_used(user_id, last_step) VALUES (?1, ?2)"
      " ON CONFLICT(user_id) DO UPDATE SET last_step=excluded.last_step"
      " WHERE excluded.last_step > totp_used.last_step");
  if (!st) return false;
  sqlite3_bind_int64(st, 1, uid);
  sqlite3_bind_int64(st, 2, step);
  bool ok = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db) == 1;
  sqlite3_finalize(st);
  return ok;
}

/* Check a typed code against the account's secret and use up its step. */
static bool code_ok(request *r, sqlite3 *db, long long uid, const char *code) {
  unsigned char key[64];
  int kl = secret_load(r, db, uid, key, sizeof key, NULL);
  if (kl <= 0) return false;
  long long step = totp_check(key, (size_t)kl, code, time(NULL), last_step(db, uid));
  return step >= 0 && claim_step(db, uid, step);
}

static bool exec_uid(sqlite3 *db, const char *sql, long long uid) {
  sqlite3_stmt *st = db_prep(db, sql);
  if (!st) return false;
  sqlite3_bind_int64(st, 1, uid);
  bool ok = sqlite3_step(st) == SQLITE_DONE;
  sqlite3_finalize(st);
  return ok;
}

/* ---- the set-up page ---- */

/* The QR code as the d attribute of one SVG path (1 unit per module, a
 * 4-module quiet zone); only digits and "Mhvz" — escaped like any text. */
static bool qr_ctx(request *r, tval *c, const char *uri) {
  QRcode *q = QRcode_encodeString(uri, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (!q) return false;
  buf d;
  buf_init(&d);
  for (int y = 0; y < q->width; y++)
    for (int x = 0; x < q->width;) {
      if (!(q->data[y * q->width + x] & 1)) { x++; continue; }
      int run = 0;
      while (x + run < q->width && (q->data[y * q->width + x + run] & 1)) run++;
      buf_printf(&d, "M%d %dh%dv1h-%dz", x + 4, y + 4, run, run);
      x += run;
    }
  tval *m = tv_set(&r->a, c, "qr", tv_map(&r->a));
  tv_set_int(&r->a, m, "size", q->width + 8);
  tv_set_str(&r->a, m, "path", buf_cstr(&d));
  buf_free(&d);
  QRcode_free(q);
  return true;
}

/* "ABCDEFGH…" → "ABCD EFGH …" for typing by hand. */
static const char *grouped(request *r, const char *b32) {
  size_t n = strlen(b32);
  char *out = arena_alloc(&r->a, n + n / 4 + 1);
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (i && i % 4 == 0) out[o++] = ' ';
    out[o++] = b32[i];
  }
  out[o] = 0;
  return out;
}

static const char *done_message(const char *code) {
  if (code && strcmp(code, "enabled") == 0) return "2段階認証を有効にしました。次回のログインから確認コードが必要です。";
  if (code && strcmp(code, "disabled") == 0) return "2段階認証を無効にしました。";
  return NULL;
}

static int setup_page(request *r, sqlite3 *db, const kv *values, const field_error *errors) {
  arena *a = &r->a;
  tval *c = page_ctx(r, errors ? "エラー：2段階認証" : "2段階認証");
  unsigned char key[64];
  bool enabled = false;
  int kl = secret_load(r, db, r->user->id, key, sizeof key, &enabled);
  tv_set_bool(a, c, "enabled", enabled);
  tv_set_bool(a, c, "is_admin", r->user->role == ROLE_ADMIN);
  if (!enabled) {
    char b32[128];
    const char *secret = NULL;
    if (kl > 0) base32_encode(key, (size_t)kl, b32), secret = b32;
    else secret = secret_create(r, db, r->user->id);
    if (!secret) return 500;
    const char *uri = arena_printf(a, "otpauth://totp/civicnet:%s?secret=%s&issuer=civicnet"
                                      "&algorithm=SHA1&digits=%d&period=%d",
                                   r->user->login, secret, TOTP_DIGITS, TOTP_PERIOD);
    if (!qr_ctx(r, c, uri)) return 500;
    tv_set_str(a, c, "secret", grouped(r, secret));
  }
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set(a, c, "fields", fields_ctx(r, CODE_FIELDS, values, errors));
  tval *errs = fields_error_summary(r, errors);
  tv_set(a, c, "errors", errs);
  tv_set_int(a, c, "error_count", (long long)tv_len(errs));
  const char *done = done_message(req_query(r, "done"));
  if (done) tv_set_str(a, c, "notice", done);
  page_crumb(r, c, "2段階認証", NULL);
  r->no_store = true;
  if (errors) r->status = 422;
  return render(r, "admin/totp.html", c);
}

int totp_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  return db ? setup_page(r, db, NULL, NULL) : 500;
}

/* Validate the code field; on a wrong code add MSG_BAD_CODE. */
static field_error *code_errors(request *r, sqlite3 *db, long long uid) {
  field_error *errs = NULL;
  fields_validate(&r->a, CODE_FIELDS, r->form, &errs);
  if (!errs && !code_ok(r, db, uid, req_form(r, "code")))
    fields_add_error(&r->a, &errs, CODE_FIELDS, "code", MSG_BAD_CODE);
  return errs;
}

int totp_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  if (r->user->totp_enabled) return resp_redirect(r, "/admin/totp");
  field_error *errs = code_errors(r, db, r->user->id);
  if (errs) return setup_page(r, db, r->form, errs);
  if (!exec_uid(db, "UPDATE users SET totp_enabled=1 WHERE id=?1", r->user->id)) return 500;
  audit_append(db, r->user->login, "totp_enable", r->user->login, "", r->client_ip);
  /* Sessions opened without the second factor end; this one is renewed
   * (a new ID on a change of privilege). */
  long long uid = r->user->id;
  if (!exec_uid(db, "DELETE FROM sessions WHERE user_id=?1", uid)) return 500;
  r->sid = NULL;
  if (session_create(r, uid)) return 500;
  return resp_redirect(r, "/admin/totp?done=enabled");
}

int totp_disable_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  /* Administrators must keep it: nothing changes, and the page they are
   * sent back to says why (the route itself is open to all staff). */
  if (r->user->role == ROLE_ADMIN || !r->user->totp_enabled)
    return resp_redirect(r, "/admin/totp");
  field_error *errs = code_errors(r, db, r->user->id);
  if (errs) return setup_page(r, db, r->form, errs);
  if (!exec_uid(db, "UPDATE users SET totp_enabled=0, totp_secret=NULL WHERE id=?1", r->user->id) ||
      !exec_uid(db, "DELETE FROM totp_used WHERE user_id=?1", r->user->id))
    return 500;
  audit_append(db, r->user->login, "totp_disable", r->user->login, "", r->client_ip);
  return resp_redirect(r, "/admin/totp?done=disabled");
}

/* ---- the second sign-in step ---- */

static void pending_hash(const char *v, char out[65]) { sha256_hex(v, strlen(v), out); }

int totp_begin_pending(request *r, long long uid, const char *next) {
  sqlite3 *db = db_thread(r->app);
  unsigned char raw[32];
  char tok[48], hash[65];
  if (!db || crypto_random(raw, sizeof raw)) return 500;
  b64url_encode(raw, sizeof raw, tok);
  pending_hash(tok, hash);
  long long now = (long long)time(NULL);
  sqlite3_stmt *st = db_prep(db, "DELETE FROM login_pending WHERE created_at < ?1 OR user_id = ?2");
  if (st) sqlite3_bind_int64(st, 1, now - PENDING_TTL_S), sqlite3_bind_int64(st, 2, uid),
      sqlite3_step(st), sqlite3_finalize(st);
  st = db_prep(db, "INSERT INTO login_pending(id_hash, user_id, created_at, next) VALUES (?1,?2,?3,?4)");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, uid);
  sqlite3_bind_int64(st, 3, now);
  sqlite3_bind_text(st, 4, path_is_local(next) ? next : "/admin/", -1, SQLITE_STATIC);
  bool ok = sqlite3_step(st) == SQLITE_DONE;
  sqlite3_finalize(st);
  if (!ok) return 500;
  resp_cookie(r, PENDING_COOKIE, tok, PENDING_TTL_S);
  r->set_cookie = true;
  r->no_store = true;
  return resp_redirect(r, "/admin/login/totp");
}

typedef struct pending {
  char hash[65];
  long long uid;
  const char *login, *next;
} pending;

/* The half-done sign-in named by the cookie, if still valid. */
static bool pending_load(request *r, sqlite3 *db, pending *p) {
  const char *v = req_cookie(r, PENDING_COOKIE);
  if (!v || strlen(v) != 43 || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != 43)
    return false;
  pending_hash(v, p->hash);
  sqlite3_stmt *st = db_prep(db,
      "SELECT p.user_id, u.login, p.next FROM login_pending p JOIN users u ON u.id = p.user_id"
      " WHERE p.id_hash=?1 AND p.created_at >= ?2 AND u.disabled=0 AND u.totp_enabled=1"
      " AND u.role IN ('editor','admin')");
  if (!st) return false;
  sqlite3_bind_text(st, 1, p->hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, (long long)time(NULL) - PENDING_TTL_S);
  bool found = sqlite3_step(st) == SQLITE_ROW;
  if (found) {
    p->uid = sqlite3_column_int64(st, 0);
    p->login = arena_strdup(&r->a, db_text(st, 1));
    p->next = arena_strdup(&r->a, db_text(st, 2));
  }
  sqlite3_finalize(st);
  return found;
}

static void pending_end(request *r, sqlite3 *db, const pending *p) {
  sqlite3_stmt *st = db_prep(db, "DELETE FROM login_pending WHERE id_hash=?1");
  if (st) sqlite3_bind_text(st, 1, p->hash, -1, SQLITE_STATIC), sqlite3_step(st), sqlite3_finalize(st);
  resp_cookie(r, PENDING_COOKIE, "", 0);
  r->set_cookie = true;
}

static int code_page(request *r, const kv *values, const field_error *errors) {
  arena *a = &r->a;
  tval *c = page_ctx(r, errors ? "エラー：確認コードの入力" : "確認コードの入力");
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set(a, c, "fields", fields_ctx(r, CODE_FIELDS, values, errors));
  tval *errs = fields_error_summary(r, errors);
  tv_set(a, c, "errors", errs);
  tv_set_int(a, c, "error_count", (long long)tv_len(errs));
  page_crumb(r, c, "ログイン", "/admin/login");
  page_crumb(r, c, "確認コードの入力", NULL);
  r->no_store = true;
  if (errors) r->status = 422;
  return render(r, "admin/login_totp.html", c);
}

int totp_login_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  pending p;
  if (!pending_load(r, db, &p)) return resp_redirect(r, "/admin/login");
  return code_page(r, NULL, NULL);
}

/* A wrong code: audited and counted like a wrong password. */
static int code_failed(request *r, sqlite3 *db, const pending *p, field_error *errs) {
  audit_append(db, p->login, "login_totp_failed", "admin", "", r->client_ip);
  if (throttle_failure(db, p->login)) {
    audit_append(db, p->login, "account_locked", "admin", "", r->client_ip);
    pending_end(r, db, p);
    return signin_page(r, p->login, SIGNIN_MSG_LOCKED);
  }
  return code_page(r, r->form, errs);
}

int totp_login_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  pending p;
  if (!pending_load(r, db, &p)) return resp_redirect(r, "/admin/login");
  if (throttle_lock_left(db, p.login) > 0) {
    audit_append(db, p.login, "login_while_locked", "admin", "", r->client_ip);
    pending_end(r, db, &p);
    return signin_page(r, p.login, SIGNIN_MSG_LOCKED);
  }
  field_error *errs = NULL;
  if (fields_validate(&r->a, CODE_FIELDS, r->form, &errs)) return code_page(r, r->form, errs);
  if (!code_ok(r, db, p.uid, req_form(r, "code"))) {
    fields_add_error(&r->a, &errs, CODE_FIELDS, "code", MSG_BAD_CODE);
    return code_failed(r, db, &p, errs);
  }
  pending_end(r, db, &p);
  return signin_finish(r, p.uid, p.login, p.next);
}
