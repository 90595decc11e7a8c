-- "Tài liệu đính kèm": files attached to an article, in the order shown under its body.
create table article_file (
    article_id    bigint not null references article (article_id) on delete cascade,
    media_file_id bigint not null references media_file (media_file_id) on delete restrict,
    position      integer not null default 0,
    primary key (article_id, media_file_id)
);
create index article_file_media_idx on article_file (media_file_id);

create trigger article_file_changed after insert or update or delete or truncate on article_file
    for each statement execute function notify_reader_change();
