-- 0013 (issue 6, C8 + Y7): staff-edited texts of the automatic mails with
-- their change history, and the audit-log archive (retention).

-- One row per mail whose text staff changed (templates/mail/NAME.txt is
-- the shipped default; no row = the default is used). subject and body
-- use the template syntax of src/tmpl.h.
CREATE TABLE mail_texts (
  name        TEXT PRIMARY KEY,          -- "member_verify" (file name without .txt)
  subject     TEXT NOT NULL,
  body        TEXT NOT NULL,
  updated_by  TEXT NOT NULL,
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);

-- Every change: who made it, when, and the text in force before it
-- (was_default = 1: the previous text was the shipped file).
CREATE TABLE mail_text_history (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  action      TEXT NOT NULL CHECK (action IN ('edit','restore','reset')),
  prev_subject TEXT NOT NULL,
  prev_body   TEXT NOT NULL,
  was_default INTEGER NOT NULL DEFAULT 0,
  changed_by  TEXT NOT NULL,
  changed_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX mail_text_history_name ON mail_text_history(name, id DESC);

-- Audit archive (src/audit_archive.c): rows older than the retention are
-- moved to DIR/audit-archive/ files. This row records where the archived
-- part of the chain ends, so the rows left in audit_log verify from there.
CREATE TABLE audit_archive_state (
  one        INTEGER PRIMARY KEY CHECK (one = 1),
  last_id    INTEGER NOT NULL,           -- newest archived row id (0: none)
  last_hash  TEXT NOT NULL,              -- its hash ('' : none)
  count      INTEGER NOT NULL,           -- rows archived in total
  file       TEXT NOT NULL DEFAULT '',   -- newest archive file name
  file_hash  TEXT NOT NULL DEFAULT ''    -- SHA-256 of that file's bytes
);
INSERT INTO audit_archive_state(one, last_id, last_hash, count) VALUES (1, 0, '', 0);

-- The archiving marker: exists only inside the archiving transaction.
CREATE TABLE audit_archiving (one INTEGER PRIMARY KEY CHECK (one = 1));

-- Audit rows may be deleted only while the marker exists and only up to
-- the archived head; everything else stays append-only.
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM audit_archiving)
  OR OLD.id > (SELECT last_id FROM audit_archive_state WHERE one = 1)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TRIGGER audit_archive_state_guard BEFORE UPDATE ON audit_archive_state
WHEN NOT EXISTS (SELECT 1 FROM audit_archiving)
BEGIN SELECT RAISE(ABORT, 'audit_archive_state changes only while archiving'); END;
CREATE TRIGGER audit_archive_state_no_delete BEFORE DELETE ON audit_archive_state
BEGIN SELECT RAISE(ABORT, 'audit_archive_state cannot be deleted'); END;

-- Filters of the audit viewer (/admin/audit/).
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log(at);
