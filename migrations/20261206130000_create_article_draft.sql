-- The editor's desk: a copy of the article form saved by the server every few seconds while a
-- staff member types (never the live article), and who has which article open in the editor.

-- One draft per user and article; a new article (not saved yet) is named by the random key its
-- form was given, so two new-article tabs keep two drafts. Fields are kept as typed.
create table article_draft (
    article_draft_id bigint generated always as identity primary key,
    user_id       bigint not null references app_user (user_id) on delete cascade,
    article_id    bigint references article (article_id) on delete cascade,
    new_key       text,
    -- The article version the form was opened at (none for a new article).
    base_version  integer,
    title         text not null,
    slug          text not null,
    sapo          text not null,
    body_html     text not null,
    category_id   text not null,
    byline        text not null,
    cover_image   text not null,
    cover_widths  text not null,
    cover_caption text not null,
    cover_alt     text not null,
    remove_cover  boolean not null,
    comments_open boolean not null,
    published_at  text not null,
    file_ids      bigint[] not null default '{}',
    saved_at      timestamptz not null default now(),
    constraint article_draft_target check ((article_id is null) <> (new_key is null)),
    constraint article_draft_base_version check ((article_id is null) = (base_version is null)),
    constraint article_draft_new_key check (new_key ~ '^[0-9a-f]{32}$'),
    constraint article_draft_text_nfc check (
        title is nfc normalized and sapo is nfc normalized and body_html is nfc normalized
        and byline is nfc normalized and cover_caption is nfc normalized
        and cover_alt is nfc normalized and slug is nfc normalized)
);
create unique index article_draft_article_key on article_draft (user_id, article_id)
    where article_id is not null;
create unique index article_draft_new_key_key on article_draft (user_id, new_key)
    where new_key is not null;
create index article_draft_saved_idx on article_draft (saved_at);

-- The editor's heartbeat: who had an article open, and when they were last heard from.
create table article_presence (
    article_id bigint not null references article (article_id) on delete cascade,
    user_id    bigint not null references app_user (user_id) on delete cascade,
    seen_at    timestamptz not null default now(),
    primary key (article_id, user_id)
);
