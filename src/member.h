/* member.h — what the member screens share (ui_signup.c,
 * ui_member_login.c, ui_member_account.c): one-time mailed tokens, mail
 * through the outbox, the public base URL for links, e-mail blind index
 * and loading the signed-in member. */
#ifndef CIVICNET_MEMBER_H
#define CIVICNET_MEMBER_H
#include <sqlite3.h>
#include <stdbool.h>
#include "app.h"
#include "fields.h"

#define TOKEN_VERIFY_TTL_S (24 * 60 * 60)
#define TOKEN_RESET_TTL_S (30 * 60)
#define TOKEN_EMAIL_TTL_S (24 * 60 * 60)

/* Issue a single-use token (256 random bits, base64url, 43 characters)
 * for user uid and purpose "verify" | "reset" | "email"; stores only its
 * SHA-256. Earlier unused tokens of the same purpose are invalidated.
 * Returns the token (arena) or NULL. */
const char *token_issue(request *r, sqlite3 *db, long long uid, const char *purpose,
                        int ttl_s, const char *new_email_enc);
/* The user a valid (unused, unexpired) token belongs to, or 0. With take,
 * the token is used up atomically (a second take of it returns 0).
 * *new_email_enc receives the stored address of an "email" token. */
long long token_check(request *r, sqlite3 *db, const char *purpose, const char *token,
                      bool take, const char **new_email_enc);

/* Render templates/mail/NAME with ctx and enqueue it to `to` under
 * idem_key inside the caller's transaction. 0 or -1. */
int member_mail(request *r, sqlite3 *db, const char *name, tval *ctx, const char *to,
                const char *idem_key);
/* "https://host" for links in mail: public_url, else the listen address. */
const char *public_base(request *r);
/* Blind index of an e-mail address (lower-cased first) into out. */
void email_index(request *r, const char *email, char out[65]);

/* The signed-in member (members row of r->user). */
typedef struct member_row {
  long long id;
  const char *kind, *status, *email;   /* email decrypted */
} member_row;
bool member_of_user(request *r, sqlite3 *db, long long uid, member_row *out);

/* Delete a member account for good (別記2 3.3.6/3.3.7), in one
 * transaction: the members and users rows (sessions, tokens and pending
 * sign-ins cascade), the member's uploaded files, the sign-in lock, the member's queued mail (also the
 * id-keyed registration mail, so a new member reusing the id is not
 * mistaken for a duplicate); recruitments stay but return to 下書.
 * Audited as actor. 0 ok, -1 error (rolled back). */
int member_purge(request *r, sqlite3 *db, long long member_id, long long uid,
                 const char *login, const char *actor, const char *kind);

/* Member screens are for members: staff (who outrank members in the route
 * table) are sent to their own area. 0, or the status to return. */
int member_only(request *r);

/* A fixed PBKDF2 hash to verify against when a login does not exist, so
 * both cases take the same time. */
extern const char MEMBER_DUMMY_HASH[];

/* Queue the verification mail for uid to `to` (inside a transaction;
 * ui_signup.c). 0 or -1. */
int signup_send_verify(request *r, sqlite3 *db, long long uid, const char *to);
/* A page with a small form of fields (resend, password reset ask); done
 * shows the fixed "mail sent if the address is registered" notice
 * (ui_member_verify.c). */
int email_ask_page(request *r, const char *title, const char *tmpl, const field *fields,
                   const field_error *errors, bool done);

#endif
