-- A target may be set for one cell of an indicator's breakdown (issue 5): `sex:female`,
-- `age_band:25_34`, `disability:yes`; empty for the whole.

alter table indicator_targets add column cell text not null default '';
