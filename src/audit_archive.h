/* audit_archive.h — retention of the audit log (REQUIREMENTS Y7): rows
 * older than the retention period are moved out of the database into
 * zstd-compressed, hash-linked archive files DIR/audit-archive/
 * audit-FIRSTID-LASTID.log.zst instead of being deleted.
 *
 * File format (after decompression, UTF-8 text, LF line ends):
 *   civicnet-audit-archive 1
 *   prev_file <name of the previous archive or ->
 *   prev_file_sha256 <SHA-256 of the previous archive's bytes or ->
 *   first_id N / last_id M / count K
 *   first_prev_hash <prev_hash of row N or ->   last_hash <hash of row M>
 *   created_at <ISO time>
 *   rows
 *   id TAB at TAB actor TAB action TAB target TAB detail TAB ip TAB prev_hash TAB hash
 *   …                      (fields escaped: \\ \t \n \r)
 *   end
 * The database row audit_archive_state keeps the newest file's name, its
 * SHA-256 and the archived head (last id and hash), so the rows left in
 * audit_log verify from there (audit_verify) and the newest file is tied
 * to the database. Deleting archived rows is possible only inside the
 * archiving transaction (marker row, db/migrations/0013_mail_texts.sql). */
#ifndef CIVICNET_AUDIT_ARCHIVE_H
#define CIVICNET_AUDIT_ARCHIVE_H
#include <sqlite3.h>
#include <stdio.h>

#include "app.h"

#define AUDIT_RETENTION_DEFAULT 400
#define AUDIT_RETENTION_MIN 365

/* settings(global, audit_retention_days), default 400, never below 365. */
int audit_retention_days(sqlite3 *db);

/* Moves rows older than the retention into a new archive file under
 * data_dir/audit-archive/ and records it; actor names who ran it ("cli",
 * "system"). *moved = rows archived (0: nothing old enough). Messages go
 * to out (may be NULL). 0 or -1. */
int audit_archive_run(sqlite3 *db, const char *data_dir, const char *actor, FILE *out,
                      long long *moved);

/* Checks every archive file (rows' hash chain, counts, the link to the
 * previous file) and the newest file against audit_archive_state, then the
 * rows in the database (audit_verify). 0 intact, 1 with the first problem
 * described in out. */
int audit_archive_verify(sqlite3 *db, const char *data_dir, FILE *out);

/* Background job hook (jobs.c): runs audit_archive_run once per day
 * (Japan time); *day holds the last day it ran. */
void audit_archive_daily(app *a, long *day);

#endif
