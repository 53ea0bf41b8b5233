-- 0009_uploads.sql — uploaded files (IPA item 13; src/upload.c). The bytes
-- live outside the web root in DIR/uploads/YYYY/MM/<random>.<ext>;
-- stored_path is relative to DIR. original_name is the client's name,
-- cleaned, for display only. mime is the type detected from the content.
-- owner_kind/owner_id name the record the file belongs to ('member' →
-- members.id); owner_id stays NULL while the file waits in a sign-up draft.
CREATE TABLE uploads (
  id            INTEGER PRIMARY KEY,
  stored_path   TEXT NOT NULL UNIQUE,
  original_name TEXT NOT NULL,
  mime          TEXT NOT NULL,
  size          INTEGER NOT NULL,
  sha256        TEXT NOT NULL,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  owner_kind    TEXT NOT NULL,
  owner_id      INTEGER,
  field         TEXT NOT NULL DEFAULT ''   -- which form field (e.g. ref_file_1)
);
CREATE INDEX uploads_owner ON uploads(owner_kind, owner_id);

-- Files attached to a sign-up that was sent back with errors: kept on the
-- server (a browser cannot re-send a file input) until the sign-up
-- completes (the uploads get owner_id) or the draft expires.
CREATE TABLE signup_draft_uploads (
  draft_hash TEXT NOT NULL REFERENCES signup_drafts(id_hash) ON DELETE CASCADE,
  field      TEXT NOT NULL,
  upload_id  INTEGER NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
  PRIMARY KEY (draft_hash, field)
);
