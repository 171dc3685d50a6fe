-- Running a real programme from an empty database: demo rows marked wherever a person creates
-- something, one-time codes (the setup link, sign-in codes), a funder per project, and the audit
-- trail of what is not a reviewed entry.

alter table organisations add column is_demo boolean not null default false;
alter table organisations add column archived_at timestamptz;
alter table localities add column is_demo boolean not null default false;
alter table value_chains add column is_demo boolean not null default false;
alter table users add column last_sign_in_at timestamptz;
alter table projects add column funder_id uuid references organisations (id);

-- Until now only the demo loader wrote organisations, places and value chains.
update organisations set is_demo = true where exists (select 1 from users where is_demo);
update localities set is_demo = true where exists (select 1 from users where is_demo);
update value_chains set is_demo = true where exists (select 1 from users where is_demo);

-- While demo data is loaded, whatever is created is demo data too, whichever path creates it
-- (the pages, a push from a phone, an import, the command line): `athar demo purge` removes it
-- with the rest.
create function athar_mark_demo() returns trigger language plpgsql as $$
begin
    if not new.is_demo and exists (select 1 from users where is_demo) then
        new.is_demo := true;
    end if;
    return new;
end
$$;
create trigger users_demo before insert on users
    for each row execute function athar_mark_demo();
create trigger projects_demo before insert on projects
    for each row execute function athar_mark_demo();
create trigger organisations_demo before insert on organisations
    for each row execute function athar_mark_demo();
create trigger localities_demo before insert on localities
    for each row execute function athar_mark_demo();
create trigger value_chains_demo before insert on value_chains
    for each row execute function athar_mark_demo();

-- A code handed to one person once: the first start's setup link (no user yet) or a sign-in code
-- the team makes for someone who forgot their password. Only the hash is kept.
create table one_time_codes (
    code_hash text primary key,
    purpose text not null check (purpose in ('setup', 'sign_in')),
    user_id uuid references users (id) on delete cascade,
    expires_at timestamptz,
    used_at timestamptz,
    created_by uuid references users (id) on delete set null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);

-- Who changed what, when, with the state before and after (JSON). Lines name their author, so
-- they stay readable once an account is gone, and point at no row: they outlive what they speak
-- of. Nothing edits them; only the demo's own lines go with `athar demo purge`.
-- (An event is demo data when it happens while demo data is loaded: its insert says so.)
create table audit_events (
    id bigint generated always as identity primary key,
    at timestamptz not null,
    actor_id uuid,
    actor_name text not null,
    kind text not null,
    subject text not null default '',
    project_id uuid,
    before text,
    after text,
    is_demo boolean not null default false
);
create index audit_events_at on audit_events (at);
create function athar_audit_append_only() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' or not old.is_demo then
        raise exception 'the audit trail cannot be edited';
    end if;
    return old;
end
$$;
create trigger audit_events_append_only before update or delete on audit_events
    for each row execute function athar_audit_append_only();
