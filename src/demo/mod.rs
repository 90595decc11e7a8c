//! Demo content for an empty database: the categories of a district news portal, its contact
//! block, and about twenty published articles (the first is the product's seed article).

use std::{collections::HashMap, path::Path};

pub mod generate;

use anyhow::Context;
use serde::Deserialize;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

use crate::{
    db::{self, articles::NewArticle, categories::NewCategory, settings::SiteSettings},
    text::{clean, slugify},
};

/// Directory under the media directory that holds the demo images.
const MEDIA_SUBDIR: &str = "demo";

const ARTICLES_JSON: &str = include_str!("articles.json");

const IMAGES: &[(&str, &[u8])] = &[
    (
        "bao-thang-phat-trien.jpg",
        include_bytes!("images/bao-thang-phat-trien.jpg"),
    ),
    (
        "ruong-bac-thang.jpg",
        include_bytes!("images/ruong-bac-thang.jpg"),
    ),
    ("doi-che.jpg", include_bytes!("images/doi-che.jpg")),
    ("rung-que.jpg", include_bytes!("images/rung-que.jpg")),
    ("cau-pho-lu.jpg", include_bytes!("images/cau-pho-lu.jpg")),
    (
        "khu-cong-nghiep.jpg",
        include_bytes!("images/khu-cong-nghiep.jpg"),
    ),
    ("le-hoi.jpg", include_bytes!("images/le-hoi.jpg")),
    ("truong-hoc.jpg", include_bytes!("images/truong-hoc.jpg")),
];

/// (slug, name, parent slug, description)
const CATEGORIES: &[(&str, &str, Option<&str>, &str)] = &[
    (
        "tin-tuc",
        "Tin tức",
        None,
        "Tin tức, sự kiện nổi bật của huyện Bảo Thắng",
    ),
    (
        "chinh-tri",
        "Chính trị",
        Some("tin-tuc"),
        "Hoạt động của Đảng bộ, chính quyền và Mặt trận",
    ),
    (
        "kinh-te",
        "Kinh tế",
        Some("tin-tuc"),
        "Nông nghiệp, công nghiệp, thương mại - dịch vụ",
    ),
    (
        "van-hoa-xa-hoi",
        "Văn hóa - Xã hội",
        Some("tin-tuc"),
        "Giáo dục, y tế, văn hóa, thể thao",
    ),
    (
        "quoc-phong-an-ninh",
        "Quốc phòng - An ninh",
        Some("tin-tuc"),
        "Quốc phòng, an ninh, trật tự an toàn xã hội",
    ),
    (
        "chinh-quyen",
        "Chính quyền",
        None,
        "Chỉ đạo, điều hành và thủ tục hành chính",
    ),
    (
        "du-lich",
        "Du lịch",
        None,
        "Điểm đến, lễ hội và sản phẩm du lịch Bảo Thắng",
    ),
    (
        "thong-bao",
        "Thông báo",
        None,
        "Thông báo, thông cáo của các cơ quan huyện",
    ),
];

#[derive(Debug, Deserialize)]
struct DemoArticle {
    title: String,
    sapo: String,
    body: Vec<String>,
    category: String,
    byline: String,
    hours_ago: i64,
    views: i64,
    image: Option<String>,
    caption: Option<String>,
    alt: Option<String>,
}

/// How many demo articles are featured on the home page.
const FEATURED: i32 = 2;

fn settings() -> SiteSettings {
    SiteSettings {
        site_name: "Cổng thông tin điện tử huyện Bảo Thắng".into(),
        tagline:
            "Tin tức, sự kiện và thông tin chỉ đạo, điều hành của huyện Bảo Thắng, tỉnh Lào Cai"
                .into(),
        agency_name: "Ủy ban nhân dân huyện Bảo Thắng".into(),
        agency_address: "Đường Hoàng Liên, thị trấn Phố Lu, huyện Bảo Thắng, tỉnh Lào Cai".into(),
        agency_phone: "0214 3 861 000".into(),
        agency_email: "ubnd-baothang@example.vn".into(),
        agency_editor: "Chánh Văn phòng HĐND và UBND huyện".into(),
        agency_license: "Trang thông tin điện tử trình diễn của Tòa Soạn".into(),
        badge_image: "/static/img/tin-nhiem-mang.svg".into(),
        badge_link: String::new(),
        comments_open_default: true,
        reporters_publish_directly: true,
        comment_data_retention_days: 90,
        require_two_factor: false,
        most_read_days: 7,
        contact_retention_days: 365,
        show_visitor_counter: true,
    }
}

/// Seeds the demo site when the database has no article yet (idempotent: a second run, or a
/// second instance starting at the same time, adds nothing), and makes sure the demo images
/// are in the media directory.
pub async fn seed(db: &PgPool, media_dir: &Path) -> anyhow::Result<()> {
    write_images(media_dir).await?;

    let mut tx = db.begin().await?;
    // Two instances starting together: the second waits here, then sees the articles.
    sqlx::query_scalar::<_, ()>(
        "select pg_advisory_xact_lock(hashtext('toasoan-demo-seed')::bigint)",
    )
    .fetch_one(&mut *tx)
    .await?;
    if db::articles::count_all(&mut *tx).await? > 0 {
        return Ok(());
    }
    db::settings::update(&mut *tx, &settings()).await?;

    let category_ids = ensure_categories(&mut tx).await?;

    let articles: Vec<DemoArticle> =
        serde_json::from_str(ARTICLES_JSON).context("demo articles")?;
    let now = OffsetDateTime::now_utc()
        .replace_second(0)?
        .replace_nanosecond(0)?;
    for (index, a) in articles.iter().enumerate() {
        let title = clean(&a.title);
        let body_html: String = a.body.iter().map(|p| paragraph(&clean(p))).collect();
        let cover_image = a
            .image
            .as_ref()
            .map(|name| format!("{MEDIA_SUBDIR}/{name}"));
        let category_id = *category_ids
            .get(a.category.as_str())
            .with_context(|| format!("unknown demo category {}", a.category))?;
        let id = db::articles::insert_published(
            &mut *tx,
            &NewArticle {
                slug: &slugify(&title),
                title: &title,
                sapo: &clean(&a.sapo),
                body_html: &body_html,
                cover_image: cover_image.as_deref(),
                cover_caption: &clean(a.caption.as_deref().unwrap_or_default()),
                cover_alt: &clean(a.alt.as_deref().unwrap_or_default()),
                byline: &clean(&a.byline),
                author_id: None,
                category_id,
                published_at: now - Duration::hours(a.hours_ago),
                view_count: a.views,
            },
        )
        .await?;
        // The first articles lead the home page as "Tin nổi bật", in their order.
        if let (Some(id), Ok(rank @ 1..=FEATURED)) = (id, i32::try_from(index + 1)) {
            db::articles::set_featuring(&mut *tx, id, Some(rank), None).await?;
        }
    }
    tx.commit().await?;
    tracing::info!(articles = articles.len(), "demo content seeded");
    Ok(())
}

/// The demo categories, created where missing; their ids by slug.
pub(crate) async fn ensure_categories(
    tx: &mut sqlx::PgConnection,
) -> anyhow::Result<HashMap<&'static str, i64>> {
    let mut ids = HashMap::new();
    for (position, (slug, name, parent, description)) in CATEGORIES.iter().enumerate() {
        let parent_id = parent.map(|p| ids[p]);
        let category = NewCategory {
            parent_id,
            name,
            slug,
            description,
            position: i32::try_from(position)?,
        };
        ids.insert(
            *slug,
            db::categories::upsert_by_slug(&mut *tx, &category).await?,
        );
    }
    Ok(ids)
}

async fn write_images(media_dir: &Path) -> anyhow::Result<()> {
    let dir = media_dir.join(MEDIA_SUBDIR);
    tokio::fs::create_dir_all(&dir)
        .await
        .with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, bytes) in IMAGES {
        let path = dir.join(name);
        if !tokio::fs::try_exists(&path).await? {
            tokio::fs::write(&path, bytes)
                .await
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(())
}

/// A paragraph of plain text as HTML, escaped as askama escapes.
fn paragraph(text: &str) -> String {
    let Ok(escaped) = askama::filters::escape(text, askama::filters::Html);
    format!("<p>{escaped}</p>\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_articles_parse_and_use_known_categories_and_images() {
        let articles: Vec<DemoArticle> = serde_json::from_str(ARTICLES_JSON).unwrap();
        assert!(articles.len() >= 20);
        for a in &articles {
            assert!(
                CATEGORIES.iter().any(|c| c.0 == a.category),
                "{}",
                a.category
            );
            if let Some(image) = &a.image {
                assert!(IMAGES.iter().any(|(name, _)| name == image), "{image}");
            }
            assert!(!slugify(&a.title).is_empty());
        }
        let seed = &articles[0];
        assert_eq!(
            slugify(&seed.title),
            "bao-thang-phat-huy-tinh-than-doan-ket-vuot-kho-vung-buoc-di-len"
        );
        assert_eq!(seed.byline, "Lê Thu Thuỷ");
        assert_eq!(
            seed.caption.as_deref(),
            Some("Bảo Thắng trên đường phát triển")
        );
    }

    #[test]
    fn paragraphs_are_escaped() {
        assert_eq!(
            paragraph("a < b & \"c\""),
            "<p>a &#60; b &#38; &#34;c&#34;</p>\n"
        );
    }
}
