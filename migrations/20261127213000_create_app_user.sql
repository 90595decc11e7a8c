-- Staff accounts of the newsroom. Readers never log in.
create type user_role as enum ('admin', 'editor', 'reporter', 'moderator');

-- Vietnamese alphabetical order (a ă â b c d đ e ê …) for names shown in lists.
create collation if not exists vi (provider = icu, locale = 'vi-VN');

create table app_user (
    user_id       bigint generated always as identity primary key,
    username      text not null,
    email         text,
    display_name  text not null collate vi,
    password_hash text not null,
    role          user_role not null,
    is_active     boolean not null default true,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    constraint app_user_username_format check (username ~ '^[a-z0-9._-]{2,40}$'),
    constraint app_user_email_format check (email is null or email ~ '^[^@\s]+@[^@\s]+$'),
    constraint app_user_display_name_length check (char_length(display_name) between 1 and 100),
    constraint app_user_display_name_nfc check (display_name is nfc normalized)
);
create unique index app_user_username_key on app_user (username);
create unique index app_user_email_key on app_user (lower(email));
