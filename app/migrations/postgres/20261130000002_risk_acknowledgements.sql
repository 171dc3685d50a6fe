-- A supervisor or the team acknowledges a risk flag with a note (issue 4): the flag stays on the
-- card, marked as seen, until the acknowledgement is older than the setting allows.

create table risk_acknowledgements (
    project_id uuid not null references projects (id),
    rule text not null,
    note text not null,
    acknowledged_by uuid references users (id) on delete set null,
    acknowledged_at timestamptz not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (project_id, rule)
);
