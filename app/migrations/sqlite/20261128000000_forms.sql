-- Forms as versioned data (issue 4): every published version of every form, kept for good, so
-- an entry is always checked against the version it was made with. The definition is the JSON a
-- phone receives (`domain::form::FormDefinition`).

create table forms (
    id text not null,
    version integer not null check (version > 0),
    definition text not null,
    published_at text not null,
    published_by blob references users (id) on delete set null,
    primary key (id, version)
);
