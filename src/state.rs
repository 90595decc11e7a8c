//! Shared application state handed to every handler.

use std::sync::Arc;

use axum::extract::FromRef;
use sqlx::PgPool;

use tokio::sync::Semaphore;

use crate::{
    assets::Assets,
    auth::password::{self, Passwords},
    config::Config,
    database::DatabaseWatch,
    media::{MediaStore, UploadLimits},
    replica::Replica,
    site::SiteCache,
    view_counter::ViewCounter,
    visitor_counter::VisitorCounter,
    web::{page_cache::PageCache, public::categories::PageStarts},
};

#[derive(Clone)]
pub struct AppState {
    /// The primary; in a readers' page (`web::readers::Readers`), where it reads.
    pub db: PgPool,
    /// `DATABASE_READ_URL`: the streaming replica readers' pages read from while it is current.
    pub replica: Option<Arc<Replica>>,
    pub config: Arc<Config>,
    /// Site name, contacts and the category tree: read on every page, cached in memory.
    pub site: Arc<SiteCache>,
    /// Article views counted in memory and written to the database in batches.
    pub views: Arc<ViewCounter>,
    /// The footer's visitor counter: visitors counted in memory, written in batches.
    pub visitors: Arc<VisitorCounter>,
    /// Fingerprints of the files under `static/`.
    pub assets: Arc<Assets>,
    /// Where uploaded images and files go (`TOASOAN_MEDIA_STORE`; images served under `/media/`).
    pub media: Arc<dyn MediaStore>,
    /// Password hashing for requests, a few at a time.
    pub passwords: Arc<Passwords>,
    /// Whether the database answers (kept by a background task of the server).
    pub database: Arc<DatabaseWatch>,
    /// Turns for the heavy public pages (search, sitemaps), so that they cannot take every
    /// database connection from the rest.
    pub heavy_pages: Arc<Semaphore>,
    /// Rendered public pages, ready to send (see `web::page_cache`).
    pub page_cache: Arc<PageCache>,
    /// Where the pages of long category listings start (see `web::public::categories`).
    pub page_starts: Arc<PageStarts>,
}

/// Heavy public pages rendered at once (a quarter of the pool's connections).
pub const HEAVY_PAGES: usize = 4;

impl AppState {
    /// Builds the state and loads the site cache (the database must answer).
    pub async fn new(db: PgPool, config: Config) -> anyhow::Result<Self> {
        let site = SiteCache::load(&db).await?;
        // Counting starts with the first state (the recorder is the process's).
        crate::metrics::handle();
        let replica = match &config.database_read_url {
            Some(url) => Some(Arc::new(Replica::connect(url)?)),
            None => None,
        };
        Ok(Self {
            db,
            replica,
            media: crate::media::configured_store(&config)?,
            passwords: Arc::new(Passwords::new(
                config.hash_concurrency,
                password::QUEUE_WAIT,
            )),
            database: Arc::new(DatabaseWatch::default()),
            heavy_pages: Arc::new(Semaphore::new(HEAVY_PAGES)),
            page_cache: Arc::new(PageCache::new(config.page_cache_bytes)),
            page_starts: Arc::new(PageStarts::new()),
            config: Arc::new(config),
            site: Arc::new(site),
            views: Arc::new(ViewCounter::default()),
            visitors: Arc::new(VisitorCounter::default()),
            assets: Arc::new(Assets::scan(crate::assets::STATIC_DIR)),
        })
    }
}

impl AppState {
    pub fn upload_limits(&self) -> UploadLimits {
        UploadLimits {
            max_bytes: self.config.max_upload_bytes,
            ..UploadLimits::default()
        }
    }
}

impl FromRef<AppState> for PgPool {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}
