"""The history's schema: each migration takes it from the version before to its own number."""

from __future__ import annotations

SCHEMA_VERSION = 13

# The language most of a stored v3 result's speech was recognized as (by time), for the job of the row
# being updated: the phrases' own language codes, as GetRecognition streamed them.
_FINAL = "json_extract(e.value, '$.final.alternatives[0].{}')"
# Zero times are left out of the JSON (proto3 defaults): a missing one is 0.
_SPOKEN = (
    f"COALESCE(CAST({_FINAL.format('endTimeMs')} AS REAL), 0) "
    f"- COALESCE(CAST({_FINAL.format('startTimeMs')} AS REAL), 0)"
)
DETECTED_LANGUAGE = f"""(
    SELECT {_FINAL.format("languages[0].languageCode")} AS code
    FROM results r, json_each(r.recognition_json, '$.streamingResponses') AS e
    WHERE r.job_id = jobs.id AND code IS NOT NULL AND code <> ''
    GROUP BY code ORDER BY SUM({_SPOKEN}) DESC LIMIT 1
)"""

# Each entry takes the schema from the version before it to its own number.
MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE jobs (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        profile       TEXT NOT NULL,
        state         TEXT NOT NULL,
        operation_id  TEXT,
        file_path     TEXT NOT NULL,
        file_size     INTEGER,
        file_hash     TEXT,
        probe         TEXT,
        options       TEXT NOT NULL,
        encoding      TEXT,
        audio_seconds REAL,
        channels      INTEGER,
        payload_path  TEXT,
        created_at    REAL NOT NULL,
        done_at       REAL,
        expires_at    REAL,
        next_poll_at  REAL,
        polls         INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT,
        errors        INTEGER NOT NULL DEFAULT 0,  -- failed checks in a row, for the retry backoff
        submitter_pid INTEGER
    );
    CREATE UNIQUE INDEX jobs_operation ON jobs (profile, operation_id) WHERE operation_id IS NOT NULL;
    CREATE INDEX jobs_due ON jobs (profile, state, next_poll_at);
    CREATE TABLE results (
        job_id         INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
        operation_json TEXT NOT NULL,
        stored_at      REAL NOT NULL
    );
    -- Calls counted against the service's hourly quotas, shared by every process using this history.
    CREATE TABLE quota_events (profile TEXT NOT NULL, kind TEXT NOT NULL, at REAL NOT NULL);
    CREATE INDEX quota_events_at ON quota_events (profile, kind, at);
    CREATE TABLE pauses (profile TEXT PRIMARY KEY, until REAL NOT NULL, strikes INTEGER NOT NULL);
    """,
    # A revision number bumped on every change of a row, so a window on the history (the TUI) reads
    # only what changed, whoever changed it. The counter lives apart from the rows so that it never
    # goes back, even when the newest rows are forgotten.
    2: """
    CREATE TABLE revision (n INTEGER NOT NULL);
    INSERT INTO revision (n) SELECT COALESCE(MAX(id), 0) FROM jobs;
    ALTER TABLE jobs ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
    UPDATE jobs SET rev = id;
    CREATE INDEX jobs_rev ON jobs (rev);
    CREATE TRIGGER jobs_rev_insert AFTER INSERT ON jobs BEGIN
        UPDATE revision SET n = n + 1;
        UPDATE jobs SET rev = (SELECT n FROM revision) WHERE id = NEW.id;
    END;
    CREATE TRIGGER jobs_rev_update AFTER UPDATE ON jobs WHEN NEW.rev = OLD.rev BEGIN
        UPDATE revision SET n = n + 1;
        UPDATE jobs SET rev = (SELECT n FROM revision) WHERE id = NEW.id;
    END;
    """,
    # The Object Storage URI of audio uploaded for a cloud job, kept until the object is deleted.
    3: """
    ALTER TABLE jobs ADD COLUMN object_uri TEXT;
    CREATE INDEX jobs_object ON jobs (object_uri) WHERE object_uri IS NOT NULL;
    """,
    # When the recognition request was about to go out: a submission interrupted before it never reached
    # the service (nothing to lose), one interrupted after it may have (its operation id is unknown).
    # The offset of the service's clock from this machine's, measured at each submit, per profile:
    # retention deadlines are the service's, on its clock.
    4: """
    ALTER TABLE jobs ADD COLUMN sent_at REAL;
    CREATE TABLE clock_skews (profile TEXT PRIMARY KEY, seconds REAL NOT NULL, measured_at REAL NOT NULL);
    """,
    # How long recognition was expected to take, by the speed of the profile it was sent to: shown
    # against the elapsed time whatever profile is in use later.
    5: """
    ALTER TABLE jobs ADD COLUMN expected_seconds REAL;
    """,
    # Forgotten jobs leave their id at the revision they went, so a reader learns what left the history
    # from the revisions alone, without holding every id.
    6: """
    CREATE INDEX jobs_state ON jobs (state);
    CREATE TABLE forgotten (id INTEGER NOT NULL, rev INTEGER NOT NULL);
    CREATE INDEX forgotten_rev ON forgotten (rev);
    CREATE TRIGGER jobs_forgotten AFTER DELETE ON jobs BEGIN
        UPDATE revision SET n = n + 1;
        INSERT INTO forgotten (id, rev) SELECT OLD.id, n FROM revision;
    END;
    """,
    # The job list sorts by these expressions (history/windows.py, written the same way there): indexed,
    # a sort of 100,000 rows walks the index instead of sorting them.
    7: """
    CREATE INDEX jobs_by_file ON jobs (
        lower(replace(file_path, rtrim(file_path, replace(file_path, '/', '')), '')), id DESC
    );
    CREATE INDEX jobs_by_created ON jobs (created_at, id DESC);
    """,
    # Files by content: a cache of their SHA-256 (a file is hashed once while its size and time stay),
    # the audio files whose transcripts go beside them (a job's own, and copies of the same audio found
    # later), and the transcript files stt-tui wrote with what they held: only those may be replaced.
    8: """
    CREATE INDEX jobs_hash ON jobs (file_hash) WHERE file_hash IS NOT NULL;
    CREATE INDEX jobs_size ON jobs (file_size) WHERE file_size IS NOT NULL;
    CREATE TABLE file_hashes (
        path     TEXT PRIMARY KEY,
        size     INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        sha256   TEXT NOT NULL
    );
    CREATE TABLE deliveries (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id     INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        audio_path TEXT NOT NULL,
        formats    TEXT NOT NULL,  -- 'txt,srt'; '' when the file is only linked to the job
        settled_at REAL,           -- when the transcripts were written, or found impossible to write
        outcome    TEXT,
        UNIQUE (audio_path, job_id)
    );
    CREATE INDEX deliveries_job ON deliveries (job_id);
    CREATE INDEX deliveries_pending ON deliveries (job_id) WHERE settled_at IS NULL;
    CREATE TABLE written_files (
        path   TEXT PRIMARY KEY,
        sha256 TEXT NOT NULL,
        job_id INTEGER,
        at     REAL NOT NULL
    );
    """,
    # The API each operation was started with (every job before this was a v2 one), and the result
    # stream of a v3 job, kept beside its Operation: a v3 Operation holds no transcript.
    9: """
    ALTER TABLE jobs ADD COLUMN api TEXT NOT NULL DEFAULT 'v2';
    ALTER TABLE results ADD COLUMN recognition_json TEXT;
    """,
    # The language the service recognized a v3 job's speech as (the one of most of its phrases): what
    # `auto` came to, shown in the job list. Filled for the results stored before it.
    10: f"""
    ALTER TABLE jobs ADD COLUMN detected_language TEXT;
    UPDATE jobs SET detected_language = {DETECTED_LANGUAGE} WHERE api = 'v3';
    """,
    # Every stored transcript, phrase by phrase, in a full-text index (FTS5, case and diacritics folded;
    # `folded` holds what is indexed where it differs from the text, as ё for е). The index reads the
    # text from `phrases` (external content), kept in step by triggers; a forgotten job takes its phrases
    # with it. `indexed` says which results are in: the ones stored before this are added in the
    # background (history/search.py), so opening the history stays instant.
    11: """
    CREATE TABLE phrases (
        id      INTEGER PRIMARY KEY,
        job_id  INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        n       INTEGER NOT NULL,  -- the phrase's place in the transcript, in time order from 0
        channel INTEGER NOT NULL,  -- the channel, or the speaker, from 1
        speaker INTEGER NOT NULL,  -- 1: `channel` numbers a speaker the service told apart
        start   REAL NOT NULL,
        end     REAL NOT NULL,
        text    TEXT NOT NULL,
        folded  TEXT
    );
    CREATE UNIQUE INDEX phrases_job ON phrases (job_id, n);
    CREATE VIRTUAL TABLE phrases_fts USING fts5(
        text, content='phrases', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER phrases_added AFTER INSERT ON phrases BEGIN
        INSERT INTO phrases_fts (rowid, text) VALUES (new.id, COALESCE(new.folded, new.text));
    END;
    CREATE TRIGGER phrases_removed AFTER DELETE ON phrases BEGIN
        INSERT INTO phrases_fts (phrases_fts, rowid, text)
            VALUES ('delete', old.id, COALESCE(old.folded, old.text));
    END;
    CREATE TRIGGER phrases_changed AFTER UPDATE OF text, folded ON phrases BEGIN
        INSERT INTO phrases_fts (phrases_fts, rowid, text)
            VALUES ('delete', old.id, COALESCE(old.folded, old.text));
        INSERT INTO phrases_fts (rowid, text) VALUES (new.id, COALESCE(new.folded, new.text));
    END;
    CREATE TABLE indexed (job_id INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE);
    -- What a person changed, over what the service sent (kept as it came): a phrase's text, and the
    -- names of a job's channels or speakers. Undoing a correction deletes it.
    CREATE TABLE corrections (
        job_id  INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        n       INTEGER NOT NULL,  -- the phrase, numbered as in `phrases`
        channel INTEGER NOT NULL,
        text    TEXT NOT NULL,
        at      REAL NOT NULL,
        PRIMARY KEY (job_id, n)
    );
    CREATE TABLE names (
        job_id  INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        channel INTEGER NOT NULL,  -- the channel, or the speaker, from 1
        name    TEXT NOT NULL,
        PRIMARY KEY (job_id, channel)
    );
    """,
    # The index's external content is what it indexes, the folded text, read through a view: FTS5's own
    # `integrity-check` and `rebuild` then agree with the triggers (with `text` as the content, a rebuild
    # indexed the unfolded text and lost ё/е matching, and the check called the index malformed).
    12: """
    DROP TRIGGER phrases_added;
    DROP TRIGGER phrases_removed;
    DROP TRIGGER phrases_changed;
    DROP TABLE phrases_fts;
    CREATE VIEW phrases_folded (id, text) AS SELECT id, COALESCE(folded, text) FROM phrases;
    CREATE VIRTUAL TABLE phrases_fts USING fts5(
        text, content='phrases_folded', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    );
    INSERT INTO phrases_fts (phrases_fts) VALUES ('rebuild');
    CREATE TRIGGER phrases_added AFTER INSERT ON phrases BEGIN
        INSERT INTO phrases_fts (rowid, text) VALUES (new.id, COALESCE(new.folded, new.text));
    END;
    CREATE TRIGGER phrases_removed AFTER DELETE ON phrases BEGIN
        INSERT INTO phrases_fts (phrases_fts, rowid, text)
            VALUES ('delete', old.id, COALESCE(old.folded, old.text));
    END;
    CREATE TRIGGER phrases_changed AFTER UPDATE OF text, folded ON phrases BEGIN
        INSERT INTO phrases_fts (phrases_fts, rowid, text)
            VALUES ('delete', old.id, COALESCE(old.folded, old.text));
        INSERT INTO phrases_fts (rowid, text) VALUES (new.id, COALESCE(new.folded, new.text));
    END;
    """,
    # Voices remembered across recordings: a voice is a name a person gave a speaker; each job that taught
    # it keeps the print of that speaker's speech in it (256 float32 of unit length, never the audio),
    # and goes with the job. A voice no job teaches any more is forgotten with the speakers it was
    # recognized in. A speaker recognized by voice (not named by a person) is a match.
    13: """
    CREATE TABLE voices (
        id   INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE voice_prints (
        job_id   INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        channel  INTEGER NOT NULL,  -- the speaker, from 1
        voice_id INTEGER NOT NULL REFERENCES voices (id) ON DELETE CASCADE,
        print    BLOB NOT NULL,
        seconds  REAL NOT NULL,     -- of speech it was made of
        at       REAL NOT NULL,
        PRIMARY KEY (job_id, channel)
    );
    CREATE INDEX voice_prints_voice ON voice_prints (voice_id);
    CREATE TABLE voice_matches (
        job_id     INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        channel    INTEGER NOT NULL,
        voice_id   INTEGER NOT NULL REFERENCES voices (id) ON DELETE CASCADE,
        similarity REAL NOT NULL,
        PRIMARY KEY (job_id, channel)
    );
    CREATE INDEX voice_matches_voice ON voice_matches (voice_id);
    CREATE TRIGGER voice_untaught AFTER DELETE ON voice_prints
    WHEN NOT EXISTS (SELECT 1 FROM voice_prints WHERE voice_id = OLD.voice_id) BEGIN
        DELETE FROM voices WHERE id = OLD.voice_id;
    END;
    """,
}
