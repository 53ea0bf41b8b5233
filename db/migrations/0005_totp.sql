-- 0005_totp.sql — the staff second factor (TOTP, RFC 6238; C1, DESIGN
-- "Security model"). The secret is stored encrypted with the personal-data
-- key (pii_encrypt, column "totp_secret"); it is set when an account starts
-- the set-up and totp_enabled becomes 1 only after a code confirmed it.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0;

-- The last time step whose code was accepted, per account: a code is
-- never accepted twice (RFC 6238 §5.2), nor one older than the last.
CREATE TABLE totp_used (
  user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  last_step  INTEGER NOT NULL
);

-- A sign-in waiting for its second factor: the password was right, the
-- code is still to come. Keyed by SHA-256 of a random cookie value, valid
-- for 5 minutes, deleted when used; a session exists only after the code.
CREATE TABLE login_pending (
  id_hash     TEXT PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  next        TEXT NOT NULL DEFAULT '/admin/'
);
