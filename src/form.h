/* form.h — request bodies: application/x-www-form-urlencoded and
 * multipart/form-data, streamed through libmicrohttpd's post processor
 * and capped in size. After the body ends, form_finish() checks UTF-8 and
 * the route's parameter allow-list and fills r->form. */
#ifndef CIVICNET_FORM_H
#define CIVICNET_FORM_H
#include "app.h"

/* Start body processing; returns 0, or an HTTP status (400/413/415). */
int form_begin(request *r, const char *content_type,
               const char *content_length);
/* Feed a chunk; returns 0 or a status. Never fails twice: after an error
 * further data is discarded. */
int form_feed(request *r, const char *data, size_t n);
/* Body complete: returns 0 or a status (400 with r->body_error_why). */
int form_finish(request *r);
/* Release streaming state (always called at request end). */
void form_release(request *r);

#endif
