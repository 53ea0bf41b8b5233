/* newsletter.c — subscribers of the newsletter (メルマガ会員, A10): double
 * opt-in and unsubscription; see newsletter.h. Mails go through the outbox
 * (member_mail) in the same transaction as the change that causes them. */
#include "newsletter.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "crypto.h"
#include "db.h"
#include "html.h"
#include "member.h"
#include "outbox.h"
#include "pii.h"
#include "request.h"

/* issue 6: newsletters — per-list paths: Supernet's さぽ～とメール lives
 * under /mailmag/, Aika's メルマガ under /aikasanet/newsletter. */
static bool is_supernet(const char *list) { return list && !strcmp(list, "supernet"); }

const char *newsletter_unsubscribe_url_for(request *r, const char *list, const char *unsub_key) {
  if (!is_supernet(list)) return newsletter_unsubscribe_url(r, unsub_key);
  buf b;
  buf_init(&b);
  buf_printf(&b, "%s/mailmag/unsubscribe?k=", public_base(r));
  url_encode(&b, unsub_key ? unsub_key : "", unsub_key ? strlen(unsub_key) : 0);
  const char *out = arena_strdup(&r->a, buf_cstr(&b));
  buf_free(&b);
  return out;
}

/* The mail template of list: Supernet's "mail/newsletter_X.txt" is
 * "mail/mailmag_X.txt". */
static const char *list_tmpl(request *r, const char *list, const char *tmpl) {
  if (!is_supernet(list) || strncmp(tmpl, "mail/newsletter_", 16)) return tmpl;
  return arena_printf(&r->a, "mail/mailmag_%s", tmpl + 16);
}
/* end issue 6: newsletters */

const char *newsletter_unsubscribe_url(request *r, const char *unsub_key) {
  buf b;
  buf_init(&b);
  buf_printf(&b, "%s/aikasanet/newsletter/unsubscribe?k=", public_base(r));
  url_encode(&b, unsub_key ? unsub_key : "", unsub_key ? strlen(unsub_key) : 0);
  const char *out = arena_strdup(&r->a, buf_cstr(&b));
  buf_free(&b);
  return out;
}

/* 256 random bits as base64url (43 characters) into out[44]. */
static int random_token(char out[44]) {
  unsigned char raw[32];
  if (crypto_random(raw, sizeof raw)) return -1;
  b64url_encode(raw, sizeof raw, out);
  return 0;
}

/* A token the way it can appear in a link: 43 base64url characters. */
static bool token_shape(const char *t) {
  if (!t || strlen(t) != 43) return false;
  for (const char *p = t; *p; p++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
          *p == '_'))
      return false;
  return true;
}

/* Run one statement bound to ?1 (int) and optional ?2, ?3 (text). */
static int exec_bound(sqlite3 *db, const char *sql, long long id, const char *t2, const char *t3) {
  sqlite3_stmt *st = db_prep(db, sql);
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, id);
  if (t2) sqlite3_bind_text(st, 2, t2, -1, SQLITE_TRANSIENT);
  if (t3) sqlite3_bind_text(st, 3, t3, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  return rc;
}

/* A new confirmation token for subscriber id (status becomes pending) and
 * its mail. */
static int send_confirm(request *r, sqlite3 *db, const char *list, long long id, const char *email) {
  char tok[44], th[65];
  if (random_token(tok)) return -1;
  sha256_hex(tok, strlen(tok), th);
  sqlite3_stmt *st = db_prep(db, "UPDATE newsletter_subscribers SET status='pending', stop_reason='',"
                                 " stopped_at=NULL, token_hash=?2, token_expires=?3 WHERE id=?1");
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, th, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, (long long)time(NULL) + NEWSLETTER_TOKEN_TTL_S);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  if (rc) return -1;
  tval *ctx = tv_map(&r->a);
  tv_set_str(&r->a, ctx, "link",
             arena_printf(&r->a, is_supernet(list) ? "%s/mailmag/confirm?t=%s" /* issue 6 */
                                                   : "%s/aikasanet/newsletter/confirm?t=%s",
                          public_base(r), tok));
  return member_mail(r, db, list_tmpl(r, list, "mail/newsletter_confirm.txt"), ctx, email, /* issue 6 */
                     arena_printf(&r->a, "newsletter-confirm:%lld:%.16s", id, th));
}

/* A mail carrying the unsubscribe link of key, at most once an hour per
 * subscriber and template. */
static int send_with_link(request *r, sqlite3 *db, const char *list, const char *tmpl, const char *what,
                          long long id, const char *email, const char *key) {
  tmpl = list_tmpl(r, list, tmpl); /* issue 6: newsletters */
  char hour[16];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(hour, sizeof hour, "%Y%m%d%H", &tm);
  tval *ctx = tv_map(&r->a);
  tv_set_str(&r->a, ctx, "unsubscribe", newsletter_unsubscribe_url_for(r, list, key)); /* issue 6 */
  tv_set_str(&r->a, ctx, "subscribe", arena_printf(&r->a, is_supernet(list) ? "%s/mailmag/subscribe" /* issue 6 */
                                                                            : "%s/aikasanet/newsletter",
                                                   public_base(r)));
  return member_mail(r, db, tmpl, ctx, email, arena_printf(&r->a, "newsletter-%s:%lld:%s", what, id, hour));
}

int newsletter_subscribe(request *r, sqlite3 *db, const char *list, const char *email) {
  char idx[65];
  email_index(r, email, idx);
  if (db_exec(db, "BEGIN IMMEDIATE")) return -1;
  sqlite3_stmt *st = db_prep(db, "SELECT id, status, coalesce(token_expires, 0), unsub_key, email_enc"
                                 " FROM newsletter_subscribers WHERE list=?1 AND email_index=?2");
  if (!st) goto fail;
  sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, idx, -1, SQLITE_STATIC);
  long long id = 0, expires = 0;
  const char *status = NULL, *key = NULL, *stored = NULL;
  if (sqlite3_step(st) == SQLITE_ROW) {
    id = sqlite3_column_int64(st, 0);
    status = arena_strdup(&r->a, db_text(st, 1));
    expires = sqlite3_column_int64(st, 2);
    key = arena_strdup(&r->a, db_text(st, 3));
    stored = pii_decrypt(&r->a, &r->app->pii, "email", db_text(st, 4));
  }
  sqlite3_finalize(st);
  int rc = 0;
  const char *action = NULL;
  if (!id) {
    char k[44];
    const char *enc = pii_encrypt(&r->a, &r->app->pii, "email", email);
    if (!enc || random_token(k)) goto fail;
    st = db_prep(db, "INSERT INTO newsletter_subscribers(list, email_enc, email_index, unsub_key, member_id)"
                     " VALUES (?1, ?2, ?3, ?4, (SELECT id FROM members WHERE email_index=?3))");
    if (!st) goto fail;
    sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, enc, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, idx, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, k, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    id = sqlite3_last_insert_rowid(db);
    if (!rc) rc = send_confirm(r, db, list, id, email);
    action = "newsletter_subscribe";
  } else if (!strcmp(status, "active")) {
    /* to the confirmed address (the visitor may have typed it in another case) */
    rc = send_with_link(r, db, list, "mail/newsletter_already.txt", "already", id, stored ? stored : email, key);
  } else if (!strcmp(status, "stopped") ||
             expires - NEWSLETTER_TOKEN_TTL_S <= (long long)time(NULL) - NEWSLETTER_RESEND_S) {
    /* the address is stored anew: it may differ in case from the old one */
    const char *enc = pii_encrypt(&r->a, &r->app->pii, "email", email);
    if (!enc) goto fail;
    rc = exec_bound(db, "UPDATE newsletter_subscribers SET email_enc=?2 WHERE id=?1", id, enc, NULL);
    if (!rc) rc = send_confirm(r, db, list, id, email);
    action = "newsletter_subscribe";
  }
  if (!rc && action)
    rc = audit_append(db, "guest", action, arena_printf(&r->a, "newsletter:%lld", id), list, r->client_ip) ? -1 : 0;
  if (rc || db_exec(db, "COMMIT")) goto fail;
  outbox_wake(r->app);
  return 0;
fail:
  db_exec(db, "ROLLBACK");
  return -1;
}

int newsletter_confirm(request *r, sqlite3 *db, const char *token, bool take) {
  if (!token_shape(token)) return 0;
  char th[65];
  sha256_hex(token, strlen(token), th);
  sqlite3_stmt *st = db_prep(db, take ? "UPDATE newsletter_subscribers SET status='active',"
                                        " confirmed_at=strftime('%Y-%m-%dT%H:%M:%SZ','now'),"
                                        " token_hash=NULL, token_expires=NULL"
                                        " WHERE token_hash=?1 AND token_expires>?2 AND status='pending'"
                                        " RETURNING id"
                                      : "SELECT id FROM newsletter_subscribers"
                                        " WHERE token_hash=?1 AND token_expires>?2 AND status='pending'");
  if (!st) return -1;
  if (take && db_exec(db, "BEGIN IMMEDIATE")) {
    sqlite3_finalize(st);
    return -1;
  }
  sqlite3_bind_text(st, 1, th, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, (long long)time(NULL));
  int rc = sqlite3_step(st);
  long long id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  if (!take) return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
  if ((rc != SQLITE_ROW && rc != SQLITE_DONE) ||
      (id && audit_append(db, "guest", "newsletter_confirm", arena_printf(&r->a, "newsletter:%lld", id), "",
                          r->client_ip)) ||
      db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return -1;
  }
  return id ? 1 : 0;
}

/* Keys have the shape of tokens (43 base64url characters); others are unknown. */
int newsletter_key_status(sqlite3 *db, const char *unsub_key, bool *stopped) {
  if (!token_shape(unsub_key)) return 0;
  sqlite3_stmt *st = db_prep(db, "SELECT status='stopped' FROM newsletter_subscribers WHERE unsub_key=?1");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, unsub_key, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW && stopped) *stopped = sqlite3_column_int(st, 0) != 0;
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return -1;
  return rc == SQLITE_ROW ? 1 : 0;
}

int newsletter_stop(request *r, sqlite3 *db, const char *unsub_key, const char *reason) {
  bool stopped = false;
  int found = newsletter_key_status(db, unsub_key, &stopped);
  if (found <= 0 || stopped) return found;
  sqlite3_stmt *st = db_prep(db, "UPDATE newsletter_subscribers SET status='stopped', stop_reason=?2,"
                                 " stopped_at=strftime('%Y-%m-%dT%H:%M:%SZ','now'), token_hash=NULL,"
                                 " token_expires=NULL WHERE unsub_key=?1 AND status<>'stopped' RETURNING id");
  if (!st) return -1;
  if (db_exec(db, "BEGIN IMMEDIATE")) {
    sqlite3_finalize(st);
    return -1;
  }
  sqlite3_bind_text(st, 1, unsub_key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  long long id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  if ((rc != SQLITE_ROW && rc != SQLITE_DONE) ||
      (id && audit_append(db, "guest", "newsletter_stop", arena_printf(&r->a, "newsletter:%lld", id), reason,
                          r->client_ip)) ||
      db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return -1;
  }
  return 1;
}

int newsletter_mail_unsubscribe_link(request *r, sqlite3 *db, const char *list, const char *email) {
  char idx[65];
  email_index(r, email, idx);
  if (db_exec(db, "BEGIN IMMEDIATE")) return -1;
  sqlite3_stmt *st = db_prep(db, "SELECT id, unsub_key, email_enc FROM newsletter_subscribers"
                                 " WHERE list=?1 AND email_index=?2 AND status IN ('pending','active')");
  if (!st) goto fail;
  sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, idx, -1, SQLITE_STATIC);
  int rc = 0;
  if (sqlite3_step(st) == SQLITE_ROW) {
    long long id = sqlite3_column_int64(st, 0);
    const char *key = arena_strdup(&r->a, db_text(st, 1));
    const char *stored = pii_decrypt(&r->a, &r->app->pii, "email", db_text(st, 2));
    sqlite3_finalize(st);
    rc = send_with_link(r, db, list, "mail/newsletter_unsubscribe.txt", "unsubscribe", id, stored ? stored : email,
                        key);
  } else {
    sqlite3_finalize(st);
  }
  if (rc || db_exec(db, "COMMIT")) goto fail;
  outbox_wake(r->app);
  return 0;
fail:
  db_exec(db, "ROLLBACK");
  return -1;
}
