/* mail_texts.h — staff-editable texts of the automatic mails (REQUIREMENTS
 * C8). templates/mail/NAME.txt is the shipped default; a row in
 * mail_texts (db/migrations/0013_mail_texts.sql) overrides its subject and
 * body. The catalog below names every automatic mail in Japanese, says
 * when it is sent, and lists each placeholder it may use with a Japanese
 * description and a sample value (for the preview). Edited texts are
 * checked here: template syntax, no include/extends, and only the
 * catalog's placeholders for that mail. mail_render_db is what every
 * sender calls: the override when there is one, else the file. */
#ifndef CIVICNET_MAIL_TEXTS_H
#define CIVICNET_MAIL_TEXTS_H
#include <sqlite3.h>
#include <stdbool.h>

#include "tmpl.h"
#include "util.h"

#define MT_SUBJECT_MAX 300
#define MT_BODY_MAX 20000

typedef struct mt_mail {
  const char *name;   /* "member_verify" (templates/mail/member_verify.txt) */
  const char *title;  /* Japanese name: 「会員登録の確認（あいかさねっと）」 */
  const char *when;   /* when it is sent, who receives it */
  const char *vars;   /* space-separated canonical placeholder names
                         (tmpl_vars form: "values values[].label") */
} mt_mail;

typedef struct mt_var {
  const char *name;   /* canonical name */
  const char *label;  /* Japanese description */
  const char *sample; /* sample value; for items of a list, "a|b" gives
                         the first and second item's value */
} mt_var;

extern const mt_mail MT_MAILS[]; /* terminated by {0} */

const mt_mail *mt_find(const char *name);          /* NULL when unknown */
const mt_var *mt_var_find(const char *var);        /* NULL when unknown */
/* true when mail m may use placeholder var. */
bool mt_allows(const mt_mail *m, const char *var);
/* The template context filled with the samples of m's placeholders. */
tval *mt_sample_ctx(arena *a, const mt_mail *m);

/* The shipped file, split into subject and body (arena copies). 0 / -1. */
int mt_default(arena *a, const char *root_dir, const char *name,
               const char **subject, const char **body);
/* The staff override, if any: 1 found, 0 none, -1 database error. */
int mt_override(sqlite3 *db, arena *a, const char *name, const char **subject,
                const char **body, const char **updated_by, const char **updated_at);

/* Checks an edited text of m. Returns 0 when it may be saved; otherwise
 * sets *subject_err and/or *body_err to Japanese messages (with the body
 * line number) and returns -1. */
int mt_validate(arena *a, const mt_mail *m, const char *subject, const char *body,
                const char **subject_err, const char **body_err);
/* Renders subject/body (template text) with ctx exactly as a mail would
 * be: 0, or -1 with err. */
int mt_render_text(arena *a, const char *name, const char *subject, const char *body,
                   const tval *ctx, const char **out_subject, const char **out_body,
                   char *err, size_t errlen);

/* As mail_render (mail.h), but uses the mail_texts override of name
 * ("mail/NAME.txt") when db has one. A broken override (which validation
 * prevents) falls back to the shipped file and is logged. */
int mail_render_db(sqlite3 *db, const tmpl_set *ts, const char *name, const tval *ctx,
                   arena *a, const char **subject, const char **body, char *err,
                   size_t errlen);

#endif
