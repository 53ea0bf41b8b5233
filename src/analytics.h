/* analytics.h — server-side access counting (REQUIREMENTS C9) and the
 * Google Analytics tag setting.
 *
 * Counting: every finished response passes analytics_count() (the
 * completion hook in server.c, so pages served from the page cache are
 * counted too). Only anonymous-or-member GETs of public HTML pages count;
 * /admin, /static, /files, HEAD, non-HTML, staff and User-Agents that look
 * like bots are left out. Nothing identifying is kept: no cookie is set or
 * read for counting, no IP address or User-Agent is stored — only
 * (day in Japan time, site, kind, key) → count, where kind is
 *   view      key = path (no query string, at most 200 bytes)
 *   referrer  key = host name of an external Referer (no path, no query)
 *   search    key = the site-search words (normalised, at most 100
 *             characters; words that look like an e-mail address or a
 *             telephone number are replaced by a placeholder), with the
 *             number of results
 *   notfound  key = path that answered 404
 * Counts collect in memory (mutex, at most ANALYTICS_MAX_PENDING keys;
 * beyond that they go to the key 「(その他)」) and analytics_flush() adds
 * them to table analytics_daily (db/migrations/0014_analytics.sql), where
 * each (day, site, kind) keeps at most ANALYTICS_MAX_KEYS_PER_DAY keys (the
 * rest again under 「(その他)」). Daily rows older than the retention
 * (settings global/analytics_retention_days, default 1095 days) are
 * deleted by the background job.
 *
 * Module state (pending counts, the cached GA IDs) is process-wide,
 * behind a mutex: there is one server per process. */
#ifndef CIVICNET_ANALYTICS_H
#define CIVICNET_ANALYTICS_H
#include <stdbool.h>
#include <sqlite3.h>
#include "app.h"

#define ANALYTICS_MAX_PENDING 10000
#define ANALYTICS_MAX_KEYS_PER_DAY 2000
#define ANALYTICS_PATH_MAX 200
#define ANALYTICS_TERM_MAX 100 /* characters */
#define ANALYTICS_RETENTION_DEFAULT 1095
#define ANALYTICS_OTHER "(その他)"
#define ANALYTICS_PRIVATE_TERM "(個人情報の可能性があるため記録しません)"

/* Completion hook: count this response if it is a public page view, a
 * site search or a 404 (see above). Cheap; never touches the database. */
void analytics_count(app *a, request *r);
/* From the site search (ui_search.c): the number of results for q, so the
 * counted search word carries it (pages served from the cache reuse the
 * last known number). */
void analytics_search_results(request *r, const char *site, const char *q, long long results);
/* Add the pending counts to the database (one transaction). 0 or -1 (the
 * counts are then kept for the next attempt). Safe from any thread. */
int analytics_flush(app *a);
/* Background job, called every second: flushes every
 * CIVICNET_ANALYTICS_INTERVAL seconds (environment; default 60) and
 * deletes expired daily rows once an hour. final: flush now (shutdown). */
void analytics_tick(app *a, bool final);
/* Delete daily rows older than the retention setting. Returns rows
 * deleted or -1. */
int analytics_prune(sqlite3 *db);

/* Google Analytics measurement ID of site ("supernet"/"aika") copied into
 * r's arena, "" when not set. Cached per content generation, so a changed
 * setting applies on the next request. */
const char *analytics_ga_id(request *r, const char *site);
/* The Content-Security-Policy for this response: base, or for an HTML page
 * of a site with a GA ID base widened by exactly the Google Tag hosts. */
const char *analytics_csp(request *r, const char *base);
/* "G-" followed by 4–20 upper-case letters or digits. */
bool analytics_ga_id_valid(const char *s);

/* Pure helpers (unit-testable). */
bool analytics_is_bot(const char *user_agent);
/* Referer → lower-case host when it is http(s) and not own_host (the Host
 * header, port ignored); NULL otherwise. */
const char *analytics_referrer_host(arena *a, const char *referer, const char *own_host);
/* Search words for counting: whitespace collapsed, trimmed, capped; "" if
 * nothing is left; the placeholder when it looks like personal data. */
const char *analytics_search_term(arena *a, const char *q);
/* Path capped at ANALYTICS_PATH_MAX bytes on a UTF-8 boundary. */
const char *analytics_path_key(arena *a, const char *path);

#endif
