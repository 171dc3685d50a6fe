-- Athar initial schema (SQLite). Ids are UUIDs stored as 16-byte blobs; timestamps are UTC text;
-- days are ISO text. Synced tables carry `version` and `deleted`.

create table app_meta (
    key text primary key,
    value text not null,
    created_at text not null,
    updated_at text not null
);

create table localities (
    id blob primary key,
    governorate text not null,
    delegation text not null,
    name text not null,
    created_at text not null,
    updated_at text not null
);

create table value_chains (
    id blob primary key,
    code text not null unique,
    name_fr text not null,
    name_ar text not null,
    name_en text not null,
    created_at text not null,
    updated_at text not null
);

create table organisations (
    id blob primary key,
    kind text not null check (kind in ('lead_ngo', 'incubator', 'public_structure', 'technical_support', 'funder')),
    name text not null,
    locality_id blob references localities (id),
    created_at text not null,
    updated_at text not null
);

create table users (
    id blob primary key,
    email text not null unique,
    name text not null,
    role text not null check (role in ('facilitator', 'supervisor', 'team', 'viewer')),
    password_hash text not null,
    organisation_id blob references organisations (id),
    active integer not null default 1,
    is_demo integer not null default 0,
    created_at text not null,
    updated_at text not null
);

create table supervisor_incubators (
    user_id blob not null references users (id) on delete cascade,
    incubator_id blob not null references organisations (id) on delete cascade,
    created_at text not null,
    updated_at text not null,
    primary key (user_id, incubator_id)
);

create table sessions (
    token_hash text primary key,
    user_id blob not null references users (id) on delete cascade,
    expires_at text not null,
    created_at text not null,
    updated_at text not null
);
create index sessions_user on sessions (user_id);

create table login_failures (
    id integer primary key autoincrement,
    key text not null,
    failed_at text not null,
    created_at text not null,
    updated_at text not null
);
create index login_failures_key on login_failures (key, failed_at);

create table projects (
    id blob primary key,
    code text not null unique,
    title text not null,
    kind text not null check (kind in ('individual', 'collective')),
    legal_form text not null,
    value_chain_id blob not null references value_chains (id),
    incubator_id blob not null references organisations (id),
    facilitator_id blob references users (id),
    locality_id blob not null references localities (id),
    call_wave integer not null,
    training_track text not null,
    status text not null check (status in ('preselected', 'selected', 'contracted', 'operating', 'suspended', 'withdrawn', 'closed')),
    grant_millimes integer not null,
    contract_signed_on text,
    is_demo integer not null default 0,
    version integer not null default 0,
    deleted integer not null default 0,
    created_at text not null,
    updated_at text not null
);
create index projects_facilitator on projects (facilitator_id);
create index projects_incubator on projects (incubator_id);

create table members (
    id blob primary key,
    project_id blob not null references projects (id),
    full_name text not null,
    sex text not null check (sex in ('female', 'male')),
    birth_year integer,
    role text not null,
    consent integer not null,
    wg_seeing integer check (wg_seeing between 1 and 4),
    wg_hearing integer check (wg_hearing between 1 and 4),
    wg_walking integer check (wg_walking between 1 and 4),
    wg_cognition integer check (wg_cognition between 1 and 4),
    wg_self_care integer check (wg_self_care between 1 and 4),
    wg_communication integer check (wg_communication between 1 and 4),
    joined_on text,
    left_on text,
    version integer not null default 0,
    deleted integer not null default 0,
    created_at text not null,
    updated_at text not null
);
create index members_project on members (project_id);

create table visits (
    id blob primary key,
    project_id blob not null references projects (id),
    facilitator_id blob references users (id),
    visit_on text not null,
    mode text not null check (mode in ('on_site', 'phone', 'group')),
    sales_millimes integer,
    purchases_millimes integer,
    cash_millimes integer,
    cash_book_up_to_date integer,
    observations text not null default '',
    next_visit_on text,
    version integer not null default 0,
    deleted integer not null default 0,
    created_at text not null,
    updated_at text not null
);
create index visits_project on visits (project_id, visit_on);

create table funding_tranches (
    id blob primary key,
    project_id blob not null references projects (id),
    seq integer not null,
    planned_millimes integer not null,
    disbursed_millimes integer,
    disbursed_on text,
    justified_millimes integer,
    version integer not null default 0,
    deleted integer not null default 0,
    created_at text not null,
    updated_at text not null,
    unique (project_id, seq)
);
