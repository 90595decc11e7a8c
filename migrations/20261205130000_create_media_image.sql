-- The media library's images ("Thư viện"): one row per uploaded image, whose resized variants
-- are stored as `{base}-{width}.{ext}` (`widths`; `storage_key` names the largest), or one
-- file stored as it is (`widths` empty: images put in storage by other means, such as the
-- demo's). `alt` and `caption` are the defaults the editor offers when the image is picked.

create extension if not exists pg_trgm;

-- What a media key stands for across its sizes: the key without `-{width}.{ext}`
-- (`2026/11/3fa9-960.jpg` → `2026/11/3fa9`); a key not shaped so stands for itself.
create function media_base(text) returns text
    language sql immutable parallel safe strict
    return regexp_replace($1, '-[0-9]+\.[A-Za-z0-9]+$', '');

-- Every media key an HTML body refers to (`src`, `srcset`, links under `/media/`).
create function media_keys(text) returns setof text
    language sql immutable parallel safe strict
    begin atomic
        select m[1] from regexp_matches($1, '/media/([A-Za-z0-9._/-]+)', 'g') as m;
    end;

-- Every attached file an HTML body links to (`/tai-lieu/{id}/…`).
create function media_file_links(text) returns setof bigint
    language sql immutable parallel safe strict
    begin atomic
        select m[1]::bigint from regexp_matches($1, '/tai-lieu/([0-9]{1,18})/', 'g') as m;
    end;

create table media_image (
    media_image_id bigint generated always as identity primary key,
    storage_key    text not null,
    widths         integer[] not null default '{}',
    original_name  text not null,
    byte_size      bigint not null,
    width          integer not null,
    height         integer not null,
    alt            text not null default '',
    caption        text not null default '',
    uploaded_by    bigint references app_user (user_id) on delete set null,
    created_at     timestamptz not null default now(),
    storage_base   text generated always as (media_base(storage_key)) stored,
    -- What the library's search reads, folded as article search is (accents, đ, case), with
    -- the hyphens and underscores of file names as spaces ("le hoi" finds "le-hoi.jpg").
    search_text    text generated always as (f_unaccent(lower(
        translate(original_name, '-_', '  ') || ' ' || alt || ' ' || caption))) stored,
    constraint media_image_storage_key_key unique (storage_key),
    constraint media_image_storage_key_format check (
        storage_key ~ '^[A-Za-z0-9][A-Za-z0-9._/-]*$' and storage_key !~ '\.\.'),
    constraint media_image_original_name check (
        char_length(original_name) between 1 and 255 and original_name is nfc normalized),
    constraint media_image_text check (
        char_length(alt) <= 300 and char_length(caption) <= 300
        and alt is nfc normalized and caption is nfc normalized),
    constraint media_image_byte_size check (byte_size >= 0),
    constraint media_image_dimensions check (width > 0 and height > 0)
);
create index media_image_created_idx on media_image (created_at desc, media_image_id desc);
create index media_image_base_idx on media_image (storage_base);
create index media_image_search_idx on media_image using gin (search_text gin_trgm_ops);
create index media_file_search_idx on media_file
    using gin (f_unaccent(lower(translate(original_name, '-_', '  '))) gin_trgm_ops);

-- What is in use, for the library's orphans (one pass over the bodies): the images (by
-- `media_base`) that a cover or a body names, and the attached files an article or document
-- carries or a body links to.
create view media_base_used (base) as
    select media_base(cover_image) from article where cover_image is not null
    union select media_base(k) from article, media_keys(body_html) as k
    union select media_base(k) from page, media_keys(body_html) as k
    union select media_base(k) from legal_document, media_keys(body_html) as k;

create view media_file_used (media_file_id) as
    select media_file_id from article_file
    union select media_file_id from legal_document_file
    union select l from article, media_file_links(body_html) as l
    union select l from page, media_file_links(body_html) as l
    union select l from legal_document, media_file_links(body_html) as l;

-- The library's entries: images and attached files together.
create view media_library_item as
    select 'image' as kind, i.media_image_id as id, i.storage_key, i.widths, i.original_name,
           '' as content_type, i.byte_size, i.width, i.height,
           u.display_name collate "default" as uploader, i.created_at, i.search_text
    from media_image i left join app_user u on u.user_id = i.uploaded_by
    union all
    select 'file', f.media_file_id, f.storage_key, '{}'::integer[], f.original_name,
           f.content_type, f.byte_size, null, null,
           u.display_name collate "default", f.uploaded_at,
           f_unaccent(lower(translate(f.original_name, '-_', '  ')))
    from media_file f left join app_user u on u.user_id = f.uploaded_by;
