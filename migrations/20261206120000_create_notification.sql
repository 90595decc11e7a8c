-- Workflow notices for staff ("Thông báo"), and the e-mails that repeat them (sent by a
-- background job from this outbox, so a request never waits for a mail server).
create type notice_kind as enum ('submitted', 'returned', 'published', 'scheduled', 'went_out',
                                 'comments');

create table notification (
    notification_id bigint generated always as identity primary key,
    user_id         bigint not null references app_user (user_id) on delete cascade,
    kind            notice_kind not null,
    article_id      bigint references article (article_id) on delete set null,
    -- What the article was called, who acted, the editor's note, the publication time of an
    -- approved scheduled article: as they were when it happened.
    title           text not null default '',
    actor           text not null default '',
    note            text not null default '',
    publish_at      timestamptz,
    -- Comments waiting: how many arrived since this notice was made.
    item_count      integer not null default 1,
    happened_at     timestamptz not null default now(),
    read_at         timestamptz,
    constraint notification_text_nfc
        check (title is nfc normalized and actor is nfc normalized and note is nfc normalized),
    constraint notification_item_count_positive check (item_count > 0)
);
create index notification_user_idx on notification (user_id, notification_id desc);
create index notification_unread_idx on notification (user_id) where read_at is null;
-- Comments are batched: a moderator has at most one unread "comments waiting" notice, which
-- counts up as more arrive.
create unique index notification_one_unread_comments_key on notification (user_id)
    where kind = 'comments' and read_at is null;

create table mail_outbox (
    mail_id         bigint generated always as identity primary key,
    recipient       text not null,
    recipient_name  text not null default '',
    subject         text not null,
    body            text not null,
    created_at      timestamptz not null default now(),
    attempts        integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    sent_at         timestamptz,
    last_error      text not null default ''
);
create index mail_outbox_due_idx on mail_outbox (next_attempt_at) where sent_at is null;
