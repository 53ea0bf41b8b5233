/* server.c — the HTTP core on libmicrohttpd: limits, the request life
 * cycle (raw URI → decode and check → route → body → session → role →
 * CSRF → cache → handler → headers → access log), and graceful shutdown
 * on SIGTERM/SIGINT (stop accepting, let in-flight requests finish, exit 0).
 */
#include "server.h"
#include "metrics.h" /* issue 8: ops */

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
/* issue 6: analytics */
#include "analytics.h"
/* end issue 6: analytics */
#include "db.h"
#include "form.h"
#include "html.h"
#include "jobs.h"
#include "log.h"
#include "request.h"
#include "route.h"
/* issue 7: old URLs */
#include "ui.h"
/* end issue 7: old URLs */
#include "session.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

const char *conn_header(request *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* MHD gives us the raw URI before any decoding here; the value returned
 * becomes the request's context, so the request struct is born here. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c) {
  app *a = cls;
  request *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  arena_init(&r->a);
  buf_init(&r->body);
  r->app = a;
  r->conn = c;
  r->t_start = now_ms();
  r->raw_uri = arena_strdup(&r->a, uri ? uri : "");
  atomic_fetch_add(&a->inflight, 1);
  return r;
}

static void request_free(request *r) {
  form_release(r);
  buf_free(&r->body);
  arena_free(&r->a);
  free(r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **ctx,
                         enum MHD_RequestTerminationCode why) {
  (void)c;
  app *a = cls;
  request *r = *ctx;
  if (!r) return;
  if (r->method) access_log_write(a, r, why == MHD_REQUEST_TERMINATED_COMPLETED_OK);
  /* issue 6: analytics — every answered request passes here, cache hits too */
  if (r->method && why == MHD_REQUEST_TERMINATED_COMPLETED_OK) analytics_count(a, r);
  /* end issue 6: analytics */
  if (r->method) metrics_observe(a, r->status, now_ms() - r->t_start); /* issue 8: ops */
  request_free(r);
  *ctx = NULL;
  atomic_fetch_sub(&a->inflight, 1);
}

static enum MHD_Result count_host(void *cls, enum MHD_ValueKind k,
                                   const char *key, const char *value) {
  (void)k, (void)value;
  if (key && strcasecmp(key, "Host") == 0) ++*(int *)cls;
  return MHD_YES;
}

/* issue 8: ops — the last X-Forwarded-For entry when it is a valid IPv4
 * or IPv6 address, else fallback. */
static const char *forwarded_for(struct MHD_Connection *c, arena *ar, const char *fallback) {
  const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
  if (!h) return fallback;
  const char *last = strrchr(h, ',');
  last = last ? last + 1 : h;
  while (*last == ' ') last++;
  char ip[INET6_ADDRSTRLEN + 1];
  size_t n = strcspn(last, " ");
  if (n == 0 || n >= sizeof ip) return fallback;
  memcpy(ip, last, n);
  ip[n] = 0;
  unsigned char tmp[sizeof(struct in6_addr)];
  if (inet_pton(AF_INET, ip, tmp) != 1 && inet_pton(AF_INET6, ip, tmp) != 1) return fallback;
  return arena_strdup(ar, ip);
}
/* end issue 8: ops */

static const char *client_ip(struct MHD_Connection *c, arena *ar) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  char s[INET6_ADDRSTRLEN] = "-";
  if (ci && ci->client_addr) {
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
      inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, s, sizeof s);
    else if (sa->sa_family == AF_INET6)
      inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, s, sizeof s);
  }
  return arena_strdup(ar, s);
}

static enum MHD_Result collect_cookie(void *cls, enum MHD_ValueKind k,
                                      const char *key, const char *value) {
  (void)k;
  request *r = cls;
  if (key && value && utf8_valid(value, strlen(value)))
    kv_add(&r->a, &r->cookies, key, value, strlen(value));
  return MHD_YES;
}

/* Decode the raw URI into path and declared query parameters. Returns 0 or
 * an HTTP status. */
static int parse_uri(request *r) {
  const char *raw = r->raw_uri;
  if (strlen(raw) > r->app->cfg.lim.url_max) return 414;
  const char *q = strchr(raw, '?');
  size_t plen = q ? (size_t)(q - raw) : strlen(raw);
  char *path = url_decode(&r->a, raw, plen, false, false);
  if (!path || !path_is_safe(path)) return 400;
  r->path = path;
  kv *all = NULL;
  if (q && query_parse(&r->a, q + 1, &all)) return 400;
  r->query = all; /* filtered after routing */
  return 0;
}

/* Keep only declared query parameters (unknown ones, e.g. utm_source, are
 * dropped rather than refused: links from outside carry them). */
static void filter_query(request *r) {
  kv *keep = NULL;
  for (kv *e = r->query; e; e = e->next)
    if (route_declares(r->route, e->name))
      kv_add(&r->a, &keep, e->name, e->value, e->len);
  r->query = keep;
}

static void load_prefs(request *r) {
  r->pref_fs = req_cookie(r, "cn_fs");
  r->pref_bg = req_cookie(r, "cn_bg");
}

/* First call for a request: everything that can be decided from the
 * request line and headers. Returns 0 to go on, or an error status. */
static int setup(request *r, const char *method) {
  r->method = arena_strdup(&r->a, method);
  r->path = "/"; /* until the real one is decoded: error pages need one */
  r->client_ip = client_ip(r->conn, &r->a);
  /* issue 8: ops — behind the configured reverse proxy, the client is the
   * last address of X-Forwarded-For (nginx sets it to $remote_addr) */
  if (r->app->cfg.trusted_proxy[0] && !strcmp(r->client_ip, r->app->cfg.trusted_proxy))
    r->client_ip = forwarded_for(r->conn, &r->a, r->client_ip);
  /* end issue 8: ops */
  const char *host = conn_header(r, "Host");
  r->host = arena_strdup(&r->a, host ? host : "");
  int hosts = 0; /* RFC 9112 §3.2: more than one Host is a 400 */
  MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_host, &hosts);
  if (hosts > 1) return 400;
  int st = parse_uri(r);
  if (st) return st;
  MHD_get_connection_values(r->conn, MHD_COOKIE_KIND, collect_cookie, r);
  load_prefs(r);
  unsigned allow = 0;
  route_result rm = route_match(ROUTES, method, r->path, &r->a, &r->route,
                                r->params, &allow);
  /* issue 7: old URLs — 301 for the WordPress sites' old paths (ui_old_urls.c) */
  if (rm == RM_NOT_FOUND || !strcmp(r->path, "/")) {
    int old = old_url_redirect(r, rm != RM_NOT_FOUND);
    if (old) return old;
  }
  /* end issue 7: old URLs */
  if (rm == RM_NOT_FOUND) return 404;
  if (rm == RM_BAD_METHOD) {
    resp_header(r, "Allow", (allow & M_POST) && (allow & M_GET) ? "GET, HEAD, POST"
                            : (allow & M_POST)                  ? "POST"
                                                                : "GET, HEAD");
    return 405;
  }
  filter_query(r);
  if (strcmp(method, "POST") == 0)
    return form_begin(r, conn_header(r, "Content-Type"),
                      conn_header(r, "Content-Length"));
  return 0;
}

/* Role and CSRF checks from the route table. Returns 0 or a status. */
static int authorise(request *r) {
  const route *rt = r->route;
  if (r->role < rt->min_role) {
    if (r->role == ROLE_ANON && strcmp(r->method, "POST") != 0) {
      const char *login = strcmp(site_of_path(r->path), "aika") == 0
                              ? "/aikasanet/login"
                              : "/admin/login";
      buf u;
      buf_init(&u);
      buf_printf(&u, "%s?next=", login);
      url_encode(&u, r->path, strlen(r->path));
      resp_redirect(r, buf_cstr(&u));
      buf_free(&u);
      return 303;
    }
    return 403;
  }
  if (strcmp(r->method, "POST") == 0 && rt->csrf) {
    if (!origin_ok(r)) return 403;
    if (!csrf_valid(r, req_form(r, "_csrf"))) return 403;
  }
  /* An initial password must be changed before any other staff screen. */
  if (r->user && r->user->must_change_pw && rt->min_role >= ROLE_EDITOR &&
      strncmp(rt->name, "admin.password", 14) != 0 && strcmp(rt->name, "admin.logout") != 0)
    return resp_redirect(r, "/admin/password");
  /* Administrators must set up the second factor next (DESIGN "Security
   * model"); the password change above comes first. */
  if (r->user && r->user->role == ROLE_ADMIN && !r->user->totp_enabled &&
      rt->min_role >= ROLE_EDITOR && strncmp(rt->name, "admin.totp", 10) != 0 &&
      strncmp(rt->name, "admin.password", 14) != 0 && strcmp(rt->name, "admin.logout") != 0)
    return resp_redirect(r, "/admin/totp");
  return 0;
}

static const char *CSP =
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'";

static void add_headers(request *r, struct MHD_Response *resp) {
  MHD_add_response_header(resp, "Content-Type",
                          r->content_type ? r->content_type
                                          : "text/html; charset=utf-8");
  /* issue 6: analytics — public pages of a site with a GA ID also allow the Google tag hosts */
  MHD_add_response_header(resp, "Content-Security-Policy", analytics_csp(r, CSP));
  /* end issue 6: analytics */
  MHD_add_response_header(resp, "X-Frame-Options", "DENY");
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(resp, "Referrer-Policy", "strict-origin-when-cross-origin");
  MHD_add_response_header(resp, "Permissions-Policy",
                          "camera=(), microphone=(), geolocation=()");
  MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
  if (r->app->cfg.tls_behind_proxy)
    MHD_add_response_header(resp, "Strict-Transport-Security",
                            "max-age=31536000; includeSubDomains");
  const char *cc = NULL;
  for (resp_hdr *h = r->headers; h; h = h->next)
    if (strcmp(h->name, "Cache-Control") == 0) cc = h->value;
  bool personal = r->no_store || r->user || r->set_cookie;
  if (personal)
    MHD_add_response_header(resp, "Cache-Control", "no-store");
  else if (!cc)
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
  for (resp_hdr *h = r->headers; h; h = h->next)
    if (!(personal && strcmp(h->name, "Cache-Control") == 0))
      MHD_add_response_header(resp, h->name, h->value);
}

static struct MHD_Response *make_response(request *r, bool cached_copy) {
  struct MHD_Response *resp = MHD_create_response_from_buffer(
      r->body.len, r->body.data ? r->body.data : (void *)"",
      MHD_RESPMEM_MUST_COPY);
  if (!resp) return NULL;
  add_headers(r, resp);
  if (cached_copy) MHD_add_response_header(resp, "X-Cache", "hit");
  return resp;
}

static enum MHD_Result send_response(request *r) {
  if (!r->status) r->status = 200;
  struct MHD_Response *resp = make_response(r, false);
  if (!resp) return MHD_NO;
  r->resp_bytes = r->body.len;
  enum MHD_Result ok = MHD_queue_response(r->conn, (unsigned)r->status, resp);
  MHD_destroy_response(resp);
  return ok;
}

/* What the page cache holds: a finished response, shareable between
 * connections (MHD reference-counts it), and its body size for the log. */
typedef struct cached_page {
  struct MHD_Response *resp;
  size_t len;
} cached_page;

void server_release_response(void *obj) {
  cached_page *p = obj;
  MHD_destroy_response(p->resp);
  free(p);
}

/* Cache hit: queue the stored response as it is (called under the
 * cache's read lock, so the response cannot be released meanwhile). */
static void queue_cached(void *obj, void *ctx) {
  request *r = ctx;
  cached_page *p = obj;
  r->status = 200;
  r->resp_bytes = p->len;
  /* issue 6: analytics — the counting hook needs the type of a cached page */
  const char *ct = MHD_get_response_header(p->resp, "Content-Type");
  r->content_type = ct ? arena_strdup(&r->a, ct) : NULL;
  /* end issue 6: analytics */
  r->cache_hit = MHD_queue_response(r->conn, 200, p->resp) == MHD_YES ? 1 : -1;
}

static enum MHD_Result fail(request *r, int status) {
  /* issue 7: old URLs */
  if (status == 301) return send_response(r); /* Location set by old_url_redirect */
  /* end issue 7: old URLs */
  if (status != 303 && status != 304) error_page(r, status, r->body_error_why);
  if (status >= 400 && strcmp(r->method, "POST") == 0) r->no_store = true;
  return send_response(r);
}

static bool cache_eligible(request *r) {
  return r->route->cacheable && !r->user && !r->set_cookie &&
         !req_cookie(r, "cn_sid") && strcmp(r->method, "POST") != 0;
}

/* Key: path, declared query, display preferences (they change markup). */
static const char *cache_key(request *r) {
  buf k;
  buf_init(&k);
  buf_printf(&k, "%s?", r->path);
  for (kv *e = r->query; e; e = e->next) buf_printf(&k, "%s=%s&", e->name, e->value);
  buf_printf(&k, "#%s#%s", r->pref_fs ? r->pref_fs : "", r->pref_bg ? r->pref_bg : "");
  const char *s = arena_strdup(&r->a, buf_cstr(&k));
  buf_free(&k);
  return s;
}

/* Body complete: session, authorisation, cache, handler. */
static enum MHD_Result dispatch(request *r) {
  /* Static files are the same for everyone: no session, browser-cacheable. */
  if (strcmp(r->route->name, "static") != 0) session_load(r);
  int st = authorise(r);
  if (st) return fail(r, st);
  const char *key = NULL;
  uint64_t gen = 0;
  if (cache_eligible(r)) {
    cache_sync_generation(r->app);
    gen = atomic_load(&r->app->generation);
    key = cache_key(r);
    if (cache_use(r->app->cache, key, gen, queue_cached, r))
      return r->cache_hit > 0 ? MHD_YES : MHD_NO;
  }
  st = r->route->fn(r);
  if (st >= 400 && r->body.len == 0) return fail(r, st);
  r->status = st;
  if (key && st == 200 && !r->set_cookie && !r->user && !r->no_store) {
    cached_page *p = malloc(sizeof *p);
    if (p && (p->resp = make_response(r, true))) {
      p->len = r->body.len;
      cache_put(r->app->cache, key, gen, p, r->body.len + 1024);
    } else {
      free(p);
    }
  }
  return send_response(r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *data,
                                  size_t *data_size, void **ctx) {
  (void)cls, (void)url, (void)version, (void)c;
  request *r = *ctx;
  if (!r) return MHD_NO;
  if (!r->done_setup) {
    r->done_setup = true;
    int st = setup(r, method);
    /* An error decided from the headers is answered at once; an unread
     * body makes MHD close the connection afterwards. */
    if (st) return fail(r, st);
    return MHD_YES;
  }
  if (*data_size) {
    form_feed(r, data, *data_size);
    *data_size = 0;
    /* Past twice the cap (a chunked body that does not stop), close the
     * connection instead of reading on to answer 413 at the end. */
    if (r->body_bytes > 2 * r->app->cfg.lim.body_max) return MHD_NO;
    return MHD_YES;
  }
  int st = strcmp(method, "POST") == 0 ? form_finish(r) : 0;
  if (st) return fail(r, st);
  return dispatch(r);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  fputs("civicnet: mhd: ", stderr);
  vfprintf(stderr, fmt, ap);
}

int server_run(app *a) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL); /* worker threads inherit this */
  signal(SIGPIPE, SIG_IGN);

  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)a->cfg.listen_port);
  if (a->listen_fd < 0 && inet_pton(AF_INET, a->cfg.listen_host, &sa.sin_addr) != 1) {
    fprintf(stderr, "civicnet: --listen: not an IPv4 address: %s\n", a->cfg.listen_host);
    return 1;
  }
  const limits *l = &a->cfg.lim;
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
  if (MHD_is_feature_supported(MHD_FEATURE_EPOLL)) flags |= MHD_USE_EPOLL;
  /* issue 8: ops — a socket bound before dropping root, TLS served directly */
  struct MHD_OptionItem where[6];
  int nw = 0;
  if (a->listen_fd >= 0) where[nw++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, a->listen_fd, NULL};
  else where[nw++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &sa};
  if (a->tls_cert_pem) {
    flags |= MHD_USE_TLS;
    where[nw++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, a->tls_cert_pem};
    where[nw++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, a->tls_key_pem};
    /* TLS 1.2 and 1.3 only (GnuTLS priority string) */
    where[nw++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0,
                                          (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE"};
  }
  where[nw] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
  /* end issue 8: ops */
  struct MHD_Daemon *d = MHD_start_daemon(
      flags, 0, NULL, NULL, on_request, a,
      MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
      MHD_OPTION_ARRAY, where,
      MHD_OPTION_THREAD_POOL_SIZE, (unsigned)l->threads,
      MHD_OPTION_CONNECTION_LIMIT, (unsigned)l->connections,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)l->per_ip,
      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)l->timeout_s,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)l->conn_memory,
      MHD_OPTION_URI_LOG_CALLBACK, on_uri, a,
      MHD_OPTION_NOTIFY_COMPLETED, on_completed, a,
      MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, "civicnet: cannot listen on %s:%u: %s\n", a->cfg.listen_host,
            a->cfg.listen_port, strerror(errno));
    return 1;
  }
  fprintf(stderr, "civicnet: serving %s://%s:%u/ (data %s)\n", a->tls_cert_pem ? "https" : "http", a->cfg.listen_host,
          a->cfg.listen_port, a->cfg.data_dir);
  if (metrics_start(a)) { /* issue 8: ops */
    MHD_stop_daemon(d);
    return 1;
  }
  jobs_start(a);
  int sig = 0;
  sigwait(&set, &sig);
  fprintf(stderr, "civicnet: signal %d: draining requests\n", sig);
  MHD_quiesce_daemon(d); /* stop accepting; finish what is in flight */
  for (int i = 0; i < 200 && atomic_load(&a->inflight) > 0; i++) usleep(50 * 1000);
  MHD_stop_daemon(d);
  jobs_stop(a);
  metrics_stop(a); /* issue 8: ops */
  fprintf(stderr, "civicnet: stopped\n");
  return 0;
}
