-- Every stored upload other than an image's resized variants: one row per file, the registry
-- the media library lists. The file is stored through `MediaStore` under `storage_key`
-- (generated, never the uploader's name); `original_name` is display metadata only.
create table media_file (
    media_file_id bigint generated always as identity primary key,
    storage_key   text not null,
    original_name text not null,
    content_type  text not null,
    byte_size     bigint not null,
    sha256        bytea not null,
    uploaded_by   bigint references app_user (user_id) on delete set null,
    uploaded_at   timestamptz not null default now(),
    constraint media_file_storage_key_key unique (storage_key),
    constraint media_file_storage_key_format check (
        storage_key ~ '^[A-Za-z0-9][A-Za-z0-9._/-]*$' and storage_key !~ '\.\.'),
    constraint media_file_original_name check (
        char_length(original_name) between 1 and 255 and original_name is nfc normalized),
    constraint media_file_content_type check (content_type ~ '^[a-z]+/[a-z0-9.+-]+$'),
    constraint media_file_byte_size check (byte_size > 0),
    constraint media_file_sha256 check (octet_length(sha256) = 32)
);
create index media_file_uploaded_idx on media_file (uploaded_at desc, media_file_id desc);
