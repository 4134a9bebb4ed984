-- When an item was last renamed, in UTC like created_at; NULL for an item never renamed.
-- NULL rather than a default: adding a nullable column without a default is an instant change on
-- MySQL 8.4 and MariaDB 10.11 (no table rebuild, no row rewritten), safe under a running API, and
-- it claims no rename time for rows that were never renamed.
ALTER TABLE items ADD COLUMN updated_at DATETIME(3) NULL DEFAULT NULL AFTER created_at;
