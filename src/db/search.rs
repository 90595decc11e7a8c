//! Full-text search over published articles ("Tìm kiếm").
//!
//! The index is `article.search_vector` (migrations/20261127234000_add_article_search.sql):
//! title (weight A), sapo (B) and body text (C), unaccented and lower-cased, 'simple'
//! configuration, with a GIN index over published articles. The query is built in SQL from the
//! terms the caller parsed (`f_search_words`): each term — one word, or the words of a quoted
//! phrase — goes through `phraseto_tsquery` (which reads its input as plain text: no operator
//! syntax, never a syntax error) after the same `f_unaccent(lower(…))`, and the terms are ANDed.
//! Articles are found with `f_search_match`, which also asks for each phrase's pairs of
//! adjacent words: every vector holds a token per pair (migration `add_search_word_pairs`), so
//! the GIN index alone narrows a phrase of common words ("kết đoàn") to the articles that hold
//! it, where positions would have been checked in nine articles out of ten.
//!
//! # Order, and what it costs
//!
//! A common word matches most of the archive (with 100,000 generated articles "đoàn kết"
//! matches 91,000), so ranking every match is out of the question. Instead:
//!
//! - the newest [`RANKED`] matches (the first pages) are ordered by relevance: title matches
//!   first, then `ts_rank_cd` over `article.search_head` (title 1.0, sapo 0.4; a few hundred
//!   bytes kept with the row, where the whole `search_vector` is ≈2 KB out of line and took
//!   about 20 µs a row to read), then newest first: matches in the body alone come by date;
//! - older matches follow, newest first;
//! - at most [`MAX_RESULTS`] are listed, and counted ("more than 1,000").
//!
//! The newest matches are found one of three ways:
//!
//! - a category or date range with at most [`WALK_ROWS`] articles: all of them are read and
//!   tested (the GIN index could return tens of thousands of matches outside the filter);
//! - at most [`MAX_RESULTS`] matches in all: from the GIN index, every match sorted by date;
//! - more: month by month, newest first. Every vector holds a token naming its month of
//!   publication, so the GIN index alone finds the matches of a few months (`words` and
//!   `#202612 | #202611`) and only those rows are read: a few hundred, where sorting every
//!   match by date read all of them (10,809 rows for "nông thôn" among 100,000 articles).
//!
//! Counting is part of it: a query whose newest month shows that [`MAX_RESULTS`] + 1 matches
//! lie within a few months is read that far month by month, which counts it; any other is
//! counted first from the GIN index (which merges every posting list of its words whole).
//!
//! `ts_headline`, the most expensive step, runs for the page's rows only.

use sqlx::{PgExecutor, PgPool};
use time::OffsetDateTime;

use crate::db::articles::ArticleCard;

/// Most results listed (and counted).
pub const MAX_RESULTS: i64 = 1000;

/// How many of the newest matches are ordered by relevance (a multiple of the page size).
pub const RANKED: i64 = 300;

/// Most articles in a category or date range read and tested one by one.
pub const WALK_ROWS: i64 = 2000;

/// What to look for, and where.
#[derive(Debug, Default)]
pub struct SearchFilter<'a> {
    /// Words and phrases (plain text, NFC); an article must match every one.
    pub terms: &'a [String],
    /// Only in these categories, when given.
    pub category_ids: Option<&'a [i64]>,
    /// Published at or after.
    pub since: Option<OffsetDateTime>,
    /// Published before.
    pub before: Option<OffsetDateTime>,
}

/// A found article, with its title and an extract of its text highlighted.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub card: ArticleCard,
    /// The title, HTML-escaped, matching words in `<mark>`.
    pub title_html: String,
    /// Up to two passages of the sapo and body around the matches, HTML-escaped, matching words
    /// in `<mark>` (the only tags).
    pub snippet_html: String,
}

/// One page of results.
#[derive(Debug, Default)]
pub struct SearchResults {
    /// Matches, counted up to `MAX_RESULTS + 1` (more than `MAX_RESULTS` means "more than").
    pub total: i64,
    pub hits: Vec<SearchHit>,
}

/// A match, with what orders it.
#[derive(Debug)]
struct Match {
    article_id: i64,
    published_at: OffsetDateTime,
    in_title: bool,
    rank: f32,
}

/// The page of results that starts at `offset` (empty past the end).
pub async fn list_results(
    db: &PgPool,
    f: &SearchFilter<'_>,
    offset: i64,
    limit: i64,
) -> sqlx::Result<SearchResults> {
    let filtered = f.category_ids.is_some() || f.since.is_some() || f.before.is_some();
    let (total, mut matches) =
        if filtered && count_candidates(db, f, WALK_ROWS + 1).await? <= WALK_ROWS {
            // Few articles in the category or dates: read them all (exact, no GIN index needed).
            let all = walk(db, f, MAX_RESULTS + 1, RANKED).await?;
            (len(&all), all)
        } else {
            // A common query is read month by month up to MAX_RESULTS + 1 matches, which counts
            // it too; any other is counted from the GIN index (which, for a common one, merges
            // posting lists as long as the archive: 11 ms for "đoàn kết" among 100,000).
            let common = newest_by_month(db, f, MAX_RESULTS + 1, COMMON_MONTHS).await?;
            let total = match &common {
                Some(found) => len_i64(found.len()),
                None => count_matches(db, f, MAX_RESULTS + 1).await?,
            };
            let listed = total.min(MAX_RESULTS);
            if offset >= listed || limit <= 0 {
                return Ok(SearchResults {
                    total,
                    hits: Vec::new(),
                });
            }
            // The first pages need the newest RANKED matches (ordered by relevance); later pages
            // the newest ones up to the page, by date.
            let (wanted, ranked) = if offset < RANKED {
                (RANKED.min(listed), RANKED)
            } else {
                ((offset + limit).min(listed), 0)
            };
            let found = match common {
                Some(found) => found,
                None if total <= MAX_RESULTS => newest(db, f, wanted).await?,
                None => newest_by_month(db, f, wanted, i64::MAX)
                    .await?
                    .unwrap_or_default(),
            };
            (total, rank(db, f.terms, found, ranked).await?)
        };
    // The ranked matches come first, by relevance; the rest stay newest first.
    let ranked = matches
        .len()
        .min(usize::try_from(RANKED).unwrap_or(usize::MAX));
    matches[..ranked].sort_by(|a, b| {
        b.in_title
            .cmp(&a.in_title)
            .then(b.rank.total_cmp(&a.rank))
            .then(b.published_at.cmp(&a.published_at))
            .then(b.article_id.cmp(&a.article_id))
    });
    let ids: Vec<i64> = matches
        .iter()
        .take(usize::try_from(MAX_RESULTS).unwrap_or(usize::MAX))
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
        .map(|m| m.article_id)
        .collect();
    let hits = list_hits(db, f.terms, &ids).await?;
    Ok(SearchResults { total, hits })
}

fn len(matches: &[Match]) -> i64 {
    len_i64(matches.len())
}

fn len_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// How many published articles match, counting no further than `limit`.
pub async fn count_matches(
    db: impl PgExecutor<'_>,
    f: &SearchFilter<'_>,
    limit: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from (
               select 1 from article a
               where a.status = 'published'
                 and a.search_vector @@ (select f_search_match($1::text[]))
                 and ($2::bigint[] is null or a.category_id = any($2))
                 and ($3::timestamptz is null or a.published_at >= $3)
                 and ($4::timestamptz is null or a.published_at < $4)
               limit $5
           ) as found"#,
        f.terms,
        f.category_ids,
        f.since,
        f.before,
        limit
    )
    .fetch_one(db)
    .await
}

/// How many published articles are in the filter's categories and dates, counting no further
/// than `limit` (from the indexes alone).
async fn count_candidates(
    db: impl PgExecutor<'_>,
    f: &SearchFilter<'_>,
    limit: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from (
               select 1 from article
               where status = 'published'
                 and ($1::bigint[] is null or category_id = any($1))
                 and ($2::timestamptz is null or published_at >= $2)
                 and ($3::timestamptz is null or published_at < $3)
               limit $4
           ) as candidates"#,
        f.category_ids,
        f.since,
        f.before,
        limit
    )
    .fetch_one(db)
    .await
}

/// The newest `limit` matches among the filter's articles, read newest first (at most
/// [`WALK_ROWS`] of them: the caller counted fewer). The first `ranked` get their relevance.
async fn walk(
    db: impl PgExecutor<'_>,
    f: &SearchFilter<'_>,
    limit: i64,
    ranked: i64,
) -> sqlx::Result<Vec<Match>> {
    // The LIMIT keeps the text filter out of the inner query: it is read in index order.
    sqlx::query_as!(
        Match,
        r#"with query as materialized (
               select f_search_match($1::text[]) as matching, f_search_words($1::text[]) as q
           ),
           matched as (
               select a.article_id, a.published_at, a.search_head,
                      row_number() over (order by a.published_at desc, a.article_id desc) as n
               from (
                   select article_id, published_at, search_vector, search_head from article
                   where status = 'published'
                     and ($2::bigint[] is null or category_id = any($2))
                     and ($3::timestamptz is null or published_at >= $3)
                     and ($4::timestamptz is null or published_at < $4)
                   order by published_at desc, article_id desc
                   limit $6
               ) as a
               where a.search_vector @@ (select matching from query)
               order by a.published_at desc, a.article_id desc
               limit $5
           )
           select article_id,
                  published_at as "published_at!",
                  n <= $7 and ts_filter(search_head, '{a}') @@ (select q from query)
                      as "in_title!",
                  case when n <= $7 then ts_rank_cd(search_head, (select q from query))
                       else 0 end as "rank!"
           from matched
           order by n"#,
        f.terms,
        f.category_ids,
        f.since,
        f.before,
        limit,
        WALK_ROWS,
        ranked
    )
    .fetch_all(db)
    .await
}

/// A match before ranking.
#[derive(Debug)]
struct Found {
    article_id: i64,
    published_at: OffsetDateTime,
}

/// The newest `limit` matches, from the GIN index: every match is read, to sort them by date
/// (for queries with few matches).
async fn newest(
    db: impl PgExecutor<'_>,
    f: &SearchFilter<'_>,
    limit: i64,
) -> sqlx::Result<Vec<Found>> {
    sqlx::query_as!(
        Found,
        r#"select a.article_id, a.published_at as "published_at!" from article a
           where a.status = 'published'
             and a.search_vector @@ (select f_search_match($1::text[]))
             and ($2::bigint[] is null or a.category_id = any($2))
             and ($3::timestamptz is null or a.published_at >= $3)
             and ($4::timestamptz is null or a.published_at < $4)
           order by a.published_at desc, a.article_id desc
           limit $5"#,
        f.terms,
        f.category_ids,
        f.since,
        f.before,
        limit
    )
    .fetch_all(db)
    .await
}

/// The newest `limit` matches of a query with more matches than that, found month by month,
/// newest first: each step asks the GIN index for the matches of a few months (the month
/// tokens in `search_vector`), so only those rows are read. The first window is the newest
/// month; the next ones are sized from the rate found so far (see [`next_window`]). `None` when
/// a window would take more than `max_window` months: the query is too rare to be read so.
async fn newest_by_month(
    db: &PgPool,
    f: &SearchFilter<'_>,
    limit: i64,
    max_window: i64,
) -> sqlx::Result<Option<Vec<Found>>> {
    let wanted = usize::try_from(limit).unwrap_or(0);
    let span = sqlx::query!(
        r#"select min(published_at) as first, max(published_at) as last
           from article where status = 'published'"#
    )
    .fetch_one(db)
    .await?;
    let (Some(first), Some(last)) = (span.first, span.last) else {
        return Ok(Some(Vec::new()));
    };
    let oldest = month_number(first);
    let mut month = month_number(last);
    let mut found = Vec::new();
    let mut window: i64 = 1;
    // The newest month has only run until its newest article.
    let mut window_days = days_into_month(last);
    let mut days_read = 0.0;
    while found.len() < wanted && month >= oldest {
        let tokens: Vec<String> = (0..window)
            .map(|back| month - back)
            .take_while(|m| *m >= oldest)
            .map(month_token)
            .collect();
        found.extend(in_months(db, f, &tokens).await?);
        month -= window;
        days_read += window_days;
        window = next_window(
            wanted.saturating_sub(found.len()),
            found.len(),
            days_read,
            window,
        );
        if window > max_window && found.len() < wanted && month >= oldest {
            return Ok(None);
        }
        window_days = window as f64 * MONTH_DAYS;
    }
    found.truncate(wanted);
    Ok(Some(found))
}

/// Most months a step may read for a query still to be read month by month, to its
/// [`MAX_RESULTS`] + 1 matches, rather than counted from the GIN index: each month is one more
/// posting list to merge (61 months took 42 ms), where a common query needs two to five.
const COMMON_MONTHS: i64 = 6;

/// The average length of a month, in days.
const MONTH_DAYS: f64 = 30.44;

/// How many months the next step reads: those the `missing` matches should take at the rate
/// found so far (per day, so that a month just begun does not pass for a sparse one), and a
/// quarter more; twice the last window while nothing is found. Reading too many months at
/// once is what costs: each month is one more posting list for the GIN index to merge.
fn next_window(missing: usize, found: usize, days_read: f64, window: i64) -> i64 {
    if found == 0 {
        return window * 2;
    }
    let days = missing as f64 * days_read / found as f64 * 1.25;
    ((days / MONTH_DAYS).ceil() as i64).max(1)
}

/// Days from the start of `at`'s month (UTC, as the tokens are) to `at`, at least one.
fn days_into_month(at: OffsetDateTime) -> f64 {
    let at = at.to_offset(time::UtcOffset::UTC);
    let start = at
        .replace_time(time::Time::MIDNIGHT)
        .replace_day(1)
        .unwrap_or(at);
    ((at - start).as_seconds_f64() / 86_400.0).max(1.0)
}

/// Months counted from year 0: `year * 12 + month - 1`, in UTC as the tokens are.
fn month_number(at: OffsetDateTime) -> i64 {
    let at = at.to_offset(time::UtcOffset::UTC);
    i64::from(at.year()) * 12 + i64::from(u8::from(at.month())) - 1
}

/// The token of a month in `search_vector`, e.g. `#202612` (see the migration
/// `add_search_month_tokens`).
fn month_token(month: i64) -> String {
    format!("#{}{:02}", month / 12, month % 12 + 1)
}

/// Every match published in the months of `tokens`, newest first.
async fn in_months(
    db: impl PgExecutor<'_>,
    f: &SearchFilter<'_>,
    tokens: &[String],
) -> sqlx::Result<Vec<Found>> {
    sqlx::query_as!(
        Found,
        r#"select a.article_id, a.published_at as "published_at!" from article a
           where a.status = 'published'
             and a.search_vector @@ (select f_search_match($1::text[]))
             and a.search_vector @@ (
                 select string_agg(quote_literal(token), ' | ')::tsquery
                 from unnest($5::text[]) as token)
             and ($2::bigint[] is null or a.category_id = any($2))
             and ($3::timestamptz is null or a.published_at >= $3)
             and ($4::timestamptz is null or a.published_at < $4)
           order by a.published_at desc, a.article_id desc"#,
        f.terms,
        f.category_ids,
        f.since,
        f.before,
        tokens
    )
    .fetch_all(db)
    .await
}

/// The matches `found` (newest first) with the relevance of the first `ranked`: whether the
/// title matches, and `ts_rank_cd` of the title and sapo.
async fn rank(
    db: impl PgExecutor<'_>,
    terms: &[String],
    found: Vec<Found>,
    ranked: i64,
) -> sqlx::Result<Vec<Match>> {
    let ranked = usize::try_from(ranked).unwrap_or(0).min(found.len());
    let ids: Vec<i64> = found[..ranked].iter().map(|m| m.article_id).collect();
    let ranks: std::collections::HashMap<i64, (bool, f32)> = if ids.is_empty() {
        Default::default()
    } else {
        sqlx::query!(
            r#"with query as materialized (select f_search_words($1::text[]) as q)
               select a.article_id,
                      ts_filter(a.search_head, '{a}') @@ (select q from query) as "in_title!",
                      ts_rank_cd(a.search_head, (select q from query)) as "rank!"
               from article a
               where a.article_id = any($2)"#,
            terms,
            &ids
        )
        .fetch_all(db)
        .await?
        .into_iter()
        .map(|r| (r.article_id, (r.in_title, r.rank)))
        .collect()
    };
    Ok(found
        .into_iter()
        .map(|m| {
            let (in_title, rank) = ranks.get(&m.article_id).copied().unwrap_or((false, 0.0));
            Match {
                article_id: m.article_id,
                published_at: m.published_at,
                in_title,
                rank,
            }
        })
        .collect())
}

/// The articles `ids`, in that order, with the words of `terms` highlighted.
async fn list_hits(
    db: impl PgExecutor<'_>,
    terms: &[String],
    ids: &[i64],
) -> sqlx::Result<Vec<SearchHit>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query!(
        r#"with query as materialized (select f_search_words($1::text[]) as q)
           select a.article_id, a.slug, a.title, a.sapo, a.cover_image, a.cover_widths,
                  a.cover_alt, a.category_id, a.published_at as "published_at!",
                  ts_headline('vi_unaccent', html_escape(a.title), query.q,
                              'HighlightAll=true, StartSel=<mark>, StopSel=</mark>')
                      as "title_html!",
                  ts_headline('vi_unaccent', html_escape(a.sapo || ' ' || html_text(a.body_html)),
                              query.q,
                              'MaxFragments=2, MinWords=12, MaxWords=28, FragmentDelimiter=" … ",
                               StartSel=<mark>, StopSel=</mark>')
                      as "snippet_html!"
           from unnest($2::bigint[]) with ordinality as page(article_id, position)
           join article a using (article_id)
           cross join query
           where a.status = 'published'
           order by page.position"#,
        terms,
        ids
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SearchHit {
            card: ArticleCard {
                article_id: r.article_id,
                slug: r.slug,
                title: r.title,
                sapo: r.sapo,
                cover_image: r.cover_image,
                cover_widths: r.cover_widths,
                cover_alt: r.cover_alt,
                category_id: r.category_id,
                published_at: r.published_at,
            },
            title_html: only_marks(r.title_html),
            snippet_html: only_marks(r.snippet_html),
        })
        .collect())
}

/// Keeps highlighted text that is escaped text plus `<mark>`/`</mark>` (what the query builds);
/// anything else is escaped whole, so a surprise in `ts_headline` can never inject markup.
/// Runs of white space (where the body had tags or line breaks) become one space.
fn only_marks(html: String) -> String {
    let html = html.split_whitespace().collect::<Vec<_>>().join(" ");
    let stripped = html.replace("<mark>", "").replace("</mark>", "");
    if stripped.contains(['<', '>']) {
        stripped
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        html
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::{days_into_month, next_window, only_marks};

    #[test]
    fn a_month_just_begun_does_not_pass_for_a_sparse_one() {
        // Five days into December, 6 of the 300 wanted found: at that rate the other 294 take
        // 196 days, and a quarter more: nine months, not the 61 a per-month rate would read.
        let days = days_into_month(datetime!(2026-12-05 00:00 UTC));
        assert_eq!(days, 4.0);
        assert_eq!(next_window(294, 6, days, 1), 9);
        // A full month's worth: the rest at the same rate.
        assert_eq!(next_window(200, 100, 30.44, 1), 3);
        assert_eq!(next_window(1, 300, 30.44, 1), 1);
        // Nothing yet: twice the window.
        assert_eq!(next_window(300, 0, 4.0, 1), 2);
        assert_eq!(next_window(300, 0, 70.0, 2), 4);
        // The first of the month at midnight counts as one day.
        assert_eq!(days_into_month(datetime!(2026-12-01 00:00 UTC)), 1.0);
    }

    #[test]
    fn only_mark_tags_survive() {
        let ok = r#"a &amp; <mark>Bảo</mark> &lt;script&gt; "quoted""#.to_owned();
        assert_eq!(only_marks(ok.clone()), ok);
        assert_eq!(
            only_marks("  a \n\n <mark>b</mark>  ".into()),
            "a <mark>b</mark>"
        );
        assert_eq!(
            only_marks("<mark>x</mark> <b>y</b>".into()),
            "x &lt;b&gt;y&lt;/b&gt;"
        );
    }
}
