-- What a device's heartbeat says of the evidence files still on it, waiting to be sent: the
-- team's device page shows them beside the entries waiting.
alter table sync_clients add column files_waiting integer not null default 0;
alter table sync_clients add column files_waiting_bytes bigint not null default 0;
