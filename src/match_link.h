/* match_link.h — what matching needs beyond src/match.h (A8, M1–M3;
 * docs/マッチング.md):
 *
 * - One-click links in matching mail. A link names its purpose in the
 *   path (/aikasanet/m/apply or /aikasanet/m/inquire) and carries
 *   m=<member id>, r=<recruitment id>, e=<expiry, Unix seconds> and
 *   t=<token>, where token = base64url(HMAC-SHA256(K, "purpose|m|r|e"))
 *   and K = HMAC-SHA256(app secret (DIR/secret.key), "match-link-v1"):
 *   bound to member, recruitment, purpose and expiry, nothing stored
 *   server-side, no login needed.
 * - The SQL function civicnet_match(member areas, weekdays, fields,
 *   recruitment areas, weekdays, fields) = match_rule(), registered on
 *   every connection (db.c) so candidates are selected inside SQLite.
 * - Mail through the outbox with an optional BCC and Reply-To. */
#ifndef CIVICNET_MATCH_LINK_H
#define CIVICNET_MATCH_LINK_H
#include <sqlite3.h>
#include <stdbool.h>
#include <time.h>
#include "app.h"

#define MATCH_LINK_TTL_S (30L * 24 * 60 * 60) /* links stay valid 30 days */
#define MATCH_TOKEN_LEN 43                    /* base64url of 32 bytes */

typedef enum {
  MATCH_LINK_OK = 0,
  MATCH_LINK_BAD = -1,     /* malformed or forged: any part changed */
  MATCH_LINK_EXPIRED = -2, /* authentic but past its expiry */
} match_link_status;

/* purpose: "apply" or "inquire" (anything else is refused). Writes the
 * 43-character token and its NUL into out. 0, or -1 for a bad purpose. */
int match_link_sign(const unsigned char secret[32], const char *purpose, long long member_id,
                    long long recruitment_id, long long expires, char out[MATCH_TOKEN_LEN + 1]);
/* Checks the token for these values (constant-time), then the expiry
 * against now. */
match_link_status match_link_verify(const unsigned char secret[32], const char *purpose,
                                    long long member_id, long long recruitment_id,
                                    long long expires, const char *token, time_t now);
/* The full link (base URL + path + query) valid until now + 30 days,
 * in arena a; NULL on error. base: public_base(r). */
const char *match_link_url(request *r, arena *a, const char *base, const char *purpose,
                           long long member_id, long long recruitment_id);
/* A query/form number as the links write it: 1–18 digits, no sign, no
 * leading zero. *out receives the value. */
bool match_link_number(const char *s, long long *out);

/* Register civicnet_match() on db (db_open_path calls this). 0 or -1. */
int match_sql_register(sqlite3 *db);

/* Render templates/mail/NAME with ctx (plus "centre" and "base") in arena
 * a and enqueue it to `to` with bcc (NULL/"": none) and Reply-To (NULL/"":
 * none) under idem_key, inside the caller's transaction. 0 queued (or
 * already queued under idem_key), 1 skipped because an address fails the
 * mail checks (logged), -1 on a database or template error. */
int match_mail(request *r, arena *a, sqlite3 *db, const char *name, tval *ctx, const char *to,
               const char *bcc, const char *reply_to, const char *idem_key);

/* A published recruitment for mail and the confirmation pages: map is
 * {id, title, organiser, period (「随時」 or dates), areas, weekdays,
 * fields (joined with 「、」), time_text, place, apply_until, summary, url
 * (/aikasanet/recruitments/ID)} in arena a; open: open now per
 * RECRUITMENT_OPEN_SQL; member_id: the group posting it (0: the centre). */
typedef struct match_rec {
  long long id, member_id;
  bool open;
  const char *title;
  tval *map;
} match_rec;
/* false when it does not exist or is not published. */
bool match_recruitment(request *r, arena *a, sqlite3 *db, long long id, match_rec *out);
/* A member's public name: the organisation's display name, or for an
 * individual 「個人会員（市町・職業）」 (never the person's name). */
const char *match_member_label(arena *a, const char *kind, const char *display, const char *org,
                               const char *muni, const char *occupation);
/* "2026-12-01…" → "2026年12月1日" (arena a); other text unchanged. */
const char *match_jdate(arena *a, const char *iso);
/* A '\n'-joined list shown as "a、b、c" (arena a). */
const char *match_list_text(arena *a, const char *multi);

#endif
