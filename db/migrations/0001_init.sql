-- 0001_init.sql — the foundation schema: accounts and sessions, settings
-- (emergency notices, free blocks), the audit log, and the first content
-- tables the two top pages show. Later issues extend these tables with
-- further numbered migrations; never edit a migration that has shipped.

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  login         TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL DEFAULT '',
  role          TEXT NOT NULL CHECK (role IN ('member','editor','admin')),
  pw_hash       TEXT NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  last_login_at TEXT
);

-- Session rows are keyed by SHA-256 of the cookie value, so a copy of the
-- database does not hand out live sessions.
CREATE TABLE sessions (
  id_hash     TEXT PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Per-site settings edited by staff: emergency notice, free block …
CREATE TABLE settings (
  site   TEXT NOT NULL CHECK (site IN ('supernet','aika','global')),
  key    TEXT NOT NULL,
  value  TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  PRIMARY KEY (site, key)
);

-- Append-only, hash-chained audit log (REQUIREMENTS Y7).
CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  target     TEXT NOT NULL DEFAULT '',
  detail     TEXT NOT NULL DEFAULT '',
  ip         TEXT NOT NULL DEFAULT '',
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- お知らせ / センターからのお知らせ (Supernet) and お知らせ (Aika).
CREATE TABLE news (
  id           INTEGER PRIMARY KEY,
  site         TEXT NOT NULL CHECK (site IN ('supernet','aika')),
  category     TEXT NOT NULL DEFAULT 'news' CHECK (category IN ('news','centre')),
  title        TEXT NOT NULL,
  body         TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','review','published')),
  published_at TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX news_list ON news(site, category, status, published_at DESC);

-- Groups, NPOs and companies (Supernet S2). Issue-level migrations add the
-- full 別紙3 field set.
CREATE TABLE groups (
  id           INTEGER PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('citizen','npo','company')),
  name         TEXT NOT NULL,
  kana         TEXT NOT NULL DEFAULT '',
  activity     TEXT NOT NULL DEFAULT 'active' CHECK (activity IN ('active','dissolved','withdrawn')),
  purpose      TEXT NOT NULL DEFAULT '',
  municipality TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','review','published')),
  published_at TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX groups_list ON groups(status, published_at DESC);

-- Events and recruitments (イベント・募集, Supernet S5).
CREATE TABLE events (
  id           INTEGER PRIMARY KEY,
  title        TEXT NOT NULL,
  organiser    TEXT NOT NULL DEFAULT '',
  starts_on    TEXT,
  ends_on      TEXT,
  place        TEXT NOT NULL DEFAULT '',
  summary      TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','review','published')),
  published_at TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX events_list ON events(status, published_at DESC);

-- Grants (助成, Supernet S7).
CREATE TABLE grants (
  id           INTEGER PRIMARY KEY,
  title        TEXT NOT NULL,
  funder       TEXT NOT NULL DEFAULT '',
  amount       TEXT NOT NULL DEFAULT '',
  deadline     TEXT,
  summary      TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','review','published')),
  published_at TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX grants_list ON grants(status, published_at DESC);

-- Aika members (individual / group / company); the full 別紙4 item list
-- arrives with the Aika issue.
CREATE TABLE members (
  id           INTEGER PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('individual','group','company')),
  display_name TEXT NOT NULL,
  area         TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','review','published','paused','withdrawn')),
  published_at TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX members_list ON members(status, published_at DESC);

-- Aika volunteer recruitments (ボランティア募集).
CREATE TABLE recruitments (
  id           INTEGER PRIMARY KEY,
  member_id    INTEGER REFERENCES members(id) ON DELETE SET NULL,
  title        TEXT NOT NULL,
  organiser    TEXT NOT NULL DEFAULT '',
  area         TEXT NOT NULL DEFAULT '',
  starts_on    TEXT,
  ends_on      TEXT,
  anytime      INTEGER NOT NULL DEFAULT 0,
  summary      TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','review','published')),
  published_at TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX recruitments_list ON recruitments(status, published_at DESC);

-- Banners under each top page.
CREATE TABLE banners (
  id     INTEGER PRIMARY KEY,
  site   TEXT NOT NULL CHECK (site IN ('supernet','aika')),
  label  TEXT NOT NULL,
  url    TEXT NOT NULL,
  sort   INTEGER NOT NULL DEFAULT 0
);

-- The newest audit hash and row count, updated with each append, so that
-- cutting rows off the end of the chain is detected too.
CREATE TABLE audit_head (
  one   INTEGER PRIMARY KEY CHECK (one = 1),
  hash  TEXT NOT NULL,
  count INTEGER NOT NULL
);
INSERT INTO audit_head(one, hash, count) VALUES (1, '', 0);
