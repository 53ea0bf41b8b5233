-- MySQL dump
/*!40101 SET NAMES utf8mb4 */;
CREATE TABLE `wp_posts` (
  `ID` bigint(20) NOT NULL,
  `post_title` text
) ENGINE=InnoDB;
INSERT INTO `wp_posts` VALUES (1,'It\'s \\ 髙'),(2,NULL),(3,0x4142),(4,_binary 'a\0b');
