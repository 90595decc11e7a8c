-- "Tin nổi bật": editors pick published articles to lead the home page, in an order (1 first),
-- optionally until a time. Changing them fires `article_updated` (view_count is untouched), so
-- cached pages are dropped at once; an end time passing is seen within the page cache's
-- time to live.
alter table article
    add column featured_rank  integer,
    add column featured_until timestamptz,
    add constraint article_featured_rank_range check (featured_rank between 1 and 99),
    add constraint article_featured_until_needs_rank
        check (featured_until is null or featured_rank is not null);
-- Few rows: the home page reads them all, in order.
create index article_featured_idx on article (featured_rank, published_at desc, article_id desc)
    where featured_rank is not null and status = 'published';

-- "Đọc nhiều" over a window: views per article per day (Vietnam's day), added by the view
-- counter's flush with the total in `article.view_count`. Not announced to the page cache:
-- counting views changes no content. Days older than the longest window are deleted by the
-- cleanup job.
create table article_daily_view (
    day        date not null,
    article_id bigint not null references article (article_id) on delete cascade,
    views      bigint not null,
    constraint article_daily_view_pkey primary key (day, article_id),
    constraint article_daily_view_positive check (views > 0)
);
create index article_daily_view_article_idx on article_daily_view (article_id);

-- The home page no longer ranks by the all-time count; without this index, counting views is
-- a HOT update.
drop index article_most_read_idx;
