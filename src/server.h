/* server.h — run the HTTP server until SIGTERM/SIGINT (see server.c). */
#ifndef CIVICNET_SERVER_H
#define CIVICNET_SERVER_H
#include "app.h"
int server_run(app *a);
/* Release callback for cached responses (see cache.h). */
void server_release_response(void *obj);
#endif
