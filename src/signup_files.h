/* signup_files.h — the files of a sign-up form (別紙4 item 17 参考ファイル).
 * A browser cannot send a chosen file again when the form comes back with
 * an error elsewhere, so every accepted file is stored at once (upload.c)
 * and linked to the sign-up draft (table signup_draft_uploads); the form
 * then shows 「添付済み：名前」 with a remove box, and the files pass to the
 * member when the sign-up completes. */
#ifndef CIVICNET_SIGNUP_FILES_H
#define CIVICNET_SIGNUP_FILES_H
#include <sqlite3.h>
#include "fields.h"

/* For each F_FILE field: drop the kept file when "<col>_remove" is ticked,
 * store a newly sent file (replacing the kept one); a refused file becomes
 * a field error. 0, or -1 on an internal error (500). */
int signup_files_take(request *r, sqlite3 *db, const char *draft_hash, const field *fields,
                      field_error **errs);
/* values plus "<col>:attached" = file name for each kept file (for
 * fields_ctx); values itself is not modified. */
const kv *signup_files_values(request *r, sqlite3 *db, const char *draft_hash, const kv *values);
/* Inside the sign-up transaction: the draft's files become the files of
 * the member signed in by user uid (uploads.owner_id = members.id). */
int signup_files_adopt(sqlite3 *db, const char *draft_hash, long long uid);
/* Delete the files still linked to the draft (sign-up ended without them). */
void signup_files_discard(request *r, sqlite3 *db, const char *draft_hash);

#endif
