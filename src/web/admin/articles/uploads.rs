//! Images for article bodies, uploaded by the editor's JavaScript (JSON in, JSON out).

use axum::{
    Json,
    extract::{Multipart, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use time::OffsetDateTime;

use crate::{
    AppState,
    auth::{Capability, CurrentUser},
    error::AppResult,
    media::{self, library},
    web::{
        form::unreadable_status,
        layout::{MEDIA_PREFIX, media_url},
    },
};

const UNREADABLE: &str = "Không đọc được tệp tải lên.";

pub(crate) async fn upload_image(
    State(state): State<AppState>,
    user: CurrentUser,
    mut multipart: Multipart,
) -> AppResult<Response> {
    user.require(Capability::WriteArticles)?;
    let refuse = |status: StatusCode, message: String| {
        Ok((status, Json(serde_json::json!({ "error": message }))).into_response())
    };
    let mut bytes = None;
    let mut name = String::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("image") => {
                name = field.file_name().unwrap_or_default().to_owned();
                match field.bytes().await {
                    Ok(data) => bytes = Some(data.to_vec()),
                    Err(error) => return refuse(unreadable_status(&error), UNREADABLE.into()),
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(error) => return refuse(unreadable_status(&error), UNREADABLE.into()),
        }
    }
    let Some(bytes) = bytes else {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, "Hãy chọn một ảnh.".into());
    };
    let now = OffsetDateTime::now_utc();
    match media::save_image(&*state.media, bytes, state.upload_limits(), now).await {
        Ok(saved) => {
            // Listed in the library at once: picked again later instead of uploaded again.
            library::register_upload(&state.db, &saved, &name, user.user_id, now).await?;
            Ok(Json(serde_json::json!({
            "src": media_url(&saved.path),
            "srcset": media::srcset(&saved.path, &saved.widths, MEDIA_PREFIX),
            "width": saved.width,
            "height": saved.height,
            }))
            .into_response())
        }
        Err(error) if error.is_client_error() => {
            refuse(StatusCode::UNPROCESSABLE_ENTITY, error.message())
        }
        Err(error) => {
            error.log_if_ours();
            let mut response = refuse(StatusCode::SERVICE_UNAVAILABLE, error.message())?;
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
            Ok(response)
        }
    }
}
