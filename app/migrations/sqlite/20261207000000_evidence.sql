-- Evidence: photos and documents that entries carry, named by the SHA-256 of their bytes. An
-- entry lists its files (a JSON list, `domain::evidence::Evidence`); the bytes follow, in chunks,
-- into the file store (`server::files`), each file once however many entries name it.

alter table visits add column files text;
alter table milestones add column files text;
alter table indicator_values add column files text;
alter table form_entries add column files text;

-- A file the server is receiving or holds. `received` counts the bytes held so far, in order;
-- the file is `complete` once all of them are there and their hash and kind were checked.
-- `unnamed_since`: the first day the daily sweep found no entry naming it (removed 30 days on).
create table files (
    sha256 text primary key,
    bytes integer not null,
    received integer not null default 0,
    media text,
    complete integer not null default 0,
    thumbnail integer not null default 0,
    created_at text not null,
    completed_at text,
    unnamed_since text
);

-- Which entry names which file: who may send its bytes (`added_by`) and who may read it (those
-- who read the entry's project; a draft's files only its author, `draft_of`).
create table file_refs (
    kind text not null,
    entry_id blob not null,
    sha256 text not null,
    project_id blob not null,
    draft_of blob,
    added_by blob,
    primary key (kind, entry_id, sha256)
);
create index file_refs_by_file on file_refs (sha256);
