-- 0014_analytics.sql — access counts for the staff's analytics pages
-- (REQUIREMENTS C9; src/analytics.c). One row per day (Japan time), site,
-- kind and key: page views per path, external referrer host names,
-- site-search words (with the last number of results) and 404 paths.
-- No IP address, User-Agent, cookie or session is ever stored here; keys
-- are capped per (day, site, kind) and rows older than the retention
-- (settings global/analytics_retention_days, default 1095 days) are
-- deleted by the background job. Not public content: no
-- content_generation triggers (writing counts must not empty the cache).
CREATE TABLE analytics_daily (
  day     TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  site    TEXT NOT NULL CHECK (site IN ('supernet','aika')),
  kind    TEXT NOT NULL CHECK (kind IN ('view','referrer','search','notfound')),
  key     TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 400),
  hits    INTEGER NOT NULL DEFAULT 0 CHECK (hits >= 0),
  results INTEGER NOT NULL DEFAULT -1,
  PRIMARY KEY (day, site, kind, key)
) WITHOUT ROWID;
CREATE INDEX analytics_daily_kind_day ON analytics_daily(kind, day, site);
