-- 0004_member_accounts.sql — Aika member accounts (A5, A6, Y2–Y5, Y8).
-- A member signs in through a users row with role 'member' (sessions keep
-- referring to users); members.user_id links the two. Personal data
-- columns (*_enc) hold pii_encrypt() output ("v1:…", AES-256-GCM);
-- email_index is the HMAC-SHA256 blind index of the lower-cased address
-- and enforces one account per address.
--
-- members.status gains 'unverified' (signed up, e-mail not yet confirmed).
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt.
-- recruitments.member_id (ON DELETE SET NULL) is saved first and restored
-- afterwards, because dropping the old table runs that action.
CREATE TABLE member_recruitment_links AS SELECT id, member_id FROM recruitments WHERE member_id IS NOT NULL;

CREATE TABLE members_new (
  id           INTEGER PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('individual','group','company')),
  display_name TEXT NOT NULL,
  area         TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL DEFAULT 'draft'
               CHECK (status IN ('unverified','draft','review','published','paused','withdrawn')),
  published_at TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  -- sign-in account (NULL for members imported or created by staff)
  user_id      INTEGER UNIQUE REFERENCES users(id) ON DELETE SET NULL,
  -- 別紙4 items 3–18 (sign-up form)
  person_name_enc  TEXT NOT NULL DEFAULT '',   -- 3 氏名 (individual, non-public)
  person_kana_enc  TEXT NOT NULL DEFAULT '',   -- 4 ふりがな (individual, non-public)
  org_type     TEXT NOT NULL DEFAULT '',       -- 5 団体の分類／企業の分類
  org_name     TEXT NOT NULL DEFAULT '',       -- 6 団体名／企業名
  org_kana     TEXT NOT NULL DEFAULT '',       -- 7 ふりがな
  representative TEXT NOT NULL DEFAULT '',     -- 8 代表者名
  rep_title    TEXT NOT NULL DEFAULT '',       -- 9 役職名
  prefecture   TEXT NOT NULL DEFAULT '',       -- 10 都道府県
  municipality TEXT NOT NULL DEFAULT '',       -- 11 市町
  phone_enc    TEXT NOT NULL DEFAULT '',       -- 12 電話番号
  email_enc    TEXT NOT NULL DEFAULT '',       -- 13 Eメール
  email_index  TEXT UNIQUE,                    -- blind index of 13
  gender       TEXT NOT NULL DEFAULT '',       -- 14 性別
  birth_date_enc TEXT NOT NULL DEFAULT '',     -- 15 生年月日
  guardian_consent INTEGER NOT NULL DEFAULT 0, -- 8/15 未成年者の保護者の同意
  wants_recruit INTEGER NOT NULL DEFAULT 0,    -- 16 ボランティアを募集する
  wants_join   INTEGER NOT NULL DEFAULT 0,     -- 16 ボランティアに参加する
  requirements_agreed_at TEXT,                 -- 18 登録要件 (all ticked)
  terms_agreed_at TEXT,                        -- 利用規約に同意した日時
  verified_at  TEXT,                           -- e-mail confirmed
  resume_requested_at TEXT                     -- 再開依頼 while paused
);
INSERT INTO members_new (id, kind, display_name, area, status, published_at, created_at)
  SELECT id, kind, display_name, area, status, published_at, created_at FROM members;
DROP TABLE members;
ALTER TABLE members_new RENAME TO members;
CREATE INDEX members_list ON members(status, published_at DESC);
UPDATE recruitments SET member_id =
  (SELECT l.member_id FROM member_recruitment_links l WHERE l.id = recruitments.id)
  WHERE id IN (SELECT id FROM member_recruitment_links);
DROP TABLE member_recruitment_links;

-- One-time secrets mailed to members: e-mail verification (24 h), password
-- reset (30 min), e-mail change (24 h). Only the SHA-256 of the token is
-- stored; used_at makes each single-use.
CREATE TABLE member_tokens (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose     TEXT NOT NULL CHECK (purpose IN ('verify','reset','email')),
  token_hash  TEXT NOT NULL UNIQUE,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER,
  new_email_enc TEXT NOT NULL DEFAULT '',      -- purpose 'email': the address to confirm
  created_at  INTEGER NOT NULL
);
CREATE INDEX member_tokens_user ON member_tokens(user_id, purpose);

-- Sign-up in progress: the kind chosen and the consent to the terms,
-- keyed by the SHA-256 of a random cookie (cn_signup). Rows older than a
-- day are removed when a new draft is made.
CREATE TABLE signup_drafts (
  id_hash         TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('individual','group','company')),
  terms_agreed_at TEXT,
  created_at      INTEGER NOT NULL
);
