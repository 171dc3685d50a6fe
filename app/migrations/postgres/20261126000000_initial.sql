-- Athar initial schema (PostgreSQL). Ids are uuid, timestamps timestamptz, days date.
-- Synced tables carry `version` and `deleted`.

create table app_meta (
    key text primary key,
    value text not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);

create table localities (
    id uuid primary key,
    governorate text not null,
    delegation text not null,
    name text not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);

create table value_chains (
    id uuid primary key,
    code text not null unique,
    name_fr text not null,
    name_ar text not null,
    name_en text not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);

create table organisations (
    id uuid primary key,
    kind text not null check (kind in ('lead_ngo', 'incubator', 'public_structure', 'technical_support', 'funder')),
    name text not null,
    locality_id uuid references localities (id),
    created_at timestamptz not null,
    updated_at timestamptz not null
);

create table users (
    id uuid primary key,
    email text not null unique,
    name text not null,
    role text not null check (role in ('facilitator', 'supervisor', 'team', 'viewer')),
    password_hash text not null,
    organisation_id uuid references organisations (id),
    active boolean not null default true,
    is_demo boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null
);

create table supervisor_incubators (
    user_id uuid not null references users (id) on delete cascade,
    incubator_id uuid not null references organisations (id) on delete cascade,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (user_id, incubator_id)
);

create table sessions (
    token_hash text primary key,
    user_id uuid not null references users (id) on delete cascade,
    expires_at timestamptz not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index sessions_user on sessions (user_id);

create table login_failures (
    id bigint generated always as identity primary key,
    key text not null,
    failed_at timestamptz not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index login_failures_key on login_failures (key, failed_at);

create table projects (
    id uuid primary key,
    code text not null unique,
    title text not null,
    kind text not null check (kind in ('individual', 'collective')),
    legal_form text not null,
    value_chain_id uuid not null references value_chains (id),
    incubator_id uuid not null references organisations (id),
    facilitator_id uuid references users (id),
    locality_id uuid not null references localities (id),
    call_wave integer not null,
    training_track text not null,
    status text not null check (status in ('preselected', 'selected', 'contracted', 'operating', 'suspended', 'withdrawn', 'closed')),
    grant_millimes bigint not null,
    contract_signed_on date,
    is_demo boolean not null default false,
    version bigint not null default 0,
    deleted boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index projects_facilitator on projects (facilitator_id);
create index projects_incubator on projects (incubator_id);

create table members (
    id uuid primary key,
    project_id uuid not null references projects (id),
    full_name text not null,
    sex text not null check (sex in ('female', 'male')),
    birth_year integer,
    role text not null,
    consent boolean not null,
    wg_seeing integer check (wg_seeing between 1 and 4),
    wg_hearing integer check (wg_hearing between 1 and 4),
    wg_walking integer check (wg_walking between 1 and 4),
    wg_cognition integer check (wg_cognition between 1 and 4),
    wg_self_care integer check (wg_self_care between 1 and 4),
    wg_communication integer check (wg_communication between 1 and 4),
    joined_on date,
    left_on date,
    version bigint not null default 0,
    deleted boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index members_project on members (project_id);

create table visits (
    id uuid primary key,
    project_id uuid not null references projects (id),
    facilitator_id uuid references users (id),
    visit_on date not null,
    mode text not null check (mode in ('on_site', 'phone', 'group')),
    sales_millimes bigint,
    purchases_millimes bigint,
    cash_millimes bigint,
    cash_book_up_to_date boolean,
    observations text not null default '',
    next_visit_on date,
    version bigint not null default 0,
    deleted boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index visits_project on visits (project_id, visit_on);

create table funding_tranches (
    id uuid primary key,
    project_id uuid not null references projects (id),
    seq integer not null,
    planned_millimes bigint not null,
    disbursed_millimes bigint,
    disbursed_on date,
    justified_millimes bigint,
    version bigint not null default 0,
    deleted boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (project_id, seq)
);
