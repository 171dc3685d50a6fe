-- Indicator values are entered through the indicator entry form (issue 4): the answers are kept
-- with the version of the form that asked them; value, source and evidence are read from them.
-- Values entered before, and computed ones, keep both empty.

alter table indicator_values add column form_version integer;
alter table indicator_values add column answers text;
