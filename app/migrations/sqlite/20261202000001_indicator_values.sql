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
    id blob primary key,
    project_id blob not null references projects (id),
    indicator text not null,
    indicator_version integer not null,
    period text not null,
    value integer not null,
    cells text not null default '[]',
    source text not null check (source in ('visit', 'survey', 'record', 'estimate', 'derived')),
    evidence text not null default '',
    status text not null check (status in ('draft', 'submitted', 'validated', 'returned')),
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
create index indicator_values_project on indicator_values (project_id, indicator, period);
create index indicator_values_version on indicator_values (version);

create table indicator_targets (
    id blob primary key,
    indicator text not null,
    scope text not null check (scope in ('project', 'value_chain', 'incubator', 'programme')),
    scope_id blob,
    baseline_value integer,
    baseline_on text,
    target_value integer not null,
    target_on text not null,
    milestones text not null default '[]',
    created_at text not null,
    updated_at text not null
);
create index indicator_targets_scope on indicator_targets (scope, scope_id);

create table reporting_periods (
    period text primary key,
    status text not null check (status in ('open', 'submitted', 'locked')),
    reason text not null default '',
    changed_by blob references users (id) on delete set null,
    created_at text not null,
    updated_at text not null
);

create table period_events (
    id integer primary key autoincrement,
    period text not null,
    status text not null,
    reason text not null default '',
    changed_by blob references users (id) on delete set null,
    created_at text not null
);
