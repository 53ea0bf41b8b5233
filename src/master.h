/* master.h — the staff-editable master lists (db/migrations/0008): the
 * 19 市町, 47 都道府県, 団体・企業の分類, 対象エリア, 予算規模, 特徴, 曜日 …
 * A field declares `.master = "municipality"` (schema.h) to take its
 * choices from master_items. Only active entries are offered; an entry
 * that staff stopped using (active = 0) stays valid for a record that
 * already holds it, so old records never become invalid. */
#ifndef CIVICNET_MASTER_H
#define CIVICNET_MASTER_H
#include <sqlite3.h>
#include <stdbool.h>
#include "app.h"

typedef enum {
  MASTER_UNKNOWN = 0,   /* not in the list (or no such list) */
  MASTER_ACTIVE,        /* offered in forms */
  MASTER_INACTIVE       /* 使用停止: valid only for records that hold it */
} master_state;

/* State of value in list (bound SQL; never builds SQL from names). */
master_state master_lookup(sqlite3 *db, const char *list, const char *value);
/* May a form store value? Active entries always; an inactive one only
 * when it equals old, the record's current value (NULL for a new record). */
bool master_accepts(sqlite3 *db, const char *list, const char *value,
                    const char *old);
/* Entries of list ordered by sort, then value, as template maps {value,
 * label, kana, sort, active}. all = false: active ones only, plus keep
 * (when it is an inactive entry) so an edit form still shows it. Returns
 * an empty list for an unknown list or on error. */
tval *master_items_ctx(request *r, sqlite3 *db, const char *list, bool all,
                       const char *keep);
/* Options for a select built from list: active entries as maps {value,
 * label, selected}, plus cur when it is an inactive entry (labelled
 * 「（使用停止）」) so editing an old record keeps its value. */
tval *master_options(request *r, sqlite3 *db, const char *list, const char *cur);
/* Label of value in list, copied into the arena; value itself when not
 * found (for records holding a value that was never in the list). */
const char *master_label(arena *a, sqlite3 *db, const char *list,
                         const char *value);
/* Does the list exist in the catalogue (master_lists)? */
bool master_list_exists(sqlite3 *db, const char *list);

#endif
