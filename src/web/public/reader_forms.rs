//! What readers' forms (comments, the contact form) share: the captcha challenge shown in the
//! form, its check with the minimum time, how the reader's address is stored, and `no-store`.
//! The honeypot field (`website`) and the captcha markup are in
//! `templates/macros/reader_forms.html`.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::Response,
};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::{
    AppState,
    captcha::{self, Challenge, Kind, Verdict},
    error::{AppError, AppResult, ErrorPage},
    web::{cookies, form::FieldErrors},
};

/// Less than this between showing the challenge and posting is a robot.
const MIN_SECONDS: i64 = 3;

const TOO_MANY_QUESTIONS: ErrorPage = ErrorPage {
    status: StatusCode::TOO_MANY_REQUESTS,
    heading: "Bạn đã yêu cầu quá nhiều câu hỏi",
    message: "Mỗi địa chỉ chỉ nhận được 20 câu hỏi kiểm tra bằng chữ trong một giờ. Xin vui lòng thử lại sau, hoặc dùng mã kiểm tra bằng ảnh.",
};

/// `?kieu=cau-hoi`: the text question instead of the image.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct KindQuery {
    pub kieu: String,
}

/// The kind of challenge a form (its hidden `kind`) or a link (`?kieu=`) asks for.
pub(crate) fn kind_of(value: &str) -> Kind {
    if value == "cau-hoi" || value == "question" {
        Kind::Question
    } else {
        Kind::Image
    }
}

/// A new challenge of `kind` for a form page. `ip_key`: the reader's address as stored (text
/// questions are limited per IP).
pub(crate) async fn challenge(state: &AppState, kind: Kind, ip_key: &str) -> AppResult<Challenge> {
    Ok(match kind {
        Kind::Image => captcha::issue_image(&state.db).await?.0,
        Kind::Question => captcha::issue_question(&state.db, ip_key)
            .await?
            .ok_or(AppError::Page(TOO_MANY_QUESTIONS))?,
    })
}

/// Redeems the challenge the form names (in its hidden field, or else the cookie the captcha
/// image set) with the reader's answer; a wrong, expired or too quick answer gets its message
/// beside the `captcha` field.
pub(crate) async fn check_captcha(
    state: &AppState,
    jar: &CookieJar,
    captcha_id: &str,
    answer: &str,
    errors: &mut FieldErrors,
) -> AppResult<()> {
    let captcha_id = if captcha_id.is_empty() {
        jar.get(cookies::CAPTCHA)
            .map(|c| c.value().to_owned())
            .unwrap_or_default()
    } else {
        captcha_id.to_owned()
    };
    let verdict = captcha::redeem(
        &state.db,
        &captcha_id,
        answer,
        state.config.insecure_captcha.as_deref(),
    )
    .await?;
    match verdict {
        Verdict::Passed { shown_at }
            if (OffsetDateTime::now_utc() - shown_at).whole_seconds() < MIN_SECONDS =>
        {
            errors.add(
                "captcha",
                "Bạn gửi nhanh quá. Xin đọc lại nội dung, nhập mã mới rồi gửi.",
            );
        }
        Verdict::Passed { .. } => {}
        Verdict::Wrong => errors.add("captcha", "Mã kiểm tra không đúng. Xin nhập mã mới."),
        Verdict::Missing => errors.add(
            "captcha",
            "Mã kiểm tra đã hết hạn hoặc đã được dùng. Xin nhập mã mới.",
        ),
    }
    Ok(())
}

/// How readers' addresses are stored: as they are, or as a keyed hash (`TOASOAN_HASH_IPS`).
pub(crate) fn stored_ip(state: &AppState, ip: &str) -> String {
    match &state.config.ip_hash_key {
        Some(key) => {
            let digest = Sha256::new()
                .chain_update(key.as_bytes())
                .chain_update(b"\0")
                .chain_update(ip.as_bytes())
                .finalize();
            crate::text::hex(&digest)
        }
        None => ip.to_owned(),
    }
}

/// A per-reader page: never kept by any cache.
pub(crate) fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
