-- News articles. `body_html` is stored already sanitised; title, sapo and caption are plain text.
create type article_status as enum ('draft', 'pending', 'published', 'archived');

create table article (
    article_id     bigint generated always as identity primary key,
    slug           text not null,
    title          text not null,
    sapo           text not null default '',
    body_html      text not null default '',
    cover_image    text,
    cover_caption  text not null default '',
    cover_alt      text not null default '',
    byline         text not null default '',
    author_id      bigint references app_user (user_id) on delete set null,
    category_id    bigint not null references category (category_id) on delete restrict,
    status         article_status not null default 'draft',
    published_at   timestamptz,
    view_count     bigint not null default 0,
    comments_open  boolean not null default true,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    constraint article_slug_key unique (slug),
    constraint article_slug_format check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) <= 200),
    constraint article_title_length check (char_length(title) between 1 and 300),
    constraint article_sapo_length check (char_length(sapo) <= 2000),
    constraint article_byline_length check (char_length(byline) <= 200),
    constraint article_cover_image_path check (cover_image is null or cover_image ~ '^[A-Za-z0-9][A-Za-z0-9._/-]*$' and cover_image !~ '\.\.'),
    constraint article_published_has_date check (status <> 'published' or published_at is not null),
    -- Text is stored NFC-normalised (the application normalises; this keeps it honest).
    constraint article_text_nfc check (title is nfc normalized and sapo is nfc normalized
        and body_html is nfc normalized and byline is nfc normalized
        and cover_caption is nfc normalized and cover_alt is nfc normalized),
    constraint article_view_count_positive check (view_count >= 0)
);
-- Public listings: newest published first, site-wide and per category.
create index article_published_idx on article (published_at desc, article_id desc)
    where status = 'published';
create index article_category_published_idx on article (category_id, published_at desc, article_id desc)
    where status = 'published';
-- "Đọc nhiều" (most read).
create index article_most_read_idx on article (view_count desc, article_id desc)
    where status = 'published';
create index article_author_idx on article (author_id);

-- Slugs an article had before: old URLs answer 301 to the current one.
create table article_slug_history (
    slug       text primary key,
    article_id bigint not null references article (article_id) on delete cascade,
    created_at timestamptz not null default now()
);
create index article_slug_history_article_idx on article_slug_history (article_id);
