/* upload.h — uploaded files (IPA item 13 「アップロードファイルによるサーバ側
 * スクリプト実行」, DESIGN stack "uploads"). A file's type is decided by its
 * CONTENT (libmagic), never by the client's name or Content-Type, and must be
 * on the policy's allow-list; images are decoded and re-encoded with libvips
 * (resized down, EXIF/GPS and every other metadata dropped). Files are kept
 * outside the web root as DIR/uploads/YYYY/MM/<128-bit random hex>.<ext of
 * the detected type> (directories 0700, files 0600, written to a temporary
 * name and renamed), and described by a row of table uploads. Nothing under
 * uploads/ is executed or served as a static file: GET /files/{id} serves
 * the bytes as an attachment after an access check (ui_files.c). */
#ifndef CIVICNET_UPLOAD_H
#define CIVICNET_UPLOAD_H
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include "app.h"

typedef struct upload_policy {
  const char *const *mimes;  /* detected types allowed, NULL-terminated */
  size_t max_bytes;          /* cap on the uploaded size */
  const char *accept;        /* <input accept="…"> (a hint for browsers only) */
  const char *type_message;  /* Japanese, when the type is not allowed */
  const char *size_message;  /* Japanese, when the file is too large */
  const char *owner_kind;    /* uploads.owner_kind, e.g. "member" */
} upload_policy;

/* 別紙4 item 17 参考ファイル: PDF, Word, Excel, JPEG, PNG; 5 MB. */
extern const upload_policy UPLOAD_POLICY_REFERENCE;
/* The same types for Supernet groups (別紙3 item 32) and events; images
 * only for activity-report photos. owner_kind "group", "event", "report". */
extern const upload_policy UPLOAD_POLICY_GROUP;
extern const upload_policy UPLOAD_POLICY_EVENT;
extern const upload_policy UPLOAD_POLICY_REPORT_PHOTO;
/* Aika (issue 5): recruitments' attachments and the downloadable forms
 * (reference types); interview photos (images). */
extern const upload_policy UPLOAD_POLICY_RECRUITMENT;
extern const upload_policy UPLOAD_POLICY_DOWNLOAD;
extern const upload_policy UPLOAD_POLICY_INTERVIEW_PHOTO;

/* Once at start-up, before threads (libvips initialisation; operation
 * cache off). 0 ok, -1 failure. upload_shutdown() at exit. */
int upload_init(const char *argv0);
void upload_shutdown(void);

/* MIME type of the bytes by content (libmagic, a handle per call — no
 * shared state), copied into out; "" when unknown. */
void upload_detect(const void *data, size_t len, char *out, size_t outlen);

/* Store the file of a multipart field (file->filename, file->value/len)
 * under p: 0 stored (*id = uploads.id, owner_id left NULL: link it with
 * upload_set_owner); 1 refused (*err_message = Japanese reason: type, size,
 * empty or undecodable image); -1 internal error (disk, database). */
int upload_store(app *a, sqlite3 *db, const kv *file, const upload_policy *p,
                 long long *id, const char **err_message);

/* Give upload id to its owner record (uploads.owner_id). 0 ok. */
int upload_set_owner(sqlite3 *db, long long id, long long owner_id);
/* Delete the row and its file. 0 ok (also when absent). */
int upload_delete(app *a, sqlite3 *db, long long id);
/* Delete uploads never given an owner and older than max_age_s (abandoned
 * sign-up drafts). Returns how many were removed. */
int upload_purge_orphans(app *a, sqlite3 *db, long long max_age_s);

/* A client file name made safe for display and for Content-Disposition:
 * the last path component, valid UTF-8, no control or reserved characters
 * (\ / : * ? " < > |), no leading dots, at most 100 characters; "file"
 * when nothing is left. Allocated in a. */
const char *upload_clean_name(arena *a, const char *name);

#endif
