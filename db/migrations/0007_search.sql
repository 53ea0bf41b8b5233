-- 0007_search.sql — whole-site search (S10). See src/search.h.
--
-- search_index is an FTS5 table with its own copy of the text (neither
-- contentless nor external-content), tokenized by civicnet_bigram (src/
-- search.c, registered on every connection civicnet opens):
--  * it indexes six tables, so an external-content table would need one
--    rowid space over all of them and the exact old text for every delete;
--  * a contentless table cannot delete single rows before SQLite 3.43
--    (Debian 12 has 3.40) and could not show titles and snippets;
--  * with its own copy, removing a row is a DELETE by rowid, and a result
--    page renders from the index alone. The copy holds only what the public
--    already sees: published rows, public columns.
-- rowid = ref_id * 16 + kind code (1 news, 2 groups, 3 events, 4 grants,
-- 5 recruitments, 6 members), so each source row has exactly one entry.
--
-- The triggers below do not write to search_index: they queue the rowid
-- in search_queue, an ordinary table. Any SQLite client (the sqlite3
-- shell, an import) can therefore change content without the tokenizer;
-- civicnet re-indexes the queued rows (search_sync) before every search,
-- reading the row's current state, so a status change moves it in or out.
-- The initial fill queues every published row.
--
-- A migration that rebuilds one of these tables (CREATE new, DROP, RENAME)
-- must recreate its search_* triggers, like the cgen_* ones.

CREATE VIRTUAL TABLE search_index USING fts5(
  kind UNINDEXED,     -- news centre group event grant recruitment member
  ref_id UNINDEXED,   -- id in the source table
  site UNINDEXED,     -- supernet | aika: the site whose search shows it
  title,
  body,
  tokenize = 'civicnet_bigram'
);

CREATE TABLE search_queue (
  id INTEGER PRIMARY KEY   -- search_index rowid to re-index
);

-- news (1)
CREATE TRIGGER search_news_ins AFTER INSERT ON news WHEN new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (new.id * 16 + 1); END;
CREATE TRIGGER search_news_upd AFTER UPDATE OF id, site, category, title, body, status ON news
WHEN old.status = 'published' OR new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 1), (new.id * 16 + 1); END;
CREATE TRIGGER search_news_del AFTER DELETE ON news WHEN old.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 1); END;

-- groups (2)
CREATE TRIGGER search_groups_ins AFTER INSERT ON groups WHEN new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (new.id * 16 + 2); END;
CREATE TRIGGER search_groups_upd AFTER UPDATE OF id, name, kana, purpose, municipality, status ON groups
WHEN old.status = 'published' OR new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 2), (new.id * 16 + 2); END;
CREATE TRIGGER search_groups_del AFTER DELETE ON groups WHEN old.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 2); END;

-- events (3)
CREATE TRIGGER search_events_ins AFTER INSERT ON events WHEN new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (new.id * 16 + 3); END;
CREATE TRIGGER search_events_upd AFTER UPDATE OF id, title, organiser, place, summary, status ON events
WHEN old.status = 'published' OR new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 3), (new.id * 16 + 3); END;
CREATE TRIGGER search_events_del AFTER DELETE ON events WHEN old.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 3); END;

-- grants (4)
CREATE TRIGGER search_grants_ins AFTER INSERT ON grants WHEN new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (new.id * 16 + 4); END;
CREATE TRIGGER search_grants_upd AFTER UPDATE OF id, title, funder, amount, summary, status ON grants
WHEN old.status = 'published' OR new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 4), (new.id * 16 + 4); END;
CREATE TRIGGER search_grants_del AFTER DELETE ON grants WHEN old.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 4); END;

-- recruitments (5)
CREATE TRIGGER search_recruitments_ins AFTER INSERT ON recruitments WHEN new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (new.id * 16 + 5); END;
CREATE TRIGGER search_recruitments_upd AFTER UPDATE OF id, title, organiser, area, summary, status ON recruitments
WHEN old.status = 'published' OR new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 5), (new.id * 16 + 5); END;
CREATE TRIGGER search_recruitments_del AFTER DELETE ON recruitments WHEN old.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 5); END;

-- members (6): only display_name and area are indexed (src/search.c)
CREATE TRIGGER search_members_ins AFTER INSERT ON members WHEN new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (new.id * 16 + 6); END;
CREATE TRIGGER search_members_upd AFTER UPDATE OF id, display_name, area, status ON members
WHEN old.status = 'published' OR new.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 6), (new.id * 16 + 6); END;
CREATE TRIGGER search_members_del AFTER DELETE ON members WHEN old.status = 'published'
BEGIN INSERT OR IGNORE INTO search_queue(id) VALUES (old.id * 16 + 6); END;

-- Initial fill: every published row, indexed on the first search.
INSERT OR IGNORE INTO search_queue(id)
  SELECT id * 16 + 1 FROM news WHERE status = 'published'
  UNION ALL SELECT id * 16 + 2 FROM groups WHERE status = 'published'
  UNION ALL SELECT id * 16 + 3 FROM events WHERE status = 'published'
  UNION ALL SELECT id * 16 + 4 FROM grants WHERE status = 'published'
  UNION ALL SELECT id * 16 + 5 FROM recruitments WHERE status = 'published'
  UNION ALL SELECT id * 16 + 6 FROM members WHERE status = 'published';
