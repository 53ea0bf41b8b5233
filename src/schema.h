/* schema.h — the field schema (DESIGN principle 2): each content type is
 * declared once as a table of fields — column, Japanese label, kind,
 * required, staff-only, length limit. Forms, validation, admin lists, CSV
 * export and detail pages derive from it as they are built. At start-up
 * schema_check() verifies that every declared column exists in the
 * database and the server refuses to start otherwise. */
#ifndef CIVICNET_SCHEMA_H
#define CIVICNET_SCHEMA_H
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include "util.h"

typedef enum {
  F_TEXT, F_TEXTAREA, F_SELECT, F_MULTI, F_DATE, F_DATETIME, F_URL,
  F_FILE, F_EMAIL, F_PHONE, F_POSTAL, F_KANA, F_INT, F_BOOL, F_PASSWORD,
  F_LOGIN
} field_kind;

typedef struct field {
  const char *column;
  const char *label;      /* Japanese, as shown next to the input */
  field_kind kind;
  bool required;
  bool staff_only;        /* never shown publicly */
  int max_len;            /* characters; 0 = kind default */
  const char *choices;    /* F_SELECT: "value=ラベル|value=ラベル" */
  const char *hint;       /* help text shown under the label */
  const char *autocomplete; /* HTML autocomplete token */
  int min_len;            /* characters; 0 = none */
  const char *master;     /* F_SELECT: choices come from master_items list
                           * NAME (src/master.h); .choices then holds extra
                           * fixed entries offered after them (「―」) */
  const struct upload_policy *upload; /* F_FILE: allowed types, size (upload.h) */
  const char *kinds;      /* space-separated record kinds the field applies
                           * to ("citizen npo"); NULL = every kind. A field
                           * not applying to a kind is neither shown nor
                           * stored for it (別紙3 「―」). */
  bool pii;               /* personal data: stored encrypted in column
                           * "<column>_enc" (pii.c), never public */
  bool public_hidden;     /* not shown on public pages although not
                           * personal (internal flags, agreement records) */
} field;

typedef struct content_type {
  const char *name;       /* "news" */
  const char *table;      /* SQL table */
  const char *label;      /* "お知らせ" */
  const field *fields;    /* terminated by {0} */
  const char *title_col;  /* the column that names a record ("title") */
  const char *kind_col;   /* column selecting .kinds of fields, or NULL */
  const char *public_base;/* public list URL ("/groups/"), NULL if none */
  const char *admin_base; /* staff list URL ("/admin/groups/"), NULL if none */
  const char *sort_kana;  /* column for 五十音 order, or NULL */
} content_type;

/* F_MULTI values are stored and passed as master values joined by '\n'.
 * True when the stored list contains value v. */
bool multi_contains(const char *stored, const char *v);
/* Does field f apply to records of kind (NULL kind: every field applies)? */
bool field_applies(const field *f, const char *kind);
/* The fields of list that apply to kind, as a new {0}-terminated array in
 * arena a (for per-kind forms such as group registration). */
const field *fields_for_kind(arena *a, const field *list, const char *kind);
/* Field of list by column, or NULL. */
const field *field_by_column(const field *list, const char *column);

extern const content_type *const CONTENT_TYPES[]; /* NULL-terminated */

const content_type *schema_find(const char *name);
/* Returns 0 when every declared column exists and every content table has
 * its content-generation triggers (the page cache depends on them);
 * otherwise -1 and lists what is missing in err. */
int schema_check(sqlite3 *db, char *err, size_t errlen);
/* Label of choice value v of field f, or v itself. Result points into a
 * static table or v; copied into out. */
const char *schema_choice_label(const field *f, const char *v, char *out,
                                size_t n);

#endif
