/* test_match.c — the matching rule (M3) on a table of cases, the signed
 * one-click links (A8: tampering with each part, expiry, purpose swap),
 * and the publish hooks (M1, M2) on a real migrated database: exactly the
 * eligible matching members get one mail each through the outbox, never
 * paused/withdrawn/unverified/mail-stopped ones, and publishing again
 * sends nothing (match_mail_log). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "db.h"
#include "match.h"
#include "match_link.h"
#include "pii.h"
#include "request.h"

/* ---------- the rule ---------- */

typedef struct rule_case {
  const char *why;
  const char *ma, *mw, *mf; /* member areas, weekdays, fields */
  const char *ra, *rw, *rf; /* recruitment areas, weekdays, fields */
  bool want;
} rule_case;

#define F1 "保健・医療・福祉"
#define F2 "子どもの健全育成"
#define F3 "環境の保全"

static const rule_case CASES[] = {
    {"all three overlap", "山口市", "土", F1, "山口市", "土", F1, true},
    {"one shared area among several", "下関市\n山口市\n萩市", "土", F1, "宇部市\n萩市", "土", F1, true},
    {"one shared weekday among several", "山口市", "月\n水\n金", F1, "山口市", "金\n日", F1, true},
    {"one shared field among several", "山口市", "土", F1 "\n" F2, "山口市", "土", F3 "\n" F2, true},
    {"no area overlap", "下関市", "土", F1, "山口市", "土", F1, false},
    {"no weekday overlap", "山口市", "月\n火", F1, "山口市", "土\n日", F1, false},
    {"no field overlap, both state fields", "山口市", "土", F1, "山口市", "土", F2, false},
    {"member states no fields: fields ignored", "山口市", "土", "", "山口市", "土", F2, true},
    {"recruitment states no fields: fields ignored", "山口市", "土", F1, "山口市", "土", "", true},
    {"neither states fields", "山口市", "土", NULL, "山口市", "土", NULL, true},
    {"member has no areas: no match", "", "土", F1, "山口市", "土", F1, false},
    {"recruitment has no areas: no match", "山口市", "土", F1, "", "土", F1, false},
    {"member has no weekdays: no match", "山口市", "", F1, "山口市", "土", F1, false},
    {"recruitment has no weekdays: no match", "山口市", "土", F1, "山口市", NULL, F1, false},
    {"NULL areas on both sides", NULL, "土", F1, NULL, "土", F1, false},
    {"prefix is not overlap: 山口市 vs 山陽小野田市", "山口市", "土", F1, "山陽小野田市", "土", F1, false},
    {"prefix is not overlap: 周南市 vs 周防大島町", "周南市", "土", F1, "周防大島町", "土", F1, false},
    {"prefix is not overlap: 下関 vs 下関市", "下関", "土", F1, "下関市", "土", F1, false},
    {"suffix is not overlap: 光市 vs 下光市", "光市", "土", F1, "下光市", "土", F1, false},
    {"duplicates on one side", "山口市\n山口市", "土\n土", F1 "\n" F1, "山口市", "土", F1, true},
    {"empty lines are not values", "\n\n", "土", F1, "\n", "土", F1, false},
    {"empty lines around a real value", "\n山口市\n", "\n土", F1, "山口市\n", "土\n\n", F1, true},
    {"weekday substring is not overlap (月 vs 月曜)", "山口市", "月", F1, "山口市", "月曜", F1, false},
    {"field only in member list of many, none shared", "山口市", "土", F1 "\n" F2, "山口市", "土", F3, false},
    {"areas and weekdays overlap but fields differ and member lists blank lines", "山口市", "土", "\n", "山口市", "土", F3, true},
};

static void test_rule_table(void **state) {
  (void)state;
  size_t n = sizeof CASES / sizeof CASES[0];
  assert_true(n >= 20);
  for (size_t i = 0; i < n; i++) {
    const rule_case *c = &CASES[i];
    bool got = match_rule(c->ma, c->mw, c->mf, c->ra, c->rw, c->rf);
    if (got != c->want) fail_msg("case %zu (%s): got %d, want %d", i, c->why, got, c->want);
  }
  /* a value longer than any master value still compares whole */
  char longv[600], other[600], list[1300];
  memset(longv, 'a', sizeof longv - 1);
  longv[sizeof longv - 1] = 0;
  memcpy(other, longv, sizeof other);
  other[sizeof other - 2] = 'b';
  snprintf(list, sizeof list, "%s\n山口市", other);
  assert_false(match_rule(longv, "土", "", other, "土", ""));
  assert_true(match_rule(longv, "土", "", longv, "土", ""));
  assert_true(match_rule(list, "土", "", "山口市", "土", ""));
}

/* The SQL function is the same rule. */
static void test_rule_in_sql(void **state) {
  (void)state;
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(match_sql_register(db), 0);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT civicnet_match(?1, ?2, ?3, ?4, ?5, ?6)", -1, &st, NULL), SQLITE_OK);
  for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
    const rule_case *c = &CASES[i];
    const char *v[] = {c->ma, c->mw, c->mf, c->ra, c->rw, c->rf};
    sqlite3_reset(st);
    for (int k = 0; k < 6; k++) {
      if (v[k]) sqlite3_bind_text(st, k + 1, v[k], -1, SQLITE_STATIC);
      else sqlite3_bind_null(st, k + 1);
    }
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    if (sqlite3_column_int(st, 0) != (int)c->want) fail_msg("SQL case %zu (%s)", i, c->why);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
}

/* ---------- signed links ---------- */

static const unsigned char SECRET[32] = "0123456789abcdef0123456789abcde";

static void test_link_sign_verify(void **state) {
  (void)state;
  char tok[MATCH_TOKEN_LEN + 1];
  time_t now = 1800000000;
  long long e = (long long)now + 100;
  assert_int_equal(match_link_sign(SECRET, "apply", 42, 7, e, tok), 0);
  assert_int_equal((int)strlen(tok), MATCH_TOKEN_LEN);
  assert_int_equal(match_link_verify(SECRET, "apply", 42, 7, e, tok, now), MATCH_LINK_OK);
  /* each part tampered */
  assert_int_equal(match_link_verify(SECRET, "apply", 43, 7, e, tok, now), MATCH_LINK_BAD);
  assert_int_equal(match_link_verify(SECRET, "apply", 42, 8, e, tok, now), MATCH_LINK_BAD);
  assert_int_equal(match_link_verify(SECRET, "apply", 42, 7, e + 1, tok, now), MATCH_LINK_BAD);
  assert_int_equal(match_link_verify(SECRET, "apply", 7, 42, e, tok, now), MATCH_LINK_BAD);
  /* purpose swap: an apply token is no inquiry token, and vice versa */
  assert_int_equal(match_link_verify(SECRET, "inquire", 42, 7, e, tok, now), MATCH_LINK_BAD);
  char itok[MATCH_TOKEN_LEN + 1];
  assert_int_equal(match_link_sign(SECRET, "inquire", 42, 7, e, itok), 0);
  assert_string_not_equal(tok, itok);
  assert_int_equal(match_link_verify(SECRET, "apply", 42, 7, e, itok, now), MATCH_LINK_BAD);
  assert_int_equal(match_link_verify(SECRET, "inquire", 42, 7, e, itok, now), MATCH_LINK_OK);
  /* unknown purposes are refused both ways */
  assert_int_equal(match_link_sign(SECRET, "delete", 42, 7, e, itok), -1);
  assert_int_equal(match_link_verify(SECRET, "delete", 42, 7, e, tok, now), MATCH_LINK_BAD);
  /* the token itself: every character flipped, truncated, extended, NULL */
  for (size_t i = 0; i < MATCH_TOKEN_LEN; i++) {
    char t2[MATCH_TOKEN_LEN + 1];
    memcpy(t2, tok, sizeof t2);
    t2[i] = t2[i] == 'A' ? 'B' : 'A';
    if (match_link_verify(SECRET, "apply", 42, 7, e, t2, now) != MATCH_LINK_BAD) fail_msg("flip at %zu accepted", i);
  }
  char shortt[MATCH_TOKEN_LEN];
  memcpy(shortt, tok, MATCH_TOKEN_LEN - 1);
  shortt[MATCH_TOKEN_LEN - 1] = 0;
  assert_int_equal(match_link_verify(SECRET, "apply", 42, 7, e, shortt, now), MATCH_LINK_BAD);
  char longt[MATCH_TOKEN_LEN + 2];
  snprintf(longt, sizeof longt, "%sA", tok);
  assert_int_equal(match_link_verify(SECRET, "apply", 42, 7, e, longt, now), MATCH_LINK_BAD);
  assert_int_equal(match_link_verify(SECRET, "apply", 42, 7, e, NULL, now), MATCH_LINK_BAD);
  assert_int_equal(match_link_verify(SECRET, "apply", 42, 7, e, "", now), MATCH_LINK_BAD);
  /* another key */
  unsigned char other[32];
  memcpy(other, SECRET, 32);
  other[0] ^= 1;
  assert_int_equal(match_link_verify(other, "apply", 42, 7, e, tok, now), MATCH_LINK_BAD);
  /* expiry: valid up to and including e, expired after; a forged later
   * expiry is BAD, not EXPIRED */
  assert_int_equal(match_link_verify(SECRET, "apply", 42, 7, e, tok, (time_t)e), MATCH_LINK_OK);
  assert_int_equal(match_link_verify(SECRET, "apply", 42, 7, e, tok, (time_t)e + 1), MATCH_LINK_EXPIRED);
  assert_int_equal(match_link_verify(SECRET, "apply", 42, 7, e + 86400, tok, (time_t)e + 1), MATCH_LINK_BAD);
}

/* The derivation is documented (docs/マッチング.md) and reproduced by the
 * HTTP test in node: HMAC(HMAC(secret, "match-link-v1"), "apply|1|2|3"). */
static void test_link_known_vector(void **state) {
  (void)state;
  unsigned char zero[32] = {0};
  char tok[MATCH_TOKEN_LEN + 1];
  assert_int_equal(match_link_sign(zero, "apply", 1, 2, 3, tok), 0);
  FILE *p = popen("k=$(printf '%s' match-link-v1 | openssl dgst -sha256 -mac HMAC -macopt hexkey:"
                  "0000000000000000000000000000000000000000000000000000000000000000 | awk '{print $NF}') &&"
                  " printf '%s' 'apply|1|2|3' | openssl dgst -sha256 -mac HMAC -macopt hexkey:$k -binary"
                  " | openssl base64 -A | tr '+/' '-_' | tr -d '=\\n'", "r");
  if (!p) skip();
  char want[64] = "";
  if (!fgets(want, sizeof want, p)) want[0] = 0;
  pclose(p);
  if (strlen(want) != MATCH_TOKEN_LEN) skip(); /* no openssl command */
  assert_string_equal(tok, want);
}

static void test_link_numbers(void **state) {
  (void)state;
  long long v = -1;
  assert_true(match_link_number("0", &v) && v == 0);
  assert_true(match_link_number("1800000000", &v) && v == 1800000000LL);
  const char *bad[] = {NULL, "", "-1", "+1", "01", "1e3", " 1", "1 ", "12345678901234567890", "0x10", "１"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (match_link_number(bad[i], &v)) fail_msg("accepted %s", bad[i] ? bad[i] : "(null)");
}

/* ---------- the hooks on a real database ---------- */

static app A;
static char dir[64];
static sqlite3 *DB;

static int db_setup(void **state) {
  (void)state;
  strcpy(dir, "/tmp/cn-match-XXXXXX");
  if (!mkdtemp(dir)) return -1;
  snprintf(A.cfg.data_dir, sizeof A.cfg.data_dir, "%s", dir);
  snprintf(A.cfg.public_url, sizeof A.cfg.public_url, "https://aika.example.jp");
  snprintf(A.cfg.mail_from, sizeof A.cfg.mail_from, "noreply@example.jp");
  snprintf(A.cfg.mail_from_name, sizeof A.cfg.mail_from_name, "センター");
  memcpy(A.secret, SECRET, 32);
  char err[512], path[600];
  if (pii_keys_load(dir, &A.pii, err, sizeof err) != 0) return -1;
  A.tmpl = tmpl_load_dir(CIVICNET_ROOT "/templates", err, sizeof err);
  if (!A.tmpl) {
    fprintf(stderr, "templates: %s\n", err);
    return -1;
  }
  db_path(dir, path, sizeof path);
  DB = db_open_path(path, err, sizeof err);
  if (!DB || db_migrate(DB, CIVICNET_ROOT "/db/migrations", NULL, err, sizeof err) < 1) return -1;
  return 0;
}

static int db_teardown(void **state) {
  (void)state;
  sqlite3_close(DB);
  tmpl_free(A.tmpl);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static void exec(const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(DB, sql, NULL, NULL, &msg) != SQLITE_OK) fail_msg("%s: %s", sql, msg);
}

/* A member with an encrypted address; returns its id. */
static long long add_member(request *r, const char *kind, const char *name, const char *email,
                            const char *status, bool verified, bool stopped, int wants_join, int wants_recruit,
                            const char *areas, const char *weekdays, const char *fields) {
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(DB,
      "INSERT INTO members(kind, display_name, org_name, status, email_enc, person_name_enc, verified_at,"
      " mail_stopped, wants_join, wants_recruit, activity_areas, weekdays, fields, municipality, occupation)"
      " VALUES (?1, ?2, ?2, ?3, ?4, ?5, CASE WHEN ?6 THEN '2026-01-01T00:00:00Z' END, ?7, ?8, ?9, ?10, ?11, ?12,"
      " '山口市', '会社員') RETURNING id", -1, &st, NULL), SQLITE_OK);
  bool person = !strcmp(kind, "individual");
  sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, person ? "" : name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, pii_encrypt(&r->a, &A.pii, "email", email), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 5, pii_encrypt(&r->a, &A.pii, "person_name", person ? name : ""), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 6, verified);
  sqlite3_bind_int(st, 7, stopped);
  sqlite3_bind_int(st, 8, wants_join);
  sqlite3_bind_int(st, 9, wants_recruit);
  sqlite3_bind_text(st, 10, areas, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 11, weekdays, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 12, fields, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  long long id = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return id;
}

static long long add_recruitment(long long group, const char *status, const char *areas, const char *weekdays,
                                 const char *fields, bool anytime, const char *until) {
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(DB,
      "INSERT INTO recruitments(member_id, title, organiser, status, areas, weekdays, fields, anytime,"
      " apply_until, starts_on) VALUES (nullif(?1, 0), '河川清掃ボランティア', 'ひまわり会', ?2, ?3, ?4, ?5, ?6, ?7,"
      " '2099-01-10') RETURNING id", -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_int64(st, 1, group);
  sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, areas, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, weekdays, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, fields, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 6, anytime);
  sqlite3_bind_text(st, 7, until, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  long long id = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return id;
}

static long long count(const char *sql) {
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(DB, sql, -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  long long n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

static long long mails_to(const char *addr) {
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(DB, "SELECT count(*) FROM outbox WHERE to_addr = ?1", -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_text(st, 1, addr, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  long long n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

static char *body_to(const char *addr, const char *like) {
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(DB, "SELECT subject || char(10) || body FROM outbox WHERE to_addr = ?1"
                                          " AND idem_key LIKE ?2 ORDER BY id DESC LIMIT 1", -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_text(st, 1, addr, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, like, -1, SQLITE_STATIC);
  char *out = NULL;
  if (sqlite3_step(st) == SQLITE_ROW) out = strdup((const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return out;
}

static int publish_rec(request *r, long long id) {
  exec("BEGIN IMMEDIATE");
  int n = match_on_recruitment_published(r, DB, id);
  exec("COMMIT");
  return n;
}

static int publish_member(request *r, long long id) {
  exec("BEGIN IMMEDIATE");
  char sql[128];
  snprintf(sql, sizeof sql, "UPDATE members SET status='published' WHERE id=%lld", id);
  exec(sql);
  int n = match_on_member_published(r, DB, id);
  exec("COMMIT");
  return n;
}

static void test_hooks(void **state) {
  (void)state;
  request r = {0};
  r.app = &A;
  arena_init(&r.a);
  exec("DELETE FROM outbox; DELETE FROM match_mail_log; DELETE FROM recruitments; DELETE FROM members;");
  long long group = add_member(&r, "group", "ひまわり会", "group@example.jp", "published", true, false, 0, 1,
                               "山口市", "土", F1);
  long long yes1 = add_member(&r, "individual", "山口 花子", "hanako@example.jp", "published", true, false, 0, 0,
                              "山口市\n防府市", "土\n日", F1);
  long long yes2 = add_member(&r, "company", "山口商事", "shoji@example.jp", "published", true, false, 0, 0,
                              "山口市", "土", ""); /* no fields: matches on areas and weekdays */
  long long yes3 = add_member(&r, "group", "あおぞら会", "aozora@example.jp", "published", true, false, 1, 0,
                              "山口市", "土", F1); /* a group that wants to join */
  add_member(&r, "group", "しない会", "nojoin@example.jp", "published", true, false, 0, 1, "山口市", "土", F1);
  add_member(&r, "individual", "休止 中", "paused@example.jp", "paused", true, false, 0, 0, "山口市", "土", F1);
  add_member(&r, "individual", "退会 済", "gone@example.jp", "withdrawn", true, false, 0, 0, "山口市", "土", F1);
  add_member(&r, "individual", "未確認", "unverified@example.jp", "published", false, false, 0, 0, "山口市", "土", F1);
  add_member(&r, "individual", "停止 中", "stopped@example.jp", "published", true, true, 0, 0, "山口市", "土", F1);
  add_member(&r, "individual", "仮 登録", "review@example.jp", "review", true, false, 0, 0, "山口市", "土", F1);
  add_member(&r, "individual", "地域 違い", "other@example.jp", "published", true, false, 0, 0, "山陽小野田市", "土", F1);
  add_member(&r, "individual", "曜日 違い", "weekday@example.jp", "published", true, false, 0, 0, "山口市", "月", F1);
  add_member(&r, "individual", "分野 違い", "field@example.jp", "published", true, false, 0, 0, "山口市", "土", F3);

  /* not published, or published but closed: nothing */
  long long draft = add_recruitment(group, "review", "山口市", "土", F1, true, "");
  assert_int_equal(publish_rec(&r, draft), 0);
  long long past = add_recruitment(group, "published", "山口市", "土", F1, false, "2001-01-01");
  assert_int_equal(publish_rec(&r, past), 0);
  assert_int_equal(count("SELECT count(*) FROM outbox"), 0);

  long long rec = add_recruitment(group, "published", "山口市\n宇部市", "土", F1 "\n" F2, false, "2099-01-01");
  assert_int_equal(publish_rec(&r, rec), 4); /* three volunteers and the group */
  assert_int_equal(mails_to("hanako@example.jp"), 1);
  assert_int_equal(mails_to("shoji@example.jp"), 1);
  assert_int_equal(mails_to("aozora@example.jp"), 1);
  assert_int_equal(mails_to("group@example.jp"), 1);
  const char *never[] = {"nojoin@example.jp", "paused@example.jp", "gone@example.jp", "unverified@example.jp",
                         "stopped@example.jp", "review@example.jp", "other@example.jp", "weekday@example.jp",
                         "field@example.jp"};
  for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
    if (mails_to(never[i])) fail_msg("mailed %s", never[i]);

  /* the volunteer's mail: the recruitment and two signed links */
  char *b = body_to("hanako@example.jp", "match:recruitment:%");
  assert_non_null(b);
  assert_non_null(strstr(b, "河川清掃ボランティア"));
  assert_non_null(strstr(b, "山口 花子 様"));
  char want[128];
  snprintf(want, sizeof want, "https://aika.example.jp/aikasanet/recruitments/%lld", rec);
  assert_non_null(strstr(b, want));
  snprintf(want, sizeof want, "https://aika.example.jp/aikasanet/m/apply?m=%lld&r=%lld&e=", yes1, rec);
  assert_non_null(strstr(b, want));
  snprintf(want, sizeof want, "https://aika.example.jp/aikasanet/m/inquire?m=%lld&r=%lld&e=", yes1, rec);
  assert_non_null(strstr(b, want));
  /* the apply link verifies as apply, not as inquire */
  const char *q = strstr(b, "/aikasanet/m/apply?");
  long long m = 0, rr = 0, e = 0;
  char tok[MATCH_TOKEN_LEN + 1] = "";
  assert_int_equal(sscanf(q, "/aikasanet/m/apply?m=%lld&r=%lld&e=%lld&t=%43[A-Za-z0-9_-]", &m, &rr, &e, tok), 4);
  assert_int_equal(match_link_verify(A.secret, "apply", m, rr, e, tok, time(NULL)), MATCH_LINK_OK);
  assert_int_equal(match_link_verify(A.secret, "inquire", m, rr, e, tok, time(NULL)), MATCH_LINK_BAD);
  assert_true(e > (long long)time(NULL) + 29 * 86400 && e <= (long long)time(NULL) + 30 * 86400);
  free(b);

  /* the group's list: public profiles only, never a person's name */
  b = body_to("group@example.jp", "match:recruitment:%");
  assert_non_null(b);
  assert_non_null(strstr(b, "個人会員（山口市・会社員）"));
  assert_non_null(strstr(b, "山口商事"));
  assert_non_null(strstr(b, "あおぞら会"));
  assert_null(strstr(b, "花子"));
  assert_null(strstr(b, "@example.jp"));
  snprintf(want, sizeof want, "https://aika.example.jp/aikasanet/members/%lld", yes1);
  assert_non_null(strstr(b, want));
  assert_non_null(strstr(b, "（3件）"));
  free(b);

  /* publishing again: nothing new */
  long long before = count("SELECT count(*) FROM outbox");
  assert_int_equal(publish_rec(&r, rec), 0);
  assert_int_equal(count("SELECT count(*) FROM outbox"), before);
  assert_int_equal(count("SELECT count(*) FROM match_mail_log"), 4);

  /* M1: a new individual matching the open recruitment */
  long long newbie = add_member(&r, "individual", "新人 太郎", "new@example.jp", "review", true, false, 0, 0,
                                "宇部市", "土\n日", F2);
  assert_int_equal(publish_member(&r, newbie), 2); /* the newcomer and the group */
  b = body_to("new@example.jp", "match:member:%");
  assert_non_null(b);
  assert_non_null(strstr(b, "新人 太郎 様"));
  snprintf(want, sizeof want, "/aikasanet/m/apply?m=%lld&r=%lld&e=", newbie, rec);
  assert_non_null(strstr(b, want));
  free(b);
  b = body_to("group@example.jp", "match:member:%");
  assert_non_null(b);
  assert_non_null(strstr(b, "新しい会員が登録されました"));
  snprintf(want, sizeof want, "https://aika.example.jp/aikasanet/members/%lld", newbie);
  assert_non_null(strstr(b, want));
  assert_null(strstr(b, "太郎"));
  free(b);
  assert_int_equal(publish_member(&r, newbie), 0); /* again: nothing */

  /* M1: a new group that recruits gets the members matching its profile */
  long long g2 = add_member(&r, "group", "みどり会", "midori@example.jp", "review", true, false, 0, 1,
                            "山口市", "土", "");
  assert_int_equal(publish_member(&r, g2), 1);
  b = body_to("midori@example.jp", "match:member:%");
  assert_non_null(b);
  assert_non_null(strstr(b, "山口商事"));
  assert_non_null(strstr(b, "個人会員（山口市・会社員）"));
  assert_null(strstr(b, "■みどり会")); /* not itself */
  free(b);

  /* a paused member is never mailed by M1 either */
  long long p = add_member(&r, "individual", "休止 次郎", "jiro@example.jp", "paused", true, false, 0, 0,
                           "山口市", "土", F1);
  exec("BEGIN IMMEDIATE");
  assert_int_equal(match_on_member_published(&r, DB, p), 0);
  exec("COMMIT");
  assert_int_equal(mails_to("jiro@example.jp"), 0);
  (void)yes2, (void)yes3;
  arena_free(&r.a);
}

/* Lists are capped at 50 items with 「ほかN件」. */
static void test_list_cap(void **state) {
  (void)state;
  request r = {0};
  r.app = &A;
  arena_init(&r.a);
  exec("DELETE FROM outbox; DELETE FROM match_mail_log; DELETE FROM recruitments; DELETE FROM members;");
  long long group = add_member(&r, "group", "大きい会", "big@example.jp", "published", true, false, 0, 1,
                               "萩市", "水", "");
  for (int i = 0; i < 60; i++) {
    char email[64];
    snprintf(email, sizeof email, "v%d@example.jp", i);
    add_member(&r, "individual", "会員", email, "published", true, false, 0, 0, "萩市", "水", "");
  }
  long long rec = add_recruitment(group, "published", "萩市", "水", "", true, "");
  assert_int_equal(publish_rec(&r, rec), 61);
  char *b = body_to("big@example.jp", "match:recruitment:%");
  assert_non_null(b);
  assert_non_null(strstr(b, "（60件）"));
  assert_non_null(strstr(b, "ほか10件"));
  int items = 0;
  for (const char *s = b; (s = strstr(s, "■個人会員")); s++) items++;
  assert_int_equal(items, 50);
  free(b);
  arena_free(&r.a);
}

int main(void) {
  const struct CMUnitTest pure[] = {
      cmocka_unit_test(test_rule_table),
      cmocka_unit_test(test_rule_in_sql),
      cmocka_unit_test(test_link_sign_verify),
      cmocka_unit_test(test_link_known_vector),
      cmocka_unit_test(test_link_numbers),
  };
  const struct CMUnitTest hooks[] = {
      cmocka_unit_test(test_hooks),
      cmocka_unit_test(test_list_cap),
  };
  int fails = cmocka_run_group_tests_name("match", pure, NULL, NULL);
  fails += cmocka_run_group_tests_name("match hooks", hooks, db_setup, db_teardown);
  return fails ? 1 : 0;
}
