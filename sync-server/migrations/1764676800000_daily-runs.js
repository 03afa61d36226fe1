/**
 * Daily jobs shared by the nodes of one database (the retention job): one row per job and day,
 * inserted by the node that runs it (storage/postgres.ts `claimDailyRun`); the others find it
 * there and skip that day.
 */
export const up = (pgm) => {
  pgm.sql(`
CREATE TABLE daily_runs (
  job TEXT NOT NULL,
  day TEXT NOT NULL,
  claimed_at BIGINT NOT NULL,
  PRIMARY KEY (job, day)
);
`);
};

export const down = (pgm) => {
  pgm.sql('DROP TABLE daily_runs;');
};
