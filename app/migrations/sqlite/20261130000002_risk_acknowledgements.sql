-- A supervisor or the team acknowledges a risk flag with a note (issue 4): the flag stays on the
-- card, marked as seen, until the acknowledgement is older than the setting allows.

create table risk_acknowledgements (
    project_id blob not null references projects (id),
    rule text not null,
    note text not null,
    acknowledged_by blob references users (id) on delete set null,
    acknowledged_at text not null,
    created_at text not null,
    updated_at text not null,
    primary key (project_id, rule)
);
