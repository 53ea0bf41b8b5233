/* member_fields.h — the sign-up field tables of 別紙4 items 1–18 for each
 * member kind (個人・団体・企業), their choice lists, and the cross-field
 * rules a field table cannot express (municipality vs prefecture, minors'
 * guardian consent, password confirmation). Used by sign-up and my page. */
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

#endif
