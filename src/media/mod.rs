//! Uploaded images: validation, resizing into responsive variants, storage and `srcset`s.
//!
//! An upload goes through [`save_image`]: the bytes are checked (size, real type from the magic
//! numbers, dimensions read from the header before anything is decoded), decoded, turned upright
//! per EXIF, resized to the [`WIDTHS`] that fit, re-encoded (which drops EXIF/GPS metadata) and
//! stored under content-addressed keys `{yyyy}/{mm}/{hash16}-{width}.{ext}`.

pub mod files;
pub mod library;
pub mod s3;
pub mod storage;

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, ImageReader};
use sha2::{Digest, Sha256};

use crate::text::group_thousands;

pub use s3::S3Store;
pub use storage::{LocalStore, MediaStore, StoredKey};

/// The store `TOASOAN_MEDIA_STORE` names: the local directory or the bucket.
pub fn configured_store(
    config: &crate::config::Config,
) -> std::io::Result<std::sync::Arc<dyn MediaStore>> {
    use crate::config::MediaStoreKind;
    Ok(match (config.media_store, &config.s3) {
        (MediaStoreKind::S3, Some(s3)) => std::sync::Arc::new(S3Store::new(s3)?),
        (MediaStoreKind::S3, None) => {
            return Err(std::io::Error::other(
                "TOASOAN_MEDIA_STORE=s3 needs TOASOAN_S3_BUCKET",
            ));
        }
        (MediaStoreKind::Local, _) => {
            std::sync::Arc::new(LocalStore::new(config.media_dir.clone()))
        }
    })
}

/// Widths (in pixels) of the variants produced for each image.
pub const WIDTHS: [u32; 3] = [480, 960, 1600];

/// Quality of the JPEG variants.
const JPEG_QUALITY: u8 = 82;

/// Larger colour profiles (real ones are a few KB) are dropped rather than copied into every variant.
const MAX_ICC_PROFILE_BYTES: usize = 256 * 1024;

/// What an upload may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    /// Largest accepted upload, in bytes.
    pub max_bytes: usize,
    /// Largest accepted width, as stored in the file (before EXIF rotation).
    pub max_width: u32,
    /// Largest accepted height, as stored in the file (before EXIF rotation).
    pub max_height: u32,
    /// Largest accepted width × height.
    pub max_pixels: u64,
}

impl Default for UploadLimits {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_width: 12_000,
            max_height: 12_000,
            max_pixels: 50_000_000,
        }
    }
}

/// Why an upload was refused (or could not be stored).
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("upload larger than {max_bytes} bytes")]
    TooLarge { max_bytes: usize },
    #[error("empty upload")]
    Empty,
    #[error("not a JPEG, PNG or WebP image")]
    NotAnImage,
    #[error("image dimensions over the limits")]
    TooManyPixels,
    #[error("image could not be decoded")]
    Corrupt,
    #[error("could not store image: {0}")]
    Storage(#[from] std::io::Error),
}

impl ImageError {
    /// A message for the reporter, in Vietnamese.
    ///
    /// [`ImageError::TooManyPixels`] carries no limits, so its message quotes the default ones.
    pub fn message(&self) -> String {
        match self {
            Self::TooLarge { max_bytes } => format!(
                "Ảnh vượt quá dung lượng cho phép (tối đa {}).",
                format_size(*max_bytes)
            ),
            Self::Empty => "Tệp tải lên trống.".to_owned(),
            Self::NotAnImage => "Tệp tải lên không phải ảnh JPEG, PNG hoặc WebP.".to_owned(),
            Self::TooManyPixels => {
                let limits = UploadLimits::default();
                format!(
                    "Kích thước ảnh quá lớn (tối đa {} × {} điểm ảnh).",
                    group_thousands(i64::from(limits.max_width)),
                    group_thousands(i64::from(limits.max_height))
                )
            }
            Self::Corrupt => "Không đọc được ảnh: tệp bị hỏng.".to_owned(),
            Self::Storage(_) => "Không lưu được ảnh, xin thử lại.".to_owned(),
        }
    }

    /// Logs a failure of the server (the disk is full or read-only) at error level, so the
    /// operator hears of it; the uploader gets [`ImageError::message`] either way.
    pub fn log_if_ours(&self) {
        if let Self::Storage(error) = self {
            tracing::error!(%error, "cannot store an uploaded image");
        }
    }

    /// Whether the upload itself is at fault (400-class), as opposed to the server (500-class).
    pub fn is_client_error(&self) -> bool {
        !matches!(self, Self::Storage(_))
    }
}

/// `10485760` → "10 MB", `2621440` → "2,5 MB", `512000` → "500 KB" (binary units, Vietnamese
/// decimal comma).
pub fn format_size(bytes: usize) -> String {
    const KB: usize = 1024;
    const MB: usize = 1024 * 1024;
    let (unit, name) = match bytes {
        b if b >= MB => (MB, "MB"),
        b if b >= KB => (KB, "KB"),
        _ => return format!("{bytes} byte"),
    };
    if bytes.is_multiple_of(unit) {
        format!("{} {name}", bytes / unit)
    } else {
        let tenths = (bytes * 10 + unit / 2) / unit;
        format!("{},{} {name}", tenths / 10, tenths % 10)
    }
}

/// The encoded variants of one image.
#[derive(Debug, Clone)]
pub struct Processed {
    /// `"jpg"` or `"png"`.
    pub extension: &'static str,
    /// Sorted by width, ascending; never empty.
    pub variants: Vec<Variant>,
}

/// One encoded size of an image.
#[derive(Debug, Clone)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

/// Validates, decodes and resizes an upload into its variants.
///
/// CPU-bound and synchronous: call it from `tokio::task::spawn_blocking` (as [`save_image`] does).
pub fn process(bytes: &[u8], limits: &UploadLimits) -> Result<Processed, ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(ImageError::TooLarge {
            max_bytes: limits.max_bytes,
        });
    }
    // The type comes from the bytes alone, never from a file name or a declared content type.
    let format = match image::guess_format(bytes) {
        Ok(format @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => format,
        _ => return Err(ImageError::NotAnImage),
    };

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(limits.max_width);
    decoder_limits.max_image_height = Some(limits.max_height);
    // Room for the largest accepted image at 8 bytes per pixel (16-bit RGBA), at least the
    // library default.
    decoder_limits.max_alloc = Some(
        limits
            .max_pixels
            .saturating_mul(8)
            .max(decoder_limits.max_alloc.unwrap_or(0)),
    );
    reader.limits(decoder_limits);
    // Only the header is read here: a file declaring huge dimensions (a decompression bomb) is
    // refused before any pixel buffer is allocated.
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(ImageError::Corrupt);
    }
    if width > limits.max_width
        || height > limits.max_height
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(ImageError::TooManyPixels);
    }
    // The JPEG decoder fills a cut-off scan with grey instead of failing: check the structure.
    if format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(ImageError::Corrupt);
    }
    // A damaged EXIF block is no reason to refuse the picture: just leave it as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    // The colour profile is not personal data and without it wide-gamut photos (Display P3
    // from phones) would look washed out, so it is carried over.
    let icc_profile = decoder
        .icc_profile()
        .ok()
        .flatten()
        .filter(|profile| profile.len() <= MAX_ICC_PROFILE_BYTES);
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    image.apply_orientation(orientation);

    let transparent = has_transparency(&image);
    let extension = if transparent { "png" } else { "jpg" };
    let mut variants = Vec::new();
    // Largest first, each smaller size resized from the previous one: much cheaper than
    // resizing a huge original several times, and at these ratios Lanczos loses nothing visible.
    let mut source = image;
    for target in target_widths(source.width()).into_iter().rev() {
        if target != source.width() {
            let height = scaled_height(source.width(), source.height(), target);
            source = source.resize_exact(target, height, FilterType::Lanczos3);
        }
        variants.push(Variant {
            width: source.width(),
            height: source.height(),
            bytes: encode(&source, transparent, icc_profile.as_deref())?,
        });
    }
    variants.reverse();
    Ok(Processed {
        extension,
        variants,
    })
}

/// The data colour space of an ICC profile (`b"RGB "`, `b"GRAY"`, `b"CMYK"`…), if the header is sane.
fn icc_colour_space(profile: &[u8]) -> Option<&[u8; 4]> {
    let declared_len = u32::from_be_bytes(profile.get(0..4)?.try_into().ok()?);
    if profile.len() < 128
        || usize::try_from(declared_len).ok()? != profile.len()
        || profile.get(36..40)? != b"acsp"
    {
        return None;
    }
    profile.get(16..20)?.try_into().ok()
}

fn decode_error(err: image::ImageError) -> ImageError {
    match err {
        image::ImageError::Limits(_) => ImageError::TooManyPixels,
        _ => ImageError::Corrupt,
    }
}

/// Whether a JPEG's marker structure runs from SOI to EOI: segments are skipped by their
/// lengths (so an embedded EXIF thumbnail's EOI does not count) and entropy-coded data up to the
/// next real marker. Anything after EOI (e.g. the video of a "motion photo") is ignored.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return false;
    }
    let mut i = 2;
    loop {
        if bytes.get(i) != Some(&0xFF) {
            return false;
        }
        while bytes.get(i) == Some(&0xFF) {
            i += 1; // fill bytes
        }
        let Some(&marker) = bytes.get(i) else {
            return false;
        };
        i += 1;
        match marker {
            0xD9 => return true,            // EOI
            0x01 | 0xD0..=0xD7 => continue, // TEM, RSTn: no length
            0x00 => return false,
            _ => {
                let Some(len) = bytes.get(i..i + 2) else {
                    return false;
                };
                let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
                if len < 2 {
                    return false;
                }
                i += len;
                if marker == 0xDA {
                    // Start of scan: entropy-coded data, in which 0xFF is followed by 0x00
                    // (a stuffed byte) or a restart marker; any other marker ends the scan.
                    loop {
                        let Some(offset) = bytes
                            .get(i..)
                            .and_then(|rest| rest.iter().position(|&b| b == 0xFF))
                        else {
                            return false;
                        };
                        let at = i + offset;
                        match bytes.get(at + 1) {
                            None => return false,
                            Some(0x00 | 0xD0..=0xD7) => i = at + 2,
                            Some(_) => {
                                i = at;
                                break;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The variant widths for an image `width` pixels wide, ascending: the [`WIDTHS`] that fit, plus
/// the image's own width when it is narrower than the largest one. Never upscales.
fn target_widths(width: u32) -> Vec<u32> {
    let mut widths: Vec<u32> = WIDTHS.iter().copied().filter(|&w| w <= width).collect();
    if width < WIDTHS[WIDTHS.len() - 1] && !widths.contains(&width) {
        widths.push(width);
    }
    widths
}

/// The height keeping the aspect ratio of `width` × `height` at `new_width`, rounded, at least 1.
fn scaled_height(width: u32, height: u32, new_width: u32) -> u32 {
    let scaled =
        (u64::from(height) * u64::from(new_width) * 2 + u64::from(width)) / (2 * u64::from(width));
    u32::try_from(scaled).unwrap_or(u32::MAX).max(1)
}

/// Whether any pixel is not fully opaque (an alpha channel that is all 255 does not count).
fn has_transparency(image: &DynamicImage) -> bool {
    match image {
        DynamicImage::ImageLumaA8(buf) => buf.pixels().any(|p| p.0[1] != u8::MAX),
        DynamicImage::ImageRgba8(buf) => buf.pixels().any(|p| p.0[3] != u8::MAX),
        DynamicImage::ImageLumaA16(buf) => buf.pixels().any(|p| p.0[1] != u16::MAX),
        DynamicImage::ImageRgba16(buf) => buf.pixels().any(|p| p.0[3] != u16::MAX),
        DynamicImage::ImageRgba32F(buf) => buf.pixels().any(|p| p.0[3] < 1.0),
        other => other.color().has_alpha() && other.to_rgba8().pixels().any(|p| p.0[3] != u8::MAX),
    }
}

/// Encodes a variant: PNG (8-bit) when the image has real transparency, JPEG otherwise.
/// Only the pixels and a matching colour profile are written, so EXIF, GPS, XMP and other
/// metadata are gone.
fn encode(
    image: &DynamicImage,
    transparent: bool,
    icc_profile: Option<&[u8]>,
) -> Result<Vec<u8>, ImageError> {
    let grey = !image.color().has_color();
    // A profile for another colour space (CMYK JPEGs are decoded to RGB) would be wrong.
    let icc_profile = icc_profile
        .filter(|profile| icc_colour_space(profile) == Some(if grey { b"GRAY" } else { b"RGB " }))
        .map(<[u8]>::to_vec);
    let mut out = Vec::new();
    // Setting a profile cannot fail for these encoders, and would be no reason to refuse an image.
    let result = if transparent {
        let mut encoder =
            PngEncoder::new_with_quality(&mut out, CompressionType::Default, PngFilter::Adaptive);
        if let Some(profile) = icc_profile {
            let _ = encoder.set_icc_profile(profile);
        }
        if grey {
            DynamicImage::ImageLumaA8(image.to_luma_alpha8()).write_with_encoder(encoder)
        } else {
            DynamicImage::ImageRgba8(image.to_rgba8()).write_with_encoder(encoder)
        }
    } else {
        let mut encoder = JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
        if let Some(profile) = icc_profile {
            let _ = encoder.set_icc_profile(profile);
        }
        if grey {
            DynamicImage::ImageLuma8(image.to_luma8()).write_with_encoder(encoder)
        } else {
            DynamicImage::ImageRgb8(image.to_rgb8()).write_with_encoder(encoder)
        }
    };
    // Encoding into memory only fails on a bug; report it as a server-side failure.
    result.map_err(|err| ImageError::Storage(std::io::Error::other(err)))?;
    Ok(out)
}

/// An image as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedImage {
    /// Key of the largest variant, e.g. `2026/11/3fa9c0d1e2b4a5c6-1600.jpg`.
    pub path: String,
    /// Widths of all variants, ascending (see [`variant_path`]).
    pub widths: Vec<i32>,
    /// Width of the largest variant.
    pub width: u32,
    /// Height of the largest variant.
    pub height: u32,
    /// Size of the largest variant, in bytes.
    pub byte_size: usize,
}

/// Processes an upload (on the blocking pool) and stores its variants as
/// `{yyyy}/{mm}/{hash16}-{width}.{ext}`, `hash16` being the first 16 hex digits of the SHA-256 of
/// the uploaded bytes: the same upload always gets the same keys.
pub async fn save_image(
    store: &dyn MediaStore,
    bytes: Vec<u8>,
    limits: UploadLimits,
    now: time::OffsetDateTime,
) -> Result<SavedImage, ImageError> {
    let (hash, processed) = tokio::task::spawn_blocking(move || {
        let processed = process(&bytes, &limits)?;
        let digest = Sha256::digest(&bytes);
        let hash = crate::text::hex(&digest[..8]);
        Ok::<_, ImageError>((hash, processed))
    })
    .await
    .map_err(|_| std::io::Error::other("image processing task failed"))??;

    let prefix = format!("{:04}/{:02}/{hash}", now.year(), u8::from(now.month()));
    let mut saved = SavedImage {
        path: String::new(),
        widths: Vec::with_capacity(processed.variants.len()),
        width: 0,
        height: 0,
        byte_size: 0,
    };
    // Ascending, so once the largest (the one `path` names) exists, all of them do. When one
    // cannot be written (a full or read-only disk), those already written are removed.
    let mut written: Vec<String> = Vec::with_capacity(processed.variants.len());
    for variant in &processed.variants {
        let key = format!("{prefix}-{}.{}", variant.width, processed.extension);
        if let Err(error) = store.put(&key, &variant.bytes).await {
            for key in &written {
                if let Err(error) = store.remove(key).await {
                    tracing::warn!(%error, key, "cannot remove a variant of an unsaved image");
                }
            }
            return Err(error.into());
        }
        written.push(key.clone());
        saved
            .widths
            .push(i32::try_from(variant.width).unwrap_or(i32::MAX));
        saved.path = key;
        saved.width = variant.width;
        saved.height = variant.height;
        saved.byte_size = variant.bytes.len();
    }
    Ok(saved)
}

/// The key of the `width` variant of the image whose largest variant is stored at `path`
/// (`2026/11/abc-1600.jpg`, 480 → `2026/11/abc-480.jpg`). `None` if `path` is not shaped
/// `…-{digits}.{ext}` or `width` is not positive.
pub fn variant_path(path: &str, width: i32) -> Option<String> {
    if width <= 0 {
        return None;
    }
    let (stem, ext) = path.rsplit_once('.')?;
    if ext.is_empty() || ext.contains('/') {
        return None;
    }
    let (base, digits) = stem.rsplit_once('-')?;
    if base.is_empty()
        || base.ends_with('/')
        || digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Some(format!("{base}-{width}.{ext}"))
}

/// A `srcset` attribute value for the stored image: `"{url_prefix}/{key} {w}w, …"`.
/// Empty when `widths` is empty or `path` has the wrong shape.
pub fn srcset(path: &str, widths: &[i32], url_prefix: &str) -> String {
    let prefix = url_prefix.trim_end_matches('/');
    let mut entries = Vec::with_capacity(widths.len());
    for &width in widths {
        match variant_path(path, width) {
            Some(key) => entries.push(format!("{prefix}/{key} {width}w")),
            None => return String::new(),
        }
    }
    entries.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};
    use std::time::{Duration, Instant};

    fn gradient(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        })
    }

    fn jpeg(image: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90)
            .write_image(
                image.as_raw(),
                image.width(),
                image.height(),
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        out
    }

    fn png(image: &DynamicImage) -> Vec<u8> {
        let mut out = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    fn decode(bytes: &[u8]) -> DynamicImage {
        image::load_from_memory(bytes).unwrap()
    }

    /// A minimal little-endian TIFF/EXIF block: Orientation and an ImageDescription holding a
    /// marker we can look for in the output.
    fn exif_block(orientation: u16, marker: &[u8; 16]) -> Vec<u8> {
        let mut exif = Vec::new();
        exif.extend_from_slice(b"II*\0");
        exif.extend_from_slice(&8u32.to_le_bytes()); // first IFD offset
        exif.extend_from_slice(&2u16.to_le_bytes()); // 2 entries
        // ImageDescription (0x010E), ASCII (2), 16 bytes, at offset 8 + 2 + 2*12 + 4 = 38.
        exif.extend_from_slice(&0x010Eu16.to_le_bytes());
        exif.extend_from_slice(&2u16.to_le_bytes());
        exif.extend_from_slice(&16u32.to_le_bytes());
        exif.extend_from_slice(&38u32.to_le_bytes());
        // Orientation (0x0112), SHORT (3), 1 value, inline.
        exif.extend_from_slice(&0x0112u16.to_le_bytes());
        exif.extend_from_slice(&3u16.to_le_bytes());
        exif.extend_from_slice(&1u32.to_le_bytes());
        exif.extend_from_slice(&orientation.to_le_bytes());
        exif.extend_from_slice(&[0, 0]);
        exif.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
        exif.extend_from_slice(marker);
        exif
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// A valid 1×1 PNG whose IHDR is patched to declare `width` × `height` (CRC fixed up).
    fn png_declaring(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = png(&DynamicImage::ImageRgb8(gradient(1, 1)));
        assert_eq!(&bytes[12..16], b"IHDR");
        bytes[16..20].copy_from_slice(&width.to_be_bytes());
        bytes[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        bytes
    }

    fn assert_err(result: Result<Processed, ImageError>, expected: &str) -> ImageError {
        match result {
            Ok(processed) => {
                let widths: Vec<_> = processed.variants.iter().map(|v| v.width).collect();
                panic!("expected {expected}, got an image with widths {widths:?}")
            }
            Err(err) => {
                assert!(
                    format!("{err:?}").starts_with(expected),
                    "got {err:?}, expected {expected}"
                );
                err
            }
        }
    }

    #[test]
    fn large_jpeg_gives_three_jpeg_variants() {
        let input = jpeg(&gradient(3000, 2000));
        let processed = process(&input, &UploadLimits::default()).unwrap();
        assert_eq!(processed.extension, "jpg");
        let sizes: Vec<_> = processed
            .variants
            .iter()
            .map(|v| (v.width, v.height))
            .collect();
        assert_eq!(sizes, [(480, 320), (960, 640), (1600, 1067)]);
        for variant in &processed.variants {
            assert_eq!(
                image::guess_format(&variant.bytes).unwrap(),
                ImageFormat::Jpeg
            );
            let decoded = decode(&variant.bytes);
            assert_eq!(
                (decoded.width(), decoded.height()),
                (variant.width, variant.height)
            );
        }
    }

    #[test]
    fn medium_image_keeps_its_own_width_and_never_upscales() {
        let input = jpeg(&gradient(700, 350));
        let processed = process(&input, &UploadLimits::default()).unwrap();
        let sizes: Vec<_> = processed
            .variants
            .iter()
            .map(|v| (v.width, v.height))
            .collect();
        assert_eq!(sizes, [(480, 240), (700, 350)]);

        assert_eq!(target_widths(100), [100]);
        assert_eq!(target_widths(480), [480]);
        assert_eq!(target_widths(960), [480, 960]);
        assert_eq!(target_widths(1600), [480, 960, 1600]);
        assert_eq!(target_widths(3000), [480, 960, 1600]);
    }

    #[test]
    fn transparent_png_stays_png() {
        let image = RgbaImage::from_fn(300, 200, |x, _| {
            Rgba([200, 10, 10, if x < 150 { 0 } else { 255 }])
        });
        let input = png(&DynamicImage::ImageRgba8(image));
        let processed = process(&input, &UploadLimits::default()).unwrap();
        assert_eq!(processed.extension, "png");
        assert_eq!(processed.variants.len(), 1);
        let variant = &processed.variants[0];
        assert_eq!((variant.width, variant.height), (300, 200));
        assert_eq!(
            image::guess_format(&variant.bytes).unwrap(),
            ImageFormat::Png
        );
        let decoded = decode(&variant.bytes).to_rgba8();
        assert_eq!(decoded.get_pixel(10, 10).0[3], 0);
        assert_eq!(decoded.get_pixel(290, 10).0[3], 255);
    }

    #[test]
    fn opaque_png_with_alpha_channel_becomes_jpeg() {
        let image = RgbaImage::from_pixel(200, 100, Rgba([1, 2, 3, 255]));
        let input = png(&DynamicImage::ImageRgba8(image));
        let processed = process(&input, &UploadLimits::default()).unwrap();
        assert_eq!(processed.extension, "jpg");
        assert_eq!(
            image::guess_format(&processed.variants[0].bytes).unwrap(),
            ImageFormat::Jpeg
        );
    }

    #[test]
    fn webp_is_accepted() {
        let image = gradient(640, 480);
        let mut input = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut input)
            .write_image(image.as_raw(), 640, 480, image::ExtendedColorType::Rgb8)
            .unwrap();
        assert_eq!(image::guess_format(&input).unwrap(), ImageFormat::WebP);
        let processed = process(&input, &UploadLimits::default()).unwrap();
        assert_eq!(processed.extension, "jpg");
        let widths: Vec<_> = processed.variants.iter().map(|v| v.width).collect();
        assert_eq!(widths, [480, 640]);
    }

    #[test]
    fn exif_metadata_is_dropped_and_orientation_applied() {
        let marker = b"GPS-21.0N105.8E\0";
        let image = gradient(300, 200);
        let mut input = Vec::new();
        let mut encoder = JpegEncoder::new_with_quality(&mut input, 90);
        // 6 = rotate 90° clockwise to display.
        encoder.set_exif_metadata(exif_block(6, marker)).unwrap();
        encoder
            .write_image(image.as_raw(), 300, 200, image::ExtendedColorType::Rgb8)
            .unwrap();
        assert!(contains(&input, b"Exif"));
        assert!(contains(&input, marker));

        let processed = process(&input, &UploadLimits::default()).unwrap();
        let variant = &processed.variants[0];
        assert_eq!(
            (variant.width, variant.height),
            (200, 300),
            "EXIF rotation applied"
        );
        assert!(!contains(&variant.bytes, b"Exif"));
        assert!(!contains(&variant.bytes, marker));
    }

    /// A syntactically plausible ICC profile header for `space`, padded to 200 bytes.
    fn icc_profile(space: &[u8; 4]) -> Vec<u8> {
        let mut profile = vec![0u8; 200];
        profile[0..4].copy_from_slice(&200u32.to_be_bytes());
        profile[12..16].copy_from_slice(b"mntr");
        profile[16..20].copy_from_slice(space);
        profile[20..24].copy_from_slice(b"XYZ ");
        profile[36..40].copy_from_slice(b"acsp");
        profile[128..144].copy_from_slice(b"toasoan-icc-test");
        profile
    }

    fn jpeg_with_icc(profile: Vec<u8>) -> Vec<u8> {
        let image = gradient(100, 80);
        let mut out = Vec::new();
        let mut encoder = JpegEncoder::new_with_quality(&mut out, 90);
        encoder.set_icc_profile(profile).unwrap();
        encoder
            .write_image(image.as_raw(), 100, 80, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    #[test]
    fn matching_colour_profile_is_kept() {
        let processed = process(
            &jpeg_with_icc(icc_profile(b"RGB ")),
            &UploadLimits::default(),
        )
        .unwrap();
        let output = &processed.variants[0].bytes;
        assert!(contains(output, b"ICC_PROFILE"));
        assert!(contains(output, b"toasoan-icc-test"));
        // A CMYK profile does not describe the RGB output: dropped.
        let processed = process(
            &jpeg_with_icc(icc_profile(b"CMYK")),
            &UploadLimits::default(),
        )
        .unwrap();
        assert!(!contains(&processed.variants[0].bytes, b"toasoan-icc-test"));
        assert_eq!(icc_colour_space(&icc_profile(b"GRAY")), Some(b"GRAY"));
        assert_eq!(icc_colour_space(b"short"), None);
    }

    #[test]
    fn text_renamed_to_jpg_is_not_an_image() {
        // What a "photo.jpg" that is really text looks like: the name never matters.
        let err = assert_err(
            process(b"Xin chao, day la van ban.\n", &UploadLimits::default()),
            "NotAnImage",
        );
        assert!(err.is_client_error());
        assert_eq!(
            err.message(),
            "Tệp tải lên không phải ảnh JPEG, PNG hoặc WebP."
        );
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>"#;
        assert_err(process(svg, &UploadLimits::default()), "NotAnImage");
    }

    #[test]
    fn gif_bmp_tiff_are_not_accepted() {
        let gif: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
        assert_eq!(image::guess_format(gif).unwrap(), ImageFormat::Gif);
        assert_err(process(gif, &UploadLimits::default()), "NotAnImage");
        let mut bmp = b"BM".to_vec();
        bmp.extend_from_slice(&[0; 60]);
        assert_err(process(&bmp, &UploadLimits::default()), "NotAnImage");
        let mut tiff = b"II*\0".to_vec();
        tiff.extend_from_slice(&[8, 0, 0, 0, 0, 0]);
        assert_err(process(&tiff, &UploadLimits::default()), "NotAnImage");
    }

    #[test]
    fn empty_upload_is_refused() {
        let err = assert_err(process(b"", &UploadLimits::default()), "Empty");
        assert!(err.is_client_error());
    }

    #[test]
    fn oversized_upload_is_refused() {
        let input = jpeg(&gradient(64, 64));
        let limits = UploadLimits {
            max_bytes: input.len() - 1,
            ..UploadLimits::default()
        };
        let err = assert_err(process(&input, &limits), "TooLarge");
        assert!(err.is_client_error());
        assert!(
            process(
                &input,
                &UploadLimits {
                    max_bytes: input.len(),
                    ..limits
                }
            )
            .is_ok()
        );

        let default = ImageError::TooLarge {
            max_bytes: UploadLimits::default().max_bytes,
        };
        assert_eq!(
            default.message(),
            "Ảnh vượt quá dung lượng cho phép (tối đa 10 MB)."
        );
        assert_eq!(
            ImageError::TooLarge {
                max_bytes: 5 * 1024 * 1024 / 2
            }
            .message(),
            "Ảnh vượt quá dung lượng cho phép (tối đa 2,5 MB)."
        );
        assert_eq!(format_size(500 * 1024), "500 KB");
        assert_eq!(format_size(100), "100 byte");
    }

    #[test]
    fn decompression_bomb_is_refused_from_the_header() {
        let bomb = png_declaring(100_000, 100_000);
        assert!(bomb.len() < 200);
        let start = Instant::now();
        let err = assert_err(process(&bomb, &UploadLimits::default()), "TooManyPixels");
        assert!(start.elapsed() < Duration::from_secs(1));
        assert!(err.is_client_error());
        assert_eq!(
            err.message(),
            "Kích thước ảnh quá lớn (tối đa 12.000 × 12.000 điểm ảnh)."
        );

        // Within the width/height limits but over the pixel budget: still refused up front.
        let limits = UploadLimits {
            max_width: u32::MAX,
            max_height: u32::MAX,
            ..UploadLimits::default()
        };
        assert_err(
            process(&png_declaring(100_000, 100_000), &limits),
            "TooManyPixels",
        );
        assert_err(
            process(&png_declaring(10_000, 10_000), &limits),
            "TooManyPixels",
        );
        // Over one side's limit only.
        assert_err(
            process(&png_declaring(12_001, 10), &UploadLimits::default()),
            "TooManyPixels",
        );
    }

    #[test]
    fn truncated_jpeg_is_corrupt() {
        let input = jpeg(&gradient(800, 600));
        let err = assert_err(
            process(&input[..input.len() / 2], &UploadLimits::default()),
            "Corrupt",
        );
        assert!(err.is_client_error());
        assert_eq!(err.message(), "Không đọc được ảnh: tệp bị hỏng.");
        assert_err(process(&input[..40], &UploadLimits::default()), "Corrupt");
        assert_err(
            process(&input[..input.len() - 2], &UploadLimits::default()),
            "Corrupt",
        );
        // Data after the end of the image (e.g. a motion photo's video) is fine.
        let mut trailing = input.clone();
        trailing.extend_from_slice(b"....ftypmp42 trailing video data");
        assert!(process(&trailing, &UploadLimits::default()).is_ok());
        // A complete JPEG carrying an EXIF block (whose bytes are skipped, not scanned).
        let mut with_exif = Vec::new();
        let mut encoder = JpegEncoder::new_with_quality(&mut with_exif, 90);
        encoder
            .set_exif_metadata(exif_block(1, b"\xFF\xD9 not an end\0\0\0"))
            .unwrap();
        let small = gradient(64, 48);
        encoder
            .write_image(small.as_raw(), 64, 48, image::ExtendedColorType::Rgb8)
            .unwrap();
        assert!(jpeg_is_complete(&with_exif));
        assert!(!jpeg_is_complete(&with_exif[..with_exif.len() - 1]));
    }

    #[test]
    fn truncated_png_is_corrupt() {
        let input = png(&DynamicImage::ImageRgb8(gradient(300, 200)));
        assert_err(
            process(&input[..input.len() / 2], &UploadLimits::default()),
            "Corrupt",
        );
        assert_err(process(&input[..30], &UploadLimits::default()), "Corrupt");
    }

    #[test]
    fn storage_errors_are_server_errors() {
        let err = ImageError::from(std::io::Error::other("disk full"));
        assert!(!err.is_client_error());
        assert_eq!(err.message(), "Không lưu được ảnh, xin thử lại.");
        assert!(ImageError::TooManyPixels.is_client_error());
        assert!(ImageError::Corrupt.is_client_error());
    }

    #[tokio::test]
    async fn save_image_writes_every_variant_and_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path());
        let input = jpeg(&gradient(1200, 800));
        let now = time::macros::datetime!(2026-11-05 10:00 UTC);

        let saved = save_image(&store, input.clone(), UploadLimits::default(), now)
            .await
            .unwrap();
        let digest = Sha256::digest(&input);
        let hash = crate::text::hex(&digest[..8]);
        assert_eq!(hash.len(), 16);
        assert_eq!(saved.path, format!("2026/11/{hash}-1200.jpg"));
        assert_eq!(saved.widths, [480, 960, 1200]);
        assert_eq!((saved.width, saved.height), (1200, 800));
        for &width in &saved.widths {
            let key = variant_path(&saved.path, width).unwrap();
            let bytes = std::fs::read(dir.path().join(&key)).unwrap();
            assert_eq!(decode(&bytes).width(), width as u32, "{key}");
        }

        let again = save_image(&store, input, UploadLimits::default(), now)
            .await
            .unwrap();
        assert_eq!(again, saved);
        let mut files: Vec<_> = std::fs::read_dir(dir.path().join("2026/11"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        assert_eq!(
            files,
            [
                format!("{hash}-1200.jpg"),
                format!("{hash}-480.jpg"),
                format!("{hash}-960.jpg")
            ]
        );
    }

    #[tokio::test]
    async fn save_image_refuses_bad_uploads_without_writing() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path().join("media"));
        let now = time::macros::datetime!(2026-01-05 10:00 UTC);
        let err = save_image(
            &store,
            b"not an image".to_vec(),
            UploadLimits::default(),
            now,
        )
        .await
        .unwrap_err();
        assert!(matches!(err, ImageError::NotAnImage));
        assert!(!dir.path().join("media").exists());
    }

    #[test]
    fn variant_paths() {
        assert_eq!(
            variant_path("2026/11/abc-1600.jpg", 480).as_deref(),
            Some("2026/11/abc-480.jpg")
        );
        assert_eq!(
            variant_path("2026/11/abc-1600.jpg", 1600).as_deref(),
            Some("2026/11/abc-1600.jpg")
        );
        assert_eq!(
            variant_path("a-b-700.png", 480).as_deref(),
            Some("a-b-480.png")
        );
        for bad in [
            "2026/11/abc.jpg",
            "2026/11/abc-.jpg",
            "2026/11/abc-12a.jpg",
            "abc-1600",
            "-1600.jpg",
            "2026/-1600.jpg",
            "abc-1600.",
            "a.b/c-1",
        ] {
            assert_eq!(variant_path(bad, 480), None, "{bad}");
        }
        assert_eq!(variant_path("abc-1600.jpg", 0), None);
        assert_eq!(variant_path("abc-1600.jpg", -480), None);
    }

    #[test]
    fn srcsets() {
        assert_eq!(
            srcset("2026/11/abc-1600.jpg", &[480, 960, 1600], "/media"),
            "/media/2026/11/abc-480.jpg 480w, /media/2026/11/abc-960.jpg 960w, /media/2026/11/abc-1600.jpg 1600w"
        );
        assert_eq!(
            srcset("2026/11/abc-700.png", &[480, 700], "/media/"),
            "/media/2026/11/abc-480.png 480w, /media/2026/11/abc-700.png 700w"
        );
        assert_eq!(srcset("2026/11/abc-1600.jpg", &[], "/media"), "");
        assert_eq!(srcset("demo/cover.jpg", &[480], "/media"), "");
    }
}
