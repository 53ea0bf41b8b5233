/* privdrop.h — starting `civicnet serve` as root (issue 8, Kore style):
 * read the TLS key, bind the listening socket, then become the configured
 * unprivileged user before anything else is opened. A server started as
 * root without `user = NAME` runs (so `make run` works on a fresh machine)
 * but warns that it should not in production. */
#ifndef CIVICNET_PRIVDROP_H
#define CIVICNET_PRIVDROP_H
#include "app.h"

/* Read tls_cert_file/tls_key_file into a (when configured); when running
 * as root also bind cfg.listen_host:port into a->listen_fd, take the
 * configured user's identity (groups, gid, uid — irrevocably) and make
 * sure the data directory belongs to it. Not root: a->listen_fd = -1 and
 * the server binds as usual. 0, or -1 with a message on stderr. */
int serve_prepare_privileges(app *a);
void serve_release_tls(app *a);

#endif
