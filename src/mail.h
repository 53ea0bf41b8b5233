/* mail.h — building outgoing mail (RFC 5322 + MIME): header-value
 * validation (IPA item 7, mail header injection), RFC 2047 encoded-words
 * for Subject and display names, base64 text/plain UTF-8 bodies, and
 * rendering mail templates (templates/mail/NAME.txt: "Subject: …", a blank
 * line, then the body). Nothing here touches the network or the database:
 * outbox.c stores and sends what mail.c builds. */
#ifndef CIVICNET_MAIL_H
#define CIVICNET_MAIL_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "tmpl.h"
#include "util.h"

#define MAIL_ADDR_MAX 254      /* RFC 5321 path limit, without <> */
#define MAIL_HEADER_MAX 998    /* RFC 5322 line limit: caps any raw value */
#define MAIL_BODY_MAX (1024 * 1024)
#define MAIL_MAX_EXTRA 4

/* An extra header passed through after validation (List-Unsubscribe …).
 * Only the names in mail_extra_name_ok() are accepted. */
typedef struct mail_hdr {
  const char *name, *value;
} mail_hdr;

typedef struct mail_msg {
  const char *to;              /* one address */
  const char *from;            /* envelope sender and From address */
  const char *from_name;       /* display name, may be NULL or "" */
  const char *bcc;             /* envelope-only recipients: NULL, "" or
                                  comma-separated addresses */
  const char *subject;
  const char *body;            /* UTF-8 text; LF or CRLF line ends */
  mail_hdr extra[MAIL_MAX_EXTRA]; /* unused slots have name == NULL */
  /* issue 6: newsletters */
  const char *html;            /* optional HTML alternative (sanitised
                                  UTF-8); NULL/"" → text/plain only, else
                                  multipart/alternative (text first) */
  /* end issue 6: newsletters */
} mail_msg;

/* The one check for every header value: n bytes, no NUL, CR, LF or other
 * control character except TAB, valid UTF-8 (no overlongs, surrogates),
 * at most MAIL_HEADER_MAX bytes. */
bool mail_header_ok(const char *v, size_t n);
/* A conservative RFC 5321 subset: dot-atom local part (≤ 64) "@" a domain
 * of LDH labels (≤ 63 each); ASCII only; ≤ MAIL_ADDR_MAX. Calls
 * mail_header_ok first. */
bool mail_addr_ok(const char *addr);
/* NULL/"" or comma-separated mail_addr_ok addresses (spaces allowed
 * around commas), at most 16. */
bool mail_addr_list_ok(const char *list);
/* Header names callers may add: List-Unsubscribe, List-Unsubscribe-Post,
 * List-Id, Reply-To, Auto-Submitted, Precedence (case-insensitive). */
bool mail_extra_name_ok(const char *name);
/* Every field of m, checked as above; the subject and display name must
 * also be valid, the body valid UTF-8 without NUL and ≤ MAIL_BODY_MAX.
 * On failure *why names the field ("to", "subject", …). */
bool mail_msg_ok(const mail_msg *m, const char **why);

/* RFC 2047 "B" encoding of s into out: one or more
 * "=?UTF-8?B?…?=" words, each ≤ 75 characters and holding whole UTF-8
 * characters, separated by CRLF SP (folding). first_col is the column the
 * first word starts at ("Subject: " → 9) so every line stays ≤ 76
 * (past column 56 the words start on a folded line). */
void mail_encode_words(buf *out, const char *s, size_t first_col);
/* "<32 hex random>@domain-of-from>" into out (≥ 300 bytes). 0 or -1. */
int mail_message_id(const char *from, char *out, size_t n);
/* RFC 5322 date in Japan time: "Sat, 22 Nov 2025 09:00:00 +0900". */
void mail_date(time_t t, char out[40]);
/* The complete message (CRLF line ends, headers then base64 body) for a
 * validated m. No Bcc header is ever written. 0, or -1 when m fails
 * mail_msg_ok(). */
int mail_build(const mail_msg *m, const char *message_id, time_t date,
               buf *out);

/* Renders a mail template (templates/mail/NAME.txt) with ctx. The engine
 * HTML-escapes values; mail is plain text, so the five entities it emits
 * (&amp; &lt; &gt; &quot; &#39;) are turned back into characters. The
 * first line must be "Subject: …", followed by an empty line and the body.
 * On success sets *subject and *body (in arena a) and returns 0; else -1
 * with err set. */
int mail_render(const tmpl_set *ts, const char *name, const tval *ctx,
                arena *a, const char **subject, const char **body,
                char *err, size_t errlen);

#endif
