-- Reader comments: captcha challenges, spam flags, moderators' corrections and replies, and
-- how long readers' IP addresses and browsers are kept.

-- A challenge shown to a reader: single-use (deleted when answered), expires after 10 minutes.
create table captcha (
    captcha_id  text primary key,
    kind        text not null,
    answer      text not null,
    question    text not null default '',
    image_png   bytea,
    created_at  timestamptz not null default now(),
    expires_at  timestamptz not null default now() + interval '10 minutes',
    constraint captcha_id_format check (captcha_id ~ '^[0-9a-f]{32}$'),
    constraint captcha_kind check (kind in ('image', 'question')),
    constraint captcha_image_has_png check (kind <> 'image' or image_png is not null)
);
create index captcha_expires_idx on captcha (expires_at);

alter table comment
    -- Why the system filed it as spam ("links"), empty otherwise.
    add column flag text not null default '',
    -- The reader's text as sent, kept when a moderator corrects it.
    add column original_title text,
    add column original_body text,
    add column edited_by bigint references app_user (user_id) on delete set null,
    add column edited_at timestamptz,
    -- "Ban biên tập trả lời": the editorial office's answer, shown under the comment.
    add column reply text not null default '',
    add column reply_by bigint references app_user (user_id) on delete set null,
    add column reply_at timestamptz,
    add constraint comment_reply_nfc check (reply is nfc normalized and char_length(reply) <= 4000);
create index comment_ip_idx on comment (ip, created_at desc) where ip is not null;
create index comment_article_recent_idx on comment (article_id, created_at desc);

alter table site_setting
    -- Days after moderation when a comment's IP address and user agent are erased.
    add column comment_data_retention_days integer not null default 90,
    add constraint site_setting_retention_range check (comment_data_retention_days between 1 and 3650);
