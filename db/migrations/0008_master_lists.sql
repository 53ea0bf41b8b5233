-- 0008_master_lists.sql — the master lists of 別紙3/別紙4 (issue 4, "Master
-- lists"): the choices of drop-downs and check-box groups, kept in tables
-- so centre staff can edit them (/admin/masters/). master_lists is the
-- catalogue (one row per list: Japanese name, where the spec defines it,
-- how many entries the spec names); master_items holds the entries. One
-- items table rather than one per list: every list has the same shape, one
-- set of screens and one validation path serve all, and a new list is a
-- row, not a migration with new DDL.
--
-- value is what records store and never changes once used; label is what
-- users see and staff may rename. Entries are never deleted: active = 0
-- (使用停止) keeps the value valid for records that hold it, but forms no
-- longer offer it. Lists whose entries the spec leaves "別途提示" (to be
-- supplied by the centre) are catalogued here with no entries; staff add
-- them on the screen once the centre gives the wording. Nothing is invented.
CREATE TABLE master_lists (
  name     TEXT PRIMARY KEY CHECK (name GLOB '[a-z]*' AND name NOT GLOB '*[^a-z0-9_]*'),
  label    TEXT NOT NULL,
  source   TEXT NOT NULL,        -- where the spec defines it
  expected INTEGER,              -- entries the spec names (NULL: open)
  sort     INTEGER NOT NULL
);

CREATE TABLE master_items (
  list   TEXT NOT NULL REFERENCES master_lists(name),
  value  TEXT NOT NULL CHECK (length(value) BETWEEN 1 AND 100),
  label  TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
  kana   TEXT NOT NULL DEFAULT '',
  sort   INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  PRIMARY KEY (list, value)
);
CREATE UNIQUE INDEX master_items_label ON master_items(list, label);
CREATE INDEX master_items_order ON master_items(list, sort, value);

-- Staff edits change public pages (labels in lists, search forms): the
-- page cache must see them (0006_content_generation.sql).
CREATE TRIGGER cgen_master_items_ins AFTER INSERT ON master_items BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_master_items_upd AFTER UPDATE ON master_items BEGIN UPDATE content_generation SET gen = gen + 1; END;
CREATE TRIGGER cgen_master_items_del AFTER DELETE ON master_items BEGIN UPDATE content_generation SET gen = gen + 1; END;

INSERT INTO master_lists(name, label, source, expected, sort) VALUES
  ('municipality',  '市町（山口県内19市町）', '別紙3 項目20「市町」・対象市町、別紙4 項目11・34', 19, 10),
  ('prefecture',    '都道府県',               '別紙3 項目19、別紙4 項目10', 47, 20),
  ('target_area',   '対象エリア',             '別紙3 項目9（スーパーネット）', 5, 30),
  ('group_class',   '団体の分類',             '別紙3 項目1、別紙4 項目5（団体）', 11, 40),
  ('company_class', '企業の分類',             '別紙3 項目1、別紙4 項目5（企業）', 5, 50),
  ('budget',        '前年度総決算',           '別紙3 項目26', 7, 60),
  ('feature',       '特徴',                   '別紙3 項目33', 6, 70),
  ('field',         '活動分野（スーパーネット）', '別紙3 項目8「19分野掲載（別途提示）」', 19, 80),
  ('aika_field',    '活動希望分野（あいかさねっと）', '別紙4 項目35「20分野掲載（別途提示）」', 20, 90),
  ('probono_field', '一芸・プロボノ分野',     '別紙4 項目39、仕様書「一芸・プロボノ分野（１０分野）」', 10, 100),
  ('weekday',       '活動可能曜日',           '別紙4 項目36「月～日まで掲載」', 7, 110),
  ('time_band',     '活動可能時間帯',         '別紙4 項目37「プルダウンから選択」（選択肢は未提示）', NULL, 120);

-- 別紙3 項目20: "市町 必須 ※19市町＋山口県外からプルダウン";
-- 別紙3 項目10 対象市町: "※19市町掲載"; 別紙4 項目34 活動可能地域: "※19市町掲載".
-- The 19 市町 of Yamaguchi in 全国地方公共団体コード order (35201 下関市 …
-- 35502 阿武町); kana for 五十音 sorting. 「山口県外」/「―」 are not
-- 市町: each form adds its own (src/member_fields.c).
INSERT INTO master_items(list, value, label, kana, sort) VALUES
  ('municipality', '下関市', '下関市', 'しものせきし', 10),
  ('municipality', '宇部市', '宇部市', 'うべし', 20),
  ('municipality', '山口市', '山口市', 'やまぐちし', 30),
  ('municipality', '萩市', '萩市', 'はぎし', 40),
  ('municipality', '防府市', '防府市', 'ほうふし', 50),
  ('municipality', '下松市', '下松市', 'くだまつし', 60),
  ('municipality', '岩国市', '岩国市', 'いわくにし', 70),
  ('municipality', '光市', '光市', 'ひかりし', 80),
  ('municipality', '長門市', '長門市', 'ながとし', 90),
  ('municipality', '柳井市', '柳井市', 'やないし', 100),
  ('municipality', '美祢市', '美祢市', 'みねし', 110),
  ('municipality', '周南市', '周南市', 'しゅうなんし', 120),
  ('municipality', '山陽小野田市', '山陽小野田市', 'さんようおのだし', 130),
  ('municipality', '周防大島町', '周防大島町', 'すおうおおしまちょう', 140),
  ('municipality', '和木町', '和木町', 'わきちょう', 150),
  ('municipality', '上関町', '上関町', 'かみのせきちょう', 160),
  ('municipality', '田布施町', '田布施町', 'たぶせちょう', 170),
  ('municipality', '平生町', '平生町', 'ひらおちょう', 180),
  ('municipality', '阿武町', '阿武町', 'あぶちょう', 190);

-- 別紙3 項目19 / 別紙4 項目10: "都道府県 必須 ※47都道府県＋「―」からプルダウン".
-- JIS X 0401 order (01 北海道 … 47 沖縄県). 「―」 is added by each form.
INSERT INTO master_items(list, value, label, kana, sort) VALUES
  ('prefecture', '北海道', '北海道', 'ほっかいどう', 10),
  ('prefecture', '青森県', '青森県', 'あおもりけん', 20),
  ('prefecture', '岩手県', '岩手県', 'いわてけん', 30),
  ('prefecture', '宮城県', '宮城県', 'みやぎけん', 40),
  ('prefecture', '秋田県', '秋田県', 'あきたけん', 50),
  ('prefecture', '山形県', '山形県', 'やまがたけん', 60),
  ('prefecture', '福島県', '福島県', 'ふくしまけん', 70),
  ('prefecture', '茨城県', '茨城県', 'いばらきけん', 80),
  ('prefecture', '栃木県', '栃木県', 'とちぎけん', 90),
  ('prefecture', '群馬県', '群馬県', 'ぐんまけん', 100),
  ('prefecture', '埼玉県', '埼玉県', 'さいたまけん', 110),
  ('prefecture', '千葉県', '千葉県', 'ちばけん', 120),
  ('prefecture', '東京都', '東京都', 'とうきょうと', 130),
  ('prefecture', '神奈川県', '神奈川県', 'かながわけん', 140),
  ('prefecture', '新潟県', '新潟県', 'にいがたけん', 150),
  ('prefecture', '富山県', '富山県', 'とやまけん', 160),
  ('prefecture', '石川県', '石川県', 'いしかわけん', 170),
  ('prefecture', '福井県', '福井県', 'ふくいけん', 180),
  ('prefecture', '山梨県', '山梨県', 'やまなしけん', 190),
  ('prefecture', '長野県', '長野県', 'ながのけん', 200),
  ('prefecture', '岐阜県', '岐阜県', 'ぎふけん', 210),
  ('prefecture', '静岡県', '静岡県', 'しずおかけん', 220),
  ('prefecture', '愛知県', '愛知県', 'あいちけん', 230),
  ('prefecture', '三重県', '三重県', 'みえけん', 240),
  ('prefecture', '滋賀県', '滋賀県', 'しがけん', 250),
  ('prefecture', '京都府', '京都府', 'きょうとふ', 260),
  ('prefecture', '大阪府', '大阪府', 'おおさかふ', 270),
  ('prefecture', '兵庫県', '兵庫県', 'ひょうごけん', 280),
  ('prefecture', '奈良県', '奈良県', 'ならけん', 290),
  ('prefecture', '和歌山県', '和歌山県', 'わかやまけん', 300),
  ('prefecture', '鳥取県', '鳥取県', 'とっとりけん', 310),
  ('prefecture', '島根県', '島根県', 'しまねけん', 320),
  ('prefecture', '岡山県', '岡山県', 'おかやまけん', 330),
  ('prefecture', '広島県', '広島県', 'ひろしまけん', 340),
  ('prefecture', '山口県', '山口県', 'やまぐちけん', 350),
  ('prefecture', '徳島県', '徳島県', 'とくしまけん', 360),
  ('prefecture', '香川県', '香川県', 'かがわけん', 370),
  ('prefecture', '愛媛県', '愛媛県', 'えひめけん', 380),
  ('prefecture', '高知県', '高知県', 'こうちけん', 390),
  ('prefecture', '福岡県', '福岡県', 'ふくおかけん', 400),
  ('prefecture', '佐賀県', '佐賀県', 'さがけん', 410),
  ('prefecture', '長崎県', '長崎県', 'ながさきけん', 420),
  ('prefecture', '熊本県', '熊本県', 'くまもとけん', 430),
  ('prefecture', '大分県', '大分県', 'おおいたけん', 440),
  ('prefecture', '宮崎県', '宮崎県', 'みやざきけん', 450),
  ('prefecture', '鹿児島県', '鹿児島県', 'かごしまけん', 460),
  ('prefecture', '沖縄県', '沖縄県', 'おきなわけん', 470);

-- 別紙3 項目9: "対象エリア 必須 ※以下プルダウン
--   山口県内市町、県内全域、中四国地域、西日本、全国"
INSERT INTO master_items(list, value, label, kana, sort) VALUES
  ('target_area', '山口県内市町', '山口県内市町', '', 10),
  ('target_area', '県内全域', '県内全域', '', 20),
  ('target_area', '中四国地域', '中四国地域', '', 30),
  ('target_area', '西日本', '西日本', '', 40),
  ('target_area', '全国', '全国', '', 50);

-- 別紙3 項目1 (県民活動団体・NPO法人): "団体の分類 必須 ※以下プルダウン
--   任意団体、財団法人、社団法人、一般財団法人、一般社団法人、公益財団法人、
--   公益社団法人、社会福祉法人、行政、その他 ※NPO法人は初期設定で「NPO法人」を表示";
-- 別紙4 項目5 (団体): "NPO法人、任意団体、財団法人、社団法人、一般財団法人、
--   一般社団法人、公益財団法人、公益社団法人、社会福祉法人、行政、その他"
INSERT INTO master_items(list, value, label, kana, sort) VALUES
  ('group_class', 'NPO法人', 'NPO法人', '', 10),
  ('group_class', '任意団体', '任意団体', '', 20),
  ('group_class', '財団法人', '財団法人', '', 30),
  ('group_class', '社団法人', '社団法人', '', 40),
  ('group_class', '一般財団法人', '一般財団法人', '', 50),
  ('group_class', '一般社団法人', '一般社団法人', '', 60),
  ('group_class', '公益財団法人', '公益財団法人', '', 70),
  ('group_class', '公益社団法人', '公益社団法人', '', 80),
  ('group_class', '社会福祉法人', '社会福祉法人', '', 90),
  ('group_class', '行政', '行政', '', 100),
  ('group_class', 'その他', 'その他', '', 110);

-- 別紙3 項目1 / 別紙4 項目5 (企業): "企業の分類 必須 ※以下プルダウン
--   株式会社、合同会社、合名会社、合資会社、その他"
INSERT INTO master_items(list, value, label, kana, sort) VALUES
  ('company_class', '株式会社', '株式会社', '', 10),
  ('company_class', '合同会社', '合同会社', '', 20),
  ('company_class', '合名会社', '合名会社', '', 30),
  ('company_class', '合資会社', '合資会社', '', 40),
  ('company_class', 'その他', 'その他', '', 50);

-- 別紙3 項目26: "前年度総決算 任意 ※以下プルダウン 10万円未満、10万円～30万円未満、
--   30万円～50万円未満、50万円～100万円未満、100万円～500万円未満、
--   500万円～1,000万円未満、1,000万円以上"
INSERT INTO master_items(list, value, label, kana, sort) VALUES
  ('budget', '10万円未満', '10万円未満', '', 10),
  ('budget', '10万円～30万円未満', '10万円～30万円未満', '', 20),
  ('budget', '30万円～50万円未満', '30万円～50万円未満', '', 30),
  ('budget', '50万円～100万円未満', '50万円～100万円未満', '', 40),
  ('budget', '100万円～500万円未満', '100万円～500万円未満', '', 50),
  ('budget', '500万円～1,000万円未満', '500万円～1,000万円未満', '', 60),
  ('budget', '1,000万円以上', '1,000万円以上', '', 70);

-- 別紙3 項目33: "特徴 任意 ※☑をつける □連携・協働の実績がある □CSR・社会貢献の
--   実績がある □助成団体である □活動団体である □支援団体である
--   □企業の社会貢献活動による地域づくり支援事業への参加を希望する"
INSERT INTO master_items(list, value, label, kana, sort) VALUES
  ('feature', '連携・協働の実績がある', '連携・協働の実績がある', '', 10),
  ('feature', 'CSR・社会貢献の実績がある', 'CSR・社会貢献の実績がある', '', 20),
  ('feature', '助成団体である', '助成団体である', '', 30),
  ('feature', '活動団体である', '活動団体である', '', 40),
  ('feature', '支援団体である', '支援団体である', '', 50),
  ('feature', '企業の社会貢献活動による地域づくり支援事業への参加を希望する', '企業の社会貢献活動による地域づくり支援事業への参加を希望する', '', 60);

-- 別紙4 項目36: "活動可能曜日 必須 ※☑をつける ※月～日まで掲載"
INSERT INTO master_items(list, value, label, kana, sort) VALUES
  ('weekday', '月', '月', '', 10),
  ('weekday', '火', '火', '', 20),
  ('weekday', '水', '水', '', 30),
  ('weekday', '木', '木', '', 40),
  ('weekday', '金', '金', '', 50),
  ('weekday', '土', '土', '', 60),
  ('weekday', '日', '日', '', 70);

-- Catalogued without entries — the spec does not name them:
--   field:         別紙3 項目8 "活動分野 必須 ※☑をつける ※19分野掲載（別途提示）"
--   aika_field:    別紙4 項目35 "活動希望分野 必須 ※☑をつける ※20分野掲載（別途提示）"
--   probono_field: 別紙4 項目39 "分野 任意"; 仕様書 "・一芸・プロボノ分野（１０分野）"
--   time_band:     別紙4 項目37 "活動可能時間帯 必須 ※プルダウンから選択"
