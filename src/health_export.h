/* health_export.h — the yearly linkage file for the prefecture's health
 * app やまぐち健幸アプリ (REQUIREMENTS C10, issue 6). The app awards points
 * to volunteers who take part in recruitments posted on Aika, so the file
 * lists the fiscal year's published volunteer recruitments (activities)
 * with the organising member; which columns it has is chosen by admins
 * from a fixed catalog (HEALTH_COLS) and kept in settings. The file is
 * CSV (CRLF, formula-guarded) in UTF-8 with BOM or in CP932 (Shift_JIS),
 * and is uploaded by FTP / FTPS / SFTP with libcurl.
 *
 * Settings (table settings, site 'global'):
 *   health_columns         space-separated column keys (catalog order)
 *   health_encoding        "utf-8" (default) or "cp932"
 *   health_upload_url      ftp://host[:port]/dir/, ftps://… or sftp://…
 *   health_upload_user     login name
 *   health_upload_password encrypted with the personal-data key
 *                          (pii_encrypt, column "health_upload_password");
 *                          never shown back
 * Uploads are recorded in health_uploads and the audit log. */
#ifndef CIVICNET_HEALTH_EXPORT_H
#define CIVICNET_HEALTH_EXPORT_H
#include <sqlite3.h>
#include <stdbool.h>
#include "app.h"

typedef struct health_col {
  const char *key;    /* settings / form value */
  const char *label;  /* CSV header (Japanese) */
  const char *desc;   /* explanation for staff */
  bool pii;           /* personal data (decrypted from *_enc) */
} health_col;

extern const health_col HEALTH_COLS[]; /* terminated by {0} */
#define HEALTH_DEFAULT_COLUMNS \
  "activity_id activity_title activity_start activity_end activity_place activity_areas member_id member_name activity_url"

typedef struct health_settings {
  const char *columns;   /* space-separated keys, never empty */
  const char *encoding;  /* "utf-8" or "cp932" */
  const char *url, *user;
  const char *password;  /* decrypted; "" when none */
  bool has_password;
} health_settings;

/* Read the settings (defaults for the missing ones). 0, -1 on error. */
int health_settings_load(arena *a, sqlite3 *db, const pii_keys *k, health_settings *out);
/* The fiscal year (年度, April–March) of today in Japan. */
int health_current_year(void);
/* Number of rows the file of fiscal year year would have. */
long health_count(sqlite3 *db, int year);
/* "kenko-app-2026.csv" */
const char *health_file_name(arena *a, int year);
/* Build the file into out (encoded). base_url: "https://host" for the
 * recruitment links. Returns the number of rows, -1 with a Japanese
 * message in err. */
long health_build(arena *a, sqlite3 *db, const pii_keys *k, const char *base_url,
                  const health_settings *s, int year, buf *out, char *err, size_t errlen);
/* Is url an acceptable destination (ftp/ftps/sftp, a host, a path ending
 * in "/", no user info, printable ASCII)? */
bool health_url_ok(const char *url);
/* Upload data as file_name into the directory url with libcurl. 0, or -1
 * with a Japanese explanation in err. known_hosts: file checked for SFTP
 * host keys. */
int health_upload(const char *url, const char *user, const char *password, const char *known_hosts,
                  const char *file_name, const void *data, size_t len, char *err, size_t errlen);
/* Generate and upload fiscal year year with the stored settings, record
 * the attempt in health_uploads and the audit log (actor: staff login or
 * "cli"). Returns 0 on success; on failure -1 and the Japanese message in
 * msg. rows_out gets the row count. */
int health_export_upload(arena *a, sqlite3 *db, const config *cfg, const pii_keys *k,
                         const char *actor, const char *ip, int year, long *rows_out,
                         char *msg, size_t msglen);
/* Base URL of links from the configuration (public_url or http://listen). */
const char *health_base_url(arena *a, const config *cfg);

#endif
