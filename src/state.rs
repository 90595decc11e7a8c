//! Shared application state handed to every handler.

use std::sync::Arc;

use axum::extract::FromRef;
use sqlx::PgPool;

use crate::{
    assets::Assets,
    config::Config,
    media::{LocalStore, MediaStore, UploadLimits},
    site::SiteCache,
    view_counter::ViewCounter,
};

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub config: Arc<Config>,
    /// Site name, contacts and the category tree: read on every page, cached in memory.
    pub site: Arc<SiteCache>,
    /// Article views counted in memory and written to the database in batches.
    pub views: Arc<ViewCounter>,
    /// Fingerprints of the files under `static/`.
    pub assets: Arc<Assets>,
    /// Where uploaded images go (served under `/media/`).
    pub media: Arc<dyn MediaStore>,
}

impl AppState {
    /// Builds the state and loads the site cache (the database must answer).
    pub async fn new(db: PgPool, config: Config) -> Result<Self, sqlx::Error> {
        let site = SiteCache::load(&db).await?;
        Ok(Self {
            db,
            media: Arc::new(LocalStore::new(config.media_dir.clone())),
            config: Arc::new(config),
            site: Arc::new(site),
            views: Arc::new(ViewCounter::default()),
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
