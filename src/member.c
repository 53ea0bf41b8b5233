/* member.c — shared member helpers (see member.h). */
#include "member.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "crypto.h"
#include "db.h"
#include "login_throttle.h"
#include "mail.h"
#include "outbox.h"
#include "pii.h"
#include "request.h"
#include "upload.h"
#include "mail_texts.h" /* issue 6: mail texts */

const char MEMBER_DUMMY_HASH[] =
    "pbkdf2-sha256$310000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

const char *token_issue(request *r, sqlite3 *db, long long uid, const char *purpose,
                        int ttl_s, const char *new_email_enc) {
  unsigned char raw[32];
  char tok[48], hash[65];
  if (crypto_random(raw, sizeof raw)) return NULL;
  b64url_encode(raw, sizeof raw, tok);
  sha256_hex(tok, strlen(tok), hash);
  long long now = (long long)time(NULL);
  sqlite3_stmt *st = db_prep(db, "UPDATE member_tokens SET used_at=?3"
                                 " WHERE user_id=?1 AND purpose=?2 AND used_at IS NULL");
  if (!st) return NULL;
  sqlite3_bind_int64(st, 1, uid);
  sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, now);
  sqlite3_step(st);
  sqlite3_finalize(st);
  st = db_prep(db, "INSERT INTO member_tokens(user_id, purpose, token_hash, expires_at,"
                   " new_email_enc, created_at) VALUES (?1,?2,?3,?4,?5,?6)");
  if (!st) return NULL;
  sqlite3_bind_int64(st, 1, uid);
  sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, now + ttl_s);
  sqlite3_bind_text(st, 5, new_email_enc ? new_email_enc : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 6, now);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? arena_strdup(&r->a, tok) : NULL;
}

/* Tokens we issued are exactly 43 base64url characters. */
static bool token_shape(const char *t) {
  return t && strlen(t) == 43 &&
         strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == 43;
}

long long token_check(request *r, sqlite3 *db, const char *purpose, const char *token,
                      bool take, const char **new_email_enc) {
  if (!token_shape(token)) return 0;
  char hash[65];
  sha256_hex(token, strlen(token), hash);
  sqlite3_stmt *st = db_prep(db, take
      ? "UPDATE member_tokens SET used_at=?3 WHERE token_hash=?1 AND purpose=?2"
        " AND used_at IS NULL AND expires_at > ?3 RETURNING user_id, new_email_enc"
      : "SELECT user_id, new_email_enc FROM member_tokens WHERE token_hash=?1 AND purpose=?2"
        " AND used_at IS NULL AND expires_at > ?3");
  if (!st) return 0;
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, (long long)time(NULL));
  long long uid = 0;
  if (sqlite3_step(st) == SQLITE_ROW) {
    uid = sqlite3_column_int64(st, 0);
    if (new_email_enc) *new_email_enc = arena_strdup(&r->a, db_text(st, 1));
  }
  sqlite3_finalize(st);
  return uid;
}

int member_mail(request *r, sqlite3 *db, const char *name, tval *ctx, const char *to,
                const char *idem_key) {
  const config *cfg = &r->app->cfg;
  const char *subject = NULL, *body = NULL;
  char err[256];
  tv_set_str(&r->a, ctx, "centre", cfg->mail_from_name);
  tv_set_str(&r->a, ctx, "base", public_base(r));
  /* issue 6: mail texts — staff-edited text when there is one */
  int render_rc = mail_render_db(db, r->app->tmpl, name, ctx, &r->a, &subject, &body, err, sizeof err);
  /* end issue 6: mail texts */
  if (render_rc) {
    fprintf(stderr, "civicnet: mail %s: %s\n", name, err);
    return -1;
  }
  mail_msg m = {.to = to, .from = cfg->mail_from, .from_name = cfg->mail_from_name,
                .subject = subject, .body = body};
  return outbox_enqueue(db, &m, idem_key, NULL) == OUTBOX_OK ? 0 : -1;
}

const char *public_base(request *r) {
  const config *c = &r->app->cfg;
  if (c->public_url[0]) return c->public_url;
  return arena_printf(&r->a, "http://%s:%u", c->listen_host, c->listen_port);
}

void email_index(request *r, const char *email, char out[65]) {
  char *low = arena_strdup(&r->a, email ? email : "");
  for (char *p = low; *p; p++) *p = (char)tolower((unsigned char)*p);
  pii_blind_index(&r->app->pii, "email", low, out);
}

bool member_of_user(request *r, sqlite3 *db, long long uid, member_row *out) {
  sqlite3_stmt *st = db_prep(db, "SELECT id, kind, status, email_enc FROM members WHERE user_id=?1");
  if (!st) return false;
  sqlite3_bind_int64(st, 1, uid);
  bool found = sqlite3_step(st) == SQLITE_ROW;
  if (found) {
    out->id = sqlite3_column_int64(st, 0);
    out->kind = arena_strdup(&r->a, db_text(st, 1));
    out->status = arena_strdup(&r->a, db_text(st, 2));
    out->email = pii_decrypt(&r->a, &r->app->pii, "email", db_text(st, 3));
    if (!out->email) out->email = "";
  }
  sqlite3_finalize(st);
  return found;
}

int member_only(request *r) {
  return r->role >= ROLE_EDITOR ? resp_redirect(r, "/admin/") : 0;
}

/* Run one UPDATE/DELETE bound to ?1 = id; 0 ok, -1 error. */
static int purge_exec(sqlite3 *db, const char *sql, long long id) {
  sqlite3_stmt *st = db_prep(db, sql);
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : -1;
}

int member_purge(request *r, sqlite3 *db, long long member_id, long long uid,
                 const char *login, const char *actor, const char *kind) {
  /* the address, to remove the member's mail from the outbox */
  sqlite3_stmt *st = db_prep(db, "SELECT email_enc FROM members WHERE id=?1");
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, member_id);
  const char *email = sqlite3_step(st) == SQLITE_ROW
                          ? pii_decrypt(&r->a, &r->app->pii, "email", db_text(st, 0)) : NULL;
  sqlite3_finalize(st);
  if (db_exec(db, "BEGIN IMMEDIATE")) return -1;
  int rc = purge_exec(db, "UPDATE recruitments SET status='draft' WHERE member_id=?1 AND status<>'draft'", member_id);
  /* the member's uploaded files (別紙4 item 17), rows and bytes */
  st = rc ? NULL : db_prep(db, "SELECT id FROM uploads WHERE owner_kind='member' AND owner_id=?1");
  if (st) {
    sqlite3_bind_int64(st, 1, member_id);
    long long ids[64];
    int n = 0;
    while (n < 64 && sqlite3_step(st) == SQLITE_ROW) ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    for (int i = 0; i < n && !rc; i++) rc = upload_delete(r->app, db, ids[i]);
  }
  if (!rc) rc = purge_exec(db, "DELETE FROM members WHERE id=?1", member_id); /* recruitments: SET NULL */
  if (!rc && uid) rc = purge_exec(db, "DELETE FROM users WHERE id=?1 AND role='member'", uid);
  if (!rc && uid && login) throttle_clear(db, login);
  /* Mail keyed by the member id ("registered:member:ID") would make a new
   * member that reuses the id look like a duplicate; mail to the address
   * is personal data. Rows being sent right now are left to the worker. */
  st = rc ? NULL : db_prep(db,
      "DELETE FROM outbox WHERE state<>'sending' AND (lower(to_addr)=lower(?2)"
      " OR idem_key IN ('registered:member:'||?1, 'registered-centre:member:'||?1))");
  if (st) {
    sqlite3_bind_int64(st, 1, member_id);
    if (email && *email) sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, 2); /* matches no address */
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
  } else if (!rc) {
    rc = -1;
  }
  if (!rc) rc = audit_append(db, actor, "member_delete", arena_printf(&r->a, "member:%lld", member_id),
                             kind ? kind : "", r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return -1;
  }
  return 0;
}
