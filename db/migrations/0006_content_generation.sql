-- 0006_content_generation.sql — one counter that every change to public
-- content bumps (triggers below). The page cache compares it, so writes
-- to operational tables (sessions, the mail outbox, the audit log, sign-in
-- throttling) no longer empty the cache, while any content change — by
-- this server or by another process such as the CLI — still shows on the
-- next request. Every table of a content type declared in src/schema.c
-- must have these three triggers; the server checks this at start-up.
CREATE TABLE content_generation (
  one  INTEGER PRIMARY KEY CHECK (one = 1),
  gen  INTEGER NOT NULL
);
INSERT INTO content_generation(one, gen) VALUES (1, 1);

CREATE TRIGGER cgen_news_ins AFTER INSERT ON news BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_news_upd AFTER UPDATE ON news BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_news_del AFTER DELETE ON news BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_groups_ins AFTER INSERT ON groups BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_groups_upd AFTER UPDATE ON groups BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_groups_del AFTER DELETE ON groups BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_events_ins AFTER INSERT ON events BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_events_upd AFTER UPDATE ON events BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_events_del AFTER DELETE ON events BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_grants_ins AFTER INSERT ON grants BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_grants_upd AFTER UPDATE ON grants BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_grants_del AFTER DELETE ON grants BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_members_ins AFTER INSERT ON members BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_members_upd AFTER UPDATE ON members BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_members_del AFTER DELETE ON members BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_recruitments_ins AFTER INSERT ON recruitments BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_recruitments_upd AFTER UPDATE ON recruitments BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_recruitments_del AFTER DELETE ON recruitments BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_banners_ins AFTER INSERT ON banners BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_banners_upd AFTER UPDATE ON banners BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_banners_del AFTER DELETE ON banners BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_settings_ins AFTER INSERT ON settings BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_settings_upd AFTER UPDATE ON settings BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_settings_del AFTER DELETE ON settings BEGIN UPDATE content_generation SET gen = gen + 1; END;
