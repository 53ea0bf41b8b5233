/* mhd_static.c — the engine's ceiling for bench/run.sh: a bare
 * libmicrohttpd server answering every request with the same bytes from
 * memory, threaded like civicnet (internal polling thread, thread pool,
 * epoll when available).
 *   mhd_static PORT BODY_FILE [HEADERS_FILE [THREADS]]
 * HEADERS_FILE holds "Name: value" lines added to the response (bench/run.sh
 * passes civicnet's own headers so both send about the same bytes).
 * Stops on SIGTERM/SIGINT. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct MHD_Response *resp;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *data, size_t *size, void **ctx) {
  (void)cls; (void)url; (void)method; (void)version; (void)data; (void)size;
  if (*ctx == NULL) { *ctx = c; return MHD_YES; } /* headers first, then answer */
  return MHD_queue_response(c, MHD_HTTP_OK, resp);
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(1); }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *p = malloc((size_t)n + 1);
  if (!p || fread(p, 1, (size_t)n, f) != (size_t)n) { perror(path); exit(1); }
  fclose(f);
  p[n] = 0;
  *len = (size_t)n;
  return p;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s PORT BODY_FILE [HEADERS_FILE [THREADS]]\n", argv[0]); return 2; }
  size_t len;
  char *body = slurp(argv[2], &len);
  resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(resp, "Content-Type", "text/html; charset=utf-8");
  if (argc > 3 && argv[3][0]) {
    size_t hl;
    char *h = slurp(argv[3], &hl);
    for (char *line = strtok(h, "\r\n"); line; line = strtok(NULL, "\r\n")) {
      char *colon = strchr(line, ':');
      if (!colon) continue;
      *colon = 0;
      const char *v = colon + 1;
      while (*v == ' ') v++;
      if (strcasecmp(line, "Content-Type") == 0) continue;
      MHD_add_response_header(resp, line, v);
    }
  }
  unsigned threads = argc > 4 ? (unsigned)atoi(argv[4]) : 2;
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
  if (MHD_is_feature_supported(MHD_FEATURE_EPOLL)) flags |= MHD_USE_EPOLL;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct MHD_Daemon *d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
                                          MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                          MHD_OPTION_THREAD_POOL_SIZE, threads,
                                          MHD_OPTION_CONNECTION_LIMIT, 4096u,
                                          MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                                          MHD_OPTION_END);
  if (!d) { fprintf(stderr, "mhd_static: cannot listen on port %s\n", argv[1]); return 1; }
  int sig;
  sigwait(&set, &sig);
  MHD_stop_daemon(d);
  MHD_destroy_response(resp);
  free(body);
  return 0;
}
