-- Sync (ARCHITECTURE.md, "The sync protocol"): the global version counter, the clients that push
-- and pull (one per tab slot of a browser profile, grouped by device), the mutations the server
-- refused for good, and the edits kept as conflicts. Visits gain the fields of the fiche de suivi
-- and a review status; action items arrive.

create table sync_version (
    id integer primary key check (id = 1),
    value bigint not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
insert into sync_version (id, value, created_at, updated_at)
values (1, 1, now(), now());

create table sync_clients (
    id uuid primary key,
    user_id uuid not null references users (id) on delete cascade,
    device_id uuid not null,
    last_seq bigint not null default 0,
    device_label text not null default '',
    app_version text not null default '',
    pending_count integer not null default 0,
    oldest_pending_at timestamptz,
    device_last_success_at timestamptz,
    storage_bytes bigint not null default 0,
    storage_budget bigint not null default 0,
    storage_persistent boolean,
    browser text not null default '',
    last_seen_at timestamptz not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index sync_clients_user on sync_clients (user_id);
create index sync_clients_device on sync_clients (device_id);

create table sync_refusals (
    client_id uuid not null references sync_clients (id) on delete cascade,
    seq bigint not null,
    name text not null,
    code text not null,
    field text,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (client_id, seq)
);

create table sync_conflicts (
    id uuid primary key,
    record_kind text not null,
    record_id uuid not null,
    base_version bigint,
    incoming text not null,
    client_id uuid not null,
    seq bigint not null,
    user_id uuid not null references users (id),
    resolved_at timestamptz,
    resolved_by uuid references users (id),
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index sync_conflicts_record on sync_conflicts (record_kind, record_id);

alter table visits add column topics text not null default '';
alter table visits add column present_member_ids text not null default '';
alter table visits add column difficulties text not null default '';
alter table visits add column status text not null default 'submitted'
    check (status in ('draft', 'submitted', 'validated', 'returned'));
alter table visits add column conflict boolean not null default false;
alter table visits add column last_device_id uuid;
create index visits_version on visits (version);

create table action_items (
    id uuid primary key,
    project_id uuid not null references projects (id),
    -- No foreign key: the visit may reach the server after the item (from another tab's client).
    visit_id uuid,
    title text not null,
    due_on date,
    status text not null check (status in ('open', 'done')),
    closed_on date,
    author_id uuid references users (id),
    last_device_id uuid,
    version bigint not null default 0,
    deleted boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index action_items_project on action_items (project_id);
create index action_items_version on action_items (version);
create index members_version on members (version);
create index projects_version on projects (version);
