-- 0016_import.sql — migration from the WordPress site and CSV files
-- (issue 7, REQUIREMENTS D1/D2).
--
-- import_records remembers, for every record an importer wrote, where it
-- came from: the source ("wp" for the mysqldump, "csv:<type>" for CSV),
-- the record's key in that source (post ID, custom-table key, CSV key
-- column), and a SHA-256 over the mapped values. A second run finds the
-- row, compares the checksum and either leaves the record alone
-- (unchanged) or updates it (changed source) — never a duplicate.
CREATE TABLE import_records (
  source      TEXT NOT NULL,
  source_key  TEXT NOT NULL,
  type        TEXT NOT NULL,            -- civicnet type: group, news, member, staff, subscriber, upload …
  record_id   INTEGER NOT NULL,
  checksum    TEXT NOT NULL,
  imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  PRIMARY KEY (source, source_key, type)
);
CREATE INDEX import_records_target ON import_records(type, record_id);

-- Old URLs (D2): each path (with its query, exactly as the old site
-- linked it, e.g. "/?p=123", "/?page_id=45", "/2019/09/slug/",
-- "/boranet201909/...", "/wp-content/uploads/2020/01/a.pdf") and the
-- site-relative path it now lives at. Served as 301 by the router when no
-- route matches (or for "/" with an old query). new_path always starts
-- with a single "/" (no scheme, no "//"): never an open redirect.
CREATE TABLE old_urls (
  old_path  TEXT PRIMARY KEY,
  new_path  TEXT NOT NULL CHECK (substr(new_path, 1, 1) = '/' AND substr(new_path, 2, 1) NOT IN ('/', '\')),
  type      TEXT NOT NULL DEFAULT '',
  record_id INTEGER
);
