-- Search: relevance is read from a small vector of the title (weight A) and sapo (B) alone,
-- a few hundred bytes kept with the row, instead of the whole `search_vector` (about 2 KB, out
-- of line, with the body): ranking the 300 newest matches of a common query read 300 of those
-- (about 20 ms among 100,000 articles). Matches in the body only follow, newest first.
alter table article add column search_head tsvector generated always as (
    setweight(to_tsvector('simple', f_unaccent(lower(title))), 'A')
    || setweight(to_tsvector('simple', f_unaccent(lower(sapo))), 'B')
) stored;
