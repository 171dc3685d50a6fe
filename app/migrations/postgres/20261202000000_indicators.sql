-- The indicator catalogue as data (issue 5): every version of every indicator's definition, kept
-- for good, so a value is always read with the definition it was entered under. The definition
-- is the JSON of `domain::indicator::IndicatorDefinition`; the starter catalogue (part B of the
-- domain research) is the first version of each on a new database.

create table indicator_definitions (
    code text not null,
    version bigint not null check (version > 0),
    definition text not null,
    published_at timestamptz not null,
    published_by uuid references users (id) on delete set null,
    primary key (code, version)
);
