-- The newsroom: sessions, login throttling, revisions, optimistic locking, the audit log and
-- the settings the back office edits.

create table session (
    token_hash   bytea primary key,
    user_id      bigint not null references app_user (user_id) on delete cascade,
    created_at   timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    ip           text not null default '',
    user_agent   text not null default '',
    constraint session_token_hash_length check (octet_length(token_hash) = 32)
);
create index session_user_idx on session (user_id);

-- Every login attempt: the brute-force limits count the recent failures per account and per IP.
create table login_attempt (
    login_attempt_id bigint generated always as identity primary key,
    username   text not null,
    ip         text not null,
    succeeded  boolean not null,
    at         timestamptz not null default now()
);
create index login_attempt_username_idx on login_attempt (username, at desc);
create index login_attempt_ip_idx on login_attempt (ip, at desc);

alter table article
    -- Optimistic locking: a save names the version it started from.
    add column version integer not null default 1,
    -- Widths of the stored cover variants (`cover_image` is the largest), for srcset.
    add column cover_widths integer[] not null default '{}',
    -- The editor's note when an article is sent back to its author.
    add column review_note text not null default '',
    add column last_editor_id bigint references app_user (user_id) on delete set null,
    add constraint article_scheduled_has_date check (status <> 'scheduled' or published_at is not null),
    add constraint article_version_positive check (version >= 1),
    add constraint article_review_note_nfc check (review_note is nfc normalized);
create index article_scheduled_idx on article (published_at) where status = 'scheduled';
create index article_status_idx on article (status, updated_at desc);

-- Every save of an article, whole.
create table article_revision (
    article_revision_id bigint generated always as identity primary key,
    article_id    bigint not null references article (article_id) on delete cascade,
    version       integer not null,
    title         text not null,
    slug          text not null,
    sapo          text not null,
    body_html     text not null,
    cover_image   text,
    cover_widths  integer[] not null default '{}',
    cover_caption text not null,
    cover_alt     text not null,
    byline        text not null,
    category_id   bigint references category (category_id) on delete set null,
    comments_open boolean not null,
    status        article_status not null,
    published_at  timestamptz,
    editor_id     bigint references app_user (user_id) on delete set null,
    created_at    timestamptz not null default now(),
    constraint article_revision_version_key unique (article_id, version)
);

-- Who did what, when, from where. Append-only: rows are never changed or removed, and staff
-- accounts that appear here are deactivated, never deleted.
create table audit_log (
    audit_log_id bigint generated always as identity primary key,
    at          timestamptz not null default now(),
    user_id     bigint references app_user (user_id),
    actor       text not null,
    action      text not null,
    target_type text not null default '',
    target_id   bigint,
    details     text not null default '',
    ip          text not null default ''
);
create index audit_log_at_idx on audit_log (at desc);
create index audit_log_target_idx on audit_log (target_type, target_id, at desc);

create function audit_log_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_log is append-only';
end $$;
create trigger audit_log_no_update_or_delete before update or delete on audit_log
    for each row execute function audit_log_is_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_is_append_only();

alter table site_setting
    add column comments_open_default boolean not null default true,
    add column reporters_publish_directly boolean not null default true;
