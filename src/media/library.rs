//! The media library ("Thư viện"): every uploaded image (`media_image`) and attached file
//! (`media_file`). An image is used when an article's cover or an article, page or document
//! body names one of its sizes; a file when an article or document carries it or a body links
//! to it. What nothing uses and is older than [`ORPHAN_AGE`] is an orphan (an upload whose
//! form was never saved, an image taken out of every article), listed for removal.
//!
//! Images put in storage without a row (uploads from before the library, the demo's pictures)
//! are registered by [`import`] (`toasoan media import`, and at every start).

use std::collections::{BTreeMap, HashSet};
use std::io::Cursor;

use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use tokio::io::AsyncReadExt;

use super::{MediaStore, SavedImage, StoredKey, files::NAME_MAX, variant_path};
use crate::db::{
    self,
    media_images::{NewImage, Removed},
};
use crate::text::clean;

/// How old an unused upload must be to count as an orphan: a reporter may still be writing
/// the article it was uploaded for.
pub const ORPHAN_AGE: Duration = Duration::DAY;

/// Uploads registered before this instant may be orphans.
pub fn orphan_cutoff(now: OffsetDateTime) -> OffsetDateTime {
    now - ORPHAN_AGE
}

/// The `LIKE` pattern that finds `query` anywhere in the folded search text (`None` for a
/// blank query): hyphens and underscores are spaces there, as here; `%` and `\` are matched
/// literally; the database folds accents and case.
pub fn like_pattern(query: &str) -> Option<String> {
    let query = clean(&query.replace(['-', '_'], " "));
    if query.is_empty() {
        return None;
    }
    let mut pattern = String::with_capacity(query.len() + 2);
    pattern.push('%');
    for c in query.chars() {
        if matches!(c, '%' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Some(pattern)
}

/// What a key stands for across an image's sizes, as SQL's `media_base` computes it:
/// `2026/11/3fa9-960.jpg` → `2026/11/3fa9`; a key not shaped `…-{digits}.{ext}` stands for
/// itself.
pub fn image_base(key: &str) -> &str {
    split_variant(key).map_or(key, |(base, _, _)| base)
}

/// `(base, width, extension)` of a key shaped `{base}-{digits}.{ext}`.
fn split_variant(key: &str) -> Option<(&str, u32, &str)> {
    let (stem, ext) = key.rsplit_once('.')?;
    let (base, digits) = stem.rsplit_once('-')?;
    if base.is_empty()
        || ext.is_empty()
        || !ext.bytes().all(|b| b.is_ascii_alphanumeric())
        || digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Some((base, digits.parse().ok()?, ext))
}

/// Every key an image is stored under: its sizes, or its one file.
pub fn stored_keys(storage_key: &str, widths: &[i32]) -> Vec<String> {
    let sizes: Vec<String> = widths
        .iter()
        .filter_map(|w| variant_path(storage_key, *w))
        .collect();
    if sizes.is_empty() {
        vec![storage_key.to_owned()]
    } else {
        sizes
    }
}

/// The key of an image's smallest size (its thumbnail).
pub fn thumbnail_key(storage_key: &str, widths: &[i32]) -> String {
    widths
        .first()
        .and_then(|w| variant_path(storage_key, *w))
        .unwrap_or_else(|| storage_key.to_owned())
}

/// The name an upload is listed under: the uploader's file name, cleaned and cut to
/// [`NAME_MAX`] characters, or the key's file name when it has none.
fn display_name(original: &str, key: &str) -> String {
    let name: String = clean(original).chars().take(NAME_MAX).collect();
    if name.is_empty() {
        key.rsplit('/').next().unwrap_or(key).to_owned()
    } else {
        name
    }
}

/// Registers an image the editor just stored (the same image again keeps its first row).
pub async fn register_upload(
    db: &PgPool,
    saved: &SavedImage,
    original_name: &str,
    uploaded_by: i64,
    now: OffsetDateTime,
) -> sqlx::Result<i64> {
    let name = display_name(original_name, &saved.path);
    db::media_images::insert(
        db,
        &NewImage {
            storage_key: &saved.path,
            widths: &saved.widths,
            original_name: &name,
            byte_size: i64::try_from(saved.byte_size).unwrap_or(i64::MAX),
            width: i32::try_from(saved.width).unwrap_or(i32::MAX),
            height: i32::try_from(saved.height).unwrap_or(i32::MAX),
            uploaded_by: Some(uploaded_by),
            created_at: now,
        },
    )
    .await
}

/// Removes from storage what a deleted row named; a failure is logged, not returned (the row
/// is gone already: the next import registers the file again as an orphan).
pub async fn remove_stored(store: &dyn MediaStore, removed: &Removed) {
    for key in stored_keys(&removed.storage_key, &removed.widths) {
        if let Err(error) = store.remove(&key).await {
            tracing::warn!(%error, key, "cannot remove a deleted library item from storage");
        }
    }
}

/// An image found in storage: its largest size and the widths of all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    key: String,
    widths: Vec<i32>,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

/// Whether a key names a picture (by its extension: the content is read afterwards).
fn is_image_key(key: &str) -> bool {
    let ext = key
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase());
    matches!(ext.as_deref(), Some("jpg" | "jpeg" | "png" | "webp")) && !key.starts_with("files/")
}

/// The images among stored keys: the sizes of one upload (`{base}-{width}.{ext}`) together,
/// any other picture alone.
fn group(keys: Vec<StoredKey>) -> Vec<Found> {
    let mut sets: BTreeMap<(String, String), Vec<(u32, StoredKey)>> = BTreeMap::new();
    let mut found = Vec::new();
    for stored in keys.into_iter().filter(|k| is_image_key(&k.key)) {
        match split_variant(&stored.key) {
            Some((base, width, ext)) => {
                let set = (base.to_owned(), ext.to_owned());
                sets.entry(set).or_default().push((width, stored));
            }
            None => found.push(Found {
                key: stored.key,
                widths: Vec::new(),
                len: stored.len,
                modified: stored.modified,
            }),
        }
    }
    for (_, mut sizes) in sets {
        sizes.sort_by_key(|(width, _)| *width);
        let widths = sizes
            .iter()
            .map(|(w, _)| i32::try_from(*w).unwrap_or(i32::MAX))
            .collect();
        if let Some((_, largest)) = sizes.pop() {
            found.push(Found {
                key: largest.key,
                widths,
                len: largest.len,
                modified: largest.modified,
            });
        }
    }
    found.sort_by(|a, b| a.key.cmp(&b.key));
    found
}

/// Largest picture file read to find its dimensions.
const READ_LIMIT: u64 = 64 * 1024 * 1024;

/// The width and height of a stored picture, from its header.
async fn dimensions(store: &dyn MediaStore, key: &str) -> anyhow::Result<(u32, u32)> {
    let mut stored = store.open(key).await?;
    let mut bytes = Vec::new();
    (&mut stored.reader)
        .take(READ_LIMIT)
        .read_to_end(&mut bytes)
        .await?;
    let reader = image::ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
    Ok(reader.into_dimensions()?)
}

/// Registers the images in storage that the library does not list yet; returns how many.
/// Idempotent, and safe to run from several instances at once.
pub async fn import(db: &PgPool, store: &dyn MediaStore) -> anyhow::Result<usize> {
    let known: HashSet<String> = db::media_images::list_keys(db).await?.into_iter().collect();
    let mut added = 0;
    for mut found in group(store.list().await?) {
        if known.contains(&found.key) {
            continue;
        }
        let (width, height) = match dimensions(store, &found.key).await {
            Ok(dimensions) => dimensions,
            Err(error) => {
                tracing::warn!(%error, key = found.key, "not an image the library can list");
                continue;
            }
        };
        // A name that only looks like a size (`anh-2024.jpg`) is one picture, not a set.
        if found
            .widths
            .last()
            .is_some_and(|w| i64::from(*w) != i64::from(width))
        {
            found.widths.clear();
        }
        let created_at = found
            .modified
            .map_or_else(OffsetDateTime::now_utc, OffsetDateTime::from);
        let name = display_name("", &found.key);
        let id = db::media_images::insert(
            db,
            &NewImage {
                storage_key: &found.key,
                widths: &found.widths,
                original_name: &name,
                byte_size: i64::try_from(found.len).unwrap_or(i64::MAX),
                width: i32::try_from(width).unwrap_or(i32::MAX),
                height: i32::try_from(height).unwrap_or(i32::MAX),
                uploaded_by: None,
                created_at,
            },
        )
        .await?;
        tracing::debug!(id, key = found.key, "image registered in the media library");
        added += 1;
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(key: &str) -> StoredKey {
        StoredKey {
            key: key.to_owned(),
            len: key.len() as u64,
            modified: None,
        }
    }

    #[test]
    fn sizes_of_one_upload_are_one_image_and_other_pictures_stand_alone() {
        let found = group(
            [
                "2026/11/abc-960.jpg",
                "2026/11/abc-480.jpg",
                "2026/11/abc-1600.jpg",
                "2026/11/def-300.png",
                "demo/le-hoi.jpg",
                "files/2026/11/x.pdf",
                "notes.txt",
            ]
            .map(stored)
            .into(),
        );
        let summary: Vec<(&str, &[i32])> = found
            .iter()
            .map(|f| (f.key.as_str(), f.widths.as_slice()))
            .collect();
        assert_eq!(
            summary,
            [
                ("2026/11/abc-1600.jpg", &[480, 960, 1600][..]),
                ("2026/11/def-300.png", &[300][..]),
                ("demo/le-hoi.jpg", &[][..]),
            ]
        );
    }

    #[test]
    fn bases_match_the_database_function() {
        assert_eq!(image_base("2026/11/abc-960.jpg"), "2026/11/abc");
        assert_eq!(image_base("demo/le-hoi.jpg"), "demo/le-hoi.jpg");
        assert_eq!(image_base("a-1.b-2.png"), "a-1.b");
        assert_eq!(
            stored_keys("2026/11/abc-1600.jpg", &[480, 1600]),
            ["2026/11/abc-480.jpg", "2026/11/abc-1600.jpg"]
        );
        assert_eq!(stored_keys("demo/x.jpg", &[]), ["demo/x.jpg"]);
        assert_eq!(
            thumbnail_key("2026/11/abc-1600.jpg", &[480, 1600]),
            "2026/11/abc-480.jpg"
        );
    }

    #[test]
    fn search_patterns_match_literally() {
        assert_eq!(like_pattern("  "), None);
        assert_eq!(like_pattern(" Cầu ").as_deref(), Some("%Cầu%"));
        assert_eq!(like_pattern("50%_a\\").as_deref(), Some("%50\\% a\\\\%"));
        assert_eq!(like_pattern("le-hoi").as_deref(), Some("%le hoi%"));
        assert_eq!(like_pattern(" - ").as_deref(), None);
    }
}
