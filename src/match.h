/* match.h — volunteer matching (REQUIREMENTS M1–M3, A8; docs/マッチング.md).
 *
 * The rule (M3), one function: a member and a recruitment match when
 *   their areas overlap (member 活動可能地域 ∩ recruitment 活動地域 ≠ ∅)
 *   AND their weekdays overlap (活動可能曜日 ∩ 活動曜日 ≠ ∅)
 *   AND, when both state fields, their fields overlap (活動希望分野 ∩ 分野).
 * Values are '\n'-joined master values (schema.h F_MULTI).
 *
 * Who may receive matching mail: members with status 'published', a
 * verified e-mail, mail_stopped = 0, and (for the volunteer side) who
 * want to join (individuals and companies always; groups with
 * wants_join = 1). Never paused, withdrawn, unverified or stopped members.
 * Each recipient gets at most one mail per event (table match_mail_log). */
#ifndef CIVICNET_MATCH_H
#define CIVICNET_MATCH_H
#include <sqlite3.h>
#include <stdbool.h>
#include "app.h"

/* The rule above on raw column values (NULL = ""). */
bool match_rule(const char *member_areas, const char *member_weekdays, const char *member_fields,
                const char *rec_areas, const char *rec_weekdays, const char *rec_fields);

/* SQL condition "recruitment r is open now" (A2): published, its group
 * (members m, LEFT JOINed on r.member_id) public or none, and within its
 * period — 随時募集, or (no start of applications or started) and the
 * last day (締切, else 終了日, else 開始日) not passed — in Japan time. */
#define RECRUITMENT_OPEN_SQL                                                              \
  "(r.status = 'published' AND (r.member_id IS NULL OR m.status = 'published')"            \
  " AND (r.anytime = 1 OR ((r.apply_from = '' OR r.apply_from <= date('now', '+9 hours'))" \
  " AND coalesce(nullif(r.apply_until, ''), nullif(r.ends_on, ''), nullif(r.starts_on, ''), '9999-12-31')" \
  " >= date('now', '+9 hours'))))"

/* M1: member_id was just published (inside the publishing transaction,
 * after its status is set). Enqueues the mails M1 lists through the
 * outbox: to the member (if it wants to join) the open recruitments that
 * match it; to the member (if a group that recruits) the members matching
 * its fields/areas; to every group with an open matching recruitment,
 * "a new member registered". Returns the number of mails enqueued, or -1
 * (the caller rolls back). */
int match_on_member_published(request *r, sqlite3 *db, long long member_id);

/* M2: recruitment_id was just published (same contract): the group gets
 * the list of matching members; each matching member gets a matching mail
 * with one-click apply / inquire links (A8). Returns mails enqueued or -1. */
int match_on_recruitment_published(request *r, sqlite3 *db, long long recruitment_id);

#endif
