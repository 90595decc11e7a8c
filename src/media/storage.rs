//! Where processed images end up: a small storage interface, and the local-disk implementation.
//!
//! Handlers only see [`MediaStore`]: the local directory here, a bucket in `s3.rs`.

use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};

/// A place to store media files under relative keys such as `2026/11/3fa9c0d1e2b4a5c6-960.jpg`.
///
/// The future is boxed so the trait stays dyn-compatible (`&dyn MediaStore`, `Arc<dyn MediaStore>`).
pub trait MediaStore: Send + Sync + 'static {
    /// Stores `bytes` under `key`, replacing any earlier content. Readers must never observe a
    /// partially written file. Invalid keys fail with [`io::ErrorKind::InvalidInput`].
    fn put<'a>(
        &'a self,
        key: &'a str,
        bytes: &'a [u8],
    ) -> Pin<Box<dyn Future<Output = io::Result<()>> + Send + 'a>>;

    /// What is stored under `key`, opened for reading (a download is streamed, never held
    /// in memory whole); [`io::ErrorKind::NotFound`] when nothing is.
    fn open<'a>(
        &'a self,
        key: &'a str,
    ) -> Pin<Box<dyn Future<Output = io::Result<StoredFile>> + Send + 'a>>;

    /// The length of what is stored under `key`; [`io::ErrorKind::NotFound`] when nothing is.
    fn len<'a>(
        &'a self,
        key: &'a str,
    ) -> Pin<Box<dyn Future<Output = io::Result<u64>> + Send + 'a>>;

    /// Removes what is stored under `key`; a key with nothing stored is not an error.
    fn remove<'a>(
        &'a self,
        key: &'a str,
    ) -> Pin<Box<dyn Future<Output = io::Result<()>> + Send + 'a>>;

    /// Whether the store can be used now (`/readyz`): the directory is there, the bucket
    /// answers. An error says what is wrong.
    fn check(&self) -> Pin<Box<dyn Future<Output = io::Result<()>> + Send + '_>>;

    /// Every key stored, in no particular order (what `toasoan media import` registers). A
    /// store that cannot list its keys lists none.
    fn list(&self) -> Pin<Box<dyn Future<Output = io::Result<Vec<StoredKey>>> + Send + '_>> {
        Box::pin(async { Ok(Vec::new()) })
    }
}

/// A key found in storage, with what the store knows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    pub key: String,
    pub len: u64,
    /// When it was last written, if the store knows.
    pub modified: Option<std::time::SystemTime>,
}

/// A stored file opened for reading: its length, and its bytes as they are read.
pub struct StoredFile {
    pub len: u64,
    /// The store's entity tag for this content, if it has one (a bucket does).
    pub etag: Option<String>,
    pub reader: Pin<Box<dyn tokio::io::AsyncRead + Send>>,
}

/// Files under a root directory on the local disk (the directory `/media` is served from).
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The directory files are written under.
    pub fn root(&self) -> &Path {
        &self.root
    }

    async fn put_file(&self, key: &str, bytes: &[u8]) -> io::Result<()> {
        validate_key(key)?;
        let path = self.root.join(key);
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || write_atomically(&path, &bytes))
            .await
            .map_err(|_| io::Error::other("media write task failed"))?
    }

    async fn open_file(&self, key: &str) -> io::Result<StoredFile> {
        validate_key(key)?;
        let file = tokio::fs::File::open(self.root.join(key)).await?;
        let len = file.metadata().await?.len();
        Ok(StoredFile {
            len,
            etag: None,
            reader: Box::pin(file),
        })
    }

    async fn remove_file(&self, key: &str) -> io::Result<()> {
        validate_key(key)?;
        match tokio::fs::remove_file(self.root.join(key)).await {
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
            result => result,
        }
    }
}

/// The valid keys of the files under `root` (temporary files start with a dot: not keys).
fn walk(root: &Path) -> io::Result<Vec<StoredKey>> {
    let mut keys = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            result => result?,
        };
        for entry in entries {
            let entry = entry?;
            let meta = entry.metadata()?;
            let path = entry.path();
            if meta.is_dir() {
                stack.push(path);
                continue;
            }
            let Some(key) = path
                .strip_prefix(root)
                .ok()
                .and_then(|relative| relative.to_str())
                .map(|relative| relative.replace('\\', "/"))
            else {
                continue;
            };
            if meta.is_file() && validate_key(&key).is_ok() {
                keys.push(StoredKey {
                    key,
                    len: meta.len(),
                    modified: meta.modified().ok(),
                });
            }
        }
    }
    Ok(keys)
}

/// Writes `bytes` to a temporary file next to `path`, flushes it to disk, then renames it over
/// `path`: a rename within one directory is atomic, so a reader sees the old file, no file, or
/// the whole new file — never half of one.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;

    let (Some(dir), Some(file_name)) = (path.parent(), path.file_name()) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "media path has no file name",
        ));
    };
    std::fs::create_dir_all(dir)?;

    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(
        ".{}.{}-{unique}.tmp",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

impl MediaStore for LocalStore {
    fn put<'a>(
        &'a self,
        key: &'a str,
        bytes: &'a [u8],
    ) -> Pin<Box<dyn Future<Output = io::Result<()>> + Send + 'a>> {
        Box::pin(self.put_file(key, bytes))
    }

    fn open<'a>(
        &'a self,
        key: &'a str,
    ) -> Pin<Box<dyn Future<Output = io::Result<StoredFile>> + Send + 'a>> {
        Box::pin(self.open_file(key))
    }

    fn len<'a>(
        &'a self,
        key: &'a str,
    ) -> Pin<Box<dyn Future<Output = io::Result<u64>> + Send + 'a>> {
        Box::pin(async move {
            validate_key(key)?;
            let meta = tokio::fs::metadata(self.root.join(key)).await?;
            if meta.is_file() {
                Ok(meta.len())
            } else {
                Err(io::Error::new(io::ErrorKind::NotFound, "not a file"))
            }
        })
    }

    fn remove<'a>(
        &'a self,
        key: &'a str,
    ) -> Pin<Box<dyn Future<Output = io::Result<()>> + Send + 'a>> {
        Box::pin(self.remove_file(key))
    }

    fn check(&self) -> Pin<Box<dyn Future<Output = io::Result<()>> + Send + '_>> {
        Box::pin(async move {
            // The directory is created on the first upload: a missing one is fine as long
            // as it can be created.
            tokio::fs::create_dir_all(&self.root).await?;
            let meta = tokio::fs::metadata(&self.root).await?;
            if meta.permissions().readonly() {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    format!("{} is read-only", self.root.display()),
                ));
            }
            Ok(())
        })
    }

    fn list(&self) -> Pin<Box<dyn Future<Output = io::Result<Vec<StoredKey>>> + Send + '_>> {
        let root = self.root.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || walk(&root))
                .await
                .map_err(|_| io::Error::other("media listing task failed"))?
        })
    }
}

/// What [`copy_all`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Copied {
    /// Keys written to the destination.
    pub copied: Vec<String>,
    /// Keys the destination already held with the same length.
    pub skipped: usize,
}

/// Copies every key of `from` into `to`, skipping the keys `to` already holds with the same
/// length (keys are content-addressed or random, so the same key and length is the same file):
/// run it again and it copies nothing. Each file is read whole, then written in one piece.
pub async fn copy_all(from: &dyn MediaStore, to: &dyn MediaStore) -> io::Result<Copied> {
    use std::collections::HashMap;
    use tokio::io::AsyncReadExt;

    let present: HashMap<String, u64> = to
        .list()
        .await?
        .into_iter()
        .map(|stored| (stored.key, stored.len))
        .collect();
    let mut keys = from.list().await?;
    keys.sort_by(|a, b| a.key.cmp(&b.key));
    let mut done = Copied::default();
    for stored in keys {
        if present.get(&stored.key) == Some(&stored.len) {
            done.skipped += 1;
            continue;
        }
        let mut file = from.open(&stored.key).await?;
        let mut bytes = Vec::with_capacity(usize::try_from(file.len).unwrap_or(0));
        file.reader.read_to_end(&mut bytes).await?;
        to.put(&stored.key, &bytes).await?;
        done.copied.push(stored.key);
    }
    Ok(done)
}

/// Accepts only plain relative keys: `[A-Za-z0-9._/-]` starting with a letter or digit, no
/// `..`, no empty or `.` segments. Every key it accepts also passes the database's check on
/// `article.cover_image` (`^[A-Za-z0-9][A-Za-z0-9._/-]*$`, no `..`).
pub fn validate_key(key: &str) -> io::Result<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-');
    let ok = key.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !key.contains("..")
        && key.chars().all(allowed)
        && key
            .split('/')
            .all(|segment| !segment.is_empty() && segment != ".");
    if ok { Ok(()) } else { Err(invalid_key(key)) }
}

fn invalid_key(key: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("invalid media key {key:?}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_validated() {
        for good in ["2026/11/3fa9c0d1e2b4a5c6-960.jpg", "a.png", "x_y/z-1.webp"] {
            assert!(validate_key(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "../x",
            "a/../x",
            "/etc/x",
            "a b.jpg",
            "a//b.jpg",
            "a/",
            "./a.jpg",
            "ảnh.jpg",
            "a\\b.jpg",
            "a\0.jpg",
            "-a.jpg",
            "_a.jpg",
            ".a.jpg",
        ] {
            let err = validate_key(bad).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
        }
    }

    #[tokio::test]
    async fn local_store_rejects_bad_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path().join("media"));
        for bad in ["../x", "/etc/x", "a b.jpg"] {
            let err = store.put(bad, b"data").await.unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
        }
        assert!(!dir.path().join("x").exists());
        assert!(!dir.path().join("media").exists());
    }

    #[tokio::test]
    async fn local_store_writes_and_replaces_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let store: &dyn MediaStore = &LocalStore::new(dir.path());
        store.put("2026/11/abc-480.jpg", b"first").await.unwrap();
        store.put("2026/11/abc-480.jpg", b"second").await.unwrap();
        let target = dir.path().join("2026/11/abc-480.jpg");
        assert_eq!(std::fs::read(&target).unwrap(), b"second");
        let mut opened = store.open("2026/11/abc-480.jpg").await.unwrap();
        assert_eq!(opened.len, 6);
        let mut read = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut opened.reader, &mut read)
            .await
            .unwrap();
        assert_eq!(read, b"second");
        let missing = store.open("2026/11/none.jpg").await.err().unwrap();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
        // No temporary files are left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path().join("2026/11"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("abc-480.jpg")]);
        store.check().await.unwrap();
        let listed = store.list().await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].key, "2026/11/abc-480.jpg");
        assert_eq!(listed[0].len, 6);
    }

    #[tokio::test]
    async fn copying_all_skips_what_is_already_there() {
        let dir = tempfile::tempdir().unwrap();
        let from = LocalStore::new(dir.path().join("from"));
        let to = LocalStore::new(dir.path().join("to"));
        from.put("2026/11/a-480.jpg", b"aaa").await.unwrap();
        from.put("files/2026/11/b.pdf", b"bbbb").await.unwrap();
        to.put("files/2026/11/b.pdf", b"old").await.unwrap();
        let first = copy_all(&from, &to).await.unwrap();
        assert_eq!(first.copied, ["2026/11/a-480.jpg", "files/2026/11/b.pdf"]);
        assert_eq!(first.skipped, 0);
        let again = copy_all(&from, &to).await.unwrap();
        assert_eq!(
            again,
            Copied {
                copied: vec![],
                skipped: 2
            }
        );
        assert_eq!(
            std::fs::read(dir.path().join("to/files/2026/11/b.pdf")).unwrap(),
            b"bbbb"
        );
    }

    #[tokio::test]
    async fn a_local_store_over_a_file_is_not_ready() {
        let dir = tempfile::tempdir().unwrap();
        LocalStore::new(dir.path().join("new"))
            .check()
            .await
            .unwrap();
        std::fs::write(dir.path().join("file"), b"x").unwrap();
        assert!(
            LocalStore::new(dir.path().join("file"))
                .check()
                .await
                .is_err()
        );
    }
}
