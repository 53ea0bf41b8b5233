/* route.h — the one route table. Every URL is declared once with its
 * methods, a pattern with typed parameters, the handler, the minimum role,
 * whether a CSRF token is required, whether anonymous responses may be
 * cached, and the query/form parameters the handler may see (anything not
 * declared is dropped from the query string and refused in a form body). */
#ifndef CIVICNET_ROUTE_H
#define CIVICNET_ROUTE_H
#include <stdbool.h>
#include "app.h"

enum { M_GET = 1, M_HEAD = 2, M_POST = 4 };

typedef struct route {
  const char *name;       /* stable identifier, used in tests and logs */
  unsigned methods;       /* M_GET also admits HEAD */
  const char *pattern;    /* "/news/{id:int}"; types: int, slug, path */
  handler_fn fn;
  role_t min_role;
  bool csrf;              /* state-changing: token + Origin check on POST */
  bool cacheable;         /* anonymous GET responses may be cached */
  const char *params;     /* space-separated declared parameter names */
} route;

extern const route ROUTES[];   /* terminated by a zero entry */

typedef enum { RM_FOUND, RM_NOT_FOUND, RM_BAD_METHOD } route_result;

/* Find the route for method+path. On RM_FOUND, *out is set and params[]
 * receives the typed path parameters (pointing into arena copies). When a
 * pattern matches but not the method, RM_BAD_METHOD is returned and *allow
 * gets the methods that would match (for the Allow header). */
route_result route_match(const route *table, const char *method,
                         const char *path, arena *a, const route **out,
                         const char *params[4], unsigned *allow);
/* True if name is among r->params (space-separated list). */
bool route_declares(const route *r, const char *name);
/* Method name → M_* bit; 0 for any other method. */
unsigned route_method_bit(const char *method);

/* Write the role × screen matrix (権限マトリックス, REQUIREMENTS Y4) of
 * ROUTES as Markdown; docs/権限マトリックス.md is this output. */
#include <stdio.h>
void route_matrix_markdown(FILE *out);

#endif
