//! Demo content for an empty database: the categories of a district news portal, its contact
//! block, about twenty published articles (the first is the product's seed article), the
//! agency's pages (one in English) and the menus.

use std::collections::HashMap;

pub mod generate;

use anyhow::Context;
use serde::Deserialize;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

use crate::{
    db::{
        self,
        articles::NewArticle,
        categories::NewCategory,
        menu::{MenuFields, MenuName, MenuTarget},
        pages::{Language, PageFields, PageStatus},
        settings::SiteSettings,
    },
    media::MediaStore,
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

/// A demo page: slug, title, language, parent's slug, counterpart's slug, paragraphs.
struct DemoPage {
    slug: &'static str,
    title: &'static str,
    language: Language,
    parent: Option<&'static str>,
    counterpart: Option<&'static str>,
    body: &'static [&'static str],
}

const PAGES: &[DemoPage] = &[
    DemoPage {
        slug: "gioi-thieu",
        title: "Giới thiệu",
        language: Language::Vi,
        parent: None,
        counterpart: None,
        body: &[
            "Huyện Bảo Thắng nằm ở phía đông bắc tỉnh Lào Cai, có diện tích tự nhiên khoảng 682 km², gồm 3 thị trấn và 11 xã, với hơn 110 nghìn người thuộc 20 dân tộc anh em cùng sinh sống.",
            "Bảo Thắng có tuyến đường sắt Hà Nội - Lào Cai, đường cao tốc Nội Bài - Lào Cai và sông Hồng chảy qua; Khu công nghiệp Tằng Loỏng là một trong những trung tâm công nghiệp hóa chất lớn của cả nước.",
            "Đảng bộ, chính quyền và nhân dân các dân tộc huyện Bảo Thắng phát huy truyền thống đoàn kết, tập trung phát triển nông nghiệp hàng hóa, công nghiệp, thương mại - dịch vụ và du lịch gắn với bảo tồn văn hóa truyền thống.",
        ],
    },
    DemoPage {
        slug: "co-cau-to-chuc",
        title: "Cơ cấu tổ chức",
        language: Language::Vi,
        parent: Some("gioi-thieu"),
        counterpart: None,
        body: &[
            "Ủy ban nhân dân huyện Bảo Thắng gồm Chủ tịch, các Phó Chủ tịch và các Ủy viên; giúp việc cho Ủy ban nhân dân huyện có 12 cơ quan chuyên môn.",
            "Các cơ quan chuyên môn: Văn phòng HĐND và UBND huyện; Phòng Nội vụ; Phòng Tư pháp; Phòng Tài chính - Kế hoạch; Phòng Tài nguyên và Môi trường; Phòng Lao động - Thương binh và Xã hội; Phòng Văn hóa và Thông tin; Phòng Giáo dục và Đào tạo; Phòng Y tế; Thanh tra huyện; Phòng Kinh tế - Hạ tầng; Phòng Nông nghiệp và Phát triển nông thôn.",
            "Các đơn vị sự nghiệp trực thuộc: Trung tâm Văn hóa - Thể thao và Truyền thông, Ban Quản lý dự án đầu tư xây dựng, Trung tâm Dịch vụ nông nghiệp, Ban Quản lý rừng phòng hộ.",
        ],
    },
    DemoPage {
        slug: "lanh-dao",
        title: "Lãnh đạo",
        language: Language::Vi,
        parent: Some("gioi-thieu"),
        counterpart: None,
        body: &[
            "Chủ tịch Ủy ban nhân dân huyện: lãnh đạo, điều hành chung mọi hoạt động của Ủy ban nhân dân huyện; trực tiếp phụ trách công tác tổ chức cán bộ, quốc phòng - an ninh, thanh tra và tiếp công dân.",
            "Phó Chủ tịch phụ trách kinh tế: chỉ đạo lĩnh vực tài chính, kế hoạch, đầu tư, xây dựng, giao thông, tài nguyên và môi trường.",
            "Phó Chủ tịch phụ trách văn hóa - xã hội: chỉ đạo lĩnh vực giáo dục, y tế, văn hóa, thông tin, lao động, thương binh và xã hội, dân tộc, tôn giáo.",
        ],
    },
    DemoPage {
        slug: "chuc-nang-nhiem-vu",
        title: "Chức năng nhiệm vụ",
        language: Language::Vi,
        parent: Some("gioi-thieu"),
        counterpart: None,
        body: &[
            "Ủy ban nhân dân huyện do Hội đồng nhân dân huyện bầu, là cơ quan chấp hành của Hội đồng nhân dân, cơ quan hành chính nhà nước ở địa phương, chịu trách nhiệm trước nhân dân địa phương, Hội đồng nhân dân huyện và cơ quan hành chính nhà nước cấp trên.",
            "Ủy ban nhân dân huyện xây dựng, trình Hội đồng nhân dân huyện quyết định các nội dung thuộc thẩm quyền; tổ chức thực hiện nghị quyết của Hội đồng nhân dân huyện; quản lý nhà nước về kinh tế - xã hội, quốc phòng - an ninh trên địa bàn.",
            "Ủy ban nhân dân huyện bảo đảm cải cách hành chính, công khai, minh bạch thông tin và tiếp nhận, giải quyết phản ánh, kiến nghị của tổ chức, công dân theo quy định của pháp luật.",
        ],
    },
    DemoPage {
        slug: "introduction",
        title: "Introduction",
        language: Language::En,
        parent: None,
        counterpart: Some("gioi-thieu"),
        body: &[
            "Bao Thang is a district in the north-east of Lao Cai province, Viet Nam, covering about 682 km² with three towns and eleven communes, home to more than 110,000 people of 20 ethnic groups.",
            "The Ha Noi - Lao Cai railway, the Noi Bai - Lao Cai expressway and the Red River cross the district; the Tang Loong industrial zone is one of the country's main centres of the chemical industry.",
            "The People's Committee of Bao Thang district welcomes investors and visitors. Contact: Hoang Lien street, Pho Lu town, Bao Thang district, Lao Cai province.",
        ],
    },
];

/// Demo documents: (number, type slug, issuer slug, field slug, signer, issued, effective,
/// in force, summary, the text of its PDF).
type DemoDocument = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    time::Date,
    Option<time::Date>,
    bool,
    &'static str,
    &'static [&'static str],
);

const DOCUMENTS: &[DemoDocument] = &[
    (
        "15-NQ/HU",
        "nghi-quyet",
        "huyen-uy",
        "kinh-te",
        "Nguyễn Văn Hùng",
        time::macros::date!(2026 - 03 - 15),
        Some(time::macros::date!(2026 - 04 - 01)),
        true,
        "Về phát triển kinh tế nông thôn gắn với xây dựng nông thôn mới giai đoạn 2026 - 2030",
        &[
            "HUYEN UY BAO THANG",
            "NGHI QUYET so 15-NQ/HU",
            "ve phat trien kinh te nong thon gan voi xay dung nong thon moi",
            "giai doan 2026 - 2030",
            "(Van ban trinh dien cua Toa Soan)",
        ],
    ),
    (
        "125/QĐ-UBND",
        "quyet-dinh",
        "uy-ban-nhan-dan-huyen",
        "dat-dai",
        "Trần Minh Tuấn",
        time::macros::date!(2026 - 02 - 20),
        Some(time::macros::date!(2026 - 02 - 20)),
        true,
        "Về việc phê duyệt kế hoạch sử dụng đất năm 2026 của huyện Bảo Thắng",
        &[
            "UY BAN NHAN DAN HUYEN BAO THANG",
            "QUYET DINH so 125/QD-UBND",
            "ve viec phe duyet ke hoach su dung dat nam 2026",
            "(Van ban trinh dien cua Toa Soan)",
        ],
    ),
    (
        "45/KH-UBND",
        "ke-hoach",
        "uy-ban-nhan-dan-huyen",
        "giao-duc",
        "Lê Thị Hoa",
        time::macros::date!(2026 - 08 - 05),
        None,
        true,
        "Triển khai nhiệm vụ năm học 2026 - 2027 trên địa bàn huyện",
        &[
            "UY BAN NHAN DAN HUYEN BAO THANG",
            "KE HOACH so 45/KH-UBND",
            "trien khai nhiem vu nam hoc 2026 - 2027",
            "(Van ban trinh dien cua Toa Soan)",
        ],
    ),
    (
        "12/TB-VP",
        "thong-bao",
        "van-phong-hdnd-va-ubnd-huyen",
        "to-chuc-can-bo",
        "Phạm Quốc Khánh",
        time::macros::date!(2026 - 11 - 25),
        None,
        true,
        "Lịch tiếp công dân của lãnh đạo Ủy ban nhân dân huyện tháng 12 năm 2026",
        &[
            "VAN PHONG HDND VA UBND HUYEN BAO THANG",
            "THONG BAO so 12/TB-VP",
            "lich tiep cong dan thang 12 nam 2026",
            "(Van ban trinh dien cua Toa Soan)",
        ],
    ),
    (
        "08/CT-UBND",
        "chi-thi",
        "uy-ban-nhan-dan-huyen",
        "nong-nghiep",
        "Trần Minh Tuấn",
        time::macros::date!(2025 - 01 - 10),
        Some(time::macros::date!(2025 - 01 - 10)),
        false,
        "Về tăng cường công tác phòng, chống cháy rừng mùa khô 2024 - 2025",
        &[
            "UY BAN NHAN DAN HUYEN BAO THANG",
            "CHI THI so 08/CT-UBND",
            "ve tang cuong cong tac phong, chong chay rung mua kho 2024 - 2025",
            "(Van ban trinh dien cua Toa Soan)",
        ],
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
        reporters_publish_directly: false,
        comment_data_retention_days: 90,
        require_two_factor: false,
        most_read_days: 7,
        contact_retention_days: 365,
        show_visitor_counter: true,
    }
}

/// Seeds the demo site when the database has no article yet (idempotent: a second run, or a
/// second instance starting at the same time, adds nothing), and makes sure the demo images
/// are in the media store.
pub async fn seed(db: &PgPool, store: &dyn MediaStore) -> anyhow::Result<()> {
    write_images(store).await?;

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
    let page_ids = insert_pages(&mut tx).await?;
    arrange_menus(&mut tx, &page_ids).await?;
    seed_documents(&mut tx, store, now).await?;
    tx.commit().await?;
    tracing::info!(
        articles = articles.len(),
        documents = DOCUMENTS.len(),
        "demo content seeded"
    );
    // Approval by default, as a government portal works; a very small newsroom without an
    // editor may let reporters publish.
    tracing::info!(
        "reporters' articles wait for an editor's approval; to let reporters publish directly \
         (a very small newsroom), an admin ticks \"Phóng viên được tự đăng bài\" under \
         Cài đặt trang (/admin/settings)"
    );
    Ok(())
}

/// The demo documents, each with a small PDF written here (through the media storage, as an
/// upload would be).
async fn seed_documents(
    tx: &mut sqlx::PgConnection,
    store: &dyn MediaStore,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let terms = db::documents::list_terms(&mut *tx).await?;
    let term = |kind: &str, slug: &str| {
        terms
            .iter()
            .find(|t| t.kind == kind && t.slug == slug)
            .map(|t| t.document_term_id)
            .with_context(|| format!("no demo {kind} {slug}"))
    };
    for (number, kind, issuer, field, signer, issued_on, effective_on, in_force, summary, text) in
        DOCUMENTS
    {
        let fields = db::documents::DocumentFields {
            slug: slugify(&format!("{number} {summary}")),
            number: clean(number),
            type_id: term("type", kind)?,
            issuer_id: term("issuer", issuer)?,
            field_id: Some(term("field", field)?),
            signer: clean(signer),
            issued_on: *issued_on,
            effective_on: *effective_on,
            summary: clean(summary),
            body_html: String::new(),
            in_force: *in_force,
        };
        let pdf = crate::media::files::minimal_pdf(text);
        let name = format!("{} {}.pdf", fields.number.replace('/', "-"), summary);
        let saved =
            crate::media::files::save_file(store, &pdf, &clean(&name), pdf.len(), now).await?;
        let file_id = db::media_files::insert(&mut *tx, &saved, None).await?;
        let document_id = db::documents::insert(&mut *tx, &fields, None).await?;
        db::documents::set_files(&mut *tx, document_id, &[file_id]).await?;
    }
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

/// The demo pages, published; their ids by slug.
async fn insert_pages(tx: &mut sqlx::PgConnection) -> anyhow::Result<HashMap<&'static str, i64>> {
    let mut ids: HashMap<&'static str, i64> = HashMap::new();
    for page in PAGES {
        let fields = PageFields {
            slug: page.slug.to_owned(),
            title: clean(page.title),
            body_html: page.body.iter().map(|p| paragraph(&clean(p))).collect(),
            parent_id: page.parent.map(|p| ids[p]),
            language: page.language,
            counterpart_id: page.counterpart.map(|p| ids[p]),
            status: PageStatus::Published,
        };
        let id = db::pages::insert(&mut *tx, &fields, None).await?;
        db::pages::link_counterparts(&mut *tx, id, fields.counterpart_id).await?;
        db::page_revisions::snapshot(&mut *tx, id, None).await?;
        ids.insert(page.slug, id);
    }
    Ok(ids)
}

/// The main menu: "Giới thiệu" (with its pages below), the categories, "Văn bản", "Liên hệ";
/// the footer links: "Giới thiệu", "Văn bản", "Liên hệ", "English".
async fn arrange_menus(
    tx: &mut sqlx::PgConnection,
    page_ids: &HashMap<&'static str, i64>,
) -> anyhow::Result<()> {
    db::menu::add_categories(&mut *tx).await?;
    let entry = |menu, parent_id, target, page: Option<&str>, label: &str| MenuFields {
        menu,
        parent_id,
        label: label.to_owned(),
        target,
        category_id: None,
        page_id: page.map(|slug| page_ids[slug]),
        url: String::new(),
    };
    let mut add = async |fields: MenuFields| -> anyhow::Result<i64> {
        let position = db::menu::next_position(&mut *tx, fields.menu, fields.parent_id).await?;
        Ok(db::menu::insert(&mut *tx, &fields, position).await?)
    };
    let about = add(entry(
        MenuName::Main,
        None,
        MenuTarget::Page,
        Some("gioi-thieu"),
        "",
    ))
    .await?;
    for slug in ["co-cau-to-chuc", "lanh-dao", "chuc-nang-nhiem-vu"] {
        add(entry(
            MenuName::Main,
            Some(about),
            MenuTarget::Page,
            Some(slug),
            "",
        ))
        .await?;
    }
    add(entry(
        MenuName::Main,
        None,
        MenuTarget::Documents,
        None,
        "Văn bản",
    ))
    .await?;
    add(entry(
        MenuName::Main,
        None,
        MenuTarget::Contact,
        None,
        "Liên hệ",
    ))
    .await?;
    add(entry(
        MenuName::Footer,
        None,
        MenuTarget::Page,
        Some("gioi-thieu"),
        "",
    ))
    .await?;
    add(entry(
        MenuName::Footer,
        None,
        MenuTarget::Documents,
        None,
        "Văn bản",
    ))
    .await?;
    add(entry(
        MenuName::Footer,
        None,
        MenuTarget::Contact,
        None,
        "Liên hệ",
    ))
    .await?;
    add(entry(
        MenuName::Footer,
        None,
        MenuTarget::Page,
        Some("introduction"),
        "English",
    ))
    .await?;
    // "Giới thiệu" leads the main menu.
    let mut order = db::menu::list_siblings(&mut *tx, about).await?;
    order.retain(|id| *id != about);
    order.insert(0, about);
    db::menu::renumber(&mut *tx, &order).await?;
    Ok(())
}

async fn write_images(store: &dyn MediaStore) -> anyhow::Result<()> {
    for (name, bytes) in IMAGES {
        let key = format!("{MEDIA_SUBDIR}/{name}");
        match store.open(&key).await {
            Ok(_) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => store
                .put(&key, bytes)
                .await
                .with_context(|| format!("cannot store {key}"))?,
            Err(error) => return Err(error).with_context(|| format!("cannot read {key}")),
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
