-- Sign-in attempts are counted one key at a time (an account, an address; stored hashed): each
-- attempt takes its key's row here for the rest of its transaction, so that guesses sent at once
-- are counted one after the other, on both engines. Keys were kept in clear until now: those
-- rows go (they only ever live for half an hour).
create table login_keys (
    key text primary key,
    last_attempt_at timestamptz not null
);

delete from login_failures;
