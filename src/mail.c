/* mail.c — building outgoing mail (see mail.h). */
#include "mail.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "html.h"

bool mail_header_ok(const char *v, size_t n) {
  if (!v || n > MAIL_HEADER_MAX) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)v[i];
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false; /* NUL CR LF … */
  }
  return utf8_valid(v, n);
}

static bool atext(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

static bool ldh(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-';
}

/* addr[0..n): local@domain as described in mail.h. */
static bool addr_ok_n(const char *s, size_t n) {
  if (n == 0 || n > MAIL_ADDR_MAX || !mail_header_ok(s, n)) return false;
  const char *at = memchr(s, '@', n);
  if (!at || memchr(at + 1, '@', n - (size_t)(at - s) - 1)) return false;
  size_t ln = (size_t)(at - s), dn = n - ln - 1;
  if (ln == 0 || ln > 64 || dn == 0) return false;
  /* dot-atom: atext runs separated by single dots */
  if (s[0] == '.' || s[ln - 1] == '.') return false;
  for (size_t i = 0; i < ln; i++) {
    if (s[i] == '.') {
      if (s[i + 1] == '.') return false;
    } else if (!atext((unsigned char)s[i])) {
      return false;
    }
  }
  /* domain: LDH labels of 1–63, no leading/trailing hyphen */
  const char *d = at + 1;
  size_t lab = 0;
  for (size_t i = 0; i <= dn; i++) {
    if (i == dn || d[i] == '.') {
      if (lab == 0 || lab > 63 || d[i - lab] == '-' || d[i - 1] == '-') return false;
      lab = 0;
    } else if (!ldh((unsigned char)d[i])) {
      return false;
    } else {
      lab++;
    }
  }
  return true;
}

bool mail_addr_ok(const char *addr) {
  return addr && addr_ok_n(addr, strlen(addr));
}

/* Calls fn on each trimmed element of a comma-separated list; stops and
 * returns false when fn does or an element is empty. */
static bool each_addr(const char *list, bool (*fn)(const char *, size_t, void *),
                      void *ctx) {
  const char *p = list;
  while (*p) {
    const char *e = strchr(p, ',');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    const char *s = p;
    while (n && *s == ' ') s++, n--;
    while (n && s[n - 1] == ' ') n--;
    if (!fn(s, n, ctx)) return false;
    if (!e) break;
    p = e + 1;
    if (!*p) return false; /* trailing comma */
  }
  return true;
}

static bool count_ok(const char *s, size_t n, void *ctx) {
  return ++*(int *)ctx <= 16 && addr_ok_n(s, n);
}

bool mail_addr_list_ok(const char *list) {
  if (!list || !*list) return true;
  int count = 0;
  return strlen(list) <= MAIL_HEADER_MAX * 4 && each_addr(list, count_ok, &count);
}

bool mail_extra_name_ok(const char *name) {
  static const char *const ok[] = {"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id",
                                   "Reply-To",         "Auto-Submitted",        "Precedence"};
  if (!name) return false;
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
    if (!strcasecmp(name, ok[i])) return true;
  return false;
}

static bool ascii_only(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s >= 0x80) return false;
  return true;
}

bool mail_msg_ok(const mail_msg *m, const char **why) {
  const char *dummy;
  if (!why) why = &dummy;
  if (!mail_addr_ok(m->to)) return *why = "to", false;
  if (!mail_addr_ok(m->from)) return *why = "from", false;
  if (m->from_name && !mail_header_ok(m->from_name, strlen(m->from_name)))
    return *why = "from_name", false;
  if (!mail_addr_list_ok(m->bcc)) return *why = "bcc", false;
  if (!m->subject || !mail_header_ok(m->subject, strlen(m->subject)))
    return *why = "subject", false;
  if (!m->body) return *why = "body", false;
  size_t bn = strlen(m->body);
  if (bn > MAIL_BODY_MAX || !utf8_valid(m->body, bn)) return *why = "body", false;
  /* issue 6: newsletters */
  if (m->html) {
    size_t hn = strlen(m->html);
    if (hn > MAIL_BODY_MAX || !utf8_valid(m->html, hn)) return *why = "html", false;
  }
  /* end issue 6: newsletters */
  for (int i = 0; i < MAIL_MAX_EXTRA; i++) {
    const mail_hdr *h = &m->extra[i];
    if (!h->name) continue;
    if (!mail_extra_name_ok(h->name) || !h->value ||
        !mail_header_ok(h->value, strlen(h->value)) || !ascii_only(h->value) ||
        strlen(h->name) + strlen(h->value) + 2 > MAIL_HEADER_MAX)
      return *why = "headers_extra", false;
  }
  return true;
}

/* Byte length of the UTF-8 character starting with lead byte c (input is
 * already validated). */
static size_t u8len(unsigned char c) {
  return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

static void b64_append(buf *out, const unsigned char *p, size_t n) {
  char tmp[4 * 64 / 3 + 8];
  while (n) {
    size_t take = n > 48 ? 48 : n; /* 48 bytes → 64 characters */
    int len = EVP_EncodeBlock((unsigned char *)tmp, p, (int)take);
    buf_append(out, tmp, (size_t)len);
    p += take, n -= take;
  }
}

/* An encoded-word is "=?UTF-8?B?" (10) + base64 + "?=" (2). With the 75
 * character limit, base64 ≤ 63 → 60 → 45 bytes of text; the first word is
 * shorter when the header name leaves less room on a 76-column line. */
void mail_encode_words(buf *out, const char *s, size_t first_col) {
  size_t n = strlen(s), i = 0;
  if (n == 0) return;
  bool first = true;
  size_t room = 76 - first_col; /* columns left on the first line */
  if (first_col > 56) {         /* too little room: start on a folded line */
    buf_puts(out, "\r\n ");
    room = 75;
  }
  do {
    size_t max_b64 = (room > 75 ? 75 : room) - 12;
    size_t max_bytes = max_b64 / 4 * 3;
    size_t take = 0;
    while (i + take < n) {
      size_t cl = u8len((unsigned char)s[i + take]);
      if (take + cl > max_bytes) break;
      take += cl;
    }
    if (take == 0) take = u8len((unsigned char)s[i]); /* unreachable: room ≥ 6 bytes */
    if (!first) buf_puts(out, "\r\n ");
    buf_puts(out, "=?UTF-8?B?");
    b64_append(out, (const unsigned char *)s + i, take);
    buf_puts(out, "?=");
    i += take;
    first = false;
    room = 75; /* continuation lines start with one space */
  } while (i < n);
}

int mail_message_id(const char *from, char *out, size_t n) {
  unsigned char r[16];
  char hex[33];
  const char *at = from ? strrchr(from, '@') : NULL;
  if (!at || crypto_random(r, sizeof r)) return -1;
  hex_encode(r, sizeof r, hex);
  int len = snprintf(out, n, "<%s@%s>", hex, at + 1);
  return len > 0 && (size_t)len < n ? 0 : -1;
}

void mail_date(time_t t, char out[40]) {
  static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t jst = t + 9 * 3600; /* Japan has no daylight saving time */
  struct tm tm;
  gmtime_r(&jst, &tm);
  snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0900", days[tm.tm_wday], tm.tm_mday,
           mons[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Printable ASCII without "=?" and short enough to stay on one line:
 * written as is; anything else becomes encoded-words. */
static bool plain_ok(const char *s, size_t max) {
  size_t n = strlen(s);
  if (n > max || strstr(s, "=?")) return false;
  for (size_t i = 0; i < n; i++)
    if (s[i] < 0x20 || s[i] > 0x7e) return false;
  return true;
}

/* A display name as a phrase: letters, digits and spaces as is; other
 * ASCII as a quoted-string; non-ASCII as encoded-words. */
static void put_display_name(buf *out, const char *name, size_t col) {
  if (plain_ok(name, 60)) {
    if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ") ==
        strlen(name)) {
      buf_puts(out, name);
      return;
    }
    buf_putc(out, '"');
    for (const char *p = name; *p; p++) {
      if (*p == '"' || *p == '\\') buf_putc(out, '\\');
      buf_putc(out, *p);
    }
    buf_putc(out, '"');
    return;
  }
  mail_encode_words(out, name, col);
}

/* CRLF-canonical body (RFC 2045 §6.7: line breaks in text are CRLF before
 * base64), then base64 in lines of 76 characters (57 bytes each). */
static void put_body(buf *out, const char *body) {
  buf canon;
  buf_init(&canon);
  for (const char *p = body; *p; p++) {
    if (*p == '\r') {
      if (p[1] == '\n') p++;
      buf_puts(&canon, "\r\n");
    } else if (*p == '\n') {
      buf_puts(&canon, "\r\n");
    } else {
      buf_putc(&canon, *p);
    }
  }
  const unsigned char *p = (const unsigned char *)canon.data;
  size_t n = canon.len;
  char line[80];
  while (n) {
    size_t take = n > 57 ? 57 : n;
    int len = EVP_EncodeBlock((unsigned char *)line, p, (int)take);
    buf_append(out, line, (size_t)len);
    buf_puts(out, "\r\n");
    p += take, n -= take;
  }
  buf_free(&canon);
}

int mail_build(const mail_msg *m, const char *message_id, time_t date, buf *out) {
  if (!mail_msg_ok(m, NULL) || !message_id || !mail_header_ok(message_id, strlen(message_id)))
    return -1;
  char d[40];
  mail_date(date, d);
  buf_printf(out, "Date: %s\r\n", d);
  buf_puts(out, "From: ");
  if (m->from_name && *m->from_name) {
    put_display_name(out, m->from_name, 6);
    /* fold before the address when it would not fit on the line */
    const char *nl = out->data + out->len;
    while (nl > out->data && nl[-1] != '\n') nl--;
    size_t col = (size_t)(out->data + out->len - nl);
    buf_puts(out, col + 3 + strlen(m->from) > 76 ? "\r\n " : " ");
  }
  buf_printf(out, "<%s>\r\n", m->from);
  buf_printf(out, "To: %s\r\n", m->to);
  buf_puts(out, "Subject: ");
  if (plain_ok(m->subject, 66))
    buf_puts(out, m->subject);
  else if (*m->subject)
    mail_encode_words(out, m->subject, 9);
  buf_puts(out, "\r\n");
  buf_printf(out, "Message-ID: %s\r\n", message_id);
  /* issue 6: newsletters — multipart/alternative when there is an HTML
   * part. The boundary starts with "=_", which base64 never contains. */
  bool alt = m->html && *m->html;
  if (alt)
    buf_puts(out, "MIME-Version: 1.0\r\n"
                  "Content-Type: multipart/alternative; boundary=\"=_civicnet_alt_0\"\r\n");
  else
  /* end issue 6: newsletters */
  buf_puts(out, "MIME-Version: 1.0\r\n"
                "Content-Type: text/plain; charset=UTF-8\r\n"
                "Content-Transfer-Encoding: base64\r\n");
  for (int i = 0; i < MAIL_MAX_EXTRA; i++)
    if (m->extra[i].name) buf_printf(out, "%s: %s\r\n", m->extra[i].name, m->extra[i].value);
  buf_puts(out, "\r\n");
  /* issue 6: newsletters */
  if (alt) {
    buf_puts(out, "--=_civicnet_alt_0\r\n"
                  "Content-Type: text/plain; charset=UTF-8\r\n"
                  "Content-Transfer-Encoding: base64\r\n\r\n");
    put_body(out, m->body);
    buf_puts(out, "--=_civicnet_alt_0\r\n"
                  "Content-Type: text/html; charset=UTF-8\r\n"
                  "Content-Transfer-Encoding: base64\r\n\r\n");
    put_body(out, m->html);
    buf_puts(out, "--=_civicnet_alt_0--\r\n");
    return 0;
  }
  /* end issue 6: newsletters */
  put_body(out, m->body);
  return 0;
}

/* Undo the engine's HTML escaping (only the entities html_escape emits). */
static void unescape_into(buf *out, const char *s, size_t n) {
  static const struct {
    const char *ent;
    char c;
  } E[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
  for (size_t i = 0; i < n;) {
    bool hit = false;
    if (s[i] == '&') {
      for (size_t k = 0; k < sizeof E / sizeof *E && !hit; k++) {
        size_t el = strlen(E[k].ent);
        if (i + el <= n && !memcmp(s + i, E[k].ent, el)) {
          buf_putc(out, E[k].c);
          i += el;
          hit = true;
        }
      }
    }
    if (!hit) buf_putc(out, s[i++]);
  }
}

int mail_render(const tmpl_set *ts, const char *name, const tval *ctx, arena *a,
                const char **subject, const char **body, char *err, size_t errlen) {
  buf raw, txt;
  buf_init(&raw);
  buf_init(&txt);
  int rc = -1;
  if (tmpl_render(ts, name, ctx, &raw, err, errlen) == 0) {
    unescape_into(&txt, raw.data ? raw.data : "", raw.len);
    const char *s = buf_cstr(&txt);
    const char *nl = strchr(s, '\n');
    if (strncmp(s, "Subject:", 8) != 0 || !nl) {
      snprintf(err, errlen, "%s: the first line must be \"Subject: …\"", name);
    } else {
      const char *subj = s + 8;
      while (*subj == ' ' || *subj == '\t') subj++;
      size_t sn = (size_t)(nl - subj);
      while (sn && (subj[sn - 1] == '\r' || subj[sn - 1] == ' ')) sn--;
      const char *b = nl + 1;
      if (*b == '\r') b++;
      if (*b != '\n') {
        snprintf(err, errlen, "%s: an empty line must follow the Subject line", name);
      } else {
        *subject = arena_strndup(a, subj, sn);
        *body = arena_strdup(a, b + 1);
        rc = 0;
      }
    }
  }
  buf_free(&raw);
  buf_free(&txt);
  return rc;
}
