/* session.c — sessions and CSRF tokens (see session.h). */
#include "session.h"

#include <string.h>
#include <time.h>

#include "crypto.h"
#include "db.h"
#include "request.h"

/* A cookie value we issued: 43 base64url characters. */
static bool token_shape_ok(const char *v, size_t want) {
  if (!v || strlen(v) != want) return false;
  return strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                   "0123456789-_") == want;
}

static void delete_session(sqlite3 *db, const char *hash) {
  sqlite3_stmt *st = db_prep(db, "DELETE FROM sessions WHERE id_hash=?1");
  if (!st) return;
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  sqlite3_step(st);
  sqlite3_finalize(st);
}

void session_load(request *r) {
  r->role = ROLE_ANON;
  const char *sid = req_cookie(r, "cn_sid");
  if (!token_shape_ok(sid, 43)) return;
  sqlite3 *db = db_thread(r->app);
  if (!db) return;
  char hash[65];
  sha256_hex(sid, strlen(sid), hash);
  sqlite3_stmt *st = db_prep(db,
      "SELECT s.created_at, s.last_seen, u.id, u.login, u.display_name, u.role,"
      " u.must_change_pw, u.totp_enabled"
      " FROM sessions s JOIN users u ON u.id = s.user_id"
      " WHERE s.id_hash = ?1 AND u.disabled = 0");
  if (!st) return;
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  long long now = (long long)time(NULL);
  if (sqlite3_step(st) == SQLITE_ROW) {
    long long created = sqlite3_column_int64(st, 0);
    long long seen = sqlite3_column_int64(st, 1);
    if (now - seen > SESSION_IDLE_S || now - created > SESSION_ABSOLUTE_S) {
      sqlite3_finalize(st);
      delete_session(db, hash);
      return;
    }
    user *u = arena_alloc(&r->a, sizeof *u);
    u->id = sqlite3_column_int64(st, 2);
    u->login = arena_strdup(&r->a, db_text(st, 3));
    u->display_name = arena_strdup(&r->a, db_text(st, 4));
    int role = role_parse(db_text(st, 5));
    u->role = role < 0 ? ROLE_ANON : (role_t)role;
    u->must_change_pw = sqlite3_column_int(st, 6) != 0;
    u->totp_enabled = sqlite3_column_int(st, 7) != 0;
    r->user = u;
    r->role = u->role;
    r->sid = arena_strdup(&r->a, sid);
    r->no_store = true;
    sqlite3_finalize(st);
    /* Touch at most once a minute: fewer writes, fewer cache flushes. */
    if (now - seen >= 60) {
      st = db_prep(db, "UPDATE sessions SET last_seen=?2 WHERE id_hash=?1");
      if (st) {
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, now);
        sqlite3_step(st);
        sqlite3_finalize(st);
      }
    }
    return;
  }
  sqlite3_finalize(st);
}

int session_create(request *r, long long user_id) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return -1;
  if (r->sid) session_destroy(r); /* never reuse an ID across a login */
  unsigned char raw[32];
  char sid[48], hash[65];
  if (crypto_random(raw, sizeof raw)) return -1;
  b64url_encode(raw, sizeof raw, sid);
  sha256_hex(sid, strlen(sid), hash);
  long long now = (long long)time(NULL);
  sqlite3_stmt *st = db_prep(db,
      "INSERT INTO sessions(id_hash, user_id, created_at, last_seen)"
      " VALUES (?1, ?2, ?3, ?3)");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, user_id);
  sqlite3_bind_int64(st, 3, now);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  if (rc) return -1;
  r->sid = arena_strdup(&r->a, sid);
  resp_cookie(r, "cn_sid", sid, -1);
  r->set_cookie = true;
  r->no_store = true;
  return 0;
}

void session_destroy(request *r) {
  if (r->sid) {
    sqlite3 *db = db_thread(r->app);
    char hash[65];
    sha256_hex(r->sid, strlen(r->sid), hash);
    if (db) delete_session(db, hash);
  }
  r->sid = NULL;
  r->user = NULL;
  r->role = ROLE_ANON;
  resp_cookie(r, "cn_sid", "", 0);
  r->set_cookie = true;
}

int session_expire_all(app *a) {
  sqlite3 *db = db_thread(a);
  if (!db) return -1;
  sqlite3_stmt *st = db_prep(db,
      "DELETE FROM sessions WHERE last_seen < ?1 OR created_at < ?2");
  if (!st) return -1;
  long long now = (long long)time(NULL);
  sqlite3_bind_int64(st, 1, now - SESSION_IDLE_S);
  sqlite3_bind_int64(st, 2, now - SESSION_ABSOLUTE_S);
  sqlite3_step(st);
  sqlite3_finalize(st);
  return sqlite3_changes(db);
}

/* The value the CSRF token is bound to; creates cn_csrf when needed. */
static const char *csrf_binding(request *r, bool create) {
  if (r->sid) return r->sid;
  if (r->csrf_seed) return r->csrf_seed;
  const char *c = req_cookie(r, "cn_csrf");
  if (token_shape_ok(c, 22)) return r->csrf_seed = c;
  if (!create) return NULL;
  unsigned char raw[16];
  char v[32];
  if (crypto_random(raw, sizeof raw)) return NULL;
  b64url_encode(raw, sizeof raw, v);
  r->csrf_seed = arena_strdup(&r->a, v);
  resp_cookie(r, "cn_csrf", v, -1);
  r->set_cookie = true;
  return r->csrf_seed;
}

static void csrf_compute(request *r, const char *binding, char out[48]) {
  unsigned char mac[32];
  buf m;
  buf_init(&m);
  buf_puts(&m, "csrf:");
  buf_puts(&m, binding);
  hmac_sha256(r->app->secret, sizeof r->app->secret, m.data, m.len, mac);
  buf_free(&m);
  b64url_encode(mac, sizeof mac, out);
}

const char *csrf_token(request *r) {
  const char *b = csrf_binding(r, true);
  if (!b) return "";
  char tok[48];
  csrf_compute(r, b, tok);
  r->no_store = true;
  return arena_strdup(&r->a, tok);
}

bool csrf_valid(request *r, const char *token) {
  const char *b = csrf_binding(r, false);
  if (!b || !token || strlen(token) != 43) return false;
  char want[48];
  csrf_compute(r, b, want);
  return ct_equal(want, token, 43);
}

/* Origin (or, failing that, Referer) must name this host. */
bool origin_ok(request *r) {
  const char *host = r->host;
  if (!host || !*host) return false;
  const char *origin = conn_header(r, "Origin");
  const char *referer = conn_header(r, "Referer");
  const char *src = origin && strcmp(origin, "null") != 0 ? origin : referer;
  if (!src) return false;
  const char *p = strstr(src, "://");
  if (!p) return false;
  p += 3;
  size_t hl = strlen(host);
  return strncmp(p, host, hl) == 0 && (p[hl] == 0 || p[hl] == '/');
}
