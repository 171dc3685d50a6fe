-- Coaching visits are captured through their form (issue 4): the answers are kept with the
-- version of the form that asked them; the columns are read from them. Visits recorded before
-- keep both empty.

alter table visits add column form_version integer;
alter table visits add column answers text;
