-- Sync (ARCHITECTURE.md, "The sync protocol"): the global version counter, the clients that push
-- and pull (one per tab slot of a browser profile, grouped by device), the mutations the server
-- refused for good, and the edits kept as conflicts. Visits gain the fields of the fiche de suivi
-- and a review status; action items arrive.

create table sync_version (
    id integer primary key check (id = 1),
    value integer not null,
    created_at text not null,
    updated_at text not null
);
insert into sync_version (id, value, created_at, updated_at)
values (1, 1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));

create table sync_clients (
    id blob primary key,
    user_id blob not null references users (id) on delete cascade,
    device_id blob not null,
    last_seq integer not null default 0,
    device_label text not null default '',
    app_version text not null default '',
    pending_count integer not null default 0,
    oldest_pending_at text,
    device_last_success_at text,
    storage_bytes integer not null default 0,
    storage_budget integer not null default 0,
    storage_persistent integer,
    browser text not null default '',
    last_seen_at text not null,
    created_at text not null,
    updated_at text not null
);
create index sync_clients_user on sync_clients (user_id);
create index sync_clients_device on sync_clients (device_id);

create table sync_refusals (
    client_id blob not null references sync_clients (id) on delete cascade,
    seq integer not null,
    name text not null,
    code text not null,
    field text,
    created_at text not null,
    updated_at text not null,
    primary key (client_id, seq)
);

create table sync_conflicts (
    id blob primary key,
    record_kind text not null,
    record_id blob not null,
    base_version integer,
    incoming text not null,
    client_id blob not null,
    seq integer not null,
    user_id blob not null references users (id),
    resolved_at text,
    resolved_by blob references users (id),
    created_at text not null,
    updated_at text not null
);
create index sync_conflicts_record on sync_conflicts (record_kind, record_id);

alter table visits add column topics text not null default '';
alter table visits add column present_member_ids text not null default '';
alter table visits add column difficulties text not null default '';
alter table visits add column status text not null default 'submitted'
    check (status in ('draft', 'submitted', 'validated', 'returned'));
alter table visits add column conflict integer not null default 0;
alter table visits add column last_device_id blob;
create index visits_version on visits (version);

create table action_items (
    id blob primary key,
    project_id blob not null references projects (id),
    -- No foreign key: the visit may reach the server after the item (from another tab's client).
    visit_id blob,
    title text not null,
    due_on text,
    status text not null check (status in ('open', 'done')),
    closed_on text,
    author_id blob references users (id),
    last_device_id blob,
    version integer not null default 0,
    deleted integer not null default 0,
    created_at text not null,
    updated_at text not null
);
create index action_items_project on action_items (project_id);
create index action_items_version on action_items (version);
create index members_version on members (version);
create index projects_version on projects (version);
