/* html.c — context-specific output escapers (see html.h).
 *
 * Every escaper walks its input once, copying runs of safe bytes with a
 * single buf_append and emitting a replacement only where needed, so the
 * cost is linear with no per-character allocation. Multibyte UTF-8 is
 * validated strictly while walking; an invalid sequence is replaced by
 * U+FFFD so a browser never sees bytes it could decode differently. */
#include "html.h"

#include <string.h>

/* U+FFFD REPLACEMENT CHARACTER, UTF-8 encoded. */
static const char REPL[] = "\xEF\xBF\xBD";
#define REPL_LEN 3

/* Length of the UTF-8 sequence starting at s (n > 0 bytes available).
 * Sets *ok when it is a well-formed character (ASCII included). When it is
 * not, the returned length is the "maximal subpart" (WHATWG / Unicode
 * practice): the bytes that started a plausible sequence, at least 1, and
 * they are replaced by a single U+FFFD. The per-lead-byte bounds on the
 * second byte reject overlongs (E0, F0), surrogates (ED) and > U+10FFFF
 * (F4); C0, C1 and F5..FF can never start a sequence. */
static size_t utf8_scan(const unsigned char *s, size_t n, bool *ok) {
  unsigned c = s[0];
  unsigned lo = 0x80, hi = 0xBF;
  size_t need;
  *ok = false;
  if (c < 0x80) {
    *ok = true;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 1;
  }
  for (size_t i = 1; i <= need; i++) {
    if (i >= n || s[i] < lo || s[i] > hi) return i;
    lo = 0x80, hi = 0xBF;
  }
  *ok = true;
  return need + 1;
}

bool utf8_valid(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    bool ok;
    i += utf8_scan(p + i, n - i, &ok);
    if (!ok) return false;
  }
  return true;
}

/* Per-escaper rule for one ASCII byte: returns 0 to keep it, otherwise
 * writes its replacement (at most 8 bytes) into rep and returns the length. */
typedef size_t (*ascii_fn)(unsigned char c, char rep[8]);
/* Writes a valid multibyte character (or U+FFFD) when not kept as-is. */
typedef void (*mb_fn)(buf *out, const char *s, size_t n);

/* Shared driver: copies runs of kept bytes with one buf_append each, asks
 * `fn` about every ASCII byte, keeps valid multibyte characters (or hands
 * them to `mb` when non-NULL, for percent-encoding) and replaces invalid
 * sequences with U+FFFD. */
static void escape_with(buf *out, const char *s, size_t n, ascii_fn fn,
                        mb_fn mb) {
  const unsigned char *p = (const unsigned char *)s;
  size_t run = 0, i = 0;
  while (i < n) {
    if (p[i] < 0x80) {
      char rep[8];
      size_t rn = fn(p[i], rep);
      if (rn == 0) {
        i++;
        continue;
      }
      if (i > run) buf_append(out, s + run, i - run);
      buf_append(out, rep, rn);
      run = ++i;
      continue;
    }
    bool ok;
    size_t len = utf8_scan(p + i, n - i, &ok);
    if (ok && !mb) {
      i += len;
      continue;
    }
    if (i > run) buf_append(out, s + run, i - run);
    const char *q = ok ? s + i : REPL;
    size_t qn = ok ? len : REPL_LEN;
    if (mb)
      mb(out, q, qn);
    else
      buf_append(out, q, qn);
    i += len;
    run = i;
  }
  if (n > run) buf_append(out, s + run, n - run);
}

static size_t put_rep(char rep[8], const char *s) {
  size_t n = strlen(s);
  memcpy(rep, s, n);
  return n;
}

static size_t text_byte(unsigned char c, char rep[8]) {
  switch (c) {
    case '&': return put_rep(rep, "&amp;");
    case '<': return put_rep(rep, "&lt;");
    case '>': return put_rep(rep, "&gt;");
    case '"': return put_rep(rep, "&quot;");
    case '\'': return put_rep(rep, "&#39;");
    case 0: return put_rep(rep, REPL); /* NUL is never valid in HTML text */
    default: return 0;
  }
}

void html_escape(buf *out, const char *s, size_t n) {
  escape_with(out, s, n, text_byte, NULL);
}

static bool is_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z');
}

static const char HEX[] = "0123456789ABCDEF";

static size_t attr_byte(unsigned char c, char rep[8]) {
  if (is_alnum(c) || c == ',' || c == '.' || c == '-' || c == '_') return 0;
  memcpy(rep, "&#x", 3);
  rep[3] = HEX[c >> 4];
  rep[4] = HEX[c & 15];
  rep[5] = ';';
  return 6;
}

void html_escape_attr(buf *out, const char *s, size_t n) {
  escape_with(out, s, n, attr_byte, NULL);
}

static size_t pct(unsigned char c, char rep[8]) {
  rep[0] = '%';
  rep[1] = HEX[c >> 4];
  rep[2] = HEX[c & 15];
  return 3;
}

static size_t url_byte(unsigned char c, char rep[8]) {
  if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') return 0;
  return pct(c, rep);
}

/* Multibyte characters (and U+FFFD) are percent-encoded byte by byte. */
static void url_mb(buf *out, const char *s, size_t n) {
  char rep[8];
  for (size_t i = 0; i < n; i++)
    buf_append(out, rep, pct((unsigned char)s[i], rep));
}

void url_encode(buf *out, const char *s, size_t n) {
  escape_with(out, s, n, url_byte, url_mb);
}

/* Case-insensitive compare of s[0..n) with lower-case ASCII word w. */
static bool ieq(const char *s, size_t n, const char *w) {
  if (strlen(w) != n) return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (c != w[i]) return false;
  }
  return true;
}

static bool is_slash(char c) { return c == '/' || c == '\\'; }

/* Decides whether a URL may be put into href/src. Browsers strip tabs and
 * newlines anywhere in a URL and leading/trailing C0 controls, so any
 * control character makes the URL unsafe ("java\tscript:"). Backslash is
 * treated as a slash by browsers, so "\\host" and "/\host" are
 * protocol-relative. A ':' before the first / \ ? # means a scheme, which
 * must be on the allow-list; otherwise the URL is relative. Entities need
 * no decoding here: the output is HTML-escaped, so "&#58;" stays literal. */
static bool href_safe(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7F) return false;
  }
  if (n >= 2 && is_slash(s[0]) && is_slash(s[1])) return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '/' || c == '\\' || c == '?' || c == '#') return true;
    if (c == ':')
      return ieq(s, i, "http") || ieq(s, i, "https") ||
             ieq(s, i, "mailto") || ieq(s, i, "tel");
  }
  return true;
}

void html_escape_href(buf *out, const char *s, size_t n) {
  while (n > 0 && s[0] == ' ') s++, n--;
  while (n > 0 && s[n - 1] == ' ') n--;
  if (!href_safe(s, n)) {
    buf_putc(out, '#');
    return;
  }
  html_escape(out, s, n);
}
