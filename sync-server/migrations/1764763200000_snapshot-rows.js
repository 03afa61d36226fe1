/**
 * A compaction's snapshot row gets an id of its own (`snapshot`; NULL for an update as it was
 * written): a node compacting a discussion folds into its snapshot only the rows its copy does
 * not hold, and a snapshot another node wrote at the same sequence number is not the one it
 * holds (storage/postgres.ts `compact`).
 */
export const up = (pgm) => {
  pgm.sql('ALTER TABLE doc_updates ADD COLUMN snapshot TEXT;');
};

export const down = (pgm) => {
  pgm.sql('ALTER TABLE doc_updates DROP COLUMN snapshot;');
};
