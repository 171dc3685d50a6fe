-- Members and milestones are reviewed like every captured record (issue 4): a supervisor
-- validates what a phone sent, or returns it with a comment. A change from the field clears the
-- decision: the new version waits for review again. Records registered otherwise (loaded by the
-- team) have no phone behind them and wait for no review.

alter table members add column review_decision text check (review_decision in ('validated', 'returned'));
alter table members add column review_comment text not null default '';
alter table members add column reviewed_by uuid references users (id) on delete set null;
alter table members add column reviewed_at timestamptz;

alter table milestones add column review_decision text check (review_decision in ('validated', 'returned'));
alter table milestones add column review_comment text not null default '';
alter table milestones add column reviewed_by uuid references users (id) on delete set null;
alter table milestones add column reviewed_at timestamptz;
