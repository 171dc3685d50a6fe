-- Entries kept as form answers (issue 4): diagnostics and SSE-law self-assessments, made on the
-- phones with a form version, checked against it, synced and reviewed like visits. The answers
-- are JSON as the form version defines them; `done_on` is the day the entry is about (for order
-- and for the timeline, without reading the JSON).

create table form_entries (
    id blob primary key,
    project_id blob not null references projects (id),
    form_id text not null,
    form_version integer not null,
    status text not null check (status in ('draft', 'submitted', 'validated', 'returned')),
    answers text not null,
    done_on text,
    author_id blob references users (id) on delete set null,
    last_device_id blob,
    version integer not null default 0,
    deleted integer not null default 0,
    review_decision text check (review_decision in ('validated', 'returned')),
    review_comment text not null default '',
    reviewed_by blob references users (id) on delete set null,
    reviewed_at text,
    created_at text not null,
    updated_at text not null
);
create index form_entries_project on form_entries (project_id, done_on);
create index form_entries_version on form_entries (version);
