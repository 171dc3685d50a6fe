-- A project's milestones (issue 4): the steps the programme watches, each with the day it is due
-- and the day it was reached, recorded on the phones and synced like every entry.

create table milestones (
    id blob primary key,
    project_id blob not null references projects (id),
    kind text not null,
    label text not null default '',
    due_on text,
    achieved_on text,
    last_device_id blob,
    version integer not null default 0,
    deleted integer not null default 0,
    created_at text not null,
    updated_at text not null
);
create index milestones_project on milestones (project_id);
create index milestones_version on milestones (version);
