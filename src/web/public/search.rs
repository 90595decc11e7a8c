//! Search ("Tìm kiếm"): `GET /tim-kiem?q=…&chuyen-muc=…&tu=YYYY-MM-DD&den=YYYY-MM-DD&trang=N`.
//!
//! The query is read the way people type Vietnamese: accents, đ and case do not matter (the
//! database unaccents both sides), decomposed input is composed first, several words must all
//! match, and words in double quotes must appear together in that order. What is typed never
//! reaches a tsquery parser: it is cut into terms here (see [`SearchQuery::parse`]) and each term
//! is read as plain text by `phraseto_tsquery` (see `db::search`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::RawQuery;
use time::{Date, OffsetDateTime};

use crate::web::readers::Readers;
use crate::{
    db::{
        self,
        search::{SearchFilter, SearchHit},
    },
    error::{AppError, AppResult},
    site::CategoryTree,
    web::{extract::PageParam, filters, format, layout::Layout, pager::Pager},
};

pub(crate) const PER_PAGE: u32 = 10;

/// Longest query we read, in characters; the rest is ignored (and the reader told so).
const MAX_QUERY_CHARS: usize = 200;

/// Most words we search for (a quoted phrase counts its words).
const MAX_WORDS: usize = 20;

/// Fewest letters or digits worth a search.
const MIN_LETTERS: usize = 2;

pub(crate) const SEARCH_URL: &str = "/tim-kiem";

/// The query string as sent; a missing or repeated parameter is not an error (the first wins).
#[derive(Debug, Default)]
struct SearchParams {
    q: String,
    category: String,
    from: String,
    until: String,
}

impl SearchParams {
    fn parse(query: Option<&str>) -> Self {
        let mut params = Self::default();
        let (mut q, mut category, mut from, mut until) = (None, None, None, None);
        for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            let slot = match &*key {
                "q" => &mut q,
                "chuyen-muc" => &mut category,
                "tu" => &mut from,
                "den" => &mut until,
                _ => continue,
            };
            slot.get_or_insert(value.into_owned());
        }
        params.q = q.unwrap_or_default();
        params.category = category.unwrap_or_default().trim().to_owned();
        params.from = from.unwrap_or_default().trim().to_owned();
        params.until = until.unwrap_or_default().trim().to_owned();
        params
    }
}

/// What was typed, cut into the terms we search for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SearchQuery {
    /// The query as we read it (NFC, at most [`MAX_QUERY_CHARS`]), shown back in the box.
    pub text: String,
    /// Words and quoted phrases; each must match.
    pub terms: Vec<String>,
    /// Whether part of the query was left out (too long, too many words).
    pub shortened: bool,
    /// Letters and digits in the terms.
    letters: usize,
}

impl SearchQuery {
    /// NFC-normalises (phones and some keyboards send decomposed Vietnamese), caps the length,
    /// and splits into terms: outside double quotes every whitespace-separated word is a term;
    /// inside, the quoted words form one term (a phrase). An unclosed quote runs to the end.
    /// A hyphen between letters separates words ("kinh-tế" is "kinh tế"). Words with no letter
    /// or digit are dropped.
    pub(crate) fn parse(raw: &str) -> Self {
        let spaced: String = raw
            .chars()
            .map(|c| match c {
                c if c.is_control() => ' ',
                '“' | '”' | '„' | '″' => '"',
                other => other,
            })
            .collect();
        let cleaned = crate::text::clean(&spaced);
        let mut shortened = false;
        let text = if cleaned.chars().count() > MAX_QUERY_CHARS {
            shortened = true;
            let cut: String = cleaned.chars().take(MAX_QUERY_CHARS).collect();
            cut.trim_end().to_owned()
        } else {
            cleaned
        };

        let mut terms = Vec::new();
        let mut words_left = MAX_WORDS;
        let mut letters = 0;
        for (i, segment) in text.split('"').enumerate() {
            let quoted = i % 2 == 1;
            let words: Vec<String> = segment
                .split_whitespace()
                .map(split_hyphenated_words)
                .filter(|word| word.chars().any(char::is_alphanumeric))
                .collect();
            if words.len() > words_left {
                shortened = true;
            }
            let words = &words[..words.len().min(words_left)];
            words_left -= words.len();
            letters += words
                .iter()
                .flat_map(|w| w.chars())
                .filter(|c| c.is_alphanumeric())
                .count();
            if quoted {
                if !words.is_empty() {
                    terms.push(words.join(" "));
                }
            } else {
                terms.extend(words.iter().cloned());
            }
        }
        Self {
            text,
            terms,
            shortened,
            letters,
        }
    }

    /// Whether there is enough to search for.
    pub(crate) fn is_searchable(&self) -> bool {
        self.letters >= MIN_LETTERS
    }
}

/// "kinh-tế" → "kinh tế" (so it also finds "kinh tế"); a hyphen before a digit stays
/// ("covid-19": the database reads "-19" as a number).
fn split_hyphenated_words(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let between_letters = c == '-'
                && i > 0
                && chars[i - 1].is_alphabetic()
                && chars.get(i + 1).is_some_and(|next| next.is_alphabetic());
            if between_letters { ' ' } else { c }
        })
        .collect()
}

/// The URL of a search (the pager adds `trang`): `q`, then the filters that are set.
fn search_url(q: &str, category: Option<&str>, from: &str, until: &str) -> String {
    let mut url = url::form_urlencoded::Serializer::new(String::new());
    url.append_pair("q", q);
    for (key, value) in [
        ("chuyen-muc", category.unwrap_or_default()),
        ("tu", from),
        ("den", until),
    ] {
        if !value.is_empty() {
            url.append_pair(key, value);
        }
    }
    format!("{SEARCH_URL}?{}", url.finish())
}

/// The first moment of a day in Vietnam.
fn start_of_day(date: Date) -> OffsetDateTime {
    date.midnight().assume_offset(format::VIETNAM)
}

/// A category in the filter's list, indented by depth.
pub(crate) struct CategoryOption {
    pub slug: String,
    pub label: String,
    pub selected: bool,
}

fn category_options(tree: &CategoryTree, selected: Option<i64>) -> Vec<CategoryOption> {
    fn walk(
        tree: &CategoryTree,
        parent: Option<i64>,
        depth: usize,
        selected: Option<i64>,
        out: &mut Vec<CategoryOption>,
    ) {
        let level: Vec<_> = match parent {
            None => tree.top_level().collect(),
            Some(id) => tree.children(id).collect(),
        };
        for c in level {
            // A cycle cannot be stored; the depth bound only guards against one anyway.
            if depth > 8 {
                return;
            }
            out.push(CategoryOption {
                slug: c.slug.clone(),
                label: format!("{}{}", "— ".repeat(depth), c.name),
                selected: selected == Some(c.category_id),
            });
            walk(tree, Some(c.category_id), depth + 1, selected, out);
        }
    }
    let mut out = Vec::new();
    walk(tree, None, 0, selected, &mut out);
    out
}

#[derive(Template, WebTemplate)]
#[template(path = "public/search.html")]
pub(crate) struct SearchPage {
    layout: Layout,
    /// The query as read, kept in the box.
    q: String,
    categories: Vec<CategoryOption>,
    /// The valid dates of the filter, kept in their inputs.
    from: String,
    until: String,
    /// Notes about the query or filters ("ignored", "shortened", "too short").
    notices: Vec<&'static str>,
    /// Whether a search ran (not for an empty or one-letter query).
    searched: bool,
    total: i64,
    hits: Vec<SearchHit>,
    pager: Option<Pager>,
}

impl SearchPage {
    /// "12 bài viết", or "hơn 1.000 bài viết" past what is counted.
    fn total_text(&self) -> String {
        if self.total > db::search::MAX_RESULTS {
            format!("hơn {}", format::count(db::search::MAX_RESULTS))
        } else {
            format::count(self.total)
        }
    }
}

pub(crate) async fn search_articles(
    Readers(state): Readers,
    RawQuery(raw): RawQuery,
    PageParam(page): PageParam,
) -> AppResult<SearchPage> {
    let site = state.site.get();
    let params = SearchParams::parse(raw.as_deref());
    let query = SearchQuery::parse(&params.q);
    let mut notices = Vec::new();

    // Category: a slug or an id; an unknown one is ignored (with a note), never a 404.
    let category = if params.category.is_empty() {
        None
    } else {
        let found = match params.category.parse::<i64>() {
            Ok(id) => site.categories.get(id),
            Err(_) => site.categories.by_slug(&params.category),
        };
        if found.is_none() {
            notices.push("Không có chuyên mục này: đã tìm trong mọi chuyên mục.");
        }
        found
    };
    let category_ids = category.map(|c| site.categories.subtree_ids(c.category_id));

    // Dates: inclusive, Vietnam's days; a malformed one is ignored (with a note).
    let mut date = |value: &str| {
        if value.is_empty() {
            return None;
        }
        let parsed = format::parse_date(value);
        if parsed.is_none() && !notices.contains(&BAD_DATE) {
            notices.push(BAD_DATE);
        }
        parsed
    };
    let (mut from, mut until) = (date(&params.from), date(&params.until));
    if let (Some(a), Some(b)) = (from, until)
        && a > b
    {
        (from, until) = (Some(b), Some(a));
    }

    if query.shortened {
        notices.push("Từ khóa quá dài: chỉ 200 ký tự và 20 từ đầu tiên được dùng để tìm kiếm.");
    }

    let from_text = from.map(|d| d.to_string()).unwrap_or_default();
    let until_text = until.map(|d| d.to_string()).unwrap_or_default();
    let base_url = search_url(
        &query.text,
        category.map(|c| c.slug.as_str()),
        &from_text,
        &until_text,
    );

    let (searched, total, hits, pager) = if query.is_searchable() {
        let filter = SearchFilter {
            terms: &query.terms,
            category_ids: category_ids.as_deref(),
            since: from.map(start_of_day),
            before: until.and_then(|d| d.next_day()).map(start_of_day),
        };
        let offset = i64::from(page - 1) * i64::from(PER_PAGE);
        let found =
            db::search::list_results(&state.db, &filter, offset, i64::from(PER_PAGE)).await?;
        let (total, hits) = (found.total, found.hits);
        let listed = total.min(db::search::MAX_RESULTS);
        let pager = Pager::new(base_url, page, listed, PER_PAGE).ok_or(AppError::NotFound)?;
        if total > db::search::MAX_RESULTS {
            notices.push(
                "Chỉ liệt kê 1.000 kết quả: hãy thêm từ khóa, chọn chuyên mục hoặc khoảng thời gian để thu hẹp.",
            );
        }
        (true, total, hits, Some(pager))
    } else {
        if page > 1 {
            return Err(AppError::NotFound);
        }
        (false, 0, Vec::new(), None)
    };

    let mut title = if query.text.is_empty() {
        "Tìm kiếm".to_owned()
    } else {
        format!("Tìm kiếm: {}", query.text)
    };
    if page > 1 {
        title.push_str(&format!(" - Trang {page}"));
    }
    let layout = Layout::new(&state, title);
    Ok(SearchPage {
        layout,
        q: query.text,
        categories: category_options(&site.categories, category.map(|c| c.category_id)),
        from: from_text,
        until: until_text,
        notices,
        searched,
        total,
        hits,
        pager,
    })
}

const BAD_DATE: &str =
    "Ngày không hợp lệ (cần dạng năm-tháng-ngày): đã bỏ qua bộ lọc theo ngày đó.";

#[cfg(test)]
mod tests {
    use super::*;
    use time::Month;

    fn terms(raw: &str) -> Vec<String> {
        SearchQuery::parse(raw).terms
    }

    #[test]
    fn words_and_quoted_phrases_become_terms() {
        assert_eq!(terms("bảo  thắng"), ["bảo", "thắng"]);
        assert_eq!(
            terms(r#"lào cai "đoàn kết toàn dân" 2026"#),
            ["lào", "cai", "đoàn kết toàn dân", "2026"]
        );
        assert_eq!(terms("“nông thôn” mới"), ["nông thôn", "mới"]);
        assert_eq!(terms(r#""nông thôn mới"#), ["nông thôn mới"]);
        assert_eq!(terms(r#"a "" -- ! b"#), ["a", "b"]);
        assert_eq!(terms("kinh-tế covid-19"), ["kinh tế", "covid-19"]);
    }

    #[test]
    fn operators_are_just_text() {
        assert_eq!(
            terms(r"a & !b | c:* <-> \\ ' or 1=1 --"),
            ["a", "!b", "c:*", "or", "1=1"]
        );
    }

    #[test]
    fn decomposed_input_is_composed() {
        let q = SearchQuery::parse("Ba\u{309}o Tha\u{306}\u{301}ng");
        assert_eq!(q.text, "Bảo Thắng");
        assert_eq!(q.terms, ["Bảo", "Thắng"]);
    }

    #[test]
    fn too_short_queries_are_not_searched() {
        for raw in ["", "   ", "a", "đ", "!!", "\"\"", "- a -"] {
            assert!(!SearchQuery::parse(raw).is_searchable(), "{raw:?}");
        }
        for raw in ["ab", "a b", "đb", "12"] {
            assert!(SearchQuery::parse(raw).is_searchable(), "{raw:?}");
        }
    }

    #[test]
    fn long_queries_are_capped() {
        let q = SearchQuery::parse(&"x".repeat(10_000));
        assert_eq!(q.text.chars().count(), MAX_QUERY_CHARS);
        assert!(q.shortened);
        let q = SearchQuery::parse(&"ab ".repeat(30));
        assert_eq!(q.terms.len(), MAX_WORDS);
        assert!(q.shortened);
        let q = SearchQuery::parse(&format!("\"{}\"", "ab ".repeat(30)));
        assert_eq!(q.terms.len(), 1);
        assert_eq!(q.terms[0].split(' ').count(), MAX_WORDS);
        assert!(!SearchQuery::parse("bảo thắng").shortened);
    }

    #[test]
    fn dates_are_strict() {
        assert_eq!(
            format::parse_date("2026-11-27"),
            Some(Date::from_calendar_date(2026, Month::November, 27).unwrap())
        );
        for bad in [
            "",
            "abc",
            "2026-02-30",
            "2026-13-01",
            "26-11-27",
            "2026/11/27",
            "+026-11-27",
            "2026-1-27",
            "2026-11-27x",
            "0001-01-01",
            "1899-12-31",
        ] {
            assert_eq!(format::parse_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn days_are_vietnamese_days() {
        let day = Date::from_calendar_date(2026, Month::November, 27).unwrap();
        assert_eq!(
            start_of_day(day),
            time::macros::datetime!(2026-11-26 17:00 UTC)
        );
    }
}
