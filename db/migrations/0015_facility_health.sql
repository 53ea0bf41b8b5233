-- 0015_facility_health.sql — issue 6: the centre's facility reservation
-- calendar (S1 free block: 印刷機・交流コーナー（Zoomルーム）) and the
-- yearly health-app linkage file (C10, やまぐち健幸アプリ).
--
-- Facility: resources staff can rename, add and deactivate; each resource
-- has its own time slots (午前・午後・夜間 by default); a day × slot has a
-- status row only when it is not 空き (no row = free). Whole closed days
-- (休館日) apply to every resource. All three tables bump the content
-- generation, so cached public pages (/facility/, /) follow at once.

CREATE TABLE facility_resources (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  sort        INTEGER NOT NULL DEFAULT 0,
  active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);

CREATE TABLE facility_slots (
  id          INTEGER PRIMARY KEY,
  resource_id INTEGER NOT NULL REFERENCES facility_resources(id) ON DELETE CASCADE,
  label       TEXT NOT NULL,              -- 午前
  hours       TEXT NOT NULL DEFAULT '',   -- 9:00〜12:00
  sort        INTEGER NOT NULL DEFAULT 0,
  active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE INDEX facility_slots_resource ON facility_slots(resource_id, sort);

-- Status of one slot on one day; absent = 空き (free).
CREATE TABLE facility_status (
  slot_id    INTEGER NOT NULL REFERENCES facility_slots(id) ON DELETE CASCADE,
  day        TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  status     TEXT NOT NULL CHECK (status IN ('reserved','closed')),
  note       TEXT NOT NULL DEFAULT '',
  updated_by TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  PRIMARY KEY (slot_id, day)
);
CREATE INDEX facility_status_day ON facility_status(day);

-- 休館日: the whole centre is closed on that day (every resource).
CREATE TABLE facility_closed_days (
  day        TEXT PRIMARY KEY CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  note       TEXT NOT NULL DEFAULT '',
  updated_by TEXT NOT NULL DEFAULT ''
);

INSERT INTO facility_resources(id, name, description, sort) VALUES
  (1, '印刷機（プリンター）', '団体の印刷物の作成に使える印刷機です。', 1),
  (2, '交流コーナー（Zoomルーム）', 'オンライン会議（Zoom など）に使える部屋です。', 2);
INSERT INTO facility_slots(resource_id, label, hours, sort) VALUES
  (1, '午前', '9:00〜12:00', 1), (1, '午後', '13:00〜17:00', 2), (1, '夜間', '17:00〜21:00', 3),
  (2, '午前', '9:00〜12:00', 1), (2, '午後', '13:00〜17:00', 2), (2, '夜間', '17:00〜21:00', 3);

CREATE TRIGGER cgen_facility_resources_ins AFTER INSERT ON facility_resources BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_facility_resources_upd AFTER UPDATE ON facility_resources BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_facility_resources_del AFTER DELETE ON facility_resources BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_facility_slots_ins AFTER INSERT ON facility_slots BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_facility_slots_upd AFTER UPDATE ON facility_slots BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_facility_slots_del AFTER DELETE ON facility_slots BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_facility_status_ins AFTER INSERT ON facility_status BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_facility_status_upd AFTER UPDATE ON facility_status BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_facility_status_del AFTER DELETE ON facility_status BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_facility_closed_ins AFTER INSERT ON facility_closed_days BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_facility_closed_upd AFTER UPDATE ON facility_closed_days BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_facility_closed_del AFTER DELETE ON facility_closed_days BEGIN UPDATE content_generation SET gen = gen + 1; END;

-- Health-app linkage file (C10): every generation that was uploaded, or
-- whose upload failed, with the Japanese result shown to staff. The file
-- itself is not kept (it holds personal data; it can be made again).
CREATE TABLE health_uploads (
  id          INTEGER PRIMARY KEY,
  at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  actor       TEXT NOT NULL,          -- staff login, or 'cli'
  year        INTEGER NOT NULL,
  file_name   TEXT NOT NULL,
  rows        INTEGER NOT NULL,
  bytes       INTEGER NOT NULL DEFAULT 0,
  destination TEXT NOT NULL DEFAULT '', -- URL without user or password
  ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
  message     TEXT NOT NULL DEFAULT ''  -- 「アップロードしました」 or the error in Japanese
);
CREATE INDEX health_uploads_at ON health_uploads(at DESC);
