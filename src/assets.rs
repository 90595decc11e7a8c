//! Fingerprints of the files under `static/`: templates link `/static/site.css?v=<hash>`, so
//! the files can be cached for a year and a new deployment is fetched at once.

use std::{collections::HashMap, path::Path};

use sha2::{Digest, Sha256};

/// Where static files are served from, relative to the working directory.
pub const STATIC_DIR: &str = "static";

#[derive(Debug, Default)]
pub struct Assets {
    versions: HashMap<String, String>,
}

impl Assets {
    /// Hashes every file below `dir` (a missing directory gives no fingerprints).
    pub fn scan(dir: impl AsRef<Path>) -> Self {
        let mut versions = HashMap::new();
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
                    let digest = Sha256::digest(&bytes);
                    let version = crate::text::hex(&digest[..6]);
                    versions.insert(relative.to_string_lossy().replace('\\', "/"), version);
                }
            }
        }
        Self { versions }
    }

    /// The URL of a static file, with its fingerprint when the file exists.
    pub fn url(&self, name: &str) -> String {
        match self.versions.get(name) {
            Some(version) => format!("/static/{name}?v={version}"),
            None => format!("/static/{name}"),
        }
    }
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
}
