-- Pages ("Trang"): undated content at `/{slug}` (Giới thiệu, Cơ cấu tổ chức…), optionally under
-- a parent page (a breadcrumb), in Vietnamese or English, optionally linked to their
-- counterpart in the other language. `body_html` is stored sanitised, as article bodies are.
create type page_status as enum ('draft', 'published');
create type page_language as enum ('vi', 'en');

create table page (
    page_id        bigint generated always as identity primary key,
    slug           text not null,
    title          text not null collate vi,
    body_html      text not null default '',
    parent_id      bigint references page (page_id) on delete set null,
    language       page_language not null default 'vi',
    counterpart_id bigint references page (page_id) on delete set null,
    status         page_status not null default 'draft',
    -- Optimistic locking: a save names the version it started from.
    version        integer not null default 1,
    created_by     bigint references app_user (user_id) on delete set null,
    updated_by     bigint references app_user (user_id) on delete set null,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    constraint page_slug_key unique (slug),
    constraint page_slug_format check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) <= 200),
    constraint page_title_length check (char_length(title) between 1 and 300),
    constraint page_not_own_parent check (parent_id is distinct from page_id),
    constraint page_not_own_counterpart check (counterpart_id is distinct from page_id),
    constraint page_version_positive check (version >= 1),
    constraint page_text_nfc check (title is nfc normalized and body_html is nfc normalized)
);
create index page_parent_idx on page (parent_id);
create index page_counterpart_idx on page (counterpart_id);

-- Every save of a page, whole.
create table page_revision (
    page_revision_id bigint generated always as identity primary key,
    page_id        bigint not null references page (page_id) on delete cascade,
    version        integer not null,
    title          text not null,
    slug           text not null,
    body_html      text not null,
    parent_id      bigint references page (page_id) on delete set null,
    language       page_language not null,
    counterpart_id bigint references page (page_id) on delete set null,
    status         page_status not null,
    editor_id      bigint references app_user (user_id) on delete set null,
    created_at     timestamptz not null default now(),
    constraint page_revision_version_key unique (page_id, version)
);

-- Readers see published pages, and the menu names them: every change is announced.
create trigger page_changed after insert or update or delete or truncate on page
    for each statement execute function notify_reader_change();
