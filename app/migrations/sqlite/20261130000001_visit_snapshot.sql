-- The economic snapshot of a coaching visit (issue 4): sales, purchases and cash were there
-- from the start; the stock's value, the debts and a shock reported since the last visit arrive.

alter table visits add column stock_millimes integer;
alter table visits add column debts_millimes integer;
alter table visits add column shock text not null default '';
