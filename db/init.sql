-- tristack schema and seed rows.
-- Runs unchanged on MySQL 8.4 and MariaDB 10.11, inside the database the client selected
-- (the mysql image's entrypoint runs it in MYSQL_DATABASE; `npm start` and the tests select theirs).
-- Safe to run twice: the table is only created when missing and the seed rows have fixed ids.

CREATE TABLE IF NOT EXISTS items (
  -- BIGINT so ids never run out; the API accepts ids up to 2^53 - 1, the largest a JSON number keeps exactly.
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  -- 255 characters (not bytes): utf8mb4 stores any Unicode name, emoji included.
  name VARCHAR(255) NOT NULL,
  -- DATETIME in UTC rather than TIMESTAMP, which ends in January 2038.
  created_at DATETIME(3) NOT NULL DEFAULT (UTC_TIMESTAMP(3)),
  -- The primary key is the index keyset pagination walks: WHERE id > ? ORDER BY id LIMIT ?.
  PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

INSERT INTO items (id, name) VALUES
  (1, 'Test A'),
  (2, 'Test B'),
  (3, 'Test C')
ON DUPLICATE KEY UPDATE id = id;
