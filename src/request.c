/* request.c — parameter, cookie and header helpers for handlers, plus the
 * URL decoding and path checks that run before routing. Everything a
 * handler reads has already been decoded and checked for valid UTF-8. */
#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

const char *kv_get(const kv *l, const char *name) {
  for (; l; l = l->next)
    if (strcmp(l->name, name) == 0) return l->value;
  return NULL;
}

/* Appends at the end so that parameter order is kept. */
kv *kv_add(arena *a, kv **list, const char *name, const char *value,
           size_t len) {
  kv *e = arena_alloc(a, sizeof *e);
  e->name = arena_strdup(a, name);
  e->value = arena_strndup(a, value ? value : "", value ? len : 0);
  e->len = value ? len : 0;
  while (*list) list = &(*list)->next;
  *list = e;
  return e;
}

const char *req_query(const request *r, const char *n) { return kv_get(r->query, n); }
const char *req_form(const request *r, const char *n) { return kv_get(r->form, n); }
const char *req_cookie(const request *r, const char *n) { return kv_get(r->cookies, n); }

long long req_param_int(const request *r, int i) {
  if (i < 0 || i > 3 || !r->params[i]) return 0;
  return strtoll(r->params[i], NULL, 10);
}

void resp_header(request *r, const char *name, const char *value) {
  resp_hdr *h = arena_alloc(&r->a, sizeof *h);
  h->name = arena_strdup(&r->a, name);
  h->value = arena_strdup(&r->a, value);
  h->next = r->headers;
  r->headers = h;
}

void resp_cookie(request *r, const char *name, const char *value,
                 long max_age) {
  char age[48] = "";
  if (max_age >= 0) snprintf(age, sizeof age, "; Max-Age=%ld", max_age);
  resp_header(r, "Set-Cookie",
              arena_printf(&r->a, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s",
                           name, value, age,
                           r->app->cfg.tls_behind_proxy ? "; Secure" : ""));
}

bool path_is_local(const char *p) {
  return p && p[0] == '/' && p[1] != '/' && p[1] != '\\' &&
         !strpbrk(p, "\r\n\t");
}

int resp_redirect(request *r, const char *location) {
  if (!path_is_local(location)) location = "/";
  resp_header(r, "Location", location);
  r->status = 303;
  buf_reset(&r->body);
  return 303;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char *url_decode(arena *a, const char *s, size_t n, bool plus_space,
                 bool allow_newlines) {
  char *out = arena_alloc(a, n + 1);
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '%') {
      if (i + 2 >= n) return NULL;
      int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
      if (h < 0 || l < 0) return NULL;
      c = (unsigned char)(h * 16 + l);
      i += 2;
    } else if (c == '+' && plus_space) {
      c = ' ';
    }
    if (c == 0 || c == 0x7f) return NULL;
    if (c < 0x20 && !(allow_newlines && (c == '\t' || c == '\r' || c == '\n')))
      return NULL;
    out[o++] = (char)c;
  }
  out[o] = 0;
  return utf8_valid(out, o) ? out : NULL;
}

int query_parse(arena *a, const char *qs, kv **out) {
  *out = NULL;
  if (!qs) return 0;
  const char *p = qs;
  while (*p) {
    const char *amp = strchr(p, '&');
    size_t seg = amp ? (size_t)(amp - p) : strlen(p);
    if (seg) {
      const char *eq = memchr(p, '=', seg);
      size_t kn = eq ? (size_t)(eq - p) : seg;
      char *k = url_decode(a, p, kn, true, false);
      char *v = eq ? url_decode(a, eq + 1, seg - kn - 1, true, true)
                   : arena_strdup(a, "");
      if (!k || !v) return -1;
      kv_add(a, out, k, v, strlen(v));
    }
    p += seg;
    if (*p == '&') p++;
  }
  return 0;
}

bool path_is_safe(const char *path) {
  if (path[0] != '/') return false;
  if (strstr(path, "//") || strchr(path, '\\')) return false;
  for (const char *p = path; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f) return false;
  /* no "." or ".." segment anywhere */
  const char *s = path;
  while ((s = strchr(s, '/'))) {
    s++;
    if (s[0] == '.' && (s[1] == '/' || s[1] == 0)) return false;
    if (s[0] == '.' && s[1] == '.' && (s[2] == '/' || s[2] == 0)) return false;
  }
  return true;
}
