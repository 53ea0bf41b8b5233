-- 0002_outbox.sql — the mail outbox (DESIGN principle 6 "Nothing lost").
-- Every mail is a row, inserted in the same transaction as the change that
-- caused it; the delivery worker inside `civicnet serve` sends it over SMTP
-- and records the outcome here. Times are Unix seconds (UTC).
--
-- state: queued  → waiting for its next attempt (next_attempt_at)
--        sending → claimed by the worker; back to queued at start-up if the
--                  server died mid-send
--        sent    → the SMTP server accepted the message (sent_at)
--        failed  → permanent rejection, or too many failed attempts
--                  (last_error says why); kept for staff to inspect
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  created_at      INTEGER NOT NULL,
  -- event + recipient, chosen by the caller ("verify:member:42:<addr-hash>"):
  -- the same event never mails the same person twice.
  idem_key        TEXT NOT NULL UNIQUE,
  to_addr         TEXT NOT NULL,
  from_addr       TEXT NOT NULL,
  from_name       TEXT NOT NULL DEFAULT '',
  -- envelope-only recipients (comma-separated); never written as a header
  bcc             TEXT NOT NULL DEFAULT '',
  subject         TEXT NOT NULL,
  body            TEXT NOT NULL,
  -- validated "Name: value" lines (List-Unsubscribe …), LF-separated
  headers_extra   TEXT NOT NULL DEFAULT '',
  state           TEXT NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued','sending','sent','failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT NOT NULL DEFAULT '',
  sent_at         INTEGER,
  -- "<random@domain>", fixed at enqueue so a re-sent copy carries the same id
  message_id      TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
