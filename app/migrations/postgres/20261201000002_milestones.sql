-- A project's milestones (issue 4): the steps the programme watches, each with the day it is due
-- and the day it was reached, recorded on the phones and synced like every entry.

create table milestones (
    id uuid primary key,
    project_id uuid not null references projects (id),
    kind text not null,
    label text not null default '',
    due_on date,
    achieved_on date,
    last_device_id uuid,
    version bigint not null default 0,
    deleted boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index milestones_project on milestones (project_id);
create index milestones_version on milestones (version);
