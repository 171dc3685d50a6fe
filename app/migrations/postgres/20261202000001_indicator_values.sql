-- Indicator values, targets and reporting periods (issue 5).
--
-- A value is one number for one project, indicator and period (its id is derived from them, so
-- two phones make one record), in thousandths of the unit, with its breakdown by cell (JSON),
-- source and evidence note; synced and reviewed like every entry. A target sets a baseline and a
-- target for an indicator and a scope (a project, a value chain, an incubator, or the whole
-- programme: no scope id). A reporting period is open until the team submits or locks it; a
-- locked period takes no value, unless the team reopens it with a reason. Every change of a
-- period's status is kept in `period_events`.

create table indicator_values (
    id uuid primary key,
    project_id uuid not null references projects (id),
    indicator text not null,
    indicator_version bigint not null,
    period text not null,
    value bigint not null,
    cells text not null default '[]',
    source text not null check (source in ('visit', 'survey', 'record', 'estimate', 'derived')),
    evidence text not null default '',
    status text not null check (status in ('draft', 'submitted', 'validated', 'returned')),
    author_id uuid references users (id) on delete set null,
    last_device_id uuid,
    version bigint not null default 0,
    deleted boolean not null default false,
    review_decision text check (review_decision in ('validated', 'returned')),
    review_comment text not null default '',
    reviewed_by uuid references users (id) on delete set null,
    reviewed_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index indicator_values_project on indicator_values (project_id, indicator, period);
create index indicator_values_version on indicator_values (version);

create table indicator_targets (
    id uuid primary key,
    indicator text not null,
    scope text not null check (scope in ('project', 'value_chain', 'incubator', 'programme')),
    scope_id uuid,
    baseline_value bigint,
    baseline_on date,
    target_value bigint not null,
    target_on date not null,
    milestones text not null default '[]',
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index indicator_targets_scope on indicator_targets (scope, scope_id);

create table reporting_periods (
    period text primary key,
    status text not null check (status in ('open', 'submitted', 'locked')),
    reason text not null default '',
    changed_by uuid references users (id) on delete set null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);

create table period_events (
    id bigint generated always as identity primary key,
    period text not null,
    status text not null,
    reason text not null default '',
    changed_by uuid references users (id) on delete set null,
    created_at timestamptz not null
);
