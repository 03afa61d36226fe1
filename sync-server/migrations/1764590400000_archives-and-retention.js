/**
 * Archives and retention (as storage/sqlite-retention.ts): two columns of discussions and the
 * organisation's settings (key `retention`, a JSON value).
 */
export const up = (pgm) => {
  pgm.sql(`
ALTER TABLE discussions ADD COLUMN archived_at BIGINT;
ALTER TABLE discussions ADD COLUMN retention_days INTEGER;
CREATE TABLE settings (key TEXT PRIMARY KEY, value JSONB NOT NULL);
`);
};

export const down = (pgm) => {
  pgm.sql(`
DROP TABLE settings;
ALTER TABLE discussions DROP COLUMN retention_days;
ALTER TABLE discussions DROP COLUMN archived_at;
`);
};
