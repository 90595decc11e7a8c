//! Media in an S3-compatible bucket (AWS S3, Garage, MinIO, Ceph RGW, Cloudflare R2), through
//! `object_store`.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use object_store::{
    BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig,
    aws::AmazonS3Builder, path::Path,
};

use super::storage::{MediaStore, StoredFile, StoredKey, validate_key};
use crate::config::S3;

/// A bucket, with every key under an optional prefix. A PUT replaces an object whole or not at
/// all, so readers never see half of one.
#[derive(Debug, Clone)]
pub struct S3Store {
    bucket: Arc<dyn ObjectStore>,
    prefix: String,
}

impl S3Store {
    /// A client for the bucket (nothing is sent yet). A server that does not answer fails a
    /// request within seconds: a few quick retries, not object_store's three minutes.
    pub fn new(config: &S3) -> io::Result<Self> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_access_key_id(&config.access_key_id)
            .with_secret_access_key(&config.secret_access_key)
            .with_virtual_hosted_style_request(!config.path_style)
            .with_client_options(
                ClientOptions::new()
                    .with_allow_http(true)
                    .with_connect_timeout(Duration::from_secs(3))
                    .with_timeout(Duration::from_secs(60)),
            )
            .with_retry(RetryConfig {
                backoff: BackoffConfig {
                    init_backoff: Duration::from_millis(100),
                    max_backoff: Duration::from_secs(1),
                    base: 2.0,
                },
                max_retries: 2,
                retry_timeout: Duration::from_secs(10),
            });
        if let Some(endpoint) = &config.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        let bucket = builder.build().map_err(io::Error::other)?;
        Ok(Self {
            bucket: Arc::new(bucket),
            prefix: config.prefix.clone(),
        })
    }

    fn path(&self, key: &str) -> io::Result<Path> {
        validate_key(key)?;
        Ok(if self.prefix.is_empty() {
            Path::from(key)
        } else {
            Path::from(format!("{}/{key}", self.prefix))
        })
    }

    async fn open_object(&self, key: &str) -> io::Result<StoredFile> {
        let result = self.bucket.get(&self.path(key)?).await.map_err(io_error)?;
        let len = result.meta.size;
        let etag = result.meta.e_tag.clone();
        let stream = result.into_stream().map_err(io_error);
        Ok(StoredFile {
            len,
            etag,
            reader: Box::pin(tokio_util::io::StreamReader::new(stream)),
        })
    }

    async fn list_objects(&self) -> io::Result<Vec<StoredKey>> {
        let prefix = (!self.prefix.is_empty()).then(|| Path::from(self.prefix.as_str()));
        let strip = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        let objects: Vec<_> = self
            .bucket
            .list(prefix.as_ref())
            .map_err(io_error)
            .try_collect()
            .await?;
        Ok(objects
            .into_iter()
            .filter_map(|meta| {
                let key = meta.location.as_ref().strip_prefix(&strip)?.to_owned();
                validate_key(&key).ok()?;
                Some(StoredKey {
                    key,
                    len: meta.size,
                    modified: Some(meta.last_modified.into()),
                })
            })
            .collect())
    }
}

/// An object store error as an I/O error of the same meaning.
fn io_error(error: object_store::Error) -> io::Error {
    let kind = match &error {
        object_store::Error::NotFound { .. } => io::ErrorKind::NotFound,
        object_store::Error::InvalidPath { .. } => io::ErrorKind::InvalidInput,
        object_store::Error::PermissionDenied { .. }
        | object_store::Error::Unauthenticated { .. } => io::ErrorKind::PermissionDenied,
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, error)
}

impl MediaStore for S3Store {
    fn put<'a>(
        &'a self,
        key: &'a str,
        bytes: &'a [u8],
    ) -> Pin<Box<dyn Future<Output = io::Result<()>> + Send + 'a>> {
        Box::pin(async move {
            let path = self.path(key)?;
            let payload = PutPayload::from(bytes.to_vec());
            self.bucket.put(&path, payload).await.map_err(io_error)?;
            Ok(())
        })
    }

    fn open<'a>(
        &'a self,
        key: &'a str,
    ) -> Pin<Box<dyn Future<Output = io::Result<StoredFile>> + Send + 'a>> {
        Box::pin(self.open_object(key))
    }

    fn len<'a>(
        &'a self,
        key: &'a str,
    ) -> Pin<Box<dyn Future<Output = io::Result<u64>> + Send + 'a>> {
        Box::pin(async move {
            let meta = self.bucket.head(&self.path(key)?).await.map_err(io_error)?;
            Ok(meta.size)
        })
    }

    fn remove<'a>(
        &'a self,
        key: &'a str,
    ) -> Pin<Box<dyn Future<Output = io::Result<()>> + Send + 'a>> {
        Box::pin(async move {
            match self.bucket.delete(&self.path(key)?).await {
                Err(object_store::Error::NotFound { .. }) => Ok(()),
                result => result.map_err(io_error),
            }
        })
    }

    fn check(&self) -> Pin<Box<dyn Future<Output = io::Result<()>> + Send + '_>> {
        Box::pin(async move {
            let prefix = (!self.prefix.is_empty()).then(|| Path::from(self.prefix.as_str()));
            // One page of the listing: the bucket is there and the keys may read it.
            let mut listing = self.bucket.list(prefix.as_ref());
            match listing.next().await {
                Some(Err(error)) => Err(io_error(error)),
                _ => Ok(()),
            }
        })
    }

    fn list(&self) -> Pin<Box<dyn Future<Output = io::Result<Vec<StoredKey>>> + Send + '_>> {
        Box::pin(self.list_objects())
    }
}
