-- Running a real programme from an empty database: demo rows marked wherever a person creates
-- something, one-time codes (the setup link, sign-in codes), a funder per project, and the audit
-- trail of what is not a reviewed entry.

alter table organisations add column is_demo integer not null default 0;
alter table organisations add column archived_at text;
alter table localities add column is_demo integer not null default 0;
alter table value_chains add column is_demo integer not null default 0;
alter table users add column last_sign_in_at text;
alter table projects add column funder_id blob references organisations (id);

-- Until now only the demo loader wrote organisations, places and value chains.
update organisations set is_demo = 1 where exists (select 1 from users where is_demo = 1);
update localities set is_demo = 1 where exists (select 1 from users where is_demo = 1);
update value_chains set is_demo = 1 where exists (select 1 from users where is_demo = 1);

-- While demo data is loaded, whatever is created is demo data too, whichever path creates it
-- (the pages, a push from a phone, an import, the command line): `athar demo purge` removes it
-- with the rest.
create trigger users_demo after insert on users
when new.is_demo = 0 and exists (select 1 from users where is_demo = 1 and id <> new.id)
begin update users set is_demo = 1 where id = new.id; end;
create trigger projects_demo after insert on projects
when new.is_demo = 0 and exists (select 1 from users where is_demo = 1)
begin update projects set is_demo = 1 where id = new.id; end;
create trigger organisations_demo after insert on organisations
when new.is_demo = 0 and exists (select 1 from users where is_demo = 1)
begin update organisations set is_demo = 1 where id = new.id; end;
create trigger localities_demo after insert on localities
when new.is_demo = 0 and exists (select 1 from users where is_demo = 1)
begin update localities set is_demo = 1 where id = new.id; end;
create trigger value_chains_demo after insert on value_chains
when new.is_demo = 0 and exists (select 1 from users where is_demo = 1)
begin update value_chains set is_demo = 1 where id = new.id; end;

-- A code handed to one person once: the first start's setup link (no user yet) or a sign-in code
-- the team makes for someone who forgot their password. Only the hash is kept.
create table one_time_codes (
    code_hash text primary key,
    purpose text not null check (purpose in ('setup', 'sign_in')),
    user_id blob references users (id) on delete cascade,
    expires_at text,
    used_at text,
    created_by blob references users (id) on delete set null,
    created_at text not null,
    updated_at text not null
);

-- Who changed what, when, with the state before and after (JSON). Lines name their author, so
-- they stay readable once an account is gone, and point at no row: they outlive what they speak
-- of. Nothing edits them; only the demo's own lines go with `athar demo purge`.
create table audit_events (
    id integer primary key autoincrement,
    at text not null,
    actor_id blob,
    actor_name text not null,
    kind text not null,
    subject text not null default '',
    project_id blob,
    before text,
    after text,
    is_demo integer not null default 0
);
create index audit_events_at on audit_events (at);
-- (An event is demo data when it happens while demo data is loaded: its insert says so.)
create trigger audit_events_no_update before update on audit_events
begin select raise(abort, 'the audit trail cannot be edited'); end;
create trigger audit_events_no_delete before delete on audit_events
when old.is_demo = 0
begin select raise(abort, 'the audit trail cannot be edited'); end;
