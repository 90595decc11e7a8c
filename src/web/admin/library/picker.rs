//! What the editor's "Chọn từ thư viện" reads (`static/admin/media-picker.js`): the newest
//! images, or those a search finds, as JSON with their sizes and default texts.

use axum::{
    Json,
    extract::{Query, State},
};
use serde::{Deserialize, Serialize};

use crate::web::layout::{MEDIA_PREFIX, media_url};
use crate::{
    AppState,
    auth::{Capability, CurrentUser},
    db,
    error::AppResult,
    media::{self, library},
};

/// Most images one answer lists.
const LIMIT: i64 = 60;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PickerQuery {
    q: String,
}

/// An image the picker offers.
#[derive(Debug, Serialize)]
pub(crate) struct Choice {
    id: i64,
    name: String,
    /// The smallest size, for the grid.
    thumbnail: String,
    /// The largest size, what a body's `<img src>` and the cover name.
    src: String,
    /// The cover field's value (the largest size's key) and widths.
    key: String,
    widths: Vec<i32>,
    srcset: String,
    width: i32,
    height: i32,
    alt: String,
    caption: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Choices {
    images: Vec<Choice>,
}

pub(crate) async fn pick_images(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<PickerQuery>,
) -> AppResult<Json<Choices>> {
    user.require(Capability::WriteArticles)?;
    let pattern = library::like_pattern(&query.q);
    let images = db::media_images::search(&state.db, pattern.as_deref(), LIMIT).await?;
    let images = images
        .into_iter()
        .map(|image| Choice {
            id: image.media_image_id,
            thumbnail: media_url(&library::thumbnail_key(&image.storage_key, &image.widths)),
            src: media_url(&image.storage_key),
            srcset: media::srcset(&image.storage_key, &image.widths, MEDIA_PREFIX),
            key: image.storage_key,
            widths: image.widths,
            name: image.original_name,
            width: image.width,
            height: image.height,
            alt: image.alt,
            caption: image.caption,
        })
        .collect();
    Ok(Json(Choices { images }))
}
