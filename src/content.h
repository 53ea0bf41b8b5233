/* content.h — records of the content types declared in the field schema
 * (schema.c): load, insert, update, change state, and turn into the
 * label/value list a detail page or a confirmation screen shows. Every SQL
 * statement is built from column names taken from the schema (trusted
 * identifiers, never from a request) with values bound as parameters.
 *
 * Values travel as a kv list keyed by column (fields.h fields_values
 * builds it from a form): text as typed, F_MULTI as '\n'-joined master
 * values, F_BOOL "1" or absent/"" , F_FILE as the uploads.id in decimal
 * ("" = none), F_INT in decimal ("" = NULL). Fields marked .pii live in
 * column "<column>_enc", encrypted with the column name as associated data
 * (pii.c); callers never see the ciphertext. */
#ifndef CIVICNET_CONTENT_H
#define CIVICNET_CONTENT_H
#include <sqlite3.h>
#include <stdbool.h>
#include "app.h"
#include "schema.h"

/* The record t/id as values, or NULL when it does not exist (or, when
 * !staff, is not published). !staff: staff_only and pii fields are left
 * out. staff: everything, pii decrypted ("" when a value cannot be
 * decrypted — logged). Also present: "id", "status", "published_at",
 * "created_at", "updated_at" (when the table has them). */
kv *content_load(request *r, const content_type *t, long long id, bool staff);

/* Insert a record with the columns of fields that appear in values (each
 * column once; fields not applying to the record's kind are skipped).
 * Returns the new id, or -1 (SQLite error, logged). Runs in the caller's
 * transaction if one is open. */
long long content_insert(request *r, sqlite3 *db, const content_type *t, const field *fields,
                         const kv *values);

/* Update record id with the columns of fields present in values, and
 * updated_at when the table has it. 0 ok, 1 no such record, -1 error. */
int content_update(request *r, sqlite3 *db, const content_type *t, const field *fields,
                   long long id, const kv *values);

/* Set status ('draft' | 'review' | 'published'); the first publication
 * stamps published_at (kept on later edits, so "newest" stays stable).
 * 0 ok, 1 no such record, -1 error. */
int content_set_status(sqlite3 *db, const content_type *t, long long id, const char *status);

/* Delete a record and its uploaded files. 0 ok, 1 none, -1 error. */
int content_delete(request *r, sqlite3 *db, const content_type *t, long long id);

/* Display list for values of a record of t: one map per field that has a
 * value and applies to the record's kind (t->kind_col), in schema order:
 *   {column, label, kind, value}
 * kind "text" (value), "paragraphs" (paragraphs: list of lists of lines,
 * as text_paragraphs), "link" (href, value), "email" (href mailto:),
 * "list" (items: labels of F_MULTI values), "file" (href /files/ID/name,
 * value = file name, image = true for images), "bool" (value 「はい」). Select values show their
 * label (master lists included). !staff leaves out staff_only, pii and
 * public_hidden fields. URL pairs url_N/url_N_desc show as one link.
 * hrefs are raw: print them with the href filter ({{ d.href|href }}). */
tval *content_display(request *r, const content_type *t, const kv *values, bool staff);

/* The record's name (values of t->title_col), "" when absent. */
const char *content_title(const content_type *t, const kv *values);

/* Label of status value ("下書" "仮登録" "公開"). */
const char *content_status_label(const char *status);

#endif
