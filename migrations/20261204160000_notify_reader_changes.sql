-- Every change readers could see is announced on the channel `toasoan_changes` (the payload
-- is the table's name), so that every running instance drops its cached pages, and re-reads
-- the menu and settings, at once. Notifications are sent at commit and only once per
-- transaction for a table, however many rows changed.
create function notify_reader_change() returns trigger language plpgsql as $$
begin
    perform pg_notify('toasoan_changes', tg_table_name);
    return null;
end
$$;

create trigger article_changed after insert or delete or truncate on article
    for each statement execute function notify_reader_change();
-- Counting views (the only update that leaves everything but `view_count` alone) is not a
-- change of content: pages show counts that are a few seconds old anyway.
create trigger article_updated after update on article
    for each row when (old.view_count is not distinct from new.view_count)
    execute function notify_reader_change();
create trigger category_changed after insert or update or delete or truncate on category
    for each statement execute function notify_reader_change();
-- Readers see approved comments only: a comment waiting for moderation changes nothing.
create trigger comment_inserted after insert on comment
    for each row when (new.status = 'approved') execute function notify_reader_change();
create trigger comment_updated after update on comment
    for each row when ((old.status = 'approved' or new.status = 'approved')
        and (old.status, old.author_name, old.title, old.body, old.reply)
            is distinct from (new.status, new.author_name, new.title, new.body, new.reply))
    execute function notify_reader_change();
create trigger comment_deleted after delete on comment
    for each row when (old.status = 'approved') execute function notify_reader_change();
create trigger comment_truncated after truncate on comment
    for each statement execute function notify_reader_change();
create trigger site_setting_changed after insert or update or delete or truncate on site_setting
    for each statement execute function notify_reader_change();
