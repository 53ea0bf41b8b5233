/* match_link.c — signed one-click links of matching mail, the SQL
 * function civicnet_match and mail with BCC (see match_link.h). */
#include "match_link.h"

#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "mail.h"
#include "match.h"
#include "member.h"
#include "outbox.h"
#include "mail_texts.h" /* issue 6: mail texts */

static bool purpose_ok(const char *p) {
  return p && (!strcmp(p, "apply") || !strcmp(p, "inquire"));
}

/* The link key, domain-separated from every other use of the secret
 * (CSRF tokens use "csrf:" messages under the secret itself). */
static void link_key(const unsigned char secret[32], unsigned char key[32]) {
  static const char label[] = "match-link-v1";
  hmac_sha256(secret, 32, label, sizeof label - 1, key);
}

static void link_mac(const unsigned char secret[32], const char *purpose, long long m,
                     long long rec, long long e, unsigned char mac[32]) {
  unsigned char key[32];
  char msg[128];
  link_key(secret, key);
  int n = snprintf(msg, sizeof msg, "%s|%lld|%lld|%lld", purpose, m, rec, e);
  hmac_sha256(key, sizeof key, msg, (size_t)n, mac);
}

int match_link_sign(const unsigned char secret[32], const char *purpose, long long member_id,
                    long long recruitment_id, long long expires, char out[MATCH_TOKEN_LEN + 1]) {
  if (!purpose_ok(purpose)) return -1;
  unsigned char mac[32];
  link_mac(secret, purpose, member_id, recruitment_id, expires, mac);
  b64url_encode(mac, sizeof mac, out);
  return 0;
}

match_link_status match_link_verify(const unsigned char secret[32], const char *purpose,
                                    long long member_id, long long recruitment_id,
                                    long long expires, const char *token, time_t now) {
  if (!purpose_ok(purpose) || !token || strlen(token) != MATCH_TOKEN_LEN) return MATCH_LINK_BAD;
  unsigned char got[33], want[32];
  /* decode rather than compare text: one byte string per MAC */
  if (b64url_decode(token, MATCH_TOKEN_LEN, got, sizeof got) != 32) return MATCH_LINK_BAD;
  char canon[MATCH_TOKEN_LEN + 1];
  b64url_encode(got, 32, canon); /* the last character carries 2 spare bits */
  link_mac(secret, purpose, member_id, recruitment_id, expires, want);
  bool same = ct_equal(got, want, sizeof want);
  if (!same || strcmp(canon, token)) return MATCH_LINK_BAD;
  if ((long long)now > expires) return MATCH_LINK_EXPIRED;
  return MATCH_LINK_OK;
}

const char *match_link_url(request *r, arena *a, const char *base, const char *purpose,
                           long long member_id, long long recruitment_id) {
  long long e = (long long)time(NULL) + MATCH_LINK_TTL_S;
  char tok[MATCH_TOKEN_LEN + 1];
  if (match_link_sign(r->app->secret, purpose, member_id, recruitment_id, e, tok)) return NULL;
  return arena_printf(a, "%s/aikasanet/m/%s?m=%lld&r=%lld&e=%lld&t=%s", base, purpose, member_id,
                      recruitment_id, e, tok);
}

bool match_link_number(const char *s, long long *out) {
  if (!s) return false;
  size_t n = strlen(s);
  if (n < 1 || n > 18 || strspn(s, "0123456789") != n || (s[0] == '0' && n > 1)) return false;
  long long v = 0;
  for (size_t i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
  *out = v;
  return true;
}

/* civicnet_match(ma, mw, mf, ra, rw, rf) → 1/0: match_rule in SQL. */
static void sql_match(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const char *v[6];
  for (int i = 0; i < 6 && i < argc; i++) v[i] = (const char *)sqlite3_value_text(argv[i]);
  sqlite3_result_int(ctx, match_rule(v[0], v[1], v[2], v[3], v[4], v[5]));
}

int match_sql_register(sqlite3 *db) {
  return sqlite3_create_function(db, "civicnet_match", 6,
                                 SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                 sql_match, NULL, NULL) == SQLITE_OK
             ? 0
             : -1;
}

int match_mail(request *r, arena *a, sqlite3 *db, const char *name, tval *ctx, const char *to,
               const char *bcc, const char *reply_to, const char *idem_key) {
  const config *cfg = &r->app->cfg;
  const char *subject = NULL, *body = NULL;
  char err[256];
  tv_set_str(a, ctx, "centre", cfg->mail_from_name);
  tv_set_str(a, ctx, "base", public_base(r));
  /* issue 6: mail texts — staff-edited text when there is one */
  int render_rc = mail_render_db(db, r->app->tmpl, name, ctx, a, &subject, &body, err, sizeof err);
  /* end issue 6: mail texts */
  if (render_rc) {
    fprintf(stderr, "civicnet: mail %s: %s\n", name, err);
    return -1;
  }
  mail_msg m = {.to = to, .from = cfg->mail_from, .from_name = cfg->mail_from_name,
                .bcc = bcc && *bcc ? bcc : NULL, .subject = subject, .body = body};
  if (reply_to && *reply_to && mail_addr_ok(reply_to))
    m.extra[0] = (mail_hdr){.name = "Reply-To", .value = reply_to};
  int rc = outbox_enqueue(db, &m, idem_key, NULL);
  if (rc == OUTBOX_ERR_INVALID) {
    /* a stored address that fails the checks: skip this recipient rather
     * than undo the whole publication */
    fprintf(stderr, "civicnet: mail %s (%s): invalid message, not queued\n", name, idem_key);
    return 1;
  }
  return rc == OUTBOX_OK ? 0 : -1;
}
