-- Members registered on the phones (issue 4) with the member form: the version of the form the
-- answers were given on and the answers themselves (JSON, as checked on the phone and again on
-- the server), the phone number, and the device that last changed the member (its own later
-- edits are never stale).

alter table members add column phone text not null default '';
alter table members add column form_version integer;
alter table members add column answers text;
alter table members add column last_device_id blob;
