/* form.c — streamed form parsing on MHD_PostProcessor (see form.h). The
 * post processor handles the encodings; we collect each field, enforce
 * the size cap as bytes arrive (so a huge body is never buffered), and
 * reject invalid UTF-8 and undeclared parameters when the body is
 * complete — a handler never sees a field it did not declare. */
#include "form.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "request.h"
#include "route.h"

typedef struct form_field {
  char *name;
  char *filename;
  buf value;
  struct form_field *next;
} form_field;

#define FORM_MAX_FIELDS 500

static bool is_multipart(request *r) {
  const char *ct = conn_header(r, "Content-Type");
  return ct && strncasecmp(ct, MHD_HTTP_POST_ENCODING_MULTIPART_FORMDATA, 19) == 0;
}

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind,
                                const char *key, const char *filename,
                                const char *ctype, const char *enc,
                                const char *data, uint64_t off, size_t size) {
  (void)kind, (void)ctype, (void)enc;
  request *r = cls;
  form_field *f = r->fields;
  /* A new field starts at offset 0; later chunks continue the newest one.
   * multipart/form-data: a short value may first arrive as an empty chunk
   * at offset 0 and then its bytes, again at offset 0 (the post processor
   * holds back bytes that could start the boundary) — still the same field
   * when the name matches and nothing was received yet. (In urlencoded
   * bodies that pattern is a repeated name after an empty value: a new
   * field.) */
  bool same = f && strcmp(f->name, key ? key : "") == 0;
  bool cont = same && (off != 0 || (f->value.len == 0 && is_multipart(r)));
  if (!cont) {
    int count = 0;
    for (form_field *g = r->fields; g; g = g->next) count++;
    if (count >= FORM_MAX_FIELDS) {
      r->body_error = 413;
      r->body_error_why = "too many fields";
      return MHD_NO;
    }
    f = calloc(1, sizeof *f);
    if (!f) return MHD_NO;
    f->name = strdup(key ? key : "");
    f->filename = filename ? strdup(filename) : NULL;
    buf_init(&f->value);
    f->next = r->fields;
    r->fields = f;
  }
  if (size) buf_append(&f->value, data, size);
  return MHD_YES;
}

int form_begin(request *r, const char *ctype, const char *clen) {
  if (clen) {
    char *end;
    unsigned long long n = strtoull(clen, &end, 10);
    if (*end || n > r->app->cfg.lim.body_max) {
      r->body_error_why = "body too large";
      return r->body_error = 413;
    }
  }
  if (!ctype) return 0; /* empty POST: nothing to parse */
  if (strncasecmp(ctype, MHD_HTTP_POST_ENCODING_FORM_URLENCODED, 33) != 0 &&
      strncasecmp(ctype, MHD_HTTP_POST_ENCODING_MULTIPART_FORMDATA, 19) != 0) {
    r->body_error_why = "unsupported content type";
    return r->body_error = 415;
  }
  r->post = MHD_create_post_processor(r->conn, 16 * 1024, on_field, r);
  if (!r->post) {
    r->body_error_why = "malformed multipart header";
    return r->body_error = 400;
  }
  return 0;
}

int form_feed(request *r, const char *data, size_t n) {
  if (r->body_error) return r->body_error;
  r->body_bytes += n;
  if (r->body_bytes > r->app->cfg.lim.body_max) {
    r->body_error_why = "body too large";
    return r->body_error = 413;
  }
  if (!r->post) {
    if (n) { /* body without a content type */
      r->body_error_why = "body without content type";
      return r->body_error = 415;
    }
    return 0;
  }
  if (MHD_post_process(r->post, data, n) != MHD_YES) {
    if (!r->body_error) {
      r->body_error = 400;
      r->body_error_why = "malformed body";
    }
    return r->body_error;
  }
  return 0;
}

/* Fields arrive newest-first; build r->form in posted order. */
static int collect(request *r) {
  form_field *rev = NULL;
  while (r->fields) {
    form_field *f = r->fields;
    r->fields = f->next;
    f->next = rev;
    rev = f;
  }
  r->fields = rev;
  for (form_field *f = rev; f; f = f->next) {
    const char *v = buf_cstr(&f->value);
    if (!utf8_valid(f->name, strlen(f->name)) ||
        (!f->filename && !utf8_valid(v, f->value.len)) ||
        (!f->filename && memchr(v, 0, f->value.len))) {
      r->body_error_why = "invalid UTF-8";
      return 400;
    }
    bool declared = route_declares(r->route, f->name) ||
                    (r->route->csrf && strcmp(f->name, "_csrf") == 0);
    if (!declared) {
      r->body_error_why = arena_printf(&r->a, "undeclared parameter");
      return 400;
    }
    kv *e = kv_add(&r->a, &r->form, f->name, v, f->value.len);
    if (f->filename) e->filename = arena_strdup(&r->a, f->filename);
  }
  return 0;
}

int form_finish(request *r) {
  if (r->body_error) return r->body_error;
  if (r->post) {
    enum MHD_Result ok = MHD_destroy_post_processor(r->post);
    r->post = NULL;
    if (ok != MHD_YES) {
      r->body_error_why = "incomplete body";
      return r->body_error = 400;
    }
  }
  int st = collect(r);
  if (st) r->body_error = st;
  return st;
}

void form_release(request *r) {
  if (r->post) MHD_destroy_post_processor(r->post);
  r->post = NULL;
  while (r->fields) {
    form_field *f = r->fields;
    r->fields = f->next;
    free(f->name);
    free(f->filename);
    buf_free(&f->value);
    free(f);
  }
}
