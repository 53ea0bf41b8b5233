-- 0010_supernet.sql — Supernet's content types in full (issue 4; REQUIREMENTS
-- S2–S11, C2–C5; 別紙3). Existing tables grow by ALTER TABLE ADD COLUMN so
-- their cgen_* triggers stay; new tables get theirs here. The field schema
-- (src/schema.c) declares every column below once; schema_check refuses
-- to start when one is missing.
--
-- Conventions
--  * Multiple choices (活動分野, 対象市町, 特徴) are stored as their master
--    values joined by a newline ("a\nb"); filters match a whole value with
--    instr(char(10)||col||char(10), char(10)||?||char(10)).
--  * Non-public personal data (登録担当者, submitters, contact-form
--    senders) is stored encrypted in *_enc columns (src/pii.c); the field
--    schema marks such fields .pii and names them without the suffix.
--  * Files are uploads.id values (owner_kind = the type's name).

-- Groups: 別紙3 items 1–38 ------------------------------------------------
ALTER TABLE groups ADD COLUMN org_class TEXT NOT NULL DEFAULT '';          -- 1 団体の分類／企業の分類
ALTER TABLE groups ADD COLUMN representative TEXT NOT NULL DEFAULT '';     -- 4 代表者名
ALTER TABLE groups ADD COLUMN guardian_consent INTEGER NOT NULL DEFAULT 0; -- 4 保護者の同意
ALTER TABLE groups ADD COLUMN rep_title TEXT NOT NULL DEFAULT '';          -- 5 役職名
ALTER TABLE groups ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';       -- 6 担当者名
ALTER TABLE groups ADD COLUMN contact_title TEXT NOT NULL DEFAULT '';      -- 7 担当者役職
ALTER TABLE groups ADD COLUMN fields TEXT NOT NULL DEFAULT '';             -- 8 活動分野 (multi)
ALTER TABLE groups ADD COLUMN target_area TEXT NOT NULL DEFAULT '';        -- 9 対象エリア
ALTER TABLE groups ADD COLUMN target_municipalities TEXT NOT NULL DEFAULT ''; -- 10 対象市町 (multi)
ALTER TABLE groups ADD COLUMN activities TEXT NOT NULL DEFAULT '';         -- 12 活動内容／業務内容
ALTER TABLE groups ADD COLUMN csr TEXT NOT NULL DEFAULT '';                -- 13 CSR活動
ALTER TABLE groups ADD COLUMN collaboration TEXT NOT NULL DEFAULT '';      -- 14 協働・連携実績
ALTER TABLE groups ADD COLUMN pr TEXT NOT NULL DEFAULT '';                 -- 15 アピールポイント
ALTER TABLE groups ADD COLUMN office_main TEXT NOT NULL DEFAULT '';        -- 16 主たる事務所
ALTER TABLE groups ADD COLUMN office_sub TEXT NOT NULL DEFAULT '';         -- 17 従たる事務所
ALTER TABLE groups ADD COLUMN postal TEXT NOT NULL DEFAULT '';             -- 18 郵便番号
ALTER TABLE groups ADD COLUMN prefecture TEXT NOT NULL DEFAULT '';         -- 19 都道府県
ALTER TABLE groups ADD COLUMN address TEXT NOT NULL DEFAULT '';            -- 21 住所
ALTER TABLE groups ADD COLUMN phone TEXT NOT NULL DEFAULT '';              -- 22 電話番号
ALTER TABLE groups ADD COLUMN fax TEXT NOT NULL DEFAULT '';                -- 23 FAX
ALTER TABLE groups ADD COLUMN email TEXT NOT NULL DEFAULT '';              -- 24 Eメール
ALTER TABLE groups ADD COLUMN founded_on TEXT NOT NULL DEFAULT '';         -- 25 設立年月日
ALTER TABLE groups ADD COLUMN budget TEXT NOT NULL DEFAULT '';             -- 26 前年度総決算
ALTER TABLE groups ADD COLUMN members_count TEXT NOT NULL DEFAULT '';      -- 27 会員数／従業員数
ALTER TABLE groups ADD COLUMN fee TEXT NOT NULL DEFAULT '';                -- 28 会費
ALTER TABLE groups ADD COLUMN qualification TEXT NOT NULL DEFAULT '';      -- 29 会員資格
ALTER TABLE groups ADD COLUMN activity_times TEXT NOT NULL DEFAULT '';     -- 30 活動日時
ALTER TABLE groups ADD COLUMN url_1 TEXT NOT NULL DEFAULT '';              -- 31 URL ×3 with descriptions
ALTER TABLE groups ADD COLUMN url_1_desc TEXT NOT NULL DEFAULT '';
ALTER TABLE groups ADD COLUMN url_2 TEXT NOT NULL DEFAULT '';
ALTER TABLE groups ADD COLUMN url_2_desc TEXT NOT NULL DEFAULT '';
ALTER TABLE groups ADD COLUMN url_3 TEXT NOT NULL DEFAULT '';
ALTER TABLE groups ADD COLUMN url_3_desc TEXT NOT NULL DEFAULT '';
ALTER TABLE groups ADD COLUMN file_1 INTEGER REFERENCES uploads(id) ON DELETE SET NULL; -- 32 参考ファイル ×3
ALTER TABLE groups ADD COLUMN file_2 INTEGER REFERENCES uploads(id) ON DELETE SET NULL;
ALTER TABLE groups ADD COLUMN file_3 INTEGER REFERENCES uploads(id) ON DELETE SET NULL;
ALTER TABLE groups ADD COLUMN features TEXT NOT NULL DEFAULT '';           -- 33 特徴 (multi)
ALTER TABLE groups ADD COLUMN registrant_name_enc TEXT NOT NULL DEFAULT '';  -- 34 登録担当者 (非公開)
ALTER TABLE groups ADD COLUMN registrant_title_enc TEXT NOT NULL DEFAULT ''; -- 35 役職 (非公開)
ALTER TABLE groups ADD COLUMN registrant_phone_enc TEXT NOT NULL DEFAULT ''; -- 36 電話番号 (非公開)
ALTER TABLE groups ADD COLUMN registrant_email_enc TEXT NOT NULL DEFAULT ''; -- 37 Eメール (非公開)
ALTER TABLE groups ADD COLUMN requirements_agreed INTEGER NOT NULL DEFAULT 0; -- 38 登録要件 (all ticked)
ALTER TABLE groups ADD COLUMN updated_at TEXT;
CREATE INDEX groups_kana ON groups(status, kana);
-- the public list's default order: active groups first, then 五十音
CREATE INDEX groups_public_order ON groups(status, activity <> 'active', kana, name, id);
CREATE INDEX groups_name ON groups(name);

-- Events and recruitments (S5) -------------------------------------------
ALTER TABLE events ADD COLUMN kind TEXT NOT NULL DEFAULT 'event';          -- event=イベント | recruit=募集
ALTER TABLE events ADD COLUMN group_id INTEGER REFERENCES groups(id) ON DELETE SET NULL;
ALTER TABLE events ADD COLUMN time_text TEXT NOT NULL DEFAULT '';          -- 時間
ALTER TABLE events ADD COLUMN municipality TEXT NOT NULL DEFAULT '';       -- 開催市町
ALTER TABLE events ADD COLUMN purpose TEXT NOT NULL DEFAULT '';            -- 目的
ALTER TABLE events ADD COLUMN fields TEXT NOT NULL DEFAULT '';             -- 分野 (multi)
ALTER TABLE events ADD COLUMN fee TEXT NOT NULL DEFAULT '';                -- 参加費
ALTER TABLE events ADD COLUMN target TEXT NOT NULL DEFAULT '';             -- 対象
ALTER TABLE events ADD COLUMN apply_from TEXT NOT NULL DEFAULT '';         -- 申込期間
ALTER TABLE events ADD COLUMN apply_until TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN how_to_apply TEXT NOT NULL DEFAULT '';       -- 申込方法
ALTER TABLE events ADD COLUMN contact TEXT NOT NULL DEFAULT '';            -- 問い合わせ先 (public)
ALTER TABLE events ADD COLUMN cohosts TEXT NOT NULL DEFAULT '';            -- 共催・後援
ALTER TABLE events ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN file_1 INTEGER REFERENCES uploads(id) ON DELETE SET NULL;
ALTER TABLE events ADD COLUMN file_2 INTEGER REFERENCES uploads(id) ON DELETE SET NULL;
ALTER TABLE events ADD COLUMN submitter_name_enc TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN submitter_email_enc TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN updated_at TEXT;
CREATE INDEX events_dates ON events(status, starts_on, ends_on);
CREATE INDEX events_group ON events(group_id, status, starts_on);

-- Grants (S7) ------------------------------------------------------------
ALTER TABLE grants ADD COLUMN fields TEXT NOT NULL DEFAULT '';             -- 分野 (multi)
ALTER TABLE grants ADD COLUMN area TEXT NOT NULL DEFAULT '';               -- 対象地域 (target_area master)
ALTER TABLE grants ADD COLUMN purpose TEXT NOT NULL DEFAULT '';            -- 目的
ALTER TABLE grants ADD COLUMN amount_max INTEGER;                          -- 上限額（万円）for filtering
ALTER TABLE grants ADD COLUMN eligible_projects TEXT NOT NULL DEFAULT '';  -- 対象事業
ALTER TABLE grants ADD COLUMN eligible_applicants TEXT NOT NULL DEFAULT ''; -- 対象団体
ALTER TABLE grants ADD COLUMN apply_from TEXT NOT NULL DEFAULT '';         -- 募集期間（開始）; deadline = 締切
ALTER TABLE grants ADD COLUMN how_to_apply TEXT NOT NULL DEFAULT '';
ALTER TABLE grants ADD COLUMN contact TEXT NOT NULL DEFAULT '';            -- 問い合わせ先 block
ALTER TABLE grants ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE grants ADD COLUMN updated_at TEXT;
CREATE INDEX grants_deadline ON grants(status, deadline);

-- Activity reports (活動実績・事例, S6) --------------------------------------
CREATE TABLE reports (
  id           INTEGER PRIMARY KEY,
  title        TEXT NOT NULL,
  body         TEXT NOT NULL DEFAULT '',
  group_id     INTEGER REFERENCES groups(id) ON DELETE SET NULL,
  group_name   TEXT NOT NULL DEFAULT '',
  group_kana   TEXT NOT NULL DEFAULT '',
  held_on      TEXT NOT NULL DEFAULT '',
  time_text    TEXT NOT NULL DEFAULT '',
  place        TEXT NOT NULL DEFAULT '',
  headcount    TEXT NOT NULL DEFAULT '',
  related_groups TEXT NOT NULL DEFAULT '',
  photo_1      INTEGER REFERENCES uploads(id) ON DELETE SET NULL,
  photo_2      INTEGER REFERENCES uploads(id) ON DELETE SET NULL,
  photo_3      INTEGER REFERENCES uploads(id) ON DELETE SET NULL,
  url          TEXT NOT NULL DEFAULT '',
  submitter_name_enc  TEXT NOT NULL DEFAULT '',
  submitter_email_enc TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','review','published')),
  published_at TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  updated_at   TEXT
);
CREATE INDEX reports_list ON reports(status, published_at DESC);
CREATE INDEX reports_group ON reports(group_id, status, held_on);

-- Library catalogue (蔵書, S8) ----------------------------------------------
CREATE TABLE books (
  id           INTEGER PRIMARY KEY,
  accession_no TEXT NOT NULL DEFAULT '',     -- 登録番号
  title        TEXT NOT NULL,
  title_kana   TEXT NOT NULL DEFAULT '',
  author       TEXT NOT NULL DEFAULT '',
  publisher    TEXT NOT NULL DEFAULT '',
  published_on TEXT NOT NULL DEFAULT '',     -- 発行年月 (free form: 2019, 2019-04)
  description  TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','review','published')),
  published_at TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  updated_at   TEXT
);
CREATE INDEX books_list ON books(status, title_kana);
CREATE INDEX books_accession ON books(accession_no);

-- Fixed pages (固定ページ, S11): hierarchical by parent, addressed by path
-- (/p/<path>), body in Markdown rendered by cmark and sanitised.
CREATE TABLE pages (
  id           INTEGER PRIMARY KEY,
  site         TEXT NOT NULL DEFAULT 'supernet' CHECK (site IN ('supernet','aika')),
  parent_id    INTEGER REFERENCES pages(id) ON DELETE SET NULL,
  slug         TEXT NOT NULL CHECK (slug GLOB '[a-z0-9]*' AND slug NOT GLOB '*[^a-z0-9-]*'),
  title        TEXT NOT NULL,
  body         TEXT NOT NULL DEFAULT '',
  menu_order   INTEGER NOT NULL DEFAULT 0,
  in_menu      INTEGER NOT NULL DEFAULT 0,
  status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','review','published')),
  published_at TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  updated_at   TEXT
);
CREATE UNIQUE INDEX pages_slug ON pages(site, coalesce(parent_id, 0), slug);

-- Modification requests (団体情報修正依頼 S4/C3, 募集情報修正依頼): the
-- proposed values wait here, one row per changed column, until staff
-- approve (applied in one transaction) or reject (with a reason).
CREATE TABLE change_requests (
  id           INTEGER PRIMARY KEY,
  type         TEXT NOT NULL CHECK (type IN ('group','event')),
  ref_id       INTEGER NOT NULL,
  status       TEXT NOT NULL DEFAULT 'review' CHECK (status IN ('review','approved','rejected')),
  requester_name_enc  TEXT NOT NULL DEFAULT '',
  requester_email_enc TEXT NOT NULL DEFAULT '',
  note         TEXT NOT NULL DEFAULT '',       -- requester's message
  reason       TEXT NOT NULL DEFAULT '',       -- staff's reason when rejected
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  decided_at   TEXT,
  decided_by   INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX change_requests_list ON change_requests(status, type, created_at DESC);
CREATE TABLE change_values (
  change_id INTEGER NOT NULL REFERENCES change_requests(id) ON DELETE CASCADE,
  col       TEXT NOT NULL,
  value     TEXT NOT NULL,
  PRIMARY KEY (change_id, col)
);

-- Contact form (お問い合わせ): kept as well as mailed, so nothing is lost
-- when mail is down. Personal fields encrypted.
CREATE TABLE inquiries (
  id          INTEGER PRIMARY KEY,
  site        TEXT NOT NULL DEFAULT 'supernet',
  name_enc    TEXT NOT NULL DEFAULT '',
  email_enc   TEXT NOT NULL DEFAULT '',
  phone_enc   TEXT NOT NULL DEFAULT '',
  subject     TEXT NOT NULL DEFAULT '',
  body_enc    TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);

-- Server-side drafts under a random token (stored hashed), payload
-- encrypted: target 'aika' = cross-registration (連携機能), the shared
-- fields handed from Supernet's registration to Aika's sign-up (the URL
-- carries only the token; 30 minutes, one use); target 'supernet' = a
-- Supernet form between its steps (terms consent, values before the
-- confirm screen, kept files; bound to the browser; 3 hours). See
-- src/handoff.c.
CREATE TABLE handoff_drafts (
  id_hash     TEXT PRIMARY KEY,
  target      TEXT NOT NULL CHECK (target IN ('aika','supernet')),
  payload_enc TEXT NOT NULL,                   -- pii_encrypt of a form-encoded list
  expires_at  INTEGER NOT NULL
);

-- Page cache generation (0006): every public content table bumps it.
CREATE TRIGGER cgen_reports_ins AFTER INSERT ON reports BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_reports_upd AFTER UPDATE ON reports BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_reports_del AFTER DELETE ON reports BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_books_ins AFTER INSERT ON books BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_books_upd AFTER UPDATE ON books BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_books_del AFTER DELETE ON books BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_pages_ins AFTER INSERT ON pages BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_pages_upd AFTER UPDATE ON pages BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_pages_del AFTER DELETE ON pages BEGIN UPDATE content_generation SET gen = gen + 1; END;

-- Search (0007): richer text for groups/events/grants, and the new types
-- reports (7), books (8), pages (9). The update triggers name the columns
-- the index reads (src/search.c SOURCE_SQL), so they are recreated.
DROP TRIGGER search_groups_upd;
CREATE TRIGGER search_groups_upd AFTER UPDATE OF id, name, kana, purpose, activities, pr, municipality, fields, status ON groups
WHEN old.status = 'published' OR new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 2), (new.id * 16 + 2); END;
DROP TRIGGER search_events_upd;
CREATE TRIGGER search_events_upd AFTER UPDATE OF id, title, organiser, place, summary, purpose, target, municipality, status ON events
WHEN old.status = 'published' OR new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 3), (new.id * 16 + 3); END;
DROP TRIGGER search_grants_upd;
CREATE TRIGGER search_grants_upd AFTER UPDATE OF id, title, funder, amount, summary, purpose, eligible_projects, eligible_applicants, status ON grants
WHEN old.status = 'published' OR new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 4), (new.id * 16 + 4); END;

CREATE TRIGGER search_reports_ins AFTER INSERT ON reports WHEN new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (new.id * 16 + 7); END;
CREATE TRIGGER search_reports_upd AFTER UPDATE OF id, title, body, group_name, place, status ON reports
WHEN old.status = 'published' OR new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 7), (new.id * 16 + 7); END;
CREATE TRIGGER search_reports_del AFTER DELETE ON reports WHEN old.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 7); END;
CREATE TRIGGER search_books_ins AFTER INSERT ON books WHEN new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (new.id * 16 + 8); END;
CREATE TRIGGER search_books_upd AFTER UPDATE OF id, title, title_kana, author, publisher, description, status ON books
WHEN old.status = 'published' OR new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 8), (new.id * 16 + 8); END;
CREATE TRIGGER search_books_del AFTER DELETE ON books WHEN old.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 8); END;
CREATE TRIGGER search_pages_ins AFTER INSERT ON pages WHEN new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (new.id * 16 + 9); END;
CREATE TRIGGER search_pages_upd AFTER UPDATE OF id, site, title, body, status ON pages
WHEN old.status = 'published' OR new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 9), (new.id * 16 + 9); END;
CREATE TRIGGER search_pages_del AFTER DELETE ON pages WHEN old.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 9); END;

-- Activity fields. 別紙3 item 8 says "19分野（別途提示）" and 別紙4 item
-- 35 "20分野（別途提示）": these are the 20 fields of 特定非営利活動促進法
-- 別表 (the list every Japanese prefecture's citizen-activity portal uses),
-- Supernet offering the first 19 and Aika all 20. Seeded so registration
-- works on day one; staff rename or replace them at /admin/masters/ when
-- the centre hands over its own wording.
INSERT INTO master_items(list, value, label, kana, sort) VALUES
  ('field', '保健・医療・福祉', '保健・医療・福祉', '', 10),
  ('field', '社会教育', '社会教育', '', 20),
  ('field', 'まちづくり', 'まちづくり', '', 30),
  ('field', '観光の振興', '観光の振興', '', 40),
  ('field', '農山漁村・中山間地域', '農山漁村・中山間地域', '', 50),
  ('field', '学術・文化・芸術・スポーツ', '学術・文化・芸術・スポーツ', '', 60),
  ('field', '環境の保全', '環境の保全', '', 70),
  ('field', '災害救援', '災害救援', '', 80),
  ('field', '地域安全', '地域安全', '', 90),
  ('field', '人権・平和', '人権・平和', '', 100),
  ('field', '国際協力', '国際協力', '', 110),
  ('field', '男女共同参画', '男女共同参画', '', 120),
  ('field', '子どもの健全育成', '子どもの健全育成', '', 130),
  ('field', '情報化社会', '情報化社会', '', 140),
  ('field', '科学技術の振興', '科学技術の振興', '', 150),
  ('field', '経済活動の活性化', '経済活動の活性化', '', 160),
  ('field', '職業能力・雇用機会', '職業能力・雇用機会', '', 170),
  ('field', '消費者の保護', '消費者の保護', '', 180),
  ('field', '団体の運営・活動の支援', '団体の運営・活動の支援', '', 190);
INSERT INTO master_items(list, value, label, kana, sort)
  SELECT 'aika_field', value, label, kana, sort FROM master_items WHERE list = 'field';
INSERT INTO master_items(list, value, label, kana, sort) VALUES
  ('aika_field', '条例で定める活動', '条例で定める活動', '', 200);
