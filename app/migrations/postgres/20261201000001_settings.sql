-- Settings of the programme the team changes in the app (issue 4: the thresholds of the risk
-- rules), one JSON value per key, with who changed it last and when.

create table settings (
    key text primary key,
    value text not null,
    updated_by uuid references users (id) on delete set null,
    updated_at timestamptz not null
);
