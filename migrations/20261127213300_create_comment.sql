-- Readers' comments: nothing is public until a moderator approves it.
create type comment_status as enum ('pending', 'approved', 'rejected', 'spam');

create table comment (
    comment_id   bigint generated always as identity primary key,
    article_id   bigint not null references article (article_id) on delete cascade,
    author_name  text not null,
    title        text not null,
    body         text not null,
    status       comment_status not null default 'pending',
    created_at   timestamptz not null default now(),
    ip           text,
    user_agent   text,
    moderated_by bigint references app_user (user_id) on delete set null,
    moderated_at timestamptz,
    constraint comment_author_name_length check (char_length(author_name) between 1 and 100),
    constraint comment_title_length check (char_length(title) between 1 and 200),
    constraint comment_body_length check (char_length(body) between 1 and 4000),
    constraint comment_text_nfc check (author_name is nfc normalized and title is nfc normalized
        and body is nfc normalized)
);
create index comment_article_approved_idx on comment (article_id, created_at) where status = 'approved';
create index comment_status_idx on comment (status, created_at desc);
