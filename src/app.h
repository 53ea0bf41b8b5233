/* app.h — the types every part of civicnet shares: the immutable
 * application state built at start-up (struct app), the per-request state
 * that travels through a handler (struct request), roles and the route
 * table entry. No mutable globals: what changes at run time lives in
 * struct app behind atomics/mutexes (page cache, generation counter) or in
 * the request. */
#ifndef CIVICNET_APP_H
#define CIVICNET_APP_H
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <pthread.h>
#include "pii.h"
#include "tmpl.h"
#include "util.h"

/* Roles, ordered: a route's min_role is satisfied by any higher role. */
typedef enum {
  ROLE_ANON = 0,
  ROLE_MEMBER = 1,
  ROLE_EDITOR = 2,
  ROLE_ADMIN = 3
} role_t;

const char *role_name(role_t r);        /* "anonymous", "member", … */
int role_parse(const char *s);          /* -1 when unknown */

/* Limits, stated explicitly (Kore style). All may be set in the config. */
typedef struct limits {
  unsigned connections;        /* total simultaneous connections */
  unsigned per_ip;             /* simultaneous connections per client IP */
  unsigned timeout_s;          /* idle connection timeout */
  size_t conn_memory;          /* per-connection memory pool (headers) */
  size_t body_max;             /* request body cap → 413 */
  size_t url_max;              /* path+query length cap → 414 */
  unsigned threads;            /* worker thread pool size */
  size_t cache_max_bytes;      /* page cache budget */
} limits;

typedef struct config {
  char data_dir[512];
  char root_dir[512];          /* where templates/, static/, db/ live */
  char listen_host[64];
  unsigned listen_port;
  bool tls_behind_proxy;       /* set Secure cookies / HSTS */
  char site_name_supernet[128];
  char site_name_aika[128];
  limits lim;
  /* outgoing mail (outbox.c); env CIVICNET_SMTP overrides smtp_url */
  char smtp_url[256];          /* smtp://host:port or smtps://host:port */
  bool smtp_starttls;          /* smtp://: refuse to send without STARTTLS */
  char smtp_user[128];
  char smtp_password[128];
  char mail_from[256];         /* envelope sender and From address */
  char mail_from_name[128];    /* From display name */
  char centre_address[256];    /* the centre's address, for BCC */
  char public_url[256];        /* "https://host" for links in mail; "" → http://listen */
  unsigned mail_rate_per_minute;
  unsigned mail_retry_base_seconds; /* back-off: base × 2^(attempts-1) */
  /* issue 8: ops */
  char trusted_proxy[64];      /* peer whose X-Forwarded-For names the client ("" = none) */
  char backup_dir[512];        /* daily backups; "" → DATA/backups */
  unsigned backup_hour, backup_minute; /* daily backup time, Japan time */
  unsigned backup_keep_daily, backup_keep_monthly;
  char backup_copy_dir[512];   /* second copy (remote mount); "" = none */
  char backup_key_file[512];   /* "" → DATA/keys/backup.key */
  char metrics_host[64];       /* Prometheus listener; port 0 = off */
  unsigned metrics_port;
  unsigned disk_min_free_percent; /* /readyz fails below this */
  char run_as_user[64];        /* started as root: bind, then become this user */
  char config_path[512];       /* the --config file ("" = none), kept in backups */
  char tls_cert_file[512];     /* TLS served directly (small installs); "" = plain HTTP */
  char tls_key_file[512];
  /* end issue 8: ops */
} config;

typedef struct page_cache page_cache;

typedef struct app {
  config cfg;
  tmpl_set *tmpl;
  unsigned char secret[32];    /* HMAC key for CSRF tokens, from DIR/secret.key */
  pii_keys pii;                /* personal-data keys, DIR/keys/ (pii.c) */
  page_cache *cache;
  atomic_uint_fast64_t generation; /* bumped by every committed write */
  FILE *access_log;
  int access_log_day;          /* issue 8: ops — Japan-time yyyymmdd the log was opened on */
  pthread_mutex_t log_lock;
  atomic_int inflight;
  struct jobs *jobs;           /* background thread state (jobs.c) */
  struct outbox_worker *outbox; /* mail delivery worker (outbox.c) */
  struct metrics *metrics;     /* issue 8: ops — counters, backup status (metrics.c) */
  int listen_fd;               /* issue 8: ops — socket bound before dropping root, or -1 */
  char *tls_cert_pem, *tls_key_pem; /* issue 8: ops — read while still root */
} app;

/* A name/value list (query, form, cookies). */
typedef struct kv {
  const char *name;
  const char *value;           /* NUL-terminated; len excludes the NUL */
  size_t len;
  const char *filename;        /* multipart file fields only */
  struct kv *next;
} kv;

struct route;

typedef struct user {
  long long id;
  const char *login;
  const char *display_name;
  role_t role;
  bool must_change_pw;         /* initial password: change before anything else */
  bool totp_enabled;           /* second factor set up (ui_totp.c) */
} user;

typedef struct resp_hdr {
  const char *name, *value;
  struct resp_hdr *next;
} resp_hdr;

typedef struct request {
  arena a;
  app *app;
  const char *method;
  const char *path;            /* percent-decoded, validated UTF-8 */
  const char *client_ip;
  const char *host;
  void *conn;                  /* struct MHD_Connection * */
  kv *query;                   /* declared params only (see route) */
  kv *form;                    /* declared params only */
  kv *cookies;
  const struct route *route;
  const char *params[4];       /* typed path params, in pattern order */
  /* session */
  const char *sid;             /* raw session id from cookie, if valid */
  const char *csrf_seed;       /* anonymous CSRF binding (cookie cn_csrf) */
  bool set_cookie;             /* a Set-Cookie was added: never cache */
  user *user;                  /* NULL when anonymous */
  role_t role;
  /* display preferences (text size, colours) from cookies */
  const char *pref_fs, *pref_bg;
  /* response */
  int status;
  buf body;
  const char *content_type;
  resp_hdr *headers;
  bool no_store;               /* personal page → Cache-Control: no-store */
  bool cacheable;              /* eligible for the anonymous page cache */
  int cache_hit;               /* 1 served from cache, -1 queue failed */
  size_t resp_bytes;           /* body bytes sent (for the access log) */
  /* request body state */
  size_t body_bytes;
  int body_error;              /* 0, 400, 413 */
  const char *body_error_why;
  void *post;                  /* struct MHD_PostProcessor * */
  struct form_field *fields;   /* fields being streamed (form.c) */
  const char *raw_uri;         /* as sent, before any decoding */
  double t_start;
  bool done_setup;
} request;

typedef int (*handler_fn)(request *r);

#endif
