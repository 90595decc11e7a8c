-- Sections of the site ("Tin tức" > "Chính trị"…): a tree, ordered by position among siblings.
create table category (
    category_id bigint generated always as identity primary key,
    parent_id   bigint references category (category_id) on delete restrict,
    name        text not null collate vi,
    slug        text not null,
    description text not null default '',
    position    integer not null default 0,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    constraint category_slug_key unique (slug),
    constraint category_slug_format check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) <= 200),
    constraint category_name_length check (char_length(name) between 1 and 100),
    constraint category_not_own_parent check (parent_id is distinct from category_id),
    constraint category_text_nfc check (name is nfc normalized and description is nfc normalized)
);
create index category_parent_idx on category (parent_id, position);
