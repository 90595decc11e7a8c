-- Two-factor authentication for staff (TOTP, RFC 6238) with one-time recovery codes, the
-- pending logins between the password and the code, and the setting that makes it compulsory
-- for admins and editors.

alter table app_user
    -- The shared secret while two-factor authentication is on (NULL: off).
    add column totp_secret bytea,
    -- A secret shown on the setup page, not yet confirmed with a code.
    add column totp_pending_secret bytea,
    -- The last time step whose code was accepted: a code is never accepted twice.
    add column totp_last_step bigint not null default 0,
    add constraint app_user_totp_secret_length check (octet_length(totp_secret) >= 16),
    add constraint app_user_totp_pending_secret_length check (octet_length(totp_pending_secret) >= 16);

-- One-time recovery codes: only the SHA-256 of each (they are 80 random bits, so a slow hash
-- would add nothing), used at most once.
create table totp_recovery_code (
    user_id   bigint not null references app_user (user_id) on delete cascade,
    code_hash bytea not null,
    used_at   timestamptz,
    primary key (user_id, code_hash),
    constraint totp_recovery_code_hash_length check (octet_length(code_hash) = 32)
);

-- A correct password for an account with two-factor authentication: the browser holds the
-- token (its SHA-256 here) until it sends a right code, within minutes, once.
create table pending_login (
    token_hash bytea primary key,
    user_id    bigint not null references app_user (user_id) on delete cascade,
    -- The password's `login_attempt`: it counts as a failure until the code is right.
    login_attempt_id bigint not null,
    created_at timestamptz not null default now(),
    constraint pending_login_token_hash_length check (octet_length(token_hash) = 32)
);
create index pending_login_user_idx on pending_login (user_id);

alter table site_setting
    add column require_two_factor boolean not null default false;
