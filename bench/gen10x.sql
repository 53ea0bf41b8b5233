-- bench/gen10x.sql — 10× today's volumes for the benchmark (issue 4):
-- 17,000 groups, 58,000 events, 85,000 grants, 31,000 books, plus 2,000
-- reports and 1,000 news items, on top of the demo data. Run by bench/run.sh
-- with the sqlite3 shell against a data dir that `civicnet demo` filled:
--
--   sqlite3 DIR/civicnet.db < bench/gen10x.sql
--
-- Text is assembled from word pools (place, theme, activity, sentence
-- fragments) chosen by a multiplicative hash of the row number, so the
-- output is the same on every run and the bigram index sees realistic,
-- varied Japanese: common words (福祉, 子ども, 地域) match thousands of rows,
-- rarer ones (竹炭, 紙芝居) hundreds. Values of master lists (市町, 分野,
-- 分類) come from master_items, so the detailed searches filter on real
-- values. Personal columns (*_enc) stay empty.
--
-- The insert triggers queue every published row for the search index
-- (search_queue); the last statement queues them again explicitly (idempotent)
-- so the script does not depend on trigger details. civicnet indexes the
-- queue (jobs thread every 5 s, or `civicnet search rebuild`).
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -200000;
BEGIN;

-- Pseudo-random choices: h = (i * 2654435761 + salt * 97531) % 1000003
-- (a multiplicative hash of the row number i), written out inline in each
-- statement's CTE r (h1 … h5, one salt each); a pool entry is 1 + h % size.

CREATE TEMP TABLE n_city(n INTEGER PRIMARY KEY, v TEXT, k TEXT);
INSERT INTO n_city(v, k) SELECT value, kana FROM master_items WHERE list = 'municipality' ORDER BY sort;
CREATE TEMP TABLE n_field(n INTEGER PRIMARY KEY, v TEXT);
INSERT INTO n_field(v) SELECT value FROM master_items WHERE list = 'field' ORDER BY sort;
CREATE TEMP TABLE n_gclass(n INTEGER PRIMARY KEY, v TEXT);
INSERT INTO n_gclass(v) SELECT value FROM master_items WHERE list = 'group_class' AND value <> 'NPO法人' ORDER BY sort;
CREATE TEMP TABLE n_cclass(n INTEGER PRIMARY KEY, v TEXT);
INSERT INTO n_cclass(v) SELECT value FROM master_items WHERE list = 'company_class' ORDER BY sort;
CREATE TEMP TABLE n_budget(n INTEGER PRIMARY KEY, v TEXT);
INSERT INTO n_budget(v) SELECT value FROM master_items WHERE list = 'budget' ORDER BY sort;
CREATE TEMP TABLE n_area(n INTEGER PRIMARY KEY, v TEXT);
INSERT INTO n_area(v) SELECT value FROM master_items WHERE list = 'target_area' ORDER BY sort;

-- themes: (word, kana)
CREATE TEMP TABLE n_theme(n INTEGER PRIMARY KEY, v TEXT, k TEXT);
INSERT INTO n_theme(v, k) VALUES
 ('子育て', 'こそだて'), ('読み聞かせ', 'よみきかせ'), ('竹林整備', 'ちくりんせいび'), ('里山保全', 'さとやまほぜん'),
 ('海岸清掃', 'かいがんせいそう'), ('防災', 'ぼうさい'), ('見守り', 'みまもり'), ('子ども食堂', 'こどもしょくどう'),
 ('学習支援', 'がくしゅうしえん'), ('多文化共生', 'たぶんかきょうせい'), ('日本語教室', 'にほんごきょうしつ'), ('障がい者スポーツ', 'しょうがいしゃすぽーつ'),
 ('高齢者サロン', 'こうれいしゃさろん'), ('介護者支援', 'かいごしゃしえん'), ('まちづくり', 'まちづくり'), ('商店街活性化', 'しょうてんがいかっせいか'),
 ('観光案内', 'かんこうあんない'), ('語り部', 'かたりべ'), ('伝統芸能', 'でんとうげいのう'), ('自然観察', 'しぜんかんさつ'),
 ('野鳥観察', 'やちょうかんさつ'), ('環境学習', 'かんきょうがくしゅう'), ('リサイクル', 'りさいくる'), ('フードバンク', 'ふーどばんく'),
 ('援農', 'えんのう'), ('棚田保全', 'たなだほぜん'), ('移住支援', 'いじゅうしえん'), ('空き家活用', 'あきやかつよう'),
 ('男女共同参画', 'だんじょきょうどうさんかく'), ('消費者教育', 'しょうひしゃきょういく'), ('防犯パトロール', 'ぼうはんぱとろーる'), ('交通安全', 'こうつうあんぜん'),
 ('国際交流', 'こくさいこうりゅう'), ('手話', 'しゅわ'), ('点訳', 'てんやく'), ('傾聴', 'けいちょう'),
 ('プログラミング教育', 'ぷろぐらみんぐきょういく'), ('スマホ相談', 'すまほそうだん'), ('科学実験', 'かがくじっけん'), ('ものづくり', 'ものづくり'),
 ('就労支援', 'しゅうろうしえん'), ('ひきこもり支援', 'ひきこもりしえん'), ('不登校支援', 'ふとうこうしえん'), ('居場所づくり', 'いばしょづくり'),
 ('認知症カフェ', 'にんちしょうかふぇ'), ('健康体操', 'けんこうたいそう'), ('音楽療法', 'おんがくりょうほう'), ('絵本', 'えほん'),
 ('紙芝居', 'かみしばい'), ('郷土史', 'きょうどし'), ('竹炭', 'ちくたん'), ('みかん', 'みかん'),
 ('漁業体験', 'ぎょぎょうたいけん'), ('星空観察', 'ほしぞらかんさつ'), ('花いっぱい運動', 'はないっぱいうんどう'), ('災害ボランティア', 'さいがいぼらんてぃあ'),
 ('福祉送迎', 'ふくしそうげい'), ('配食サービス', 'はいしょくさーびす'), ('ファンドレイジング', 'ふぁんどれいじんぐ'), ('NPO運営', 'えぬぴーおーうんえい');

CREATE TEMP TABLE n_suffix(n INTEGER PRIMARY KEY, v TEXT, k TEXT);
INSERT INTO n_suffix(v, k) VALUES
 ('の会', 'のかい'), ('ネットワーク', 'ねっとわーく'), ('クラブ', 'くらぶ'), ('サポーターズ', 'さぽーたーず'), ('協議会', 'きょうぎかい'),
 ('応援団', 'おうえんだん'), ('研究会', 'けんきゅうかい'), ('工房', 'こうぼう'), ('プロジェクト', 'ぷろじぇくと'), ('サークル', 'さーくる'),
 ('実行委員会', 'じっこういいんかい'), ('ボランティアの会', 'ぼらんてぃあのかい');

CREATE TEMP TABLE n_company(n INTEGER PRIMARY KEY, v TEXT, k TEXT);
INSERT INTO n_company(v, k) VALUES
 ('グリーン工業', 'ぐりーんこうぎょう'), ('海業', 'うみぎょう'), ('食品', 'しょくひん'), ('ITソリューションズ', 'あいてぃーそりゅーしょんず'),
 ('建設', 'けんせつ'), ('交通サービス', 'こうつうさーびす'), ('印刷', 'いんさつ'), ('ケアサービス', 'けあさーびす'),
 ('農園', 'のうえん'), ('電機', 'でんき'), ('醸造', 'じょうぞう'), ('不動産', 'ふどうさん');

CREATE TEMP TABLE n_venue(n INTEGER PRIMARY KEY, v TEXT);
INSERT INTO n_venue(v) VALUES ('公民館'), ('図書館 集会室'), ('児童館'), ('総合体育館'), ('福祉会館'), ('市民交流センター'),
 ('生涯学習センター'), ('小学校 体育館'), ('漁港周辺'), ('里山'), ('海岸'), ('商店街の空き店舗'), ('文化会館 小ホール'), ('オンライン（Zoom）');

CREATE TEMP TABLE n_act(n INTEGER PRIMARY KEY, v TEXT);
INSERT INTO n_act(v) VALUES ('講座'), ('交流会'), ('体験会'), ('観察会'), ('清掃活動'), ('相談会'), ('研修会'), ('フェスタ'),
 ('ワークショップ'), ('勉強会'), ('ボランティア募集'), ('発表会'), ('養成講座'), ('フォーラム'), ('教室'), ('説明会');

CREATE TEMP TABLE n_sent(n INTEGER PRIMARY KEY, v TEXT);
INSERT INTO n_sent(v) VALUES
 ('地域の高齢者の見守りと声かけを続けています。'), ('子どもたちが安心して過ごせる居場所をつくっています。'),
 ('毎月第1土曜日に定例の活動を行っています。'), ('初めての方も経験者と一緒に活動できます。'),
 ('活動の様子はホームページとSNSで発信しています。'), ('市町の社会福祉協議会と連携して取り組んでいます。'),
 ('企業の社員ボランティアの受入れも行っています。'), ('会員の高齢化が進み、若い世代の参加を募っています。'),
 ('助成金を活用して備品をそろえました。'), ('参加費は無料で、事前の申込みが必要です。'),
 ('雨天の場合は中止し、前日までにお知らせします。'), ('動きやすい服装と飲み物をご持参ください。'),
 ('福祉の専門職と住民が一緒に学ぶ場を設けています。'), ('災害時に備えて、避難所の運営訓練を行っています。'),
 ('伐った竹は炭や竹チップとして活用しています。'), ('海岸に流れ着いたごみを回収し、種類を記録しています。'),
 ('外国にルーツを持つ住民の生活相談に応じています。'), ('やさしい日本語で情報を届ける工夫をしています。'),
 ('障がいの有無にかかわらず一緒に楽しめる内容です。'), ('地元の農家と協力して収穫の手伝いをしています。'),
 ('空き家を改修して交流拠点として運営しています。'), ('昔話や地域の記憶を聞き取り、冊子にまとめています。'),
 ('図書館や学校で絵本の読み聞かせをしています。'), ('プログラミングの楽しさを子どもたちに伝えています。'),
 ('介護する家族が悩みを話し合えるつどいを開いています。'), ('消費者トラブルを防ぐ出前講座を行っています。'),
 ('男女が共に地域活動に参加できるよう託児を用意しています。'), ('観光客への道案内と休憩所の運営をしています。'),
 ('食品の寄付を受け付け、子ども食堂に届けています。'), ('星空や野鳥の観察会を親子向けに開いています。'),
 ('講師には地域で活躍する専門家をお招きします。'), ('定員に達し次第、受付を終了します。'),
 ('詳しくは団体の事務局までお問い合わせください。'), ('終了後に参加者どうしの交流の時間があります。'),
 ('活動報告書を毎年度公開しています。'), ('県内各地の団体とネットワークを組んでいます。'),
 ('手話や点訳の技術を学ぶ講座を開いています。'), ('健康体操で介護予防に取り組んでいます。'),
 ('商店街のにぎわいづくりに協力しています。'), ('就労に悩む若者の職業体験を受け入れています。');

CREATE TEMP TABLE n_funder(n INTEGER PRIMARY KEY, v TEXT);
INSERT INTO n_funder(v) VALUES ('公益財団法人やまぐち地域づくり財団'), ('一般財団法人こどもみらい基金'), ('公益信託 せとうちみどり基金'),
 ('公益財団法人ふるさと山口振興財団'), ('一般財団法人防災まちづくり支援財団'), ('公益財団法人アジア草の根交流基金'),
 ('一般財団法人くらしの安全基金'), ('公益財団法人はたらく未来財団'), ('やまぐち協働銀行 地域貢献基金'), ('一般財団法人こども科学振興会'),
 ('公益財団法人シニアライフ財団'), ('公益財団法人地域情報化推進財団'), ('株式会社せとうちエナジー 社会貢献基金'), ('山口県共同募金会');

CREATE TEMP TABLE n_amount(n INTEGER PRIMARY KEY, v INTEGER);
INSERT INTO n_amount(v) VALUES (5), (10), (15), (20), (30), (40), (50), (80), (100), (200);

CREATE TEMP TABLE n_surname(n INTEGER PRIMARY KEY, v TEXT);
INSERT INTO n_surname(v) VALUES ('山本'), ('田中'), ('中村'), ('小林'), ('松本'), ('井上'), ('木村'), ('林'), ('清水'), ('森'),
 ('池田'), ('橋本'), ('石川'), ('前田'), ('藤田'), ('岡田'), ('後藤'), ('長谷川'), ('村上'), ('近藤');
CREATE TEMP TABLE n_given(n INTEGER PRIMARY KEY, v TEXT);
INSERT INTO n_given(v) VALUES ('さくら'), ('健'), ('由美'), ('大輔'), ('恵'), ('誠'), ('あゆみ'), ('翔太'), ('真理子'), ('浩二'),
 ('美穂'), ('拓也'), ('さやか'), ('修'), ('千尋');
CREATE TEMP TABLE n_publisher(n INTEGER PRIMARY KEY, v TEXT);
INSERT INTO n_publisher(v) VALUES ('地域協働出版'), ('まちづくり書房'), ('ひだまり社'), ('ふくし出版会'), ('そなえ書房'),
 ('ことばの森出版'), ('みどりの本舗'), ('ビジネス社会出版'), ('スポーツ文化社'), ('くらし出版');
CREATE TEMP TABLE n_booknoun(n INTEGER PRIMARY KEY, v TEXT, k TEXT);
INSERT INTO n_booknoun(v, k) VALUES ('の手引き', 'のてびき'), ('入門', 'にゅうもん'), ('の実践', 'のじっせん'), ('ハンドブック', 'はんどぶっく'),
 ('事例集', 'じれいしゅう'), ('の教科書', 'のきょうかしょ'), ('ガイドブック', 'がいどぶっく'), ('Q&A', 'きゅーあんどえー'),
 ('のすすめ', 'のすすめ'), ('読本', 'とくほん');

CREATE TEMP TABLE c(k TEXT PRIMARY KEY, v INTEGER);
INSERT INTO c VALUES
 ('city', (SELECT count(*) FROM n_city)), ('field', (SELECT count(*) FROM n_field)), ('gclass', (SELECT count(*) FROM n_gclass)),
 ('cclass', (SELECT count(*) FROM n_cclass)), ('budget', (SELECT count(*) FROM n_budget)), ('area', (SELECT count(*) FROM n_area)),
 ('theme', (SELECT count(*) FROM n_theme)), ('suffix', (SELECT count(*) FROM n_suffix)), ('company', (SELECT count(*) FROM n_company)),
 ('venue', (SELECT count(*) FROM n_venue)), ('act', (SELECT count(*) FROM n_act)), ('sent', (SELECT count(*) FROM n_sent)),
 ('funder', (SELECT count(*) FROM n_funder)), ('amount', (SELECT count(*) FROM n_amount)), ('surname', (SELECT count(*) FROM n_surname)),
 ('given', (SELECT count(*) FROM n_given)), ('publisher', (SELECT count(*) FROM n_publisher)), ('booknoun', (SELECT count(*) FROM n_booknoun)),
 ('gmin', (SELECT coalesce(max(id), 0) FROM groups) + 1);

-- ---------- groups: 17,000 (60% citizen, 30% npo, 10% company) ----------
INSERT INTO groups (kind, org_class, name, kana, representative, rep_title, contact_name, fields, target_area,
  target_municipalities, purpose, activities, pr, office_main, postal, prefecture, municipality, address, phone, email,
  founded_on, budget, members_count, activity_times, features, requirements_agreed, activity, status, published_at, created_at, updated_at)
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 17000),
r AS (SELECT i, (i * 2654435761 + 1 * 97531) % 1000003 AS h1, (i * 2654435761 + 2 * 97531) % 1000003 AS h2,
             (i * 2654435761 + 3 * 97531) % 1000003 AS h3, (i * 2654435761 + 4 * 97531) % 1000003 AS h4,
             (i * 2654435761 + 5 * 97531) % 1000003 AS h5, i % 10 AS kk FROM seq)
SELECT CASE WHEN kk < 6 THEN 'citizen' WHEN kk < 9 THEN 'npo' ELSE 'company' END,
  CASE WHEN kk < 6 THEN gc.v WHEN kk < 9 THEN 'NPO法人' ELSE cc.v END,
  CASE WHEN kk < 6 THEN ci.v || th.v || su.v WHEN kk < 9 THEN '特定非営利活動法人' || ci.v || th.v || su.v
       ELSE cc.v || ci.v || co.v END,
  CASE WHEN kk < 9 THEN ci.k || th.k || su.k ELSE ci.k || co.k END,
  sn.v || ' ' || gv.v, CASE WHEN kk < 6 THEN '代表' WHEN kk < 9 THEN '理事長' ELSE '代表取締役' END, sn2.v || ' ' || gv2.v,
  CASE WHEN kk < 9 THEN f1.v || CASE WHEN f2.v <> f1.v THEN char(10) || f2.v ELSE '' END ELSE '' END,
  CASE WHEN kk < 9 THEN ar.v ELSE '' END,
  CASE WHEN kk < 9 AND ar.v = '山口県内市町' THEN ci.v ELSE '' END,
  CASE WHEN kk < 9 THEN ci.v || 'を中心に' || th.v || 'に取り組んでいます。' || s1.v ELSE '' END,
  th.v || 'の' || ac.v || 'を定期的に開いています。' || s2.v || s3.v,
  s4.v, ci.v || '内', '750-0000', '山口県', ci.v, '中央' || (i % 50 + 1) || '-' || (i % 9 + 1),
  '083-000-' || printf('%04d', i % 10000), 'g' || i || '@example.jp',
  date('1990-01-01', '+' || (h1 % 12000) || ' days'), CASE WHEN kk < 9 THEN bu.v ELSE '' END,
  (h2 % 200 + 3) || '名', '毎月第' || (h3 % 4 + 1) || '土曜日 10:00〜12:00', '活動団体である', 1,
  CASE WHEN h4 % 100 < 90 THEN 'active' WHEN h4 % 100 < 95 THEN 'dissolved' ELSE 'withdrawn' END,
  CASE WHEN h5 % 100 < 94 THEN 'published' WHEN h5 % 100 < 97 THEN 'review' ELSE 'draft' END,
  CASE WHEN h5 % 100 < 94 THEN strftime('%Y-%m-%dT%H:%M:%SZ', '2019-01-01', '+' || (i * 9000 / 17000) || ' days') END,
  strftime('%Y-%m-%dT%H:%M:%SZ', '2019-01-01', '+' || (i * 9000 / 17000) || ' days'),
  strftime('%Y-%m-%dT%H:%M:%SZ', '2019-01-01', '+' || (i * 9000 / 17000) || ' days')
FROM r
JOIN n_city ci ON ci.n = 1 + h1 % (SELECT v FROM c WHERE k = 'city')
JOIN n_theme th ON th.n = 1 + h2 % (SELECT v FROM c WHERE k = 'theme')
JOIN n_suffix su ON su.n = 1 + h3 % (SELECT v FROM c WHERE k = 'suffix')
JOIN n_company co ON co.n = 1 + h4 % (SELECT v FROM c WHERE k = 'company')
JOIN n_gclass gc ON gc.n = 1 + h5 % (SELECT v FROM c WHERE k = 'gclass')
JOIN n_cclass cc ON cc.n = 1 + h1 % (SELECT v FROM c WHERE k = 'cclass')
JOIN n_field f1 ON f1.n = 1 + h2 % (SELECT v FROM c WHERE k = 'field')
JOIN n_field f2 ON f2.n = 1 + h4 % (SELECT v FROM c WHERE k = 'field')
JOIN n_area ar ON ar.n = 1 + h3 % (SELECT v FROM c WHERE k = 'area')
JOIN n_budget bu ON bu.n = 1 + h3 % (SELECT v FROM c WHERE k = 'budget')
JOIN n_act ac ON ac.n = 1 + h5 % (SELECT v FROM c WHERE k = 'act')
JOIN n_sent s1 ON s1.n = 1 + h1 % (SELECT v FROM c WHERE k = 'sent')
JOIN n_sent s2 ON s2.n = 1 + h2 % (SELECT v FROM c WHERE k = 'sent')
JOIN n_sent s3 ON s3.n = 1 + h3 % (SELECT v FROM c WHERE k = 'sent')
JOIN n_sent s4 ON s4.n = 1 + h4 % (SELECT v FROM c WHERE k = 'sent')
JOIN n_surname sn ON sn.n = 1 + h5 % (SELECT v FROM c WHERE k = 'surname')
JOIN n_given gv ON gv.n = 1 + h1 % (SELECT v FROM c WHERE k = 'given')
JOIN n_surname sn2 ON sn2.n = 1 + h2 % (SELECT v FROM c WHERE k = 'surname')
JOIN n_given gv2 ON gv2.n = 1 + h3 % (SELECT v FROM c WHERE k = 'given');

-- ---------- events: 58,000 over 2024-01 … 2027-12 (20% recruit) ----------
INSERT INTO events (kind, group_id, title, organiser, starts_on, ends_on, time_text, municipality, place, purpose, summary,
  fields, fee, target, contact, status, published_at, created_at, updated_at)
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 58000),
r AS (SELECT i, (i * 2654435761 + 11 * 97531) % 1000003 AS h1, (i * 2654435761 + 12 * 97531) % 1000003 AS h2,
             (i * 2654435761 + 13 * 97531) % 1000003 AS h3, (i * 2654435761 + 14 * 97531) % 1000003 AS h4,
             (i * 2654435761 + 15 * 97531) % 1000003 AS h5,
             date('2024-01-01', '+' || ((i * 2654435761 + 16 * 97531) % 1000003 % 1460) || ' days') AS d FROM seq),
g AS (SELECT r.*, (SELECT v FROM c WHERE k = 'gmin') + h1 % 17000 AS gid FROM r)
SELECT CASE WHEN h5 % 5 = 0 THEN 'recruit' ELSE 'event' END, gid,
  ci.v || ' ' || th.v || ac.v || CASE WHEN h5 % 5 = 0 THEN '（ボランティア募集）' ELSE '' END,
  gr.name, d, CASE WHEN h4 % 6 = 0 THEN date(d, '+' || (h3 % 4 + 1) || ' days') ELSE d END,
  (9 + h2 % 8) || ':00〜' || (11 + h2 % 8) || ':00', ci.v, ci.v || ' ' || ve.v,
  th.v || 'について学び、地域の仲間とつながるため。',
  th.v || 'の' || ac.v || 'です。' || s1.v || s2.v || s3.v,
  f1.v, CASE WHEN h3 % 3 = 0 THEN '無料' ELSE (h3 % 10) * 100 || '円' END, 'どなたでも（定員' || (h4 % 50 + 10) || '名）',
  gr.name || char(10) || '電話 083-000-' || printf('%04d', gid % 10000),
  CASE WHEN h5 % 100 < 95 THEN 'published' WHEN h5 % 100 < 98 THEN 'review' ELSE 'draft' END,
  CASE WHEN h5 % 100 < 95 THEN date(d, '-30 days') || 'T00:00:00Z' END,
  date(d, '-31 days') || 'T00:00:00Z', date(d, '-30 days') || 'T00:00:00Z'
FROM g
JOIN groups gr ON gr.id = g.gid
JOIN n_city ci ON ci.n = 1 + h1 % (SELECT v FROM c WHERE k = 'city')
JOIN n_theme th ON th.n = 1 + h2 % (SELECT v FROM c WHERE k = 'theme')
JOIN n_act ac ON ac.n = 1 + h3 % (SELECT v FROM c WHERE k = 'act')
JOIN n_venue ve ON ve.n = 1 + h4 % (SELECT v FROM c WHERE k = 'venue')
JOIN n_field f1 ON f1.n = 1 + h5 % (SELECT v FROM c WHERE k = 'field')
JOIN n_sent s1 ON s1.n = 1 + h1 % (SELECT v FROM c WHERE k = 'sent')
JOIN n_sent s2 ON s2.n = 1 + h3 % (SELECT v FROM c WHERE k = 'sent')
JOIN n_sent s3 ON s3.n = 1 + h5 % (SELECT v FROM c WHERE k = 'sent');

-- ---------- grants: 85,000, deadlines over 2024-01 … 2027-12 ----------
INSERT INTO grants (title, funder, amount, amount_max, deadline, fields, area, purpose, eligible_projects,
  eligible_applicants, apply_from, how_to_apply, contact, summary, status, published_at, created_at, updated_at)
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 85000),
r AS (SELECT i, (i * 2654435761 + 21 * 97531) % 1000003 AS h1, (i * 2654435761 + 22 * 97531) % 1000003 AS h2,
             (i * 2654435761 + 23 * 97531) % 1000003 AS h3, (i * 2654435761 + 24 * 97531) % 1000003 AS h4,
             (i * 2654435761 + 25 * 97531) % 1000003 AS h5,
             date('2024-01-01', '+' || ((i * 2654435761 + 26 * 97531) % 1000003 % 1460) || ' days') AS d FROM seq)
SELECT '令和' || (6 + h1 % 4) || '年度 ' || th.v || '活動助成', fu.v, '上限' || am.v || '万円', am.v, d,
  f1.v || CASE WHEN f2.v <> f1.v THEN char(10) || f2.v ELSE '' END, ar.v,
  th.v || 'に取り組む団体の活動を支援し、地域の課題解決を進める。',
  th.v || 'に関する' || ac.v || 'の開催、活動に必要な備品の購入。' || s1.v,
  '県内で活動する市民活動団体・NPO法人（設立' || (h2 % 3 + 1) || '年以上）',
  date(d, '-60 days'), '申請書を郵送またはEメールで提出してください。', fu.v || char(10) || '電話 083-000-2' || printf('%03d', h3 % 1000),
  s2.v || s3.v,
  CASE WHEN h5 % 100 < 95 THEN 'published' WHEN h5 % 100 < 98 THEN 'review' ELSE 'draft' END,
  CASE WHEN h5 % 100 < 95 THEN date(d, '-60 days') || 'T00:00:00Z' END,
  date(d, '-61 days') || 'T00:00:00Z', date(d, '-60 days') || 'T00:00:00Z'
FROM r
JOIN n_theme th ON th.n = 1 + h1 % (SELECT v FROM c WHERE k = 'theme')
JOIN n_funder fu ON fu.n = 1 + h2 % (SELECT v FROM c WHERE k = 'funder')
JOIN n_amount am ON am.n = 1 + h3 % (SELECT v FROM c WHERE k = 'amount')
JOIN n_field f1 ON f1.n = 1 + h4 % (SELECT v FROM c WHERE k = 'field')
JOIN n_field f2 ON f2.n = 1 + h5 % (SELECT v FROM c WHERE k = 'field')
JOIN n_area ar ON ar.n = 1 + h1 % (SELECT v FROM c WHERE k = 'area')
JOIN n_act ac ON ac.n = 1 + h2 % (SELECT v FROM c WHERE k = 'act')
JOIN n_sent s1 ON s1.n = 1 + h3 % (SELECT v FROM c WHERE k = 'sent')
JOIN n_sent s2 ON s2.n = 1 + h4 % (SELECT v FROM c WHERE k = 'sent')
JOIN n_sent s3 ON s3.n = 1 + h5 % (SELECT v FROM c WHERE k = 'sent');

-- ---------- books: 31,000 ----------
INSERT INTO books (accession_no, title, title_kana, author, publisher, published_on, description, status, published_at, created_at)
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 31000),
r AS (SELECT i, (i * 2654435761 + 31 * 97531) % 1000003 AS h1, (i * 2654435761 + 32 * 97531) % 1000003 AS h2,
             (i * 2654435761 + 33 * 97531) % 1000003 AS h3, (i * 2654435761 + 34 * 97531) % 1000003 AS h4,
             (i * 2654435761 + 35 * 97531) % 1000003 AS h5 FROM seq)
SELECT 'B-' || printf('%06d', i), th.v || bn.v || CASE WHEN h5 % 3 = 0 THEN ' 第' || (h5 % 5 + 2) || '版' ELSE '' END,
  th.k || bn.k, sn.v || ' ' || gv.v, pu.v, (2000 + h3 % 26) || '年' || (h4 % 12 + 1) || '月',
  th.v || 'の基本から実践までを、事例とともに紹介しています。' || s1.v || s2.v,
  CASE WHEN h5 % 100 < 97 THEN 'published' ELSE 'draft' END,
  CASE WHEN h5 % 100 < 97 THEN '2025-04-01T00:00:00Z' END, '2025-04-01T00:00:00Z'
FROM r
JOIN n_theme th ON th.n = 1 + h1 % (SELECT v FROM c WHERE k = 'theme')
JOIN n_booknoun bn ON bn.n = 1 + h2 % (SELECT v FROM c WHERE k = 'booknoun')
JOIN n_surname sn ON sn.n = 1 + h3 % (SELECT v FROM c WHERE k = 'surname')
JOIN n_given gv ON gv.n = 1 + h4 % (SELECT v FROM c WHERE k = 'given')
JOIN n_publisher pu ON pu.n = 1 + h5 % (SELECT v FROM c WHERE k = 'publisher')
JOIN n_sent s1 ON s1.n = 1 + h1 % (SELECT v FROM c WHERE k = 'sent')
JOIN n_sent s2 ON s2.n = 1 + h4 % (SELECT v FROM c WHERE k = 'sent');

-- ---------- reports: 2,000 ----------
INSERT INTO reports (title, body, group_id, group_name, group_kana, held_on, place, headcount, status, published_at, created_at)
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 2000),
r AS (SELECT i, (i * 2654435761 + 41 * 97531) % 1000003 AS h1, (i * 2654435761 + 42 * 97531) % 1000003 AS h2,
             (i * 2654435761 + 43 * 97531) % 1000003 AS h3,
             date('2024-01-01', '+' || ((i * 2654435761 + 44 * 97531) % 1000003 % 1060) || ' days') AS d FROM seq),
g AS (SELECT r.*, (SELECT v FROM c WHERE k = 'gmin') + h1 % 17000 AS gid FROM r)
SELECT th.v || ac.v || 'を開きました', th.v || 'の' || ac.v || 'に' || (h3 % 90 + 10) || '人が参加しました。' || char(10) || char(10) || s1.v || s2.v,
  gid, gr.name, gr.kana, d, gr.municipality || ' ' || ve.v, (h3 % 90 + 10) || '人',
  CASE WHEN h2 % 100 < 95 THEN 'published' ELSE 'review' END,
  CASE WHEN h2 % 100 < 95 THEN date(d, '+7 days') || 'T00:00:00Z' END, date(d, '+5 days') || 'T00:00:00Z'
FROM g
JOIN groups gr ON gr.id = g.gid
JOIN n_theme th ON th.n = 1 + h2 % (SELECT v FROM c WHERE k = 'theme')
JOIN n_act ac ON ac.n = 1 + h3 % (SELECT v FROM c WHERE k = 'act')
JOIN n_venue ve ON ve.n = 1 + h1 % (SELECT v FROM c WHERE k = 'venue')
JOIN n_sent s1 ON s1.n = 1 + h2 % (SELECT v FROM c WHERE k = 'sent')
JOIN n_sent s2 ON s2.n = 1 + h3 % (SELECT v FROM c WHERE k = 'sent');

-- ---------- news: 1,000 (both sites) ----------
INSERT INTO news (site, category, title, body, status, published_at, created_at, updated_at)
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 1000),
r AS (SELECT i, (i * 2654435761 + 51 * 97531) % 1000003 AS h1, (i * 2654435761 + 52 * 97531) % 1000003 AS h2,
             strftime('%Y-%m-%dT%H:%M:%SZ', '2023-01-01', '+' || (i * 1400 / 1000) || ' days') AS t FROM seq)
SELECT CASE WHEN i % 4 = 0 THEN 'aika' ELSE 'supernet' END, CASE WHEN i % 4 = 1 THEN 'centre' ELSE 'news' END,
  th.v || ac.v || 'のご案内', th.v || 'の' || ac.v || 'を開催します。' || char(10) || char(10) || s1.v || s2.v,
  'published', t, t, t
FROM r
JOIN n_theme th ON th.n = 1 + h1 % (SELECT v FROM c WHERE k = 'theme')
JOIN n_act ac ON ac.n = 1 + h2 % (SELECT v FROM c WHERE k = 'act')
JOIN n_sent s1 ON s1.n = 1 + h1 % (SELECT v FROM c WHERE k = 'sent')
JOIN n_sent s2 ON s2.n = 1 + h2 % (SELECT v FROM c WHERE k = 'sent');

-- ---------- queue everything published for the search index ----------
INSERT OR IGNORE INTO search_queue(id)
  SELECT id * 16 + 1 FROM news WHERE status = 'published'
  UNION ALL SELECT id * 16 + 2 FROM groups WHERE status = 'published'
  UNION ALL SELECT id * 16 + 3 FROM events WHERE status = 'published'
  UNION ALL SELECT id * 16 + 4 FROM grants WHERE status = 'published'
  UNION ALL SELECT id * 16 + 7 FROM reports WHERE status = 'published'
  UNION ALL SELECT id * 16 + 8 FROM books WHERE status = 'published'
  UNION ALL SELECT id * 16 + 9 FROM pages WHERE status = 'published';
COMMIT;
