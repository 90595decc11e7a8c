//! Attached files in the back office's forms (documents, articles): reading the file parts of
//! a multipart form, storing and registering them, and which files a saved form keeps.

use axum::extract::multipart::{Field, MultipartError};
use time::OffsetDateTime;

use crate::{
    AppState, db,
    error::AppResult,
    media::files::{self, save_file},
    web::extract::parse_id,
};

/// The name of the file input.
pub(crate) const FILES_FIELD: &str = "files";

/// Files one form may carry.
pub(crate) const FILES_MAX: usize = 10;

/// A file sent with a form.
pub(crate) struct FileUpload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The files already stored for a form (hidden `file_ids`), and those ticked for removal.
#[derive(Debug, Clone, Default)]
pub(crate) struct Attachments {
    pub file_ids: Vec<i64>,
    pub remove_files: Vec<i64>,
}

impl Attachments {
    /// Reads one of the form's own fields; `false` when `name` is not one of them.
    pub(crate) fn read_field(&mut self, name: &str, value: &str) -> bool {
        let list = match name {
            "file_ids" => &mut self.file_ids,
            "remove_files" => &mut self.remove_files,
            _ => return false,
        };
        list.extend(parse_id(value.trim()));
        true
    }

    /// The files the saved form keeps: those it had or was given, less those ticked, once each.
    pub(crate) fn kept(&self) -> Vec<i64> {
        let mut kept: Vec<i64> = Vec::with_capacity(self.file_ids.len());
        for id in &self.file_ids {
            if !self.remove_files.contains(id) && !kept.contains(id) {
                kept.push(*id);
            }
        }
        kept
    }

    /// Stores and registers `uploads` (checked by content, under generated keys) and adds them
    /// to the form's files, so that a form refused for another field keeps them. The message
    /// for the file input when one was refused (or too many were sent).
    pub(crate) async fn store(
        &mut self,
        state: &AppState,
        uploaded_by: i64,
        uploads: Vec<FileUpload>,
    ) -> AppResult<Option<String>> {
        if self.kept().len() + uploads.len() > FILES_MAX {
            return Ok(Some(format!("Tối đa {FILES_MAX} tệp đính kèm.")));
        }
        let mut refused = None;
        let now = OffsetDateTime::now_utc();
        for upload in uploads {
            let max = state.config.max_file_bytes;
            match save_file(&*state.media, &upload.bytes, &upload.name, max, now).await {
                Ok(saved) => {
                    let id = db::media_files::insert(&state.db, &saved, Some(uploaded_by)).await?;
                    self.file_ids.push(id);
                }
                Err(error) => {
                    error.log_if_ours();
                    let message = match files::shown_name(&upload.name) {
                        name if name.is_empty() => error.message(),
                        name => format!("{name}: {}", error.message()),
                    };
                    refused.get_or_insert(message);
                }
            }
        }
        Ok(refused)
    }
}

/// The file of a file part; `None` for a file input left empty (the browser still sends a
/// part, without a name or bytes).
pub(crate) async fn read_upload(field: Field<'_>) -> Result<Option<FileUpload>, MultipartError> {
    let name = field.file_name().unwrap_or_default().to_owned();
    let bytes = field.bytes().await?;
    Ok((!bytes.is_empty() || !name.is_empty()).then(|| FileUpload {
        name,
        bytes: bytes.to_vec(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_and_repeated_files_are_dropped() {
        let mut form = Attachments::default();
        for (name, value) in [
            ("file_ids", "4"),
            ("file_ids", "5"),
            ("file_ids", "4"),
            ("file_ids", "x"),
            ("file_ids", "6"),
            ("remove_files", "5"),
        ] {
            assert!(form.read_field(name, value));
        }
        assert!(!form.read_field("title", "4"));
        assert_eq!(form.kept(), [4, 6]);
    }
}
