/* newsletter.h — メルマガ会員 (REQUIREMENTS A10): anyone subscribes with
 * double opt-in and unsubscribes with one click (also RFC 8058
 * List-Unsubscribe-Post). Sending the newsletter itself is issue 6.
 *
 * Table newsletter_subscribers (0011_aika.sql): the address is stored
 * encrypted (email_enc, pii_encrypt with column "email", like members) and
 * found through its blind index (email_index: pii_blind_index of the
 * lower-cased address, member.h email_index()). The confirmation token is
 * 256 random bits mailed to the subscriber; only its SHA-256 is stored
 * (token_hash), for 24 hours, and it is used up on confirmation. unsub_key
 * (256 random bits, base64url) is the subscriber's permanent unsubscribe
 * key and the only authorisation the unsubscribe link needs.
 *
 * Every answer to a visitor is the same whatever the database holds, so
 * the forms never tell whether an address is subscribed. */
#ifndef CIVICNET_NEWSLETTER_H
#define CIVICNET_NEWSLETTER_H
#include <sqlite3.h>
#include <stdbool.h>
#include "app.h"

#define NEWSLETTER_TOKEN_TTL_S (24 * 60 * 60)
/* A new confirmation mail for a pending address is sent at most this
 * often (a form cannot be used to flood someone's mailbox). */
#define NEWSLETTER_RESEND_S (10 * 60)

/* The absolute unsubscribe URL of key (public_url based), for the
 * List-Unsubscribe header and the footer of every newsletter (issue 6):
 * <base>/aikasanet/newsletter/unsubscribe?k=<key>. A POST to it with the
 * body "List-Unsubscribe=One-Click" stops the subscription (RFC 8058). */
const char *newsletter_unsubscribe_url(request *r, const char *unsub_key);

/* issue 6: newsletters — the unsubscribe URL for a subscriber of list:
 * Supernet's <base>/mailmag/unsubscribe?k=…, Aika's as above. Subscribe,
 * confirmation and unsubscribe mails of list "supernet" use the templates
 * mail/mailmag_*.txt and links under /mailmag/. */
const char *newsletter_unsubscribe_url_for(request *r, const char *list, const char *unsub_key);
/* end issue 6: newsletters */

/* Subscribe email (already validated) to list ("aika" | "supernet") in
 * one transaction: a new or stopped address becomes pending and gets the
 * confirmation mail; a pending one gets a new token and mail unless one
 * was sent in the last NEWSLETTER_RESEND_S; an active one gets a notice
 * with its unsubscribe link (at most one an hour). 0, or -1 on error. */
int newsletter_subscribe(request *r, sqlite3 *db, const char *list, const char *email);

/* Is token a valid (unused, unexpired) confirmation token of a pending
 * subscriber? With take, activate that subscriber and use the token up
 * (a second take returns 0). 1 yes/done, 0 no, -1 error. */
int newsletter_confirm(request *r, sqlite3 *db, const char *token, bool take);

/* The subscriber of unsub_key: 1 (with *stopped telling whether it is
 * already stopped), 0 when no subscriber has that key, -1 on error. */
int newsletter_key_status(sqlite3 *db, const char *unsub_key, bool *stopped);

/* Stop the subscription of unsub_key (status 'stopped', stop_reason
 * reason, e.g. "unsubscribed"); idempotent. 1 done (or already stopped),
 * 0 unknown key, -1 error. */
int newsletter_stop(request *r, sqlite3 *db, const char *unsub_key, const char *reason);

/* Mail the unsubscribe link to email if it is subscribed (pending or
 * active) to list, at most once an hour; nothing otherwise. 0 or -1. */
int newsletter_mail_unsubscribe_link(request *r, sqlite3 *db, const char *list, const char *email);

#endif
