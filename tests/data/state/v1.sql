-- A state in format 1, as migrator 0.1.0 wrote it (tests/unit/state/test_upgrade.py).
-- Never edit: later formats get their own fixture.
BEGIN TRANSACTION;
CREATE TABLE cursors (
        stream TEXT PRIMARY KEY, cursor_field TEXT NOT NULL, initial_value TEXT,
        last_value TEXT, boundary_keys TEXT NOT NULL, updated_serial BIGINT NOT NULL);
INSERT INTO "cursors" VALUES('oplacrm:accounts','updated_at','null','"2026-01-01T00:00:00Z"','["oplacrm:accounts:3"]',3);
CREATE TABLE holds (
        address TEXT PRIMARY KEY, mapping TEXT NOT NULL, source_key TEXT NOT NULL,
        code TEXT NOT NULL, reason TEXT NOT NULL, blocked_by TEXT NOT NULL,
        owner_email_hash TEXT, run_id TEXT);
INSERT INTO "holds" VALUES('record.opportunities[oplacrm:opportunities:9]','opportunities','oplacrm:opportunities:9','owner_unresolved','owner has no workspace member','oplacrm:users:MNV_009','sha256:0000000000000000000000000000000000000000000000000000000000000000','run-0001');
CREATE TABLE lock (
        name TEXT PRIMARY KEY, lock_id TEXT NOT NULL, who TEXT NOT NULL, pid BIGINT NOT NULL,
        host TEXT NOT NULL, operation TEXT NOT NULL, since TEXT NOT NULL);
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO "meta" VALUES('format_version','1');
INSERT INTO "meta" VALUES('lineage','00000000-0000-0000-0000-000000000001');
INSERT INTO "meta" VALUES('migrator_version','0.1.0');
INSERT INTO "meta" VALUES('serial','4');
INSERT INTO "meta" VALUES('destination_base_url','sandbox:.migrator/sandbox.db');
INSERT INTO "meta" VALUES('destination_workspace_id','20202020-0000-4000-8000-000000000001');
INSERT INTO "meta" VALUES('migration_name','oplacrm-to-twenty');
INSERT INTO "meta" VALUES('namespace','88061255-52e7-5622-8ba5-c768793a5dc5');
CREATE TABLE quarantine (
        address TEXT PRIMARY KEY, mapping TEXT NOT NULL, source_key TEXT NOT NULL,
        code TEXT NOT NULL, reason TEXT NOT NULL, run_id TEXT);
INSERT INTO "quarantine" VALUES('record.contacts[oplacrm:contacts:7]','contacts','oplacrm:contacts:7','invalid_email','email has no domain part','run-0001');
CREATE TABLE records (
        address TEXT PRIMARY KEY, mapping TEXT NOT NULL, source_key TEXT NOT NULL,
        twenty_object TEXT NOT NULL, twenty_id TEXT NOT NULL, payload_digest TEXT NOT NULL,
        status TEXT NOT NULL, pre_image TEXT, pre_image_updated_at TEXT,
        pre_image_deleted_at TEXT, run_id TEXT, file_ids TEXT NOT NULL);
INSERT INTO "records" VALUES('record.companies[oplacrm:accounts:1]','companies','oplacrm:accounts:1','company','19b40209-ce1e-5fbe-8897-fed005fa088e','sha256:aa','written',NULL,NULL,NULL,'run-0001','["file-1"]');
INSERT INTO "records" VALUES('record.companies[oplacrm:accounts:2]','companies','oplacrm:accounts:2','company','9b1f0000-0000-4000-8000-000000000001','sha256:aa','merged','{"domainName":{"primaryLinkUrl":"existing.example"},"name":"Existing Co"}','2025-01-02T03:04:05.000Z',NULL,'run-0001','[]');
INSERT INTO "records" VALUES('record.companies[oplacrm:accounts:3]','companies','oplacrm:accounts:3','company','9b1f0000-0000-4000-8000-000000000001','sha256:aa','restored','{"domainName":{"primaryLinkUrl":"existing.example"},"name":"Existing Co"}','2025-01-02T03:04:05.000Z','2025-02-01T00:00:00.000Z','run-0001','[]');
CREATE TABLE run_phases (
        run_id TEXT NOT NULL, phase TEXT NOT NULL, position BIGINT NOT NULL,
        source BIGINT NOT NULL, written BIGINT NOT NULL, merged BIGINT NOT NULL,
        deduplicated BIGINT NOT NULL, quarantined BIGINT NOT NULL, held BIGINT NOT NULL,
        skipped BIGINT NOT NULL, PRIMARY KEY (run_id, phase));
INSERT INTO "run_phases" VALUES('run-0001','mapping.companies',0,3,1,2,0,0,0,0);
CREATE TABLE runs (
        run_id TEXT PRIMARY KEY, kind TEXT NOT NULL, plan_digest TEXT NOT NULL,
        started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL,
        first_serial BIGINT NOT NULL, last_serial BIGINT NOT NULL,
        migrator_version TEXT NOT NULL);
INSERT INTO "runs" VALUES('run-0001','apply','sha256:1111111111111111111111111111111111111111111111111111111111111111','2026-01-01T00:00:00.000Z','2026-01-01T00:00:10.000Z','complete',1,4,'0.1.0');
CREATE TABLE schema_resources (
        address TEXT PRIMARY KEY, kind TEXT NOT NULL, twenty_id TEXT,
        created_by_us INTEGER NOT NULL, options_before TEXT, run_id TEXT);
INSERT INTO "schema_resources" VALUES('field.company.oplaHealthscore','field','f0000000-0000-4000-8000-000000000001',1,NULL,'run-0001');
INSERT INTO "schema_resources" VALUES('option.opportunity.stage.CLOSE_LOST','option','f0000000-0000-4000-8000-000000000002',0,'[{"color":"red","id":"o1","label":"New","position":0,"value":"NEW"}]','run-0001');
CREATE INDEX records_by_mapping ON records (mapping, address);
CREATE INDEX records_by_source_key ON records (source_key);
CREATE INDEX quarantine_by_mapping ON quarantine (mapping, address);
CREATE INDEX holds_by_mapping ON holds (mapping, address);
COMMIT;
