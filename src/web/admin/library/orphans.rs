//! The orphans ("Không dùng"): uploads nothing uses, older than a day (an abandoned editor
//! form, an image taken out of every article), listed and removed together.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{RawForm, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use time::OffsetDateTime;

use super::Item;
use crate::{
    AppState,
    auth::Capability,
    db::{
        self,
        audit::{AuditAction, Target},
    },
    error::AppResult,
    media::library,
    web::{
        admin::{AdminLayout, Flash, Staff},
        extract::parse_id,
        filters,
    },
};

pub(crate) const ORPHANS_URL: &str = "/admin/thu-vien/khong-dung";
/// Most orphans one page lists and one removal takes.
const LIMIT: usize = 200;

const NOTHING_SELECTED: &str = "Hãy đánh dấu ít nhất một mục trước khi xóa.";
const BAD_SELECTION: &str = "Danh sách đã chọn không hợp lệ. Hãy tải lại trang.";

#[derive(Template, WebTemplate)]
#[template(path = "admin/library/orphans.html")]
pub(crate) struct OrphansPage {
    layout: AdminLayout,
    items: Vec<Item>,
    total: i64,
    error: Option<&'static str>,
}

impl OrphansPage {
    async fn load(state: &AppState, layout: AdminLayout) -> AppResult<Self> {
        let cutoff = library::orphan_cutoff(OffsetDateTime::now_utc());
        let rows = db::media_images::list_orphans(&state.db, cutoff, LIMIT as i64).await?;
        Ok(Self {
            layout: layout.page("Ảnh và tệp không dùng", "library"),
            total: rows.first().map_or(0, |r| r.total),
            items: rows.into_iter().map(Item::from).collect(),
            error: None,
        })
    }

    fn shown(&self) -> usize {
        self.items.len()
    }
}

pub(crate) async fn list_orphans(
    State(state): State<AppState>,
    layout: AdminLayout,
) -> AppResult<OrphansPage> {
    layout.user.require(Capability::ManageMedia)?;
    OrphansPage::load(&state, layout).await
}

/// The ticked rows: `chon=anh-12`, `chon=tep-5`, repeated; distinct image and file ids.
fn parse_choices(body: &[u8]) -> Result<(Vec<i64>, Vec<i64>), &'static str> {
    let (mut images, mut files) = (Vec::new(), Vec::new());
    for (key, value) in url::form_urlencoded::parse(body) {
        if key != "chon" {
            continue;
        }
        let (list, id) = match value.split_once('-') {
            Some(("anh", id)) => (&mut images, id),
            Some(("tep", id)) => (&mut files, id),
            _ => return Err(BAD_SELECTION),
        };
        let id = parse_id(id).ok_or(BAD_SELECTION)?;
        if !list.contains(&id) {
            list.push(id);
        }
    }
    match images.len() + files.len() {
        0 => Err(NOTHING_SELECTED),
        n if n > LIMIT => Err(BAD_SELECTION),
        _ => Ok((images, files)),
    }
}

/// `POST /admin/thu-vien/khong-dung`: removes the ticked items that are still orphans (one
/// used or uploaded again since the list was shown stays), with one audit entry.
pub(crate) async fn remove_orphans(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    staff.require(Capability::ManageMedia)?;
    let (images, files) = match parse_choices(&body) {
        Ok(choices) => choices,
        Err(reason) => {
            let mut page = OrphansPage::load(&state, layout).await?;
            page.error = Some(reason);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let cutoff = library::orphan_cutoff(OffsetDateTime::now_utc());
    let mut tx = state.db.begin().await?;
    let mut removed = db::media_images::delete_orphans(&mut *tx, &images, cutoff).await?;
    removed.extend(db::media_files::delete_orphans(&mut *tx, &files, cutoff).await?);
    if removed.is_empty() {
        return Ok(Flash::NothingRemoved.redirect(ORPHANS_URL));
    }
    let names: Vec<&str> = removed.iter().map(|r| r.original_name.as_str()).collect();
    let details = format!("{} mục: {}", removed.len(), names.join(", "));
    let entry = (AuditAction::MediaOrphansRemoved, Target::None, &*details);
    let response = staff
        .finish(tx, entry, ORPHANS_URL, Flash::OrphansRemoved)
        .await?;
    for item in &removed {
        library::remove_stored(&*state.media, item).await;
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_name_images_and_files_by_id() {
        assert_eq!(
            parse_choices(b"chon=anh-3&chon=tep-1&chon=anh-3&x=1"),
            Ok((vec![3], vec![1]))
        );
        assert_eq!(parse_choices(b""), Err(NOTHING_SELECTED));
        for bad in [
            "chon=anh-0",
            "chon=3",
            "chon=bai-1",
            "chon=tep-x",
            "chon=anh-",
        ] {
            assert_eq!(parse_choices(bad.as_bytes()), Err(BAD_SELECTION), "{bad}");
        }
    }
}
