//! Fingerprints of the files under `static/`: templates link `/static/site.css?v=<hash>`, so
//! the files can be cached for a year and a new deployment is fetched at once.

use std::{collections::HashMap, path::Path};

use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use sha2::{Digest, Sha256};

/// Where static files are served from, relative to the working directory.
pub const STATIC_DIR: &str = "static";

/// The body editor: `editor/src` bundled with ProseMirror by `build.rs`, compiled into the
/// binary and served as [`EDITOR_PATH`] under `/static/`.
pub const EDITOR_BUNDLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/editor.js"));

/// Where [`EDITOR_BUNDLE`] is served, relative to `/static/`.
pub const EDITOR_PATH: &str = "admin/editor.js";

/// The back office's ES modules that others import by their plain URL (`/static/admin/…`).
const ADMIN_MODULES: &[&str] = &[
    "admin/autosave.js",
    "admin/desk.js",
    "admin/editor.js",
    "admin/media-picker.js",
    "admin/sanitize-paste.js",
];

#[derive(Debug, Default)]
pub struct Assets {
    versions: HashMap<String, String>,
    /// See [`Assets::import_map`].
    import_map: String,
}

impl Assets {
    /// Hashes every file below `dir` (a missing directory gives no fingerprints), and the
    /// embedded editor bundle.
    pub fn scan(dir: impl AsRef<Path>) -> Self {
        let mut versions = HashMap::from([(EDITOR_PATH.to_owned(), fingerprint(EDITOR_BUNDLE))]);
        let root = dir.as_ref();
        let mut stack = vec![root.to_path_buf()];
        while let Some(current) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&current) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if let (Ok(bytes), Ok(relative)) =
                    (std::fs::read(&path), path.strip_prefix(root))
                {
                    versions.insert(
                        relative.to_string_lossy().replace('\\', "/"),
                        fingerprint(&bytes),
                    );
                }
            }
        }
        let mut assets = Self {
            versions,
            import_map: String::new(),
        };
        let imports: serde_json::Map<String, serde_json::Value> = ADMIN_MODULES
            .iter()
            .map(|name| (format!("/static/{name}"), assets.url(name).into()))
            .collect();
        assets.import_map = serde_json::json!({ "imports": imports }).to_string();
        assets
    }

    /// The URL of a static file, with its fingerprint when the file exists.
    pub fn url(&self, name: &str) -> String {
        match self.versions.get(name) {
            Some(version) => format!("/static/{name}?v={version}"),
            None => format!("/static/{name}"),
        }
    }

    /// The back office's import map: each module's plain URL to its fingerprinted one, so the
    /// modules can import each other by plain URLs and still be cached for a year. It is inline
    /// (browsers take no external import map), so the Content-Security-Policy names its hash.
    pub fn import_map(&self) -> &str {
        &self.import_map
    }

    /// `'sha256-…'`: the CSP source that lets the browser read [`Self::import_map`].
    pub fn import_map_source(&self) -> String {
        format!(
            "'sha256-{}'",
            BASE64.encode(Sha256::digest(&self.import_map))
        )
    }
}

/// The `?v=` of a file: the start of its SHA-256.
fn fingerprint(bytes: &[u8]) -> String {
    crate::text::hex(&Sha256::digest(bytes)[..6])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_carries_a_content_hash() {
        let assets = Assets::scan(concat!(env!("CARGO_MANIFEST_DIR"), "/static"));
        let url = assets.url("site.css");
        assert!(url.starts_with("/static/site.css?v="), "{url}");
        assert_eq!(url.len(), "/static/site.css?v=".len() + 12);
        assert_eq!(assets.url("missing.css"), "/static/missing.css");
    }

    #[test]
    fn the_import_map_names_the_fingerprinted_modules_and_its_hash_is_a_csp_source() {
        let assets = Assets::scan(concat!(env!("CARGO_MANIFEST_DIR"), "/static"));
        let map: serde_json::Value = serde_json::from_str(assets.import_map()).unwrap();
        let editor = map["imports"]["/static/admin/editor.js"].as_str().unwrap();
        assert_eq!(editor, assets.url("admin/editor.js"));
        assert_eq!(
            editor,
            format!("/static/admin/editor.js?v={}", fingerprint(EDITOR_BUNDLE))
        );
        let source = assets.import_map_source();
        assert!(
            source.starts_with("'sha256-") && source.ends_with("='"),
            "{source}"
        );
    }
}
