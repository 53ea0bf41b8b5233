/* import_wp.h — `civicnet import-wp` (issue 7, D1/D2): the WordPress
 * mysqldump → civicnet records, users, members, uploads and old URLs,
 * driven by a mapping file (db/import/wp-map.conf; docs/移行/マッピング.md). */
#ifndef CIVICNET_IMPORT_WP_H
#define CIVICNET_IMPORT_WP_H
#include <sqlite3.h>
#include <stdbool.h>
#include "app.h"

typedef struct import_wp_opts {
  const char *data, *config, *dump, *map, *uploads, *prefix;
  bool dry_run, allow_rejects, help;
} import_wp_opts;

extern const char IMPORT_WP_HELP[];

/* Parse the command's arguments (argv[0] is "import-wp"). 0 ok, 2 usage
 * error (message printed). */
int import_wp_parse(int argc, char **argv, import_wp_opts *o);
/* Run the import into the opened database of a (pii keys loaded; libvips
 * initialised for image attachments). Prints the report to stdout.
 * Exit status: 0 done (also "no changes"), 1 rejects without
 * --allow-rejects or any error (the database is left as it was). */
int import_wp_run(app *a, sqlite3 *db, const import_wp_opts *o);

#endif
