/* audit.h — the append-only, hash-chained audit log (REQUIREMENTS Y7).
 * Each row's hash is SHA-256 over the previous row's hash and the row's
 * fields; audit_head keeps the newest hash and the row count. Changing,
 * removing or reordering any row breaks the chain, and `civicnet audit
 * verify` reports the first broken row. Callers pass personal data
 * already masked. */
#ifndef CIVICNET_AUDIT_H
#define CIVICNET_AUDIT_H
#include <sqlite3.h>
#include <stdio.h>

int audit_append(sqlite3 *db, const char *actor, const char *action,
                 const char *target, const char *detail, const char *ip);
/* 0 when intact; otherwise 1 and a description of the first problem
 * written to out. */
int audit_verify(sqlite3 *db, FILE *out);
/* issue 6: audit archive */
/* The hash of one row (as audit_append computes it), for checking
 * archived rows (audit_archive.c). audit_verify starts from the archived
 * head recorded in audit_archive_state. */
void audit_row_hash(const char *prev, long long id, const char *at, const char *actor,
                    const char *action, const char *target, const char *detail, const char *ip,
                    char out[65]);
/* end issue 6: audit archive */

#endif
