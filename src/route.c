/* route.c — matching a request path against the route table. Patterns are
 * literal segments plus typed parameters {name:int|slug|path}; a parameter
 * that does not fit its type makes the route not match, so handlers never
 * see a malformed id. Matching is linear: the table is small and the first
 * match wins, which keeps the order in routes.c meaningful. */
#include "route.h"

#include <string.h>

const char *role_name(role_t r) {
  static const char *const names[] = {"anonymous", "member", "editor", "admin"};
  return (unsigned)r < 4 ? names[r] : "?";
}

int role_parse(const char *s) {
  for (int i = 0; i < 4; i++)
    if (s && strcmp(s, role_name((role_t)i)) == 0) return i;
  return -1;
}

unsigned route_method_bit(const char *m) {
  if (strcmp(m, "GET") == 0) return M_GET;
  if (strcmp(m, "HEAD") == 0) return M_HEAD;
  if (strcmp(m, "POST") == 0) return M_POST;
  return 0;
}

bool route_declares(const route *r, const char *name) {
  size_t n = strlen(name);
  const char *p = r->params;
  if (!p || !n) return false;
  while (*p) {
    while (*p == ' ') p++;
    const char *e = p;
    while (*e && *e != ' ') e++;
    if ((size_t)(e - p) == n && memcmp(p, name, n) == 0) return true;
    p = e;
  }
  return false;
}

/* Does value v[0..n) fit the parameter type t[0..tn)? */
static bool param_fits(const char *t, size_t tn, const char *v, size_t n) {
  if (n == 0) return false;
  if (tn == 3 && memcmp(t, "int", 3) == 0) {
    if (n > 18 || (v[0] == '0')) return false;
    for (size_t i = 0; i < n; i++)
      if (v[i] < '0' || v[i] > '9') return false;
    return true;
  }
  if (tn == 4 && memcmp(t, "slug", 4) == 0) {
    if (n > 100) return false;
    for (size_t i = 0; i < n; i++) {
      char c = v[i];
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '_'))
        return false;
    }
    return true;
  }
  if (tn == 4 && memcmp(t, "path", 4) == 0) {
    /* Only [A-Za-z0-9._-/], no empty, "." or ".." segments, no leading
     * dot in any segment (hides dotfiles). */
    const char *seg = v;
    for (size_t i = 0; i <= n; i++) {
      if (i == n || v[i] == '/') {
        size_t sl = (size_t)(v + i - seg);
        if (sl == 0 || seg[0] == '.') return false;
        seg = v + i + 1;
        continue;
      }
      char c = v[i];
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
        return false;
    }
    return true;
  }
  return false;
}

/* Match one pattern against path; fills params on success. */
static bool pattern_match(const char *pat, const char *path, arena *a,
                          const char *params[4]) {
  int np = 0;
  const char *p = pat, *s = path;
  while (*p) {
    if (*p == '{') {
      const char *colon = strchr(p, ':'), *close = strchr(p, '}');
      if (!colon || !close || colon > close || np >= 4) return false;
      const char *t = colon + 1;
      size_t tn = (size_t)(close - t);
      bool rest = tn == 4 && memcmp(t, "path", 4) == 0;
      const char *e = s;
      if (rest)
        e = s + strlen(s);
      else
        while (*e && *e != '/') e++;
      if (!param_fits(t, tn, s, (size_t)(e - s))) return false;
      if (params) params[np] = arena_strndup(a, s, (size_t)(e - s));
      np++;
      s = e;
      p = close + 1;
      continue;
    }
    if (*p != *s) return false;
    p++, s++;
  }
  return *s == 0;
}

route_result route_match(const route *table, const char *method,
                         const char *path, arena *a, const route **out,
                         const char *params[4], unsigned *allow) {
  unsigned bit = route_method_bit(method);
  unsigned allowed = 0;
  for (const route *r = table; r->pattern; r++) {
    if (!pattern_match(r->pattern, path, NULL, NULL)) continue;
    unsigned ms = r->methods | ((r->methods & M_GET) ? M_HEAD : 0);
    if (bit & ms) {
      pattern_match(r->pattern, path, a, params);
      *out = r;
      return RM_FOUND;
    }
    allowed |= ms;
  }
  if (allow) *allow = allowed;
  return allowed ? RM_BAD_METHOD : RM_NOT_FOUND;
}
