//! "Tin nổi bật": editors feature a published (or scheduled) article on the home page, in an
//! order and optionally until a time, or stop featuring it.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use time::OffsetDateTime;

use super::article_url;
use crate::{
    AppState,
    auth::Capability,
    db::{
        self,
        articles::{Featuring, Status},
        audit::{AuditAction, Target},
    },
    error::{AppError, AppResult, ErrorPage},
    web::{
        admin::{AdminLayout, Flash, Staff},
        extract::IdParam,
        filters,
        form::{FieldErrors, Form},
        format,
    },
};

const RANKS: std::ops::RangeInclusive<i32> = 1..=99;

const NOT_PUBLISHED: ErrorPage = ErrorPage {
    status: StatusCode::CONFLICT,
    heading: "Bài chưa được đăng",
    message: "Chỉ bài đã đăng hoặc đã lên lịch đăng mới được đặt làm tin nổi bật.",
};

/// The form as typed; `action` is "clear" for "Bỏ nổi bật".
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct FeaturedForm {
    rank: String,
    until: String,
    action: String,
}

impl FeaturedForm {
    fn of(f: &Featuring) -> Self {
        Self {
            rank: f.featured_rank.unwrap_or(1).to_string(),
            until: f
                .featured_until
                .map(format::datetime_input)
                .unwrap_or_default(),
            action: String::new(),
        }
    }

    /// The order and end time, or the messages beside the fields.
    fn parse(
        &self,
        now: OffsetDateTime,
        mut errors: FieldErrors,
    ) -> Result<(i32, Option<OffsetDateTime>), FieldErrors> {
        let rank = self.rank.trim().parse().ok().filter(|r| RANKS.contains(r));
        if rank.is_none() {
            errors.add("rank", "Hãy nhập thứ tự là một số từ 1 đến 99.");
        }
        let until = match self.until.trim() {
            "" => None,
            typed => match format::parse_datetime_input(typed) {
                Some(at) if at > now => Some(at),
                Some(_) => {
                    errors.add("until", "Hãy chọn thời điểm kết thúc trong tương lai.");
                    None
                }
                None => {
                    errors.add("until", "Thời điểm không hợp lệ.");
                    None
                }
            },
        };
        match rank {
            Some(rank) if errors.is_empty() => Ok((rank, until)),
            _ => Err(errors),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/articles/featured.html")]
pub(crate) struct FeaturedPage {
    layout: AdminLayout,
    article: Featuring,
    form: FeaturedForm,
    errors: FieldErrors,
}

impl FeaturedPage {
    fn may_feature(&self) -> bool {
        matches!(self.article.status, Status::Published | Status::Scheduled)
    }
}

fn featured_url(id: i64) -> String {
    format!("{}/featured", article_url(id))
}

pub(crate) async fn edit_featured(
    State(state): State<AppState>,
    layout: AdminLayout,
    IdParam(id): IdParam,
) -> AppResult<FeaturedPage> {
    layout.user.require(Capability::EditAllArticles)?;
    let article = db::articles::get_featuring(&state.db, id).await?;
    Ok(FeaturedPage {
        layout: layout.page(format!("Tin nổi bật: {}", article.title), "articles"),
        form: FeaturedForm::of(&article),
        article,
        errors: FieldErrors::default(),
    })
}

pub(crate) async fn update_featured(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    IdParam(id): IdParam,
    Form(form, screened): Form<FeaturedForm>,
) -> AppResult<Response> {
    staff.require(Capability::EditAllArticles)?;
    let mut tx = state.db.begin().await?;
    let article = db::articles::get_featuring(&mut *tx, id).await?;
    let (rank, until, action, details) = if form.action == "clear" {
        (
            None,
            None,
            AuditAction::ArticleUnfeatured,
            article.title.clone(),
        )
    } else {
        match form.parse(OffsetDateTime::now_utc(), screened) {
            Ok((rank, until)) => {
                let until_text = until.map_or("không hạn".to_owned(), format::datetime_short);
                let details = format!("{} (thứ tự {rank}, đến {until_text})", article.title);
                (Some(rank), until, AuditAction::ArticleFeatured, details)
            }
            Err(errors) => {
                drop(tx);
                let page = FeaturedPage {
                    layout: layout.page(format!("Tin nổi bật: {}", article.title), "articles"),
                    article,
                    form,
                    errors,
                };
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
        }
    };
    if !db::articles::set_featuring(&mut *tx, id, rank, until).await? {
        // The form is not offered for them; the article may have been unpublished since.
        return Err(AppError::Page(NOT_PUBLISHED));
    }
    staff
        .finish(
            tx,
            (action, Target::Article(id), &details),
            &featured_url(id),
            Flash::Saved,
        )
        .await
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn form(rank: &str, until: &str) -> FeaturedForm {
        FeaturedForm {
            rank: rank.into(),
            until: until.into(),
            action: String::new(),
        }
    }

    #[test]
    fn order_and_end_time_are_checked() {
        let now = datetime!(2026-12-05 01:00 UTC);
        let (rank, until) = form(" 2 ", "2026-12-06T08:30")
            .parse(now, FieldErrors::default())
            .unwrap();
        assert_eq!(rank, 2);
        // Typed in Vietnam's time.
        assert_eq!(until, Some(datetime!(2026-12-06 01:30 UTC)));
        assert_eq!(
            form("1", "").parse(now, FieldErrors::default()).unwrap(),
            (1, None)
        );
        for (rank, until, field) in [
            ("0", "", "rank"),
            ("100", "", "rank"),
            ("một", "", "rank"),
            ("1", "2026-12-05T07:59", "until"),
            ("1", "mai", "until"),
        ] {
            let errors = form(rank, until)
                .parse(now, FieldErrors::default())
                .unwrap_err();
            assert!(errors.has(field), "{rank:?} {until:?}");
            assert_eq!(errors.len(), 1);
        }
    }
}
