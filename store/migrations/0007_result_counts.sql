-- result_counts holds, per engagement, standard and status, how many results are stored:
-- what the home screen's readiness bars need. Counting the results table for every start
-- took 80 to 150 ms in a workspace of 300 engagements (48,000 results); reading these few
-- rows takes about a millisecond. The triggers keep it exact through every path that
-- writes results (edits, adoption, import, deletes of results or of whole engagements);
-- TestResultCountsFollowResults compares it with a fresh count after each kind of change.
-- A later migration that rebuilds the results table drops these triggers with it and must
-- create them again.
CREATE TABLE result_counts (
    engagement_id TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    standard      TEXT NOT NULL,
    status        TEXT NOT NULL,
    n             INTEGER NOT NULL CHECK (n > 0),
    PRIMARY KEY (engagement_id, standard, status)
) WITHOUT ROWID;

INSERT INTO result_counts (engagement_id, standard, status, n)
    SELECT engagement_id, standard, status, count(*) FROM results GROUP BY engagement_id, standard, status;

CREATE TRIGGER result_counts_insert AFTER INSERT ON results BEGIN
    INSERT INTO result_counts (engagement_id, standard, status, n) VALUES (NEW.engagement_id, NEW.standard, NEW.status, 1)
        ON CONFLICT (engagement_id, standard, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER result_counts_delete AFTER DELETE ON results BEGIN
    DELETE FROM result_counts
        WHERE engagement_id = OLD.engagement_id AND standard = OLD.standard AND status = OLD.status AND n = 1;
    UPDATE result_counts SET n = n - 1
        WHERE engagement_id = OLD.engagement_id AND standard = OLD.standard AND status = OLD.status AND n > 1;
END;

CREATE TRIGGER result_counts_update AFTER UPDATE OF engagement_id, standard, status ON results
    WHEN OLD.engagement_id IS NOT NEW.engagement_id OR OLD.standard IS NOT NEW.standard OR OLD.status IS NOT NEW.status
BEGIN
    DELETE FROM result_counts
        WHERE engagement_id = OLD.engagement_id AND standard = OLD.standard AND status = OLD.status AND n = 1;
    UPDATE result_counts SET n = n - 1
        WHERE engagement_id = OLD.engagement_id AND standard = OLD.standard AND status = OLD.status AND n > 1;
    INSERT INTO result_counts (engagement_id, standard, status, n) VALUES (NEW.engagement_id, NEW.standard, NEW.status, 1)
        ON CONFLICT (engagement_id, standard, status) DO UPDATE SET n = n + 1;
END;
