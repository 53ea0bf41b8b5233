/* fields.h — forms derived from the field schema (DESIGN principle 2):
 * validation with a Japanese message per field, and the template context
 * that renders each input with its label, hint, error and the user's
 * input kept (partials/field.html, partials/error_summary.html). */
#ifndef CIVICNET_FIELDS_H
#define CIVICNET_FIELDS_H
#include <sqlite3.h>
#include <stdbool.h>
#include "app.h"
#include "schema.h"

typedef struct field_error {
  const field *f;
  const char *message;        /* Japanese, names the field */
  struct field_error *next;
} field_error;

/* Validate form values (kv list) against fields; appends errors in field
 * order and returns how many. Values are read by column name. */
int fields_validate(arena *a, const field *fields, const kv *values,
                    field_error **errors);
/* As fields_validate, and fields with .master are checked against their
 * master list in db: active entries, or an inactive one equal to the
 * record's stored value in old (NULL for a new record). fields_validate
 * and field_check, having no database, refuse master values (fail closed). */
int fields_validate_db(sqlite3 *db, arena *a, const field *fields, const kv *values,
                       const kv *old, field_error **errors);
/* Validate one value; returns NULL when valid, else the message. */
const char *field_check(arena *a, const field *f, const char *value);
/* Add an error for a column (checks that only the handler can make,
 * e.g. "このログインIDはすでに使われています"). */
void fields_add_error(arena *a, field_error **errors, const field *fields,
                      const char *column, const char *message);
/* Context for templates: list of maps {name, id, label, kind, input_type,
 * required, value, error, hint, maxlength, autocomplete, options[]} and
 * the error summary list {href, message}. Options of a .master field come
 * from the request's database connection (master_options). */
tval *fields_ctx(request *r, const field *fields, const kv *values,
                 const field_error *errors);
tval *fields_error_summary(request *r, const field_error *errors);
/* F_FILE fields render as <input type="file" accept="…"> (from
 * f->upload); a file already kept on the server for this form is passed
 * in values as "<column>:attached" = its name, shown as 「添付済み：名前」
 * with a remove checkbox named <column>_remove. A form with a file field
 * must be sent as multipart/form-data: templates get that from this. */
bool fields_have_file(const field *fields);
/* The values of fields from a posted form: each field's first value, and
 * for F_MULTI every checked value joined by '\n' (duplicates and values
 * holding a newline dropped; "" when none is checked, so that unticking
 * all boxes is seen). F_FILE fields are left to the handler. */
kv *fields_values(request *r, const field *fields, const kv *form);
/* Number of characters (code points) of valid UTF-8 text. */
size_t utf8_length(const char *s);

#endif
