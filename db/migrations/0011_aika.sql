-- 0011_aika.sql — Aika in full (issue 5; REQUIREMENTS A1–A11, M1–M3;
-- 別紙2, 別紙4). Same conventions as 0010_supernet.sql: multi choices are
-- '\n'-joined master values, non-public personal data in *_enc columns
-- (pii.c), files are uploads.id.
--
-- Public vs non-public (別紙4 marks, and 別紙2 §6 / A11: only the centre
-- sees contact details and other registered information): every address,
-- phone, FAX, e-mail, postal code and the 担当者 items are *_enc for every
-- kind; the public profile is the organisation's name and description,
-- the individual's occupation/skills/sales point, and the volunteer
-- preferences (areas, fields, weekdays, time band, pro-bono details).

-- Members: 別紙4 items 19–42 (詳細登録画面) -------------------------------
ALTER TABLE members ADD COLUMN postal_enc TEXT NOT NULL DEFAULT '';          -- 19 郵便番号
ALTER TABLE members ADD COLUMN address_enc TEXT NOT NULL DEFAULT '';         -- 20 住所
ALTER TABLE members ADD COLUMN fax_enc TEXT NOT NULL DEFAULT '';             -- 21 FAX
ALTER TABLE members ADD COLUMN url_1 TEXT NOT NULL DEFAULT '';               -- 22 URL ×3
ALTER TABLE members ADD COLUMN url_1_desc TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN url_2 TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN url_2_desc TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN url_3 TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN url_3_desc TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN occupation TEXT NOT NULL DEFAULT '';          -- 23 職業 (individual)
ALTER TABLE members ADD COLUMN qualifications TEXT NOT NULL DEFAULT '';      -- 24 資格 (individual)
ALTER TABLE members ADD COLUMN sales_point TEXT NOT NULL DEFAULT '';         -- 25 セールスポイント
ALTER TABLE members ADD COLUMN members_count TEXT NOT NULL DEFAULT '';       -- 26 会員数／社員数
ALTER TABLE members ADD COLUMN founded_on TEXT NOT NULL DEFAULT '';          -- 27 設立年月日
ALTER TABLE members ADD COLUMN founding_purpose TEXT NOT NULL DEFAULT '';    -- 28 設立目的
ALTER TABLE members ADD COLUMN main_activities TEXT NOT NULL DEFAULT '';     -- 29 主な活動内容／事業概要
ALTER TABLE members ADD COLUMN dept_enc TEXT NOT NULL DEFAULT '';            -- 30 担当部署名 (非公開)
ALTER TABLE members ADD COLUMN contact_name_enc TEXT NOT NULL DEFAULT '';    -- 31 担当者名 (非公開)
ALTER TABLE members ADD COLUMN contact_title_enc TEXT NOT NULL DEFAULT '';   -- 32 役職名 (非公開)
ALTER TABLE members ADD COLUMN volunteer_record TEXT NOT NULL DEFAULT '';    -- 33 ボランティア実績 (company)
ALTER TABLE members ADD COLUMN activity_areas TEXT NOT NULL DEFAULT '';      -- 34 活動可能地域 (multi, 19 市町)
ALTER TABLE members ADD COLUMN fields TEXT NOT NULL DEFAULT '';              -- 35 活動希望分野 (multi, aika_field)
ALTER TABLE members ADD COLUMN weekdays TEXT NOT NULL DEFAULT '';            -- 36 活動可能曜日 (multi, weekday)
ALTER TABLE members ADD COLUMN time_band TEXT NOT NULL DEFAULT '';           -- 37 活動可能時間帯
ALTER TABLE members ADD COLUMN probono_fields TEXT NOT NULL DEFAULT '';      -- 39 一芸・プロボノ 分野 (multi)
ALTER TABLE members ADD COLUMN probono_content TEXT NOT NULL DEFAULT '';     -- 40 内容や対象
ALTER TABLE members ADD COLUMN probono_prep TEXT NOT NULL DEFAULT '';        -- 41 準備するもの・経費
ALTER TABLE members ADD COLUMN newsletter_opt_in INTEGER NOT NULL DEFAULT 0; -- 42 メルマガ配信を希望する (非公開)
ALTER TABLE members ADD COLUMN details_completed_at TEXT;                   -- 詳細登録を終えた日時
-- centre's workflow
ALTER TABLE members ADD COLUMN mail_stopped INTEGER NOT NULL DEFAULT 0;      -- メール停止 (bounces)
ALTER TABLE members ADD COLUMN mail_stop_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN review_note TEXT NOT NULL DEFAULT '';         -- NG: note for the phone follow-up
ALTER TABLE members ADD COLUMN updated_at TEXT;
CREATE INDEX members_kind ON members(status, kind, published_at DESC);

-- Recruitments (ボランティア募集, A2) --------------------------------------
ALTER TABLE recruitments ADD COLUMN fields TEXT NOT NULL DEFAULT '';         -- 分野 (multi, aika_field)
ALTER TABLE recruitments ADD COLUMN areas TEXT NOT NULL DEFAULT '';          -- 活動地域 (multi, 19 市町)
ALTER TABLE recruitments ADD COLUMN weekdays TEXT NOT NULL DEFAULT '';       -- 活動曜日 (multi, weekday)
ALTER TABLE recruitments ADD COLUMN time_text TEXT NOT NULL DEFAULT '';      -- 時間
ALTER TABLE recruitments ADD COLUMN place TEXT NOT NULL DEFAULT '';          -- 場所
ALTER TABLE recruitments ADD COLUMN organiser_contact TEXT NOT NULL DEFAULT ''; -- 主催者の連絡先 (public)
ALTER TABLE recruitments ADD COLUMN organiser_url TEXT NOT NULL DEFAULT '';
ALTER TABLE recruitments ADD COLUMN headcount TEXT NOT NULL DEFAULT '';      -- 募集人数
ALTER TABLE recruitments ADD COLUMN belongings TEXT NOT NULL DEFAULT '';     -- 服装・持ち物
ALTER TABLE recruitments ADD COLUMN apply_from TEXT NOT NULL DEFAULT '';     -- 募集期間
ALTER TABLE recruitments ADD COLUMN apply_until TEXT NOT NULL DEFAULT '';
ALTER TABLE recruitments ADD COLUMN notes TEXT NOT NULL DEFAULT '';          -- 備考
ALTER TABLE recruitments ADD COLUMN file_1 INTEGER REFERENCES uploads(id) ON DELETE SET NULL;
ALTER TABLE recruitments ADD COLUMN file_2 INTEGER REFERENCES uploads(id) ON DELETE SET NULL;
ALTER TABLE recruitments ADD COLUMN updated_at TEXT;
UPDATE recruitments SET areas = area WHERE area <> '' AND areas = '';
CREATE INDEX recruitments_member ON recruitments(member_id, status);
CREATE INDEX recruitments_period ON recruitments(status, apply_until, ends_on);

-- Applications and inquiries (A8, A9): stored, never listed in staff
-- screens (spec: 管理画面からは閲覧できない); exported for audit by admins
-- only. One 'apply' per member and recruitment (re-posting is idempotent).
CREATE TABLE applications (
  id             INTEGER PRIMARY KEY,
  recruitment_id INTEGER NOT NULL REFERENCES recruitments(id) ON DELETE CASCADE,
  member_id      INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  kind           TEXT NOT NULL CHECK (kind IN ('apply','inquiry')),
  via            TEXT NOT NULL CHECK (via IN ('mail','web')),
  message_enc    TEXT NOT NULL DEFAULT '',
  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE UNIQUE INDEX applications_once ON applications(recruitment_id, member_id) WHERE kind = 'apply';
CREATE INDEX applications_member ON applications(member_id);

-- A logged-in group's inquiry to a member (A9), stored likewise.
CREATE TABLE member_inquiries (
  id             INTEGER PRIMARY KEY,
  from_member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  to_member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  message_enc    TEXT NOT NULL,
  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);

-- Matching mail (M1–M3): one row per (event, recipient member) written in
-- the publishing transaction before the mail is enqueued, so a recipient
-- gets at most one mail per event even if publishing is repeated.
-- event: 'member:<id>' (M1, member published) or 'recruitment:<id>' (M2).
CREATE TABLE match_mail_log (
  event      TEXT NOT NULL,
  member_id  INTEGER NOT NULL,
  role       TEXT NOT NULL,                 -- which mail: volunteer, group_list, group_new_member …
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  PRIMARY KEY (event, member_id, role)
);
-- SQLite reuses the highest rowid after a delete: a new record with the
-- id of a deleted one must not look "already mailed". Deleting a record
-- removes its event's log rows (and a deleted member's rows as recipient).
CREATE TRIGGER match_log_recruitment_del AFTER DELETE ON recruitments
BEGIN DELETE FROM match_mail_log WHERE event = 'recruitment:' || old.id; END;
CREATE TRIGGER match_log_member_del AFTER DELETE ON members
BEGIN DELETE FROM match_mail_log WHERE event = 'member:' || old.id OR member_id = old.id; END;

-- Interview reports (取材報告, A4) ------------------------------------------
CREATE TABLE interviews (
  id           INTEGER PRIMARY KEY,
  title        TEXT NOT NULL,
  subject      TEXT NOT NULL DEFAULT '',    -- 取材先
  held_on      TEXT NOT NULL DEFAULT '',
  body         TEXT NOT NULL DEFAULT '',    -- Markdown
  photo_1      INTEGER REFERENCES uploads(id) ON DELETE SET NULL,
  photo_2      INTEGER REFERENCES uploads(id) ON DELETE SET NULL,
  photo_3      INTEGER REFERENCES uploads(id) ON DELETE SET NULL,
  status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','review','published')),
  published_at TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  updated_at   TEXT
);
CREATE INDEX interviews_list ON interviews(status, published_at DESC);

-- Downloadable forms (登録用紙ダウンロード, A4): files managed in admin.
CREATE TABLE downloads (
  id           INTEGER PRIMARY KEY,
  site         TEXT NOT NULL DEFAULT 'aika' CHECK (site IN ('supernet','aika')),
  title        TEXT NOT NULL,
  description  TEXT NOT NULL DEFAULT '',
  file_1       INTEGER REFERENCES uploads(id) ON DELETE SET NULL,
  sort         INTEGER NOT NULL DEFAULT 0,
  status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','review','published')),
  published_at TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  updated_at   TEXT
);

-- Newsletter subscribers (A10; sending is issue 6): double opt-in.
-- status: pending (confirmation mailed) → active; stopped by the
-- subscriber (one-click unsubscribe, RFC 8058), by staff (メール停止) or
-- after repeated permanent SMTP rejections (stop_reason says which).
CREATE TABLE newsletter_subscribers (
  id           INTEGER PRIMARY KEY,
  list         TEXT NOT NULL CHECK (list IN ('supernet','aika')),
  email_enc    TEXT NOT NULL,
  email_index  TEXT NOT NULL,                -- blind index (pii_blind_index, lower-cased)
  status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','active','stopped')),
  stop_reason  TEXT NOT NULL DEFAULT '',
  token_hash   TEXT,                         -- confirmation token (SHA-256), single use
  token_expires INTEGER,
  unsub_key    TEXT NOT NULL,                -- random, for the per-recipient unsubscribe link
  member_id    INTEGER REFERENCES members(id) ON DELETE SET NULL,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  confirmed_at TEXT,
  stopped_at   TEXT,
  UNIQUE (list, email_index)
);
CREATE UNIQUE INDEX newsletter_unsub ON newsletter_subscribers(unsub_key);

CREATE TRIGGER cgen_interviews_ins AFTER INSERT ON interviews BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_interviews_upd AFTER UPDATE ON interviews BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_interviews_del AFTER DELETE ON interviews BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_downloads_ins AFTER INSERT ON downloads BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_downloads_upd AFTER UPDATE ON downloads BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_downloads_del AFTER DELETE ON downloads BEGIN UPDATE content_generation SET gen = gen + 1; END;

-- Search: members' public profile text; recruitments' new text; interviews (10).
DROP TRIGGER search_members_upd;
CREATE TRIGGER search_members_upd AFTER UPDATE OF id, display_name, area, municipality, status, org_name, sales_point, main_activities, occupation, qualifications, probono_content ON members
WHEN old.status = 'published' OR new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 6), (new.id * 16 + 6); END;
DROP TRIGGER search_recruitments_upd;
CREATE TRIGGER search_recruitments_upd AFTER UPDATE OF id, title, organiser, area, areas, summary, place, notes, status ON recruitments
WHEN old.status = 'published' OR new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 5), (new.id * 16 + 5); END;
CREATE TRIGGER search_interviews_ins AFTER INSERT ON interviews WHEN new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (new.id * 16 + 10); END;
CREATE TRIGGER search_interviews_upd AFTER UPDATE OF id, title, subject, body, status ON interviews
WHEN old.status = 'published' OR new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 10), (new.id * 16 + 10); END;
CREATE TRIGGER search_interviews_del AFTER DELETE ON interviews WHEN old.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 10); END;
