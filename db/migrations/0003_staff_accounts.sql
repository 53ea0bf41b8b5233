-- 0003_staff_accounts.sql — staff account management (C1) and sign-in
-- throttling (Y2): forced password change after an initial password, and
-- a lock after repeated failures. The throttle is keyed by the login text
-- as typed, so unknown IDs lock the same way as real ones and the lock
-- message reveals nothing about which IDs exist.
ALTER TABLE users ADD COLUMN must_change_pw INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN pw_changed_at TEXT;

CREATE TABLE login_throttle (
  login         TEXT PRIMARY KEY,
  failures      INTEGER NOT NULL DEFAULT 0,
  window_start  INTEGER NOT NULL DEFAULT 0,
  locked_until  INTEGER NOT NULL DEFAULT 0
);
