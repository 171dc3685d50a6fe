-- Read-only tokens for BI tools (issue 5): the JSON endpoints under `/bi/v1` take
-- `Authorization: Bearer <token>`. Only the token's SHA-256 is kept; the token itself is shown
-- once, when `athar token create` makes it. A revoked token stays, for the record.

create table api_tokens (
    id uuid primary key,
    name text not null unique,
    token_hash text not null unique,
    created_at timestamptz not null,
    last_used_at timestamptz,
    revoked_at timestamptz
);
