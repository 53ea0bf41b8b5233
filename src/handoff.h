/* handoff.h — Supernet's citizen forms (issue 4, S3–S5, S11) and the
 * cross-registration to Aika (連携機能), built on one small store: table
 * handoff_drafts, a short-lived server-side record under a random 256-bit
 * token of which only the SHA-256 is stored. The payload (a form-encoded
 * name/value list) is encrypted with pii_encrypt and bound to the browser
 * that made it (the CSRF binding: session or cn_csrf cookie), so a token
 * seen elsewhere (history, a shared link) opens nothing.
 *
 *  - target "aika": the shared fields of a completed group registration,
 *    handed to Aika's sign-up (/aikasanet/signup?handoff=TOKEN); 30
 *    minutes, one use. The URL carries only the token.
 *  - target "supernet": the draft of one Supernet form while it is filled
 *    in: consent to the terms, the values between form and confirmation
 *    screen, the files already uploaded, and "done" once the record was
 *    created — so a reload or a second POST never creates a second one.
 *
 * The second half declares the form flow every Supernet submission uses
 * (ui_submit.c): form → confirmation screen → POST → complete page. */
#ifndef CIVICNET_HANDOFF_H
#define CIVICNET_HANDOFF_H
#include <sqlite3.h>
#include <stdbool.h>
#include "app.h"
#include "fields.h"

#define HANDOFF_TTL_S (30 * 60)      /* cross-registration to Aika */
#define FORM_DRAFT_TTL_S (3 * 60 * 60) /* a Supernet form in progress */

/* Store payload for target ("aika" | "supernet") for ttl_s seconds under a
 * new token (43 characters, base64url); removes expired drafts first.
 * Returns the token (arena) or NULL on error. */
const char *handoff_put(request *r, sqlite3 *db, const char *target, const kv *payload, int ttl_s);
/* The payload of a live token of target made in this browser, or NULL
 * (unknown, expired, used up, malformed, another browser). take: the
 * draft is deleted in the same statement (one use). */
kv *handoff_get(request *r, sqlite3 *db, const char *target, const char *token, bool take);
/* Replace the payload of a live draft (its expiry stays). 0 ok, 1 gone,
 * -1 error. */
int handoff_set(request *r, sqlite3 *db, const char *target, const char *token, const kv *payload);
/* Does token have the shape of a token (43 base64url characters)? */
bool handoff_token_ok(const char *token);

/* Set name to value in list (replacing the first entry of that name). */
void kv_put(arena *a, kv **list, const char *name, const char *value);
/* Copy of list without the entries named in the space-separated names. */
kv *kv_without(arena *a, const kv *list, const char *names);

/* Files of a form kept in a draft (a browser cannot send a chosen file
 * again after an error): for each F_FILE field, "<col>_remove" drops the
 * kept upload, a newly sent file is stored (upload.c) and replaces it, a
 * refused one becomes a field error. Kept upload ids are the draft's
 * entries named by the column. 0, or -1 on an internal error. */
int draft_files_take(request *r, sqlite3 *db, const field *fields, kv **draft, field_error **errs);
/* values plus "<col>:attached" = file name of each kept file (fields_ctx
 * shows 「添付済み」 with a remove box). */
kv *draft_files_attached(request *r, sqlite3 *db, const field *fields, const kv *draft,
                         const kv *values);

/* The values as a confirmation list, in field order, empty ones left out:
 * maps {label, kind: "text" | "list" | "paragraphs", value, items,
 * paragraphs, text}. Choices show their labels, files their names (no
 * link: the file is not public yet), check boxes 「はい」. text is the
 * plain-text form for mail bodies. */
tval *values_display(request *r, sqlite3 *db, const field *fields, const kv *values);

/* Render templates/mail/NAME with ctx (plus centre, base) and queue it to
 * `to` under idem_key inside the caller's transaction; reply_to (may be
 * NULL) becomes a Reply-To header. 0 or -1. */
int submit_mail(request *r, sqlite3 *db, const char *name, tval *ctx, const char *to,
                const char *reply_to, const char *idem_key);

/* ---- The form flow (ui_submit.c) -------------------------------------- */

typedef struct submit_flow submit_flow;

/* One request's view of a flow: where its pages are and its draft. */
typedef struct submit_at {
  const submit_flow *flow;
  const char *base;      /* "/register/event"; confirm = base/confirm, done = base/done */
  const char *form_url;  /* base, or base/form for the group registration */
  const char *token;     /* the draft token, NULL before the first POST */
  kv *draft;             /* its payload ("_flow", "_state" …, the values) */
  long long ref;         /* flow-specific (the group of a change request) */
  const char *kind;      /* the record kind when the handler knows it */
  const char *name;      /* the record's name when the handler knows it */
} submit_at;

struct submit_flow {
  const char *name;      /* "group" "event" "report" "contact" "change" */
  const char *heading;   /* the form's <h1> (without the kind) */
  const char *crumb_label, *crumb_href; /* parent breadcrumb, NULL for none */
  const char *submit_label; /* the confirmation screen's final button */
  const char *start_url;  /* where a form without a live draft starts over,
                           * NULL: the form itself starts a new draft */
  /* The form's fields for this draft (arena or static). */
  const field *(*fields)(request *r, const submit_at *at);
  /* The heading for this draft (NULL: heading). */
  const char *(*title)(request *r, const submit_at *at);
  /* Checks a field table cannot express; append to *errs. */
  void (*rules)(request *r, sqlite3 *db, const submit_at *at, const field *fields, const kv *values,
                field_error **errs);
  /* Items of the confirmation screen (NULL: values_display of the
   * draft); an item may carry "before" (a change request's old value). */
  tval *(*confirm)(request *r, sqlite3 *db, const submit_at *at, const field *fields);
  /* Inside BEGIN IMMEDIATE: store the submission, audit it, queue the
   * mails. Returns the new record's id (> 0), 0 after adding errors to
   * *errs (the form is shown again), or -1 on an internal error. */
  long long (*commit)(request *r, sqlite3 *db, const submit_at *at, const field *fields,
                      const kv *values, field_error **errs);
};

/* The draft named by ?d= / the form's d of this flow (at->token/draft
 * set; false when there is none or it belongs to another flow). */
bool submit_load(request *r, sqlite3 *db, submit_at *at);
/* Start a draft holding initial (the flow's name and state added) and
 * return its token, or NULL. */
const char *submit_start(request *r, sqlite3 *db, submit_at *at, kv *initial);
/* The steps. form_page shows values (NULL: the draft's) with errors; the
 * complete page of a draft that is gone says so (the submission, if any,
 * was received). */
int submit_form_page(request *r, submit_at *at, const kv *values, const field_error *errs);
int submit_form_post(request *r, submit_at *at);
int submit_confirm_page(request *r, submit_at *at);
int submit_confirm_post(request *r, submit_at *at);
int submit_done_page(request *r, submit_at *at);
/* URL of a step of this draft: "" the form, "confirm", "done". */
const char *submit_url(request *r, const submit_at *at, const char *step);
/* The fields of list applying to kind (NULL: all), without the columns
 * named in drop (space-separated), then those of more (may be NULL); a new
 * {0}-terminated array in a. */
field *fields_pick(arena *a, const field *list, const char *kind, const char *drop, const field *more);
/* Is there an error for column in errs? */
bool has_field_error(const field_error *errs, const char *column);
/* Give the uploads named by the F_FILE fields of fields in values to
 * record id (uploads.owner_id). 0 or -1. */
int submit_adopt_files(sqlite3 *db, const field *fields, const kv *values, long long id);

/* ---- Groups (ui_register.c), shared with the change request ----------- */

/* 別紙3 rules across fields: 対象市町 required when 対象エリア is
 * 「山口県内市町」; 都道府県 and 市町 agree (山口県 ⇔ one of the 19 市町);
 * no other group (except withdrawn ones and self_id) has the same name. */
void group_cross_rules(request *r, sqlite3 *db, const field *fields, const kv *values,
                       long long self_id, field_error **errs);
/* 県民活動団体 / NPO法人 / 企業 for citizen / npo / company ("" else). */
const char *group_kind_label(const char *kind);

/* issue 5: member side — cross-registration Aika → Supernet (連携機能).
 * A hand-off the other way round: the shared fields of an Aika group or
 * company, for Supernet's group registration, in the same store (target
 * "supernet", marked "_from" = "aika" so no form flow takes it for its own
 * draft; 30 minutes, one use, bound to this browser). Payload keys are
 * Supernet's columns (org_class name kana representative rep_title
 * prefecture municipality phone registrant_email contact_name) plus "kind"
 * (citizen for an Aika group, company). */
/* Make the hand-off of member_id; *kind receives its Supernet kind.
 * NULL when the member is unknown or an individual, or on error. */
const char *handoff_member_to_supernet(request *r, sqlite3 *db, long long member_id, const char **kind);
/* The payload of such a hand-off (take: used up), or NULL when the token
 * is unknown, expired, used, of another browser or not from Aika. */
kv *handoff_from_aika(request *r, sqlite3 *db, const char *token, bool take);
/* end issue 5: member side */

#endif
