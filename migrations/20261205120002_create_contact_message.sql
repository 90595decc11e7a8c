-- "Hộp thư liên hệ": what readers send through the form at /lien-he, read by admins and
-- editors in the back office. Readers never see these rows: no change notice. A message is
-- deleted `site_setting.contact_retention_days` after it was sent; the sender's IP (or its
-- hash, see TOASOAN_HASH_IPS) only serves the per-IP limit and is erased after a day.
create type contact_state as enum ('new', 'read', 'answered', 'archived');

create table contact_message (
    contact_message_id bigint generated always as identity primary key,
    sender_name  text not null,
    reply_to     text not null,
    subject      text not null,
    body         text not null,
    state        contact_state not null default 'new',
    ip           text,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    constraint contact_message_lengths check (
        char_length(sender_name) between 1 and 100 and char_length(reply_to) between 1 and 200
        and char_length(subject) between 1 and 200 and char_length(body) between 1 and 5000),
    constraint contact_message_nfc check (sender_name is nfc normalized
        and reply_to is nfc normalized and subject is nfc normalized and body is nfc normalized)
);
create index contact_message_state_idx on contact_message (state, created_at desc);
create index contact_message_created_idx on contact_message (created_at);
create index contact_message_ip_idx on contact_message (ip, created_at desc) where ip is not null;
