-- The documents that justify a funding tranche (receipts, invoices, photos of what was bought):
-- a JSON list of `domain::evidence::Evidence`, named in `file_refs` as kind `tranche`.

alter table funding_tranches add column files text;
