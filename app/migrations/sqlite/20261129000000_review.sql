-- The review loop (issue 4): a supervisor validates a submitted entry or returns it with a
-- comment, which travels to the facilitator's phone with the entry. Every version an entry had
-- is kept (entry_revisions, the entry's fields as JSON, one row per server version), and every
-- decision on it (entry_reviews), so its history shows who changed what, and when.

alter table visits add column review_decision text
    check (review_decision in ('validated', 'returned'));
alter table visits add column review_comment text not null default '';
alter table visits add column reviewed_by blob references users (id) on delete set null;
alter table visits add column reviewed_at text;

create table entry_revisions (
    record_kind text not null,
    record_id blob not null,
    version integer not null,
    user_id blob references users (id) on delete set null,
    status text not null,
    content text not null,
    created_at text not null,
    updated_at text not null,
    primary key (record_kind, record_id, version)
);

create table entry_reviews (
    id blob primary key,
    record_kind text not null,
    record_id blob not null,
    version integer not null,
    decision text not null check (decision in ('validated', 'returned')),
    comment text not null default '',
    reviewer_id blob references users (id) on delete set null,
    created_at text not null,
    updated_at text not null
);
create index entry_reviews_record on entry_reviews (record_kind, record_id);
