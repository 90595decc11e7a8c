//! Approve, reject, file as spam or delete: one comment from its buttons, or the ticked ones
//! from the bulk form. Each change is one audit entry.

use axum::{
    extract::{Path, RawForm, State, rejection::PathRejection},
    response::Response,
};
use serde::Deserialize;
use sqlx::PgConnection;

use super::{Action, BACK_PARAM, list::CommentsPage, redirect_back, view::View};
use crate::{
    AppState,
    auth::Capability,
    db::{self, audit::Target, comments::CommentStatus},
    error::{AppError, AppResult},
    metrics,
    web::{
        admin::{AdminLayout, Flash, Staff},
        extract::parse_id,
        form::Form,
    },
};

/// Most comments one bulk action may name.
const BULK_MAX: usize = 200;

const NOTHING_SELECTED: &str = "Hãy đánh dấu ít nhất một bình luận trước khi chọn thao tác.";
const TOO_MANY: &str = "Mỗi lần chỉ xử lý được tối đa 200 bình luận.";
const BAD_SELECTION: &str = "Danh sách bình luận đã chọn không hợp lệ. Hãy tải lại trang.";
const NO_ACTION: &str = "Hãy chọn một thao tác: duyệt, từ chối, thư rác hoặc xóa.";

/// The hidden field of the action buttons.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ActionForm {
    back: String,
}

/// `POST /admin/comments/{id}/{action}`: one comment; an unknown action is a 404.
pub(crate) async fn moderate_comment(
    State(state): State<AppState>,
    staff: Staff,
    path: Result<Path<(String, String)>, PathRejection>,
    Form(form, errors): Form<ActionForm>,
) -> AppResult<Response> {
    staff.require(Capability::ModerateComments)?;
    errors.refuse_any()?;
    let Ok(Path((id, action))) = path else {
        return Err(AppError::NotFound);
    };
    let (Some(comment_id), Some(action)) = (parse_id(&id), Action::parse(&action)) else {
        return Err(AppError::NotFound);
    };
    let mut tx = state.db.begin().await?;
    // A 404 when it does not exist; nothing changes (and nothing is logged) when it already
    // has the status.
    db::comments::get_for_update(&mut *tx, comment_id).await?;
    apply(&mut tx, &staff, &[comment_id], action).await?;
    tx.commit().await?;
    redirect_back(&state, View::from_back(&form.back), action.flash()).await
}

/// Applies `action` to those of `ids` it changes, with one audit entry, in the caller's
/// transaction; returns (id, title) of the comments changed.
pub(super) async fn apply(
    tx: &mut PgConnection,
    staff: &Staff,
    ids: &[i64],
    action: Action,
) -> sqlx::Result<Vec<(i64, String)>> {
    let changed = match action.status() {
        Some(status) => db::comments::set_status(&mut *tx, ids, status, staff.user_id).await?,
        None => db::comments::delete_many(&mut *tx, ids).await?,
    };
    let status = action.status().map_or("deleted", CommentStatus::as_str);
    metrics::comments_moderated(status, changed.len());
    let (target, details) = match changed.as_slice() {
        [] => return Ok(changed),
        [(id, title)] => (Target::Comment(*id), title.clone()),
        many => {
            let ids: Vec<String> = many.iter().map(|(id, _)| id.to_string()).collect();
            (
                Target::None,
                format!("{} bình luận (mã {})", many.len(), ids.join(", ")),
            )
        }
    };
    staff
        .log(&mut *tx, action.audit_action(), target, &details)
        .await?;
    Ok(changed)
}

/// The bulk form: `ids` repeated (the ticked rows), `action`, `back`.
#[derive(Debug, Default)]
struct BulkForm {
    ids: Vec<String>,
    action: String,
    back: String,
}

impl BulkForm {
    fn parse(body: &[u8]) -> Self {
        let mut form = Self::default();
        for (key, value) in url::form_urlencoded::parse(body) {
            match key.as_ref() {
                "ids" => form.ids.push(value.into_owned()),
                "action" => form.action = value.into_owned(),
                BACK_PARAM => form.back = value.into_owned(),
                _ => {}
            }
        }
        form
    }

    /// The distinct ids, in order, and the action; or why they are refused.
    fn validate(&self) -> Result<(Vec<i64>, Action), &'static str> {
        if self.ids.is_empty() {
            return Err(NOTHING_SELECTED);
        }
        let mut ids = Vec::with_capacity(self.ids.len().min(BULK_MAX));
        for value in &self.ids {
            let id = parse_id(value).ok_or(BAD_SELECTION)?;
            if !ids.contains(&id) {
                if ids.len() == BULK_MAX {
                    return Err(TOO_MANY);
                }
                ids.push(id);
            }
        }
        let action = Action::parse(&self.action).ok_or(NO_ACTION)?;
        Ok((ids, action))
    }
}

/// `POST /admin/comments/bulk`: one action on the ticked comments. Ids that no longer exist
/// (deleted meanwhile) are skipped; a refused form shows the list again with the reason.
pub(crate) async fn moderate_comments(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    staff.require(Capability::ModerateComments)?;
    let form = BulkForm::parse(&body);
    let view = View::from_back(&form.back);
    let (ids, action) = match form.validate() {
        Ok(valid) => valid,
        Err(reason) => {
            let page = CommentsPage::load(&state, layout, view, true).await?;
            return Ok(page.refused(reason));
        }
    };
    let mut tx = state.db.begin().await?;
    let changed = apply(&mut tx, &staff, &ids, action).await?;
    tx.commit().await?;
    let flash = if changed.is_empty() {
        Flash::CommentUnchanged
    } else {
        action.flash()
    };
    redirect_back(&state, view, flash).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_forms_need_ids_and_a_known_action() {
        let form = BulkForm::parse(b"ids=3&ids=1&ids=3&action=approve&back=%2Fadmin%2Fcomments");
        assert_eq!(form.validate(), Ok((vec![3, 1], Action::Approve)));
        assert_eq!(form.back, "/admin/comments");
        assert_eq!(
            BulkForm::parse(b"action=approve").validate(),
            Err(NOTHING_SELECTED)
        );
        for bad in ["ids=1&ids=x", "ids=0", "ids=-2", "ids=1e3", "ids="] {
            let body = format!("{bad}&action=spam");
            assert_eq!(
                BulkForm::parse(body.as_bytes()).validate(),
                Err(BAD_SELECTION),
                "{bad}"
            );
        }
        assert_eq!(
            BulkForm::parse(b"ids=1&action=publish").validate(),
            Err(NO_ACTION)
        );
        assert_eq!(BulkForm::parse(b"ids=1").validate(), Err(NO_ACTION));
        let many: String = (1..=201).map(|id| format!("ids={id}&")).collect();
        assert_eq!(
            BulkForm::parse(format!("{many}action=delete").as_bytes()).validate(),
            Err(TOO_MANY)
        );
        let enough: String = (1..=200).map(|id| format!("ids={id}&ids={id}&")).collect();
        let (ids, _) = BulkForm::parse(format!("{enough}action=delete").as_bytes())
            .validate()
            .unwrap();
        assert_eq!(ids.len(), 200);
    }
}
