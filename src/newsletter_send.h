/* newsletter_send.h — sending newsletters (issue 6, C6): Supernet's
 * 「さぽ～とメール」 (list "supernet") and Aika's 「メルマガ」 (list "aika").
 *
 * Publishing a back number sets newsletters.send_state = 'sending'. The
 * background thread (jobs.c) calls newsletter_send_tick() every second; it
 * takes the active subscribers of the list that have no
 * newsletter_deliveries row yet, in small batches limited by the rate
 * setting (settings global/newsletter_rate_per_minute, default
 * NEWSLETTER_RATE_DEFAULT), and for each one in one transaction enqueues
 * the mail (outbox idem_key "newsletter:<id>:<subscriber id>", priority
 * OUTBOX_PRIO_BULK) and writes the delivery row. A crash between batches
 * loses nothing and a restart continues where it stopped; no recipient is
 * enqueued twice. When no recipient is left the send is 'done'.
 *
 * Every mail carries the recipient's unsubscribe link in its footer and
 * the RFC 8058 headers List-Unsubscribe (<https://…?k=KEY>),
 * List-Unsubscribe-Post: List-Unsubscribe=One-Click, and List-Id.
 *
 * Auto-stop: the outbox worker reports each newsletter mail's outcome
 * (newsletter_delivery_outcome); NEWSLETTER_BOUNCE_LIMIT permanent
 * rejections (SMTP 5xx) in a row stop the subscriber with the reason
 * NEWSLETTER_BOUNCE_REASON; a delivered mail resets the count. */
#ifndef CIVICNET_NEWSLETTER_SEND_H
#define CIVICNET_NEWSLETTER_SEND_H
#include <sqlite3.h>
#include <stdbool.h>

#include "app.h"
#include "mail.h"

#define NEWSLETTER_RATE_DEFAULT 60 /* mails per minute fed to the outbox */
#define NEWSLETTER_RATE_MAX 6000
#define NEWSLETTER_BATCH 50        /* recipients per transaction */
#define NEWSLETTER_BACKLOG 200     /* feed no more while this many wait */
#define NEWSLETTER_BOUNCE_LIMIT 3
#define NEWSLETTER_BOUNCE_REASON "配信不能（恒久的なエラーが3回）"

/* "さぽ～とメール" / "メルマガ"; NULL for an unknown list. */
const char *newsletter_list_label(const char *list);
/* Public back-number list path: "/mailmag/" / "/aikasanet/mailmag/". */
const char *newsletter_archive_path(const char *list);
/* Subscribe page path: "/mailmag/subscribe" / "/aikasanet/newsletter". */
const char *newsletter_subscribe_path(const char *list);

/* The mail of back number (list, subject, body, html) for one recipient
 * with unsubscribe key: text part = body + footer with the unsubscribe
 * link; with html, an HTML part rendered from the Markdown body (and the
 * same footer). Strings in arena ar. base: the public URL without "/". */
void newsletter_compose(arena *ar, const config *cfg, const char *base, const char *list, long long id,
                        const char *subject, const char *body, bool html, const char *to,
                        const char *unsub_key, mail_msg *out);
/* Public base URL of the configuration (public_url or http://listen). */
const char *newsletter_base(arena *ar, const config *cfg);

/* Feed due recipients of sends in progress into the outbox (jobs thread
 * only: it keeps the token bucket). Returns recipients enqueued, -1 on
 * error. */
int newsletter_send_tick(app *a, sqlite3 *db);

/* The rate setting (mails per minute), NEWSLETTER_RATE_DEFAULT if unset. */
unsigned newsletter_rate(sqlite3 *db);

/* Active subscribers of list. */
long long newsletter_active_count(sqlite3 *db, const char *list);

typedef struct nl_progress {
  long long recipients; /* at publication */
  long long waiting;    /* active recipients not yet handed to the outbox */
  long long queued;     /* in the outbox, queued or sending */
  long long sent, failed;
  long long invalid;    /* no mail could be made (address unreadable) */
  const char *send_state;
} nl_progress;
/* Counts of back number id from its delivery rows and their outbox rows.
 * 0, or -1 on error. */
int newsletter_progress(sqlite3 *db, arena *ar, long long id, nl_progress *p);

/* Queue the failed mails of back number id again (not for subscribers
 * stopped since). Returns how many, -1 on error. Caller's transaction. */
int newsletter_retry_failed(sqlite3 *db, long long id);

/* Called by the outbox worker after a newsletter mail (outbox_id, to
 * subscriber_id) was sent (rejected false) or permanently rejected. */
void newsletter_delivery_outcome(sqlite3 *db, long long outbox_id, long long subscriber_id, bool rejected);

#endif
