-- Search: quoted phrases of common words. A phrase ("kết đoàn") is matched by positions
-- (`'ket' <-> 'doan'`), which the GIN index cannot check: it returns every article holding
-- both words — nine in ten of the archive for two common words — and each one's vector is
-- read to check the positions (about 500 ms among 100,000 articles). So every article's vector
-- also holds a token for each pair of adjacent words (`'ket doan'`, with a space no reader's
-- word can hold), and a phrase's query also asks for its pairs: the index then returns the
-- articles holding the phrase (and the rare one holding its pairs apart), and only those are
-- checked.

-- The pairs of adjacent words of a vector, as lexemes "first second" (no positions). Pairs
-- are read from positions, so they cross from title to sapo to body exactly as phrase matching
-- does (`||` shifts the right vector's positions past the left's).
create function f_word_pairs(v tsvector) returns tsvector
    language sql immutable parallel safe strict
    return (select coalesce(array_to_tsvector(array_agg(a.lexeme || ' ' || b.lexeme)), ''::tsvector)
            from (select lexeme, unnest(positions) as pos from unnest(v)) as a
            join (select lexeme, unnest(positions) as pos from unnest(v)) as b
              on b.pos = a.pos + 1);

-- A vector with the pairs of its adjacent words added.
create function f_with_word_pairs(v tsvector) returns tsvector
    language sql immutable parallel safe strict
    return v || f_word_pairs(v);

-- The words of a search (one term per word or quoted phrase, ANDed), for ranking and
-- highlighting: the vectors they are checked against (title and sapo, text) hold no pairs.
create function f_search_words(terms text[]) returns tsquery
    language sql immutable parallel safe strict
    return (select tsquery_and_agg(phraseto_tsquery('simple', f_unaccent(lower(term))))
            from unnest(terms) as term);

-- What finds the articles of a search in `article.search_vector`: each word, and for each
-- phrase its pairs of adjacent words. A two-word phrase is its pair alone, which the index
-- answers exactly (no positions to check); a longer one also needs its positions ("a b" and
-- "b c" may lie apart).
create function f_search_match(terms text[]) returns tsquery
    language sql immutable parallel safe strict
    return (select tsquery_and_agg(case
                       when pairs is null then phrase
                       when numnode(phrase) = 3 and phrase::text like '% <-> %' then pairs
                       else phrase && pairs
                   end)
            from unnest(terms) as term,
                 phraseto_tsquery('simple', f_unaccent(lower(term))) as phrase,
                 lateral (select tsquery_and_agg(quote_literal(pair.lexeme)::tsquery) as pairs
                          from unnest(f_word_pairs(to_tsvector('simple', f_unaccent(lower(term)))))
                               as pair) as term_pairs);

alter table article drop column search_vector;

alter table article add column search_vector tsvector generated always as (
    f_with_word_pairs(
        setweight(to_tsvector('simple', f_unaccent(lower(title))), 'A')
        || setweight(to_tsvector('simple', f_unaccent(lower(sapo))), 'B')
        || setweight(to_tsvector('simple', f_unaccent(lower(html_text(body_html)))), 'C'))
    || case when published_at is null then ''::tsvector
            else array_to_tsvector(array['#' || (
                extract(year from timezone('UTC', published_at)) * 100
                + extract(month from timezone('UTC', published_at)))::int])
       end
) stored;

create index article_search_idx on article using gin (search_vector)
    where status = 'published';
