//! The media library ("Thư viện", `/admin/thu-vien`): every uploaded image and attached file,
//! searchable; an item's page says where it is used, holds an image's default alt text and
//! caption, and deletes what nothing uses. Reporters browse and pick ([`picker`]); editors and
//! admins (`ManageMedia`) change and delete, also the orphans ([`orphans`]).

pub(crate) mod orphans;
pub(crate) mod picker;

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use sqlx::PgTransaction;

use crate::{
    AppState,
    auth::Capability,
    db::{
        self,
        audit::{AuditAction, Target},
        media_files::LibraryFile,
        media_images::{Image, LibraryRow, Removed, Use},
    },
    error::{AppError, AppResult},
    media::{self, files::FileKind, library},
    web::{
        admin::{AdminLayout, Flash, Staff},
        extract::{IdParam, PageParam},
        filters,
        form::{FieldErrors, Form, optional},
        layout::media_url,
        pager::Pager,
    },
};

pub(crate) const LIST_URL: &str = "/admin/thu-vien";
const PER_PAGE: u32 = 30;
/// Longest default alt text or caption (as the article's cover fields).
const TEXT_MAX: usize = 300;

fn image_url(id: i64) -> String {
    format!("{LIST_URL}/anh/{id}")
}

fn file_url(id: i64) -> String {
    format!("{LIST_URL}/tep/{id}")
}

/// The listing's filter by type (`?loai=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Image,
    File,
}

impl Kind {
    const ALL: [Self; 2] = [Self::Image, Self::File];

    fn param(self) -> &'static str {
        match self {
            Self::Image => "anh",
            Self::File => "tep",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Image => "Ảnh",
            Self::File => "Tệp đính kèm",
        }
    }

    /// The `kind` the database lists.
    fn stored(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::File => "file",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LibraryQuery {
    q: String,
    loai: String,
}

/// An entry of a listing, as the table shows it.
pub(crate) struct Item {
    pub url: String,
    pub name: String,
    /// Smallest size of an image; `None` for a file.
    pub thumbnail: Option<String>,
    /// "Ảnh", "PDF", "Word"…
    pub kind: &'static str,
    pub size: String,
    /// "1600 × 900" for an image.
    pub dimensions: Option<String>,
    pub uploader: String,
    pub at: time::OffsetDateTime,
    /// `anh-12`, `tep-5`: the orphans form's checkbox value.
    pub choice: String,
}

impl From<LibraryRow> for Item {
    fn from(row: LibraryRow) -> Self {
        let image = row.kind == "image";
        let (url, choice) = if image {
            (image_url(row.id), format!("anh-{}", row.id))
        } else {
            (file_url(row.id), format!("tep-{}", row.id))
        };
        Self {
            url,
            choice,
            thumbnail: image
                .then(|| media_url(&library::thumbnail_key(&row.storage_key, &row.widths))),
            kind: if image {
                "Ảnh"
            } else {
                FileKind::from_content_type(&row.content_type).map_or("Tệp", FileKind::label)
            },
            size: size(row.byte_size),
            dimensions: row.width.zip(row.height).map(|(w, h)| format!("{w} × {h}")),
            uploader: row.uploader.unwrap_or_else(|| "—".to_owned()),
            at: row.created_at,
            name: row.original_name,
        }
    }
}

fn size(bytes: i64) -> String {
    media::format_size(usize::try_from(bytes).unwrap_or(usize::MAX))
}

/// A tab of the type filter.
pub(crate) struct Tab {
    pub label: &'static str,
    pub url: String,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/library/list.html")]
pub(crate) struct LibraryPage {
    layout: AdminLayout,
    query: String,
    /// `?loai=` of the listing shown ("" for all), kept by the search form.
    kind_param: &'static str,
    tabs: Vec<Tab>,
    items: Vec<Item>,
    total: i64,
    pager: Pager,
    may_manage: bool,
}

/// The listing's URL for a query and type.
fn list_url(query: &str, kind: Option<Kind>) -> String {
    let mut params = url::form_urlencoded::Serializer::new(String::new());
    if !query.is_empty() {
        params.append_pair("q", query);
    }
    if let Some(kind) = kind {
        params.append_pair("loai", kind.param());
    }
    let params = params.finish();
    if params.is_empty() {
        LIST_URL.to_owned()
    } else {
        format!("{LIST_URL}?{params}")
    }
}

pub(crate) async fn list_library(
    State(state): State<AppState>,
    layout: AdminLayout,
    Query(query): Query<LibraryQuery>,
    PageParam(page): PageParam,
) -> AppResult<LibraryPage> {
    layout.user.require(Capability::WriteArticles)?;
    // An unknown type is a 404, like any malformed URL.
    let kind = match query.loai.as_str() {
        "" => None,
        param => Some(
            Kind::ALL
                .into_iter()
                .find(|k| k.param() == param)
                .ok_or(AppError::NotFound)?,
        ),
    };
    let text = crate::text::clean(&query.q);
    let pattern = library::like_pattern(&text);
    let offset = i64::from(page - 1) * i64::from(PER_PAGE);
    let rows = db::media_images::list(
        &state.db,
        kind.map(Kind::stored),
        pattern.as_deref(),
        i64::from(PER_PAGE),
        offset,
    )
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    if rows.is_empty() && page > 1 {
        return Err(AppError::NotFound);
    }
    let pager =
        Pager::new(list_url(&text, kind), page, total, PER_PAGE).ok_or(AppError::NotFound)?;
    let tabs = [None]
        .into_iter()
        .chain(Kind::ALL.map(Some))
        .map(|k| Tab {
            label: k.map_or("Tất cả", Kind::label),
            url: list_url(&text, k),
            current: k == kind,
        })
        .collect();
    let may_manage = layout.user.can(Capability::ManageMedia);
    Ok(LibraryPage {
        layout: layout.page("Thư viện", "library"),
        query: text,
        kind_param: kind.map_or("", Kind::param),
        tabs,
        items: rows.into_iter().map(Item::from).collect(),
        total,
        pager,
        may_manage,
    })
}

/// A place an item is used, as its page lists it.
pub(crate) struct UseRow {
    pub what: &'static str,
    pub title: String,
    pub url: String,
    pub place: &'static str,
}

impl From<Use> for UseRow {
    fn from(u: Use) -> Self {
        let (what, section) = match u.kind.as_str() {
            "article" => ("Bài viết", "articles"),
            "page" => ("Trang", "pages"),
            _ => ("Văn bản", "documents"),
        };
        let place = match u.place.as_str() {
            "cover" => "ảnh đại diện",
            "body" => "trong nội dung",
            "attachment" => "tệp đính kèm",
            _ => "liên kết trong nội dung",
        };
        Self {
            what,
            url: format!("/admin/{section}/{}", u.id),
            title: u.title,
            place,
        }
    }
}

/// Why a used item is not deleted.
fn still_used(noun: &str, uses: usize) -> String {
    format!(
        "Không thể xóa: {noun} đang được dùng ở {uses} nơi (xem danh sách bên dưới). \
         Hãy gỡ {noun} khỏi những nơi đó trước."
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/library/image.html")]
pub(crate) struct ImagePage {
    layout: AdminLayout,
    image: Image,
    uses: Vec<UseRow>,
    alt: String,
    caption: String,
    errors: FieldErrors,
    may_manage: bool,
}

impl ImagePage {
    async fn load(state: &AppState, layout: AdminLayout, image: Image) -> AppResult<Self> {
        let base = library::image_base(&image.storage_key).to_owned();
        let uses = db::media_images::uses(&state.db, &base).await?;
        let may_manage = layout.user.can(Capability::ManageMedia);
        Ok(Self {
            layout: layout.page(format!("Ảnh: {}", image.original_name), "library"),
            uses: uses.into_iter().map(UseRow::from).collect(),
            alt: image.alt.clone(),
            caption: image.caption.clone(),
            image,
            errors: FieldErrors::default(),
            may_manage,
        })
    }

    fn preview(&self) -> String {
        let key = [960, 480]
            .into_iter()
            .find(|w| self.image.widths.contains(w))
            .and_then(|w| media::variant_path(&self.image.storage_key, w))
            .unwrap_or_else(|| self.image.storage_key.clone());
        media_url(&key)
    }

    /// Each stored size and its address, for pasting where no picker helps.
    fn sizes(&self) -> Vec<(String, String)> {
        let keys = library::stored_keys(&self.image.storage_key, &self.image.widths);
        let labels = self.image.widths.iter().map(|w| format!("Rộng {w} px"));
        let labels: Vec<String> = if self.image.widths.is_empty() {
            vec!["Ảnh gốc".to_owned()]
        } else {
            labels.collect()
        };
        labels
            .into_iter()
            .zip(keys.iter().map(|k| media_url(k)))
            .collect()
    }

    fn size(&self) -> String {
        size(self.image.byte_size)
    }

    fn form_url(&self) -> String {
        image_url(self.image.media_image_id)
    }

    fn delete_url(&self) -> String {
        format!("{}/delete", self.form_url())
    }

    fn with_status(self, status: StatusCode) -> Response {
        (status, self).into_response()
    }
}

async fn get_image(state: &AppState, id: i64) -> AppResult<Image> {
    db::media_images::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub(crate) async fn show_image(
    State(state): State<AppState>,
    layout: AdminLayout,
    IdParam(id): IdParam,
) -> AppResult<ImagePage> {
    layout.user.require(Capability::WriteArticles)?;
    let image = get_image(&state, id).await?;
    ImagePage::load(&state, layout, image).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ImageText {
    alt: String,
    caption: String,
}

/// `POST /admin/thu-vien/anh/{id}`: the default alt text and caption.
pub(crate) async fn update_image(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    IdParam(id): IdParam,
    Form(form, mut errors): Form<ImageText>,
) -> AppResult<Response> {
    staff.require(Capability::ManageMedia)?;
    let image = get_image(&state, id).await?;
    let alt = optional(&mut errors, "alt", &form.alt, TEXT_MAX);
    let caption = optional(&mut errors, "caption", &form.caption, TEXT_MAX);
    if !errors.is_empty() {
        let mut page = ImagePage::load(&state, layout, image).await?;
        page.alt = form.alt;
        page.caption = form.caption;
        page.errors = errors;
        return Ok(page.with_status(StatusCode::UNPROCESSABLE_ENTITY));
    }
    let mut tx = state.db.begin().await?;
    if !db::media_images::update_text(&mut *tx, id, &alt, &caption).await? {
        return Err(AppError::NotFound);
    }
    let entry = (
        AuditAction::MediaImageUpdated,
        Target::MediaImage(id),
        &*image.original_name,
    );
    staff.finish(tx, entry, &image_url(id), Flash::Saved).await
}

/// `POST /admin/thu-vien/anh/{id}/delete`: refused (409, the page with the reason) while
/// anything uses the image.
pub(crate) async fn delete_image(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    IdParam(id): IdParam,
) -> AppResult<Response> {
    staff.require(Capability::ManageMedia)?;
    let image = get_image(&state, id).await?;
    let mut tx = state.db.begin().await?;
    let uses = db::media_images::uses(&mut *tx, library::image_base(&image.storage_key)).await?;
    if !uses.is_empty() {
        drop(tx);
        let mut page = ImagePage::load(&state, layout, image).await?;
        page.errors.add("delete", still_used("ảnh", uses.len()));
        return Ok(page.with_status(StatusCode::CONFLICT));
    }
    let removed = db::media_images::delete(&mut *tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let audit = (AuditAction::MediaImageDeleted, Target::MediaImage(id));
    finish_removal(&state, &staff, tx, audit, removed).await
}

/// The end of a deletion: the audit entry, the commit, the redirect to the library; then the
/// stored files go (the row is gone for good by then).
async fn finish_removal(
    state: &AppState,
    staff: &Staff,
    tx: PgTransaction<'_>,
    (action, target): (AuditAction, Target),
    removed: Removed,
) -> AppResult<Response> {
    let entry = (action, target, &*removed.original_name);
    let response = staff.finish(tx, entry, LIST_URL, Flash::Deleted).await?;
    library::remove_stored(&*state.media, &removed).await;
    Ok(response)
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/library/file.html")]
pub(crate) struct FilePage {
    layout: AdminLayout,
    file: LibraryFile,
    uses: Vec<UseRow>,
    errors: FieldErrors,
    may_manage: bool,
}

impl FilePage {
    async fn load(state: &AppState, layout: AdminLayout, file: LibraryFile) -> AppResult<Self> {
        let uses = db::media_files::uses(&state.db, file.media_file_id).await?;
        let may_manage = layout.user.can(Capability::ManageMedia);
        Ok(Self {
            layout: layout.page(format!("Tệp: {}", file.original_name), "library"),
            uses: uses.into_iter().map(UseRow::from).collect(),
            file,
            errors: FieldErrors::default(),
            may_manage,
        })
    }

    fn kind(&self) -> &'static str {
        FileKind::from_content_type(&self.file.content_type).map_or("Tệp", FileKind::label)
    }

    fn size(&self) -> String {
        size(self.file.byte_size)
    }

    fn delete_url(&self) -> String {
        format!("{}/delete", file_url(self.file.media_file_id))
    }
}

async fn get_file(state: &AppState, id: i64) -> AppResult<LibraryFile> {
    db::media_files::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub(crate) async fn show_file(
    State(state): State<AppState>,
    layout: AdminLayout,
    IdParam(id): IdParam,
) -> AppResult<FilePage> {
    layout.user.require(Capability::WriteArticles)?;
    let file = get_file(&state, id).await?;
    FilePage::load(&state, layout, file).await
}

/// `POST /admin/thu-vien/tep/{id}/delete`: refused (409) while anything carries or links to
/// the file.
pub(crate) async fn delete_file(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    IdParam(id): IdParam,
) -> AppResult<Response> {
    staff.require(Capability::ManageMedia)?;
    let file = get_file(&state, id).await?;
    let mut tx = state.db.begin().await?;
    let uses = db::media_files::uses(&mut *tx, id).await?;
    if !uses.is_empty() {
        drop(tx);
        let mut page = FilePage::load(&state, layout, file).await?;
        page.errors.add("delete", still_used("tệp", uses.len()));
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let removed = db::media_files::delete(&mut *tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let audit = (AuditAction::MediaFileDeleted, Target::MediaFile(id));
    finish_removal(&state, &staff, tx, audit, removed).await
}
