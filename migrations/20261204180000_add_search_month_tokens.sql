-- Search: every article's vector also holds a token naming its month of publication (UTC),
-- e.g. `#202612`, that no reader's words can produce (the parser never keeps `#`). The newest
-- matches of a common query are then found month by month, newest first, from the GIN index
-- alone (`search_vector @@ words and search_vector @@ '#202612' | '#202611'`), instead of
-- reading every match's row to sort them all by date (see `db::search`).
alter table article drop column search_vector;

alter table article add column search_vector tsvector generated always as (
    setweight(to_tsvector('simple', f_unaccent(lower(title))), 'A')
    || setweight(to_tsvector('simple', f_unaccent(lower(sapo))), 'B')
    || setweight(to_tsvector('simple', f_unaccent(lower(html_text(body_html)))), 'C')
    || case when published_at is null then ''::tsvector
            else array_to_tsvector(array['#' || (
                extract(year from timezone('UTC', published_at)) * 100
                + extract(month from timezone('UTC', published_at)))::int])
       end
) stored;

create index article_search_idx on article using gin (search_vector)
    where status = 'published';
