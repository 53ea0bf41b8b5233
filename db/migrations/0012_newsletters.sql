-- 0012_newsletters.sql — newsletters (issue 6, REQUIREMENTS C6/A10):
-- Supernet's 「さぽ～とメール」 (list 'supernet') and Aika's 「メルマガ」
-- (list 'aika'). Back numbers go draft → review → published; publishing
-- starts a send that src/newsletter_send.c feeds into the outbox in small,
-- throttled batches. One newsletter_deliveries row per (newsletter,
-- subscriber), written in the same transaction as its outbox row, makes a
-- send resumable after a crash and never enqueues a recipient twice.

-- Back numbers. body is what staff write (Markdown); it is the text part of
-- every mail as written. With send_html the Markdown is also rendered
-- (src/markdown.c, sanitised) as an HTML alternative part. The public
-- back-number pages show published rows only.
CREATE TABLE newsletters (
  id              INTEGER PRIMARY KEY,
  list            TEXT NOT NULL CHECK (list IN ('supernet','aika')),
  subject         TEXT NOT NULL,
  body            TEXT NOT NULL,
  send_html       INTEGER NOT NULL DEFAULT 0 CHECK (send_html IN (0,1)),
  status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','review','published')),
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  created_by      TEXT NOT NULL DEFAULT '',
  updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  updated_by      TEXT NOT NULL DEFAULT '',
  published_at    TEXT,
  published_by    TEXT NOT NULL DEFAULT '',
  -- the send: '' not started, 'sending' being fed to the outbox, 'done'
  -- every recipient has a delivery row (the outbox may still be sending)
  send_state      TEXT NOT NULL DEFAULT '' CHECK (send_state IN ('','sending','done')),
  send_started_at INTEGER,
  send_done_at    INTEGER,
  -- active subscribers when it was published (shown on the confirmation)
  recipients      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX newsletters_list ON newsletters(list, status, published_at);
CREATE INDEX newsletters_sending ON newsletters(send_state);

-- One row per recipient of a send: the outbox row its mail is. rejected is
-- set when that mail was permanently refused (SMTP 5xx), so a retried
-- mail that is refused again is counted once.
CREATE TABLE newsletter_deliveries (
  newsletter_id   INTEGER NOT NULL REFERENCES newsletters(id) ON DELETE CASCADE,
  subscriber_id   INTEGER NOT NULL,
  outbox_id       INTEGER NOT NULL,
  rejected        INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  PRIMARY KEY (newsletter_id, subscriber_id)
);
CREATE INDEX newsletter_deliveries_outbox ON newsletter_deliveries(outbox_id);

-- Subscribers: permanent rejections in a row (3 → stopped with reason
-- 「配信不能（恒久的なエラーが3回）」), and how the address came in.
ALTER TABLE newsletter_subscribers ADD COLUMN bounce_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE newsletter_subscribers ADD COLUMN source TEXT NOT NULL DEFAULT 'form';
CREATE INDEX newsletter_subscribers_list ON newsletter_subscribers(list, status, id);

-- Outbox: priority (0 transactional mail first, 1 newsletters), so a
-- sign-up verification never waits behind a newsletter; the subscriber a
-- newsletter mail goes to (auto-stop counts its permanent rejections); the
-- optional HTML alternative part.
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN subscriber_id INTEGER;
ALTER TABLE outbox ADD COLUMN body_html TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_due_priority ON outbox(state, priority, next_attempt_at);

-- Published back numbers are public pages: the page cache follows them.
CREATE TRIGGER cgen_newsletters_ins AFTER INSERT ON newsletters BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_newsletters_upd AFTER UPDATE OF list, subject, body, send_html, status, published_at ON newsletters
BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_newsletters_del AFTER DELETE ON newsletters BEGIN UPDATE content_generation SET gen = gen + 1; END;
