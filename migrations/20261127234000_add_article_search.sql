-- Search ("Tìm kiếm"): full-text search over the title, sapo and body of published articles,
-- the way people type Vietnamese: accents, đ and case ignored ("bao thang" finds "Bảo Thắng",
-- "uỷ ban" finds "ủy ban"). No stemming: the 'simple' configuration over unaccented text.

create extension if not exists unaccent;

-- unaccent() is only STABLE (its dictionary could change); generated columns and indexes need
-- an IMMUTABLE function. Naming the dictionary and schema keeps it independent of search_path.
create function f_unaccent(text) returns text
    language sql immutable parallel safe strict
    return public.unaccent('public.unaccent'::regdictionary, $1);

-- A sanitised body as plain text: tags become spaces, the entities the sanitiser writes are
-- decoded (`&amp;` last, so "&amp;lt;" stays "&lt;").
create function html_text(text) returns text
    language sql immutable parallel safe strict
    return replace(replace(replace(replace(replace(replace(
        regexp_replace($1, '<[^>]*>', ' ', 'g'),
        '&nbsp;', ' '), '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&amp;', '&');

-- Text made safe to put in HTML: `&`, `<` and `>` escaped. Snippets are escaped *before*
-- ts_headline adds its `<mark>` tags, so those are the only tags in its output.
create function html_escape(text) returns text
    language sql immutable parallel safe strict
    return replace(replace(replace($1, '&', '&amp;'), '<', '&lt;'), '>', '&gt;');

-- For ts_headline only: it highlights the words of the original (accented) text whose
-- normalised form is in the query, so the words must be normalised as the index was —
-- unaccented, then lower-cased by 'simple'.
create text search configuration vi_unaccent (copy = simple);
alter text search configuration vi_unaccent
    alter mapping for asciihword, asciiword, email, file, float, host, hword, hword_asciipart,
        hword_numpart, hword_part, int, numhword, numword, sfloat, uint, url, url_path, version, word
    with unaccent, simple;

-- AND of any number of tsqueries (the search builds one tsquery per word or quoted phrase).
create aggregate tsquery_and_agg(tsquery) (sfunc = tsquery_and, stype = tsquery);

-- A row too long for a page's share (about 2 KB: any article with a body of some length) has
-- its long values (body, search vector) moved out of line until it fits in 512 bytes rather
-- than 2 KB, so a page holds a dozen articles instead of three to five: searches and listings
-- that read many rows touch far fewer pages (see docs/PERFORMANCE.md). The next statement
-- rewrites the table, so this applies to every row.
alter table article set (toast_tuple_target = 512);

-- Title A, sapo B, body C (ts_rank_cd weighs them 1.0, 0.4, 0.2).
alter table article add column search_vector tsvector generated always as (
    setweight(to_tsvector('simple', f_unaccent(lower(title))), 'A')
    || setweight(to_tsvector('simple', f_unaccent(lower(sapo))), 'B')
    || setweight(to_tsvector('simple', f_unaccent(lower(html_text(body_html)))), 'C')
) stored;

-- Only published articles are ever searched.
create index article_search_idx on article using gin (search_vector)
    where status = 'published';
