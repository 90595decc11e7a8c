//! Configuration from environment variables, parsed once at start.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use url::Url;

use crate::db::sessions::SessionLimits;

/// Everything the application reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`
    pub database_url: String,
    /// `DATABASE_READ_URL`: a streaming replica the public pages read from (see
    /// `crate::replica`); `None`: everything reads the primary.
    pub database_read_url: Option<String>,
    /// `TOASOAN_ADDR`: where the server listens.
    pub addr: SocketAddr,
    /// `TOASOAN_BASE_URL`: absolute URL of the site, without a trailing slash.
    pub base_url: String,
    /// `TOASOAN_DEMO`: seed demo content into an empty database.
    pub demo: bool,
    /// `TOASOAN_MEDIA_DIR`: uploaded and demo images (with `TOASOAN_MEDIA_STORE=local`).
    pub media_dir: PathBuf,
    /// `TOASOAN_MEDIA_STORE`: `local` (the directory above) or `s3` (the bucket below).
    pub media_store: MediaStoreKind,
    /// `TOASOAN_S3_*`: the bucket, when one is configured (required by `s3`; `toasoan media
    /// migrate` uses it whichever store is active).
    pub s3: Option<S3>,
    /// `TOASOAN_MEDIA_PUBLIC_URL`: where media are served from instead of this site (a CDN or
    /// the bucket's public address), without a trailing slash; `/media/…` redirects there.
    pub media_public_url: Option<String>,
    /// `TOASOAN_SESSION_IDLE` (`idle`): a staff session ends after this long without a
    /// request; `TOASOAN_SESSION_MAX` (`max`): this long after login, whatever happens.
    pub session: SessionLimits,
    /// `TOASOAN_MAX_UPLOAD_MB`: largest image upload, in bytes.
    pub max_upload_bytes: usize,
    /// `TOASOAN_MAX_FILE_MB`: largest attached file (PDF, Word, Excel, ZIP…), in bytes.
    pub max_file_bytes: usize,
    /// `TOASOAN_TRUST_PROXY`: take the client IP from `X-Forwarded-For` (set by our own
    /// reverse proxy) instead of the TCP peer.
    pub trust_proxy: bool,
    /// `TOASOAN_ALLOW_ORIGINLESS`: accept unsafe requests to `/admin` that carry no `Origin`,
    /// `Sec-Fetch-Site` or `Referer` (a non-browser client); browsers always send one.
    pub allow_originless: bool,
    /// `TOASOAN_INSECURE_CAPTCHA`: for automated tests only, an answer every captcha accepts.
    pub insecure_captcha: Option<String>,
    /// `TOASOAN_HASH_IPS` + `TOASOAN_SECRET`: store readers' IPs as a keyed hash.
    pub ip_hash_key: Option<String>,
    /// `TOASOAN_COMMENT_LIMIT`: comments one IP may post per 10 minutes.
    pub comment_limit: i64,
    /// `TOASOAN_MAX_CONNECTIONS`: client connections served at once (keep it under the
    /// process's open-file limit).
    pub max_connections: usize,
    /// `TOASOAN_HEADER_TIMEOUT`: how long a client has to send a request's headers; also how
    /// long a kept-alive connection may stay idle.
    pub header_timeout: Duration,
    /// `TOASOAN_SHUTDOWN_GRACE`: how long requests in flight may take to finish after
    /// SIGTERM before their connections are closed.
    pub shutdown_grace: Duration,
    /// `TOASOAN_PAGE_CACHE_MB`: memory for rendered public pages (0: no page cache).
    pub page_cache_bytes: u64,
    /// `TOASOAN_HASH_CONCURRENCY`: password hashes computed at once (each takes 19 MiB).
    pub hash_concurrency: usize,
    /// `TOASOAN_SMTP_URL` and `TOASOAN_SMTP_FROM`: where notices are sent by e-mail too
    /// (`None`: in the back office only).
    pub smtp: Option<Smtp>,
    /// `TOASOAN_METRICS_ADDR`: a listener of its own for `/metrics` (none by default).
    pub metrics_addr: Option<SocketAddr>,
    /// `TOASOAN_METRICS_TOKEN`: `/metrics` on the main listener for `Authorization: Bearer`
    /// with this token (at least 32 characters); without it, a 404 there.
    pub metrics_token: Option<String>,
    /// `TOASOAN_LOG_FORMAT`: `text` (the default) or `json` (one object a line).
    pub log_format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// For people: colours only when standard output is a terminal.
    Text,
    /// One JSON object a line, for a log collector.
    Json,
}

/// Which store holds media.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaStoreKind {
    Local,
    S3,
}

/// An S3-compatible bucket (AWS S3, Garage, MinIO, Ceph RGW, Cloudflare R2…).
#[derive(Clone)]
pub struct S3 {
    /// `TOASOAN_S3_BUCKET`
    pub bucket: String,
    /// `TOASOAN_S3_ENDPOINT`: the server's URL (`None`: AWS itself).
    pub endpoint: Option<String>,
    /// `TOASOAN_S3_REGION` (default `us-east-1`; Garage's is `garage`, R2's `auto`).
    pub region: String,
    /// `TOASOAN_S3_ACCESS_KEY_ID`
    pub access_key_id: String,
    /// `TOASOAN_S3_SECRET_ACCESS_KEY`
    pub secret_access_key: String,
    /// `TOASOAN_S3_PATH_STYLE`: `http://host/bucket/key` rather than `http://bucket.host/key`
    /// (on by default: what most servers besides AWS want).
    pub path_style: bool,
    /// `TOASOAN_S3_PREFIX`: keys are stored under `{prefix}/` (empty: at the top).
    pub prefix: String,
}

/// Everything but the secret key.
impl std::fmt::Debug for S3 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("path_style", &self.path_style)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// The mail server the notices go through, and the sender they carry.
#[derive(Debug, Clone)]
pub struct Smtp {
    /// `smtp://host:port` (plain), `smtp://…?tls=required` (STARTTLS) or `smtps://…` (TLS),
    /// with `user:password@` when the server wants them.
    pub url: String,
    /// `From:`, e.g. `Tòa Soạn <toasoan@baothang.gov.vn>`.
    pub from: lettre::message::Mailbox,
}

/// A bad value in the environment; its message is the one line the user sees.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {message} (got {value:?})")]
pub struct ConfigError {
    name: &'static str,
    value: String,
    message: &'static str,
}

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/toasoan";
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Parses configuration from any source of variables (tests pass a closure).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &'static str, default: &str| -> (String, &'static str) {
            let value = get(name).filter(|v| !v.trim().is_empty());
            (value.unwrap_or_else(|| default.to_owned()), name)
        };

        let (database_url, name) = var("DATABASE_URL", DEFAULT_DATABASE_URL);
        let database_url = postgres_url(name, &database_url)?;

        let database_read_url = match get("DATABASE_READ_URL").filter(|v| !v.trim().is_empty()) {
            None => None,
            Some(url) => Some(postgres_url("DATABASE_READ_URL", url.trim())?),
        };

        let (addr, name) = var("TOASOAN_ADDR", DEFAULT_ADDR);
        let addr: SocketAddr = addr
            .trim()
            .parse()
            .map_err(|_| error(name, addr, "expected an address such as 127.0.0.1:3000"))?;

        let (base_url, name) = var("TOASOAN_BASE_URL", &format!("http://{addr}"));
        let base_url = match Url::parse(base_url.trim()) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                url.as_str().trim_end_matches('/').to_owned()
            }
            _ => return Err(error(name, base_url, "expected an absolute http(s) URL")),
        };

        let (demo, name) = var("TOASOAN_DEMO", "on");
        let demo = parse_switch(&demo).ok_or_else(|| error(name, demo, "expected on or off"))?;

        let (media_dir, _) = var("TOASOAN_MEDIA_DIR", "./media");

        let (store, name) = var("TOASOAN_MEDIA_STORE", "local");
        let media_store = match store.trim().to_ascii_lowercase().as_str() {
            "local" => MediaStoreKind::Local,
            "s3" => MediaStoreKind::S3,
            _ => return Err(error(name, store, "expected local or s3")),
        };
        let s3 = s3(&get, media_store == MediaStoreKind::S3)?;
        let media_public_url =
            match get("TOASOAN_MEDIA_PUBLIC_URL").filter(|v| !v.trim().is_empty()) {
                None => None,
                Some(value) => match Url::parse(value.trim()) {
                    Ok(url)
                        if matches!(url.scheme(), "http" | "https")
                            && url.host().is_some()
                            && url.query().is_none() =>
                    {
                        Some(url.as_str().trim_end_matches('/').to_owned())
                    }
                    _ => {
                        return Err(error(
                            "TOASOAN_MEDIA_PUBLIC_URL",
                            value,
                            "expected an absolute http(s) URL such as https://cdn.example.vn/media",
                        ));
                    }
                },
            };

        let (idle, name) = var("TOASOAN_SESSION_IDLE", "8h");
        let session_idle =
            parse_duration(&idle).ok_or_else(|| error(name, idle, DURATION_MESSAGE))?;
        let (max, name) = var("TOASOAN_SESSION_MAX", "7d");
        let session_max = parse_duration(&max).ok_or_else(|| error(name, max, DURATION_MESSAGE))?;

        let (upload, name) = var("TOASOAN_MAX_UPLOAD_MB", "10");
        let max_upload_bytes = number(
            name,
            upload,
            1..=100,
            "expected a whole number of megabytes, 1 to 100",
        )? * 1024
            * 1024;

        let (file, name) = var("TOASOAN_MAX_FILE_MB", "20");
        let max_file_bytes = number(
            name,
            file,
            1..=200,
            "expected a whole number of megabytes, 1 to 200",
        )? * 1024
            * 1024;

        let (proxy, name) = var("TOASOAN_TRUST_PROXY", "off");
        let trust_proxy =
            parse_switch(&proxy).ok_or_else(|| error(name, proxy, "expected on or off"))?;

        let (originless, name) = var("TOASOAN_ALLOW_ORIGINLESS", "off");
        let allow_originless = parse_switch(&originless)
            .ok_or_else(|| error(name, originless, "expected on or off"))?;

        let insecure_captcha = get("TOASOAN_INSECURE_CAPTCHA")
            .map(|answer| answer.trim().to_lowercase())
            .filter(|answer| !answer.is_empty());

        let (hash, name) = var("TOASOAN_HASH_IPS", "off");
        let hash_ips =
            parse_switch(&hash).ok_or_else(|| error(name, hash, "expected on or off"))?;
        let ip_hash_key = match (hash_ips, get("TOASOAN_SECRET")) {
            (false, _) => None,
            (true, Some(secret)) if secret.len() >= 32 => Some(secret),
            (true, secret) => {
                let shown = if secret.is_some() {
                    "(too short)"
                } else {
                    "(unset)"
                };
                return Err(error(
                    "TOASOAN_SECRET",
                    shown.to_owned(),
                    "TOASOAN_HASH_IPS=on needs a secret of at least 32 characters",
                ));
            }
        };

        let (limit, name) = var("TOASOAN_COMMENT_LIMIT", "5");
        let comment_limit = number(
            name,
            limit,
            1..=100_000,
            "expected a number of comments, 1 to 100000",
        )?;

        let (connections, name) = var("TOASOAN_MAX_CONNECTIONS", "512");
        let max_connections = number(
            name,
            connections,
            1..=1_000_000,
            "expected a number of connections, 1 to 1000000",
        )?;

        let (timeout, name) = var("TOASOAN_HEADER_TIMEOUT", "10");
        let header_timeout = Duration::from_secs(number(
            name,
            timeout,
            1..=600,
            "expected a number of seconds, 1 to 600",
        )?);

        let (grace, name) = var("TOASOAN_SHUTDOWN_GRACE", "15");
        let shutdown_grace = Duration::from_secs(number(
            name,
            grace,
            1..=600,
            "expected a number of seconds, 1 to 600",
        )?);

        let (megabytes, name) = var("TOASOAN_PAGE_CACHE_MB", "64");
        let page_cache_bytes = number(
            name,
            megabytes,
            0..=65_536,
            "expected a number of megabytes, 0 (no cache) to 65536",
        )? * 1024
            * 1024;

        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        // Hashing is CPU-bound: one per core keeps every core busy; more only adds memory.
        let (hashing, name) = var("TOASOAN_HASH_CONCURRENCY", &cpus.to_string());
        let hash_concurrency = number(
            name,
            hashing,
            1..=1024,
            "expected a number of password checks at once, 1 to 1024",
        )?;

        let smtp = match get("TOASOAN_SMTP_URL").filter(|v| !v.trim().is_empty()) {
            None => None,
            Some(url) => Some(smtp(url.trim(), get("TOASOAN_SMTP_FROM"))?),
        };

        let metrics_addr = match get("TOASOAN_METRICS_ADDR").filter(|v| !v.trim().is_empty()) {
            None => None,
            Some(value) => Some(value.trim().parse().map_err(|_| {
                error(
                    "TOASOAN_METRICS_ADDR",
                    value,
                    "expected an address such as 127.0.0.1:9464",
                )
            })?),
        };
        let metrics_token = match get("TOASOAN_METRICS_TOKEN").filter(|v| !v.trim().is_empty()) {
            None => None,
            Some(token) if token.trim().len() >= 32 => Some(token.trim().to_owned()),
            Some(_) => {
                return Err(error(
                    "TOASOAN_METRICS_TOKEN",
                    "(too short)".to_owned(),
                    "expected a token of at least 32 characters",
                ));
            }
        };

        let (format, name) = var("TOASOAN_LOG_FORMAT", "text");
        let log_format = match format.trim() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            _ => return Err(error(name, format, "expected text or json")),
        };

        Ok(Self {
            database_url,
            database_read_url,
            addr,
            base_url,
            demo,
            media_dir: PathBuf::from(media_dir),
            media_store,
            s3,
            media_public_url,
            session: SessionLimits {
                idle: session_idle,
                max: session_max,
            },
            max_upload_bytes,
            max_file_bytes,
            trust_proxy,
            allow_originless,
            insecure_captcha,
            ip_hash_key,
            comment_limit,
            max_connections,
            header_timeout,
            shutdown_grace,
            hash_concurrency,
            page_cache_bytes,
            smtp,
            metrics_addr,
            metrics_token,
            log_format,
        })
    }

    /// The origin of `media_public_url` (`https://cdn.example.vn`), for the CSP.
    pub fn media_public_origin(&self) -> Option<String> {
        let url = Url::parse(self.media_public_url.as_deref()?).ok()?;
        Some(url.origin().ascii_serialization())
    }

    /// Whether the site is served over https, which makes cookies `Secure`.
    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// The `TOASOAN_S3_*` variables: `None` when no bucket is named and none is `required`.
fn s3(get: &impl Fn(&str) -> Option<String>, required: bool) -> Result<Option<S3>, ConfigError> {
    let value = |name: &str| {
        get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let Some(bucket) = value("TOASOAN_S3_BUCKET") else {
        return if required {
            Err(error(
                "TOASOAN_S3_BUCKET",
                String::new(),
                "TOASOAN_MEDIA_STORE=s3 needs a bucket name",
            ))
        } else {
            Ok(None)
        };
    };
    let valid_bucket = (3..=63).contains(&bucket.len())
        && bucket
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.'));
    if !valid_bucket {
        return Err(error(
            "TOASOAN_S3_BUCKET",
            bucket,
            "expected a bucket name: 3 to 63 lowercase letters, digits, dots and hyphens",
        ));
    }
    let endpoint = match value("TOASOAN_S3_ENDPOINT") {
        None => None,
        Some(endpoint) => match Url::parse(&endpoint) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                Some(endpoint.trim_end_matches('/').to_owned())
            }
            _ => {
                return Err(error(
                    "TOASOAN_S3_ENDPOINT",
                    endpoint,
                    "expected the server's URL, such as http://127.0.0.1:3900",
                ));
            }
        },
    };
    let region = value("TOASOAN_S3_REGION").unwrap_or_else(|| "us-east-1".to_owned());
    let key = |name: &'static str| {
        value(name).ok_or_else(|| error(name, String::new(), "a bucket needs both access keys"))
    };
    let access_key_id = key("TOASOAN_S3_ACCESS_KEY_ID")?;
    let secret_access_key = key("TOASOAN_S3_SECRET_ACCESS_KEY")?;
    let path_style = value("TOASOAN_S3_PATH_STYLE").unwrap_or_else(|| "on".to_owned());
    let path_style = parse_switch(&path_style)
        .ok_or_else(|| error("TOASOAN_S3_PATH_STYLE", path_style, "expected on or off"))?;
    let prefix = value("TOASOAN_S3_PREFIX").unwrap_or_default();
    let prefix = prefix.trim_matches('/').to_owned();
    if !prefix.is_empty() && crate::media::storage::validate_key(&prefix).is_err() {
        return Err(error(
            "TOASOAN_S3_PREFIX",
            prefix,
            "expected a path such as toasoan/media: letters, digits, . _ - and /",
        ));
    }
    Ok(Some(S3 {
        bucket,
        endpoint,
        region,
        access_key_id,
        secret_access_key,
        path_style,
        prefix,
    }))
}

/// `TOASOAN_SMTP_URL` (`url`, not empty) and the sender it needs.
fn smtp(url: &str, from: Option<String>) -> Result<Smtp, ConfigError> {
    let shown = || redact_url(url);
    match Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "smtp" | "smtps") && parsed.host().is_some() => {}
        _ => {
            return Err(error(
                "TOASOAN_SMTP_URL",
                shown(),
                "expected smtp://host:port or smtps://user:password@host",
            ));
        }
    }
    let from = from.unwrap_or_default();
    let from = from.trim().parse().map_err(|_| {
        let message = if from.trim().is_empty() {
            "TOASOAN_SMTP_URL needs a sender address, e.g. Tòa Soạn <toasoan@example.vn>"
        } else {
            "expected an address such as Tòa Soạn <toasoan@example.vn>"
        };
        error("TOASOAN_SMTP_FROM", from.clone(), message)
    })?;
    Ok(Smtp {
        url: url.to_owned(),
        from,
    })
}

/// A database URL (`name` is its variable); a bad one is shown with its password hidden.
fn postgres_url(name: &'static str, url: &str) -> Result<String, ConfigError> {
    match Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "postgres" | "postgresql") => Ok(url.to_owned()),
        _ => Err(error(name, redact_url(url), "expected a postgres:// URL")),
    }
}

fn error(name: &'static str, value: String, message: &'static str) -> ConfigError {
    ConfigError {
        name,
        value,
        message,
    }
}

/// A whole number within `range`.
fn number<T: std::str::FromStr + PartialOrd>(
    name: &'static str,
    value: String,
    range: std::ops::RangeInclusive<T>,
    message: &'static str,
) -> Result<T, ConfigError> {
    match value.trim().parse::<T>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(error(name, value, message)),
    }
}

const DURATION_MESSAGE: &str = "expected a duration such as 30m, 8h or 7d";

/// "90s", "30m", "8h", "7d" (at least a minute, at most a year).
fn parse_duration(value: &str) -> Option<Duration> {
    let value = value.trim();
    let unit = value.chars().last()?;
    let number: u64 = value[..value.len() - unit.len_utf8()].parse().ok()?;
    let seconds = match unit {
        's' => number,
        'm' => number.checked_mul(60)?,
        'h' => number.checked_mul(3600)?,
        'd' => number.checked_mul(86_400)?,
        _ => return None,
    };
    (60..=366 * 86_400)
        .contains(&seconds)
        .then(|| Duration::from_secs(seconds))
}

/// `on`/`off` and the usual synonyms.
fn parse_switch(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "1" | "yes" => Some(true),
        "off" | "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// The database URL with any password replaced by `***`, for messages and logs.
pub fn redact_url(database_url: &str) -> String {
    match Url::parse(database_url) {
        Ok(mut url) => {
            if url.password().is_some() {
                let _ = url.set_password(Some("***"));
            }
            url.to_string()
        }
        Err(_) => "<invalid database URL>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn parse(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(config.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.base_url, "http://127.0.0.1:3000");
        assert!(config.demo);
        assert_eq!(config.media_dir, PathBuf::from("./media"));
        assert_eq!(config.session.idle, Duration::from_secs(8 * 3600));
        assert_eq!(config.session.max, Duration::from_secs(7 * 86_400));
        assert_eq!(config.max_upload_bytes, 10 * 1024 * 1024);
        assert_eq!(config.max_file_bytes, 20 * 1024 * 1024);
        assert!(!config.trust_proxy);
        assert!(!config.allow_originless);
        assert_eq!(config.insecure_captcha, None);
        assert_eq!(config.ip_hash_key, None);
        assert_eq!(config.comment_limit, 5);
    }

    #[test]
    fn media_in_a_bucket_needs_its_name_and_keys() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.media_store, MediaStoreKind::Local);
        assert!(config.s3.is_none());
        let message = parse(&[("TOASOAN_MEDIA_STORE", "s3")])
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("TOASOAN_S3_BUCKET:"), "{message}");
        let bucket = [
            ("TOASOAN_MEDIA_STORE", "s3"),
            ("TOASOAN_S3_BUCKET", "media"),
        ];
        let message = parse(&bucket).unwrap_err().to_string();
        assert!(
            message.starts_with("TOASOAN_S3_ACCESS_KEY_ID:"),
            "{message}"
        );
        let keys = [
            ("TOASOAN_S3_ACCESS_KEY_ID", "GK123"),
            ("TOASOAN_S3_SECRET_ACCESS_KEY", "secret"),
        ];
        let all: Vec<_> = bucket.iter().chain(&keys).copied().collect();
        let config = parse(&all).unwrap();
        let s3 = config.s3.unwrap();
        assert_eq!(s3.region, "us-east-1");
        assert!(s3.path_style);
        assert_eq!(s3.prefix, "");
        for (name, bad) in [
            ("TOASOAN_MEDIA_STORE", "ftp"),
            ("TOASOAN_S3_BUCKET", "My Bucket"),
            ("TOASOAN_S3_ENDPOINT", "localhost:3900"),
            ("TOASOAN_S3_PATH_STYLE", "maybe"),
            ("TOASOAN_S3_PREFIX", "../up"),
            ("TOASOAN_MEDIA_PUBLIC_URL", "cdn.example.vn"),
        ] {
            let mut vars = all.clone();
            vars.push((name, bad));
            let message = parse(&vars).unwrap_err().to_string();
            assert!(message.starts_with(&format!("{name}:")), "{message}");
        }
        let config =
            parse(&[("TOASOAN_MEDIA_PUBLIC_URL", "https://cdn.example.vn/media/")]).unwrap();
        assert_eq!(
            config.media_public_url.as_deref(),
            Some("https://cdn.example.vn/media")
        );
        assert_eq!(
            config.media_public_origin().as_deref(),
            Some("https://cdn.example.vn")
        );
    }

    #[test]
    fn hashing_ips_needs_a_long_secret() {
        assert!(parse(&[("TOASOAN_HASH_IPS", "on")]).is_err());
        assert!(parse(&[("TOASOAN_HASH_IPS", "on"), ("TOASOAN_SECRET", "short")]).is_err());
        let secret = "a-secret-of-at-least-thirty-two-chars";
        let config = parse(&[("TOASOAN_HASH_IPS", "on"), ("TOASOAN_SECRET", secret)]).unwrap();
        assert_eq!(config.ip_hash_key.as_deref(), Some(secret));
        let message = parse(&[("TOASOAN_HASH_IPS", "on")])
            .unwrap_err()
            .to_string();
        assert!(!message.contains(secret));
    }

    #[test]
    fn durations_take_a_unit() {
        assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_duration("2d"), Some(Duration::from_secs(172_800)));
        for bad in ["", "30", "h", "-1h", "10s", "5y", "99999999999999999999d"] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
        assert!(parse(&[("TOASOAN_SESSION_IDLE", "soon")]).is_err());
        assert!(parse(&[("TOASOAN_MAX_UPLOAD_MB", "0")]).is_err());
        assert!(parse(&[("TOASOAN_MAX_FILE_MB", "201")]).is_err());
    }

    #[test]
    fn base_url_follows_the_listen_address_and_loses_its_trailing_slash() {
        let config = parse(&[("TOASOAN_ADDR", "0.0.0.0:8080")]).unwrap();
        assert_eq!(config.base_url, "http://0.0.0.0:8080");
        let config = parse(&[("TOASOAN_BASE_URL", "https://baothang.example.vn/")]).unwrap();
        assert_eq!(config.base_url, "https://baothang.example.vn");
        assert!(config.is_https());
    }

    #[test]
    fn bad_values_name_the_variable_in_one_line() {
        let message = parse(&[("TOASOAN_ADDR", "localhost")])
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("TOASOAN_ADDR: "), "{message}");
        assert!(!message.contains('\n'));
        let message = parse(&[("TOASOAN_DEMO", "maybe")]).unwrap_err().to_string();
        assert!(message.contains("TOASOAN_DEMO") && message.contains("on or off"));
        assert!(parse(&[("DATABASE_URL", "mysql://x")]).is_err());
        assert!(parse(&[("TOASOAN_BASE_URL", "/relative")]).is_err());
    }

    #[test]
    fn metrics_are_off_the_main_listener_unless_a_long_token_is_set() {
        let config = parse(&[]).unwrap();
        assert_eq!((config.metrics_addr, config.metrics_token), (None, None));
        assert_eq!(config.log_format, LogFormat::Text);
        let token = "a-metrics-token-of-thirty-two-chars!";
        let config = parse(&[
            ("TOASOAN_METRICS_ADDR", "127.0.0.1:9464"),
            ("TOASOAN_METRICS_TOKEN", token),
            ("TOASOAN_LOG_FORMAT", "json"),
        ])
        .unwrap();
        assert_eq!(config.metrics_addr.unwrap().to_string(), "127.0.0.1:9464");
        assert_eq!(config.metrics_token.as_deref(), Some(token));
        assert_eq!(config.log_format, LogFormat::Json);
        let message = parse(&[("TOASOAN_METRICS_TOKEN", "tiny-token")])
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("TOASOAN_METRICS_TOKEN: ") && !message.contains("tiny"));
        assert!(parse(&[("TOASOAN_METRICS_ADDR", "9464")]).is_err());
        assert!(parse(&[("TOASOAN_LOG_FORMAT", "xml")]).is_err());
    }

    #[test]
    fn mail_needs_an_smtp_url_and_a_sender() {
        assert!(parse(&[]).unwrap().smtp.is_none());
        let config = parse(&[
            ("TOASOAN_SMTP_URL", "smtp://127.0.0.1:2525"),
            (
                "TOASOAN_SMTP_FROM",
                "Tòa Soạn <toasoan@baothang.example.vn>",
            ),
        ])
        .unwrap();
        let smtp = config.smtp.unwrap();
        assert_eq!(smtp.url, "smtp://127.0.0.1:2525");
        assert_eq!(smtp.from.email.to_string(), "toasoan@baothang.example.vn");

        let refused = |url: &str, from: Option<&str>, variable: &str| {
            let mut vars = vec![("TOASOAN_SMTP_URL", url)];
            vars.extend(from.map(|from| ("TOASOAN_SMTP_FROM", from)));
            let message = parse(&vars).unwrap_err().to_string();
            assert!(message.starts_with(&format!("{variable}: ")), "{message}");
            assert!(!message.contains("s3cret"), "{message}");
        };
        refused("smtp://127.0.0.1:2525", None, "TOASOAN_SMTP_FROM");
        refused(
            "smtps://mailer:s3cret@mail.example.vn",
            Some("not an address"),
            "TOASOAN_SMTP_FROM",
        );
        refused(
            "http://mailer:s3cret@mail.example.vn",
            Some("toasoan@example.vn"),
            "TOASOAN_SMTP_URL",
        );
    }

    #[test]
    fn read_replica_is_optional_and_checked_like_the_primary() {
        assert_eq!(parse(&[]).unwrap().database_read_url, None);
        let config = parse(&[(
            "DATABASE_READ_URL",
            "postgres://reader@replica:5432/toasoan",
        )]);
        assert_eq!(
            config.unwrap().database_read_url.as_deref(),
            Some("postgres://reader@replica:5432/toasoan")
        );
        let message = parse(&[("DATABASE_READ_URL", "mysql://reader:s3cret@replica/toasoan")])
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("DATABASE_READ_URL: "), "{message}");
        assert!(!message.contains("s3cret"), "{message}");
    }

    #[test]
    fn demo_switch_accepts_off() {
        assert!(!parse(&[("TOASOAN_DEMO", "off")]).unwrap().demo);
        assert!(!parse(&[("TOASOAN_DEMO", "OFF")]).unwrap().demo);
    }

    #[test]
    fn redacted_url_hides_the_password() {
        let shown = redact_url("postgres://app:s3cret@db:5432/toasoan");
        assert_eq!(shown, "postgres://app:***@db:5432/toasoan");
        assert_eq!(redact_url(DEFAULT_DATABASE_URL), DEFAULT_DATABASE_URL);
    }
}
