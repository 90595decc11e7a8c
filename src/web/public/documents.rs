//! "Văn bản": the documents library (`/van-ban`, filters and search in a GET form), a
//! document's page (`/van-ban/{slug}`), and file downloads (`/tai-lieu/{id}/{name}`).
//! The feed is in [`super::feeds`], the sitemap entries in [`super::sitemaps`].

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    body::Body,
    extract::{Path, RawQuery},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use time::Date;
use tokio_util::io::ReaderStream;

use super::search::SearchQuery;
use crate::web::readers::Readers;
use crate::{
    db::{
        self,
        documents::{Document, DocumentFilter, DocumentRow, Term, TermKind},
        media_files::FileLink,
        pages::Language,
    },
    error::{AppError, AppResult},
    media::files::{self, FileKind},
    web::{
        DOCUMENTS_URL,
        extract::{PageParam, SlugParam, parse_id},
        filters, format,
        layout::{Layout, print_url},
        pager::Pager,
        print::PrintFrame,
    },
};

pub(crate) const DOCUMENTS_FEED_URL: &str = "/van-ban/rss.xml";
const PER_PAGE: u32 = 20;

/// Downloads are cached like `/media` (a day): a file under an id never changes, and a
/// deleted document's files stop being served here at once.
const DOWNLOAD_CACHE: &str = "public, max-age=86400";

pub(crate) fn document_url(slug: &str) -> String {
    format!("{DOCUMENTS_URL}/{slug}")
}

/// Where a file is downloaded: its id, and its name as a slug (cosmetic: only the id counts).
pub(crate) fn download_url(file: &FileLink) -> String {
    let kind = FileKind::from_content_type(&file.content_type).unwrap_or(FileKind::Zip);
    format!(
        "/tai-lieu/{}/{}",
        file.media_file_id,
        files::url_name(&file.original_name, kind)
    )
}

/// "1,2 MB", "350 KB".
pub(crate) fn file_size(bytes: &i64) -> String {
    crate::media::format_size(usize::try_from(*bytes).unwrap_or(0))
}

/// "PDF", "Word"… for a stored content type.
pub(crate) fn file_label(file: &FileLink) -> &'static str {
    FileKind::from_content_type(&file.content_type).map_or("Tệp", FileKind::label)
}

/// The filters as read from the query string (first value wins; unknown values are ignored).
#[derive(Debug, Default)]
struct Params {
    q: String,
    kind: String,
    issuer: String,
    field: String,
    year: String,
    status: String,
}

impl Params {
    fn parse(query: Option<&str>) -> Self {
        let mut params = Self::default();
        let mut seen: Vec<String> = Vec::new();
        for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            if seen.iter().any(|k| *k == key) {
                continue;
            }
            let slot = match &*key {
                "q" => &mut params.q,
                "loai" => &mut params.kind,
                "co-quan" => &mut params.issuer,
                "linh-vuc" => &mut params.field,
                "nam" => &mut params.year,
                "hieu-luc" => &mut params.status,
                _ => continue,
            };
            *slot = value.trim().to_owned();
            seen.push(key.into_owned());
        }
        params
    }
}

/// An option of a filter's select.
pub(crate) struct FilterOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "public/documents.html")]
pub(crate) struct DocumentsPage {
    layout: Layout,
    q: String,
    /// What was left out of the search, and why.
    notices: Vec<&'static str>,
    types: Vec<FilterOption>,
    issuers: Vec<FilterOption>,
    fields: Vec<FilterOption>,
    years: Vec<FilterOption>,
    statuses: Vec<FilterOption>,
    documents: Vec<DocumentRow>,
    total: i64,
    filtered: bool,
    pager: Pager,
}

impl DocumentsPage {
    fn url(&self, document: &DocumentRow) -> String {
        document_url(&document.slug)
    }
}

/// A document's dates as readers see them ("15/03/2026").
pub(crate) fn date(date: &Date) -> String {
    format::date_short(*date)
}

/// The options of a managed list, and the id of the one `selected` names (by slug).
fn term_options(
    terms: &[Term],
    kind: TermKind,
    selected: &str,
) -> (Vec<FilterOption>, Option<i64>) {
    let mut id = None;
    let options = terms
        .iter()
        .filter(|t| t.kind == kind.as_str())
        .map(|t| {
            let is = t.slug == selected;
            if is {
                id = Some(t.document_term_id);
            }
            FilterOption {
                value: t.slug.clone(),
                label: t.name.clone(),
                selected: is,
            }
        })
        .collect();
    (options, id)
}

/// The query string of the parameters that apply.
fn listing_query(params: &[(&str, &String, bool)]) -> String {
    let mut url = url::form_urlencoded::Serializer::new(String::new());
    for (key, value, applies) in params {
        if *applies {
            url.append_pair(key, value);
        }
    }
    url.finish()
}

/// `GET /van-ban`: newest issued first, filtered by type, issuer, field, year and status,
/// searched over number, summary and full text.
pub(crate) async fn list_documents(
    Readers(state): Readers,
    RawQuery(raw): RawQuery,
    PageParam(page): PageParam,
) -> AppResult<DocumentsPage> {
    let params = Params::parse(raw.as_deref());
    let terms = db::documents::list_terms(&state.db).await?;
    let (types, type_id) = term_options(&terms, TermKind::Type, &params.kind);
    let (issuers, issuer_id) = term_options(&terms, TermKind::Issuer, &params.issuer);
    let (fields, field_id) = term_options(&terms, TermKind::Field, &params.field);
    let years_known = db::documents::list_years(&state.db).await?;
    let year = params
        .year
        .parse::<i32>()
        .ok()
        .filter(|y| years_known.contains(y));
    let years = years_known
        .iter()
        .map(|y| FilterOption {
            value: y.to_string(),
            label: y.to_string(),
            selected: Some(*y) == year,
        })
        .collect();
    let in_force = match params.status.as_str() {
        "con" => Some(true),
        "het" => Some(false),
        _ => None,
    };
    let statuses = [
        ("con", "Còn hiệu lực", true),
        ("het", "Hết hiệu lực", false),
    ]
    .into_iter()
    .map(|(value, label, flag)| FilterOption {
        value: value.to_owned(),
        label: label.to_owned(),
        selected: in_force == Some(flag),
    })
    .collect();
    let query = SearchQuery::parse(&params.q);
    let terms_searched = query.is_searchable().then(|| query.terms.clone());
    let mut notices = Vec::new();
    if !query.text.is_empty() && terms_searched.is_none() {
        notices.push("Từ khóa cần ít nhất 2 chữ cái hoặc chữ số: đã liệt kê mọi văn bản.");
    }
    if query.shortened {
        notices.push("Từ khóa quá dài: chỉ 200 ký tự và 20 từ đầu tiên được dùng để tìm kiếm.");
    }

    // The listing's own URL: only the filters that apply (the pager adds `trang`).
    let query_string = listing_query(&[
        ("q", &query.text, terms_searched.is_some()),
        ("loai", &params.kind, type_id.is_some()),
        ("co-quan", &params.issuer, issuer_id.is_some()),
        ("linh-vuc", &params.field, field_id.is_some()),
        ("nam", &params.year, year.is_some()),
        ("hieu-luc", &params.status, in_force.is_some()),
    ]);
    let base = if query_string.is_empty() {
        DOCUMENTS_URL.to_owned()
    } else {
        format!("{DOCUMENTS_URL}?{query_string}")
    };
    let filtered = !query_string.is_empty();

    let filter = DocumentFilter {
        type_id,
        issuer_id,
        field_id,
        year,
        in_force,
        terms: terms_searched,
    };
    let offset = i64::from(page - 1) * i64::from(PER_PAGE);
    let documents = db::documents::list(&state.db, &filter, offset, i64::from(PER_PAGE)).await?;
    if documents.is_empty() && page > 1 {
        return Err(AppError::NotFound);
    }
    let total = documents.first().map_or(0, |d| d.total);
    let pager = Pager::new(base.clone(), page, total, PER_PAGE).ok_or(AppError::NotFound)?;
    let title = if page > 1 {
        format!("Văn bản - Trang {page}")
    } else {
        "Văn bản".to_owned()
    };
    let site_name = state.site.get().settings.site_name.clone();
    let layout = Layout::new(&state, title)
        .with_description(format!(
            "Văn bản chỉ đạo, điều hành của {site_name}: tra cứu theo số ký hiệu, loại văn bản, cơ quan ban hành, lĩnh vực và năm."
        ))
        .with_canonical(&state, &pager.url(&page))
        .with_feed(format!("Văn bản - {site_name}"), DOCUMENTS_FEED_URL);
    Ok(DocumentsPage {
        layout,
        q: query.text,
        notices,
        types,
        issuers,
        fields,
        years,
        statuses,
        documents,
        total,
        filtered,
        pager,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "public/document.html")]
pub(crate) struct DocumentPage {
    layout: Layout,
    document: Document,
    files: Vec<FileLink>,
}

impl DocumentPage {
    fn print_url(&self) -> String {
        print_url(&document_url(&self.document.slug))
    }
}

/// `GET /van-ban/{slug}`: every field of a document and its files.
pub(crate) async fn show_document(
    Readers(state): Readers,
    SlugParam(slug): SlugParam,
) -> AppResult<DocumentPage> {
    let document = db::documents::get(&state.db, None, Some(&slug))
        .await?
        .ok_or(AppError::NotFound)?;
    let files = db::documents::list_files(&state.db, document.legal_document_id).await?;
    let site_name = state.site.get().settings.site_name.clone();
    let layout = Layout::new(
        &state,
        format!("{} số {}", document.type_name, document.number),
    )
    .with_description(&document.summary)
    .with_canonical(&state, &document_url(&document.slug))
    .with_feed(format!("Văn bản - {site_name}"), DOCUMENTS_FEED_URL);
    Ok(DocumentPage {
        layout,
        document,
        files,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "public/document_print.html")]
pub(crate) struct DocumentPrintPage {
    frame: PrintFrame,
    document: Document,
    files: Vec<FileLink>,
}

/// `GET /van-ban/{slug}/ban-in`: the document's fields, files and text, for paper.
pub(crate) async fn print_document(
    Readers(state): Readers,
    SlugParam(slug): SlugParam,
) -> AppResult<DocumentPrintPage> {
    let document = db::documents::get(&state.db, None, Some(&slug))
        .await?
        .ok_or(AppError::NotFound)?;
    let files = db::documents::list_files(&state.db, document.legal_document_id).await?;
    let frame = PrintFrame::new(
        &state,
        Language::Vi,
        format!("{} số {}", document.type_name, document.number),
        document_url(&document.slug),
    );
    Ok(DocumentPrintPage {
        frame,
        document,
        files,
    })
}

/// `GET /tai-lieu/{id}/{name}`: a file of a document, always as a download (never shown
/// inline), under the name it was uploaded with.
pub(crate) async fn download_file(
    Readers(state): Readers,
    Path((id, _name)): Path<(String, String)>,
) -> AppResult<Response> {
    let id = parse_id(&id).ok_or(AppError::NotFound)?;
    let file = db::media_files::get_public(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(kind) = FileKind::from_content_type(&file.content_type) else {
        return Err(AppError::NotFound);
    };
    let stored = match state.media.open(&file.storage_key).await {
        Ok(stored) => stored,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            tracing::warn!(key = file.storage_key, "a registered file is missing");
            return Err(AppError::NotFound);
        }
        Err(error) => return Err(AppError::Unexpected(error.into())),
    };
    let disposition = files::content_disposition(&file.original_name, kind);
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(kind.content_type()),
        ),
        (
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition).map_err(|e| AppError::Unexpected(e.into()))?,
        ),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static(DOWNLOAD_CACHE),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::CONTENT_LENGTH, HeaderValue::from(stored.len)),
    ];
    let body = Body::from_stream(ReaderStream::new(stored.reader));
    Ok((headers, body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_value_of_each_filter_wins() {
        let p = Params::parse(Some(
            "q=15-nq%2Fhu&loai=nghi-quyet&loai=x&nam=2026&hieu-luc=con",
        ));
        assert_eq!(p.q, "15-nq/hu");
        assert_eq!(p.kind, "nghi-quyet");
        assert_eq!(p.year, "2026");
        assert_eq!(p.status, "con");
        assert!(Params::parse(None).q.is_empty());
    }
}
