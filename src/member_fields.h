/* member_fields.h — the sign-up field tables of 別紙4 items 1–18 for each
 * member kind (個人・団体・企業), their choice lists, and the cross-field
 * rules a field table cannot express (municipality vs prefecture, minors'
 * guardian consent, password confirmation). Used by sign-up and my page;
 * also the my-page forms (issue 5): 詳細登録 (items 19–42) and 会員情報修正
 * (the changeable items 3–16 plus 19–42), built from the schema's member
 * fields so that content_update stores them (and encrypts .pii ones). */
#ifndef CIVICNET_MEMBER_FIELDS_H
#define CIVICNET_MEMBER_FIELDS_H
#include "fields.h"

/* "individual" | "group" | "company" → its sign-up table, NULL if unknown. */
const field *member_signup_fields(const char *kind);
/* Japanese name of a kind (個人・団体・企業). */
const char *member_kind_label(const char *kind);
/* The kind-choice form (one select). */
extern const field MEMBER_KIND_FIELDS[];
/* Rules across fields; appends to *errs. */
void member_cross_rules(request *r, const char *kind, const field *fields, field_error **errs);
/* Age in full years on today's date in Japan; -1 when the date is bad. */
int age_on_today(const char *birth);

/* 詳細登録画面 (別紙4 items 19–42) of kind, a new {0}-terminated array in
 * a: the schema's member fields of those items that apply to kind, with
 * each kind's own wording (会員数 / 社員数 …) and 「公開されません」 hints on
 * the non-public ones. NULL for an unknown kind. */
const field *member_details_fields(arena *a, const char *kind);
/* 会員情報修正: the items of the sign-up form the member may change here
 * (3–16 without login, password, e-mail, the kind, files and 登録要件,
 * which have their own screens or are fixed) followed by items 19–42.
 * .pii/.staff_only come from the schema. NULL for an unknown kind. */
const field *member_profile_fields(arena *a, const char *kind);
/* Is the field shown to the public? (not staff_only, pii or public_hidden) */
bool member_field_public(const field *f);

#endif
