//! Malformed requests by the thousand, generated from a fixed seed over every route of the
//! route table (public and back office, with a live session): none may get a 500 or take more
//! than two seconds.

use std::time::{Duration, Instant};

use axum::{
    body::Body,
    http::{Method, Request, header},
};
use sqlx::PgPool;
use toasoan::{
    auth::Role,
    db::{self, comments::NewComment},
    text::slugify,
};

use crate::support::{ArticleFixture, ORIGIN, TestApp, category, create_user};

/// How many requests one run sends.
const REQUESTS: usize = 5_000;

/// The longest any one of them may take.
const SLOWEST: Duration = Duration::from_secs(2);

/// Every route of `web::router` as (method, path pattern); `{…}` are filled in with real ids
/// and slugs, or with junk.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/chuyen-muc/{category_slug}"),
    ("GET", "/chuyen-muc/{category_slug}/rss.xml"),
    ("GET", "/bai-viet/{article_slug}"),
    ("GET", "/bai-viet/{article_slug}/binh-luan"),
    ("POST", "/bai-viet/{article_slug}/binh-luan"),
    ("GET", "/ma-kiem-tra.png"),
    ("GET", "/ma-kiem-tra/{file}"),
    ("GET", "/tim-kiem"),
    ("GET", "/rss.xml"),
    ("GET", "/sitemap.xml"),
    ("GET", "/sitemap-news.xml"),
    ("GET", "/sitemap-{file}"),
    ("GET", "/robots.txt"),
    ("GET", "/van-ban"),
    ("GET", "/van-ban/rss.xml"),
    ("GET", "/van-ban/{document_slug}"),
    ("GET", "/tai-lieu/{file_id}/{file}"),
    ("GET", "/healthz"),
    ("GET", "/static/{file}"),
    ("GET", "/media/{file}"),
    ("GET", "/admin/login"),
    ("POST", "/admin/login"),
    ("POST", "/admin/logout"),
    ("GET", "/admin"),
    ("GET", "/admin/password"),
    ("POST", "/admin/password"),
    ("GET", "/admin/articles"),
    ("POST", "/admin/articles"),
    ("GET", "/admin/articles/new"),
    ("GET", "/admin/articles/{article_id}"),
    ("POST", "/admin/articles/{article_id}"),
    ("GET", "/admin/articles/{article_id}/preview"),
    ("POST", "/admin/articles/{article_id}/approve"),
    ("POST", "/admin/articles/{article_id}/return"),
    ("POST", "/admin/articles/{article_id}/unpublish"),
    ("POST", "/admin/articles/{article_id}/delete"),
    ("GET", "/admin/articles/{article_id}/revisions"),
    ("GET", "/admin/articles/{article_id}/revisions/compare"),
    ("GET", "/admin/articles/{article_id}/revisions/{revision}"),
    ("POST", "/admin/articles/{article_id}/revisions/{revision}/restore"),
    ("POST", "/admin/media"),
    ("GET", "/admin/thu-vien"),
    ("GET", "/admin/thu-vien/chon"),
    ("GET", "/admin/thu-vien/anh/{file_id}"),
    ("POST", "/admin/thu-vien/anh/{file_id}"),
    ("POST", "/admin/thu-vien/anh/{file_id}/delete"),
    ("GET", "/admin/thu-vien/tep/{file_id}"),
    ("POST", "/admin/thu-vien/tep/{file_id}/delete"),
    ("GET", "/admin/thu-vien/khong-dung"),
    ("POST", "/admin/thu-vien/khong-dung"),
    ("GET", "/admin/comments"),
    ("POST", "/admin/comments/bulk"),
    ("GET", "/admin/comments/{comment_id}"),
    ("POST", "/admin/comments/{comment_id}"),
    ("POST", "/admin/comments/{comment_id}/{action}"),
    ("GET", "/admin/categories"),
    ("POST", "/admin/categories"),
    ("GET", "/admin/categories/{category_id}"),
    ("POST", "/admin/categories/{category_id}"),
    ("POST", "/admin/categories/{category_id}/move"),
    ("POST", "/admin/categories/{category_id}/delete"),
    ("GET", "/admin/documents"),
    ("POST", "/admin/documents"),
    ("GET", "/admin/documents/new"),
    ("GET", "/admin/documents/{document_id}"),
    ("POST", "/admin/documents/{document_id}"),
    ("POST", "/admin/documents/{document_id}/delete"),
    ("GET", "/admin/documents/terms"),
    ("POST", "/admin/documents/terms"),
    ("POST", "/admin/documents/terms/{term_id}"),
    ("POST", "/admin/documents/terms/{term_id}/delete"),
    ("GET", "/admin/users"),
    ("POST", "/admin/users"),
    ("GET", "/admin/users/new"),
    ("GET", "/admin/users/{user_id}"),
    ("POST", "/admin/users/{user_id}"),
    ("POST", "/admin/users/{user_id}/password"),
    ("POST", "/admin/users/{user_id}/deactivate"),
    ("POST", "/admin/users/{user_id}/reactivate"),
    ("GET", "/admin/settings"),
    ("POST", "/admin/settings"),
    ("GET", "/admin/audit"),
];

/// The field names the forms and filters read: junk goes into real fields as well as others.
const FIELDS: &[&str] = &[
    "q",
    "loai",
    "alt",
    "chon",
    "trang",
    "tu",
    "den",
    "chuyen-muc",
    "trang-thai",
    "msg",
    "login",
    "password",
    "current",
    "new",
    "confirm",
    "name",
    "title",
    "content",
    "captcha",
    "captcha_id",
    "website",
    "kind",
    "slug",
    "sapo",
    "body_html",
    "category_id",
    "byline",
    "cover_image",
    "cover_widths",
    "cover_caption",
    "cover_alt",
    "published_at",
    "version",
    "action",
    "note",
    "ids",
    "back",
    "parent",
    "description",
    "position",
    "direction",
    "username",
    "email",
    "display_name",
    "role",
    "site_name",
    "badge_image",
    "badge_link",
    "comment_data_retention_days",
    "reply",
    "number",
    "type_id",
    "issuer_id",
    "field_id",
    "signer",
    "issued_on",
    "effective_on",
    "summary",
    "in_force",
    "file_ids",
    "remove_files",
    "loai",
    "co-quan",
    "linh-vuc",
    "nam",
    "hieu-luc",
];

/// The real ids and slugs of the test data.
struct Data {
    category_slug: String,
    article_slug: String,
    category_id: String,
    article_id: String,
    comment_id: String,
    user_id: String,
    document_slug: String,
    document_id: String,
    term_id: String,
}

struct Generator {
    rng: fastrand::Rng,
}

impl Generator {
    /// Raw bytes for a value: control bytes, invalid UTF-8, huge, absurd numbers, or plain.
    fn value(&mut self) -> Vec<u8> {
        match self.rng.u8(..10) {
            0 => vec![0],
            1 => (0..self.rng.usize(1..40))
                .map(|_| self.rng.u8(..0x20))
                .collect(),
            2 => vec![0xc3, 0x28, 0xff, 0xfe, b'a'],
            3 => "Bảo Thắng ".repeat(self.rng.usize(100..3_000)).into_bytes(),
            4 => [
                "-1",
                "0",
                "99999999999999999999",
                "1e308",
                "-9223372036854775809",
                "NaN",
            ][self.rng.usize(..6)]
            .into(),
            5 => [
                "-9999-01-01T00:00",
                "0000-00-00",
                "275760-09-13T00:00",
                "2026-02-30",
            ][self.rng.usize(..4)]
            .into(),
            6 => "x".repeat(self.rng.usize(250..70_000)).into_bytes(),
            7 => (0..self.rng.usize(..64)).map(|_| self.rng.u8(..)).collect(),
            8 => b"approve".to_vec(),
            _ => format!("tin {}", self.rng.u32(..)).into_bytes(),
        }
    }

    fn percent(bytes: &[u8]) -> String {
        url::form_urlencoded::byte_serialize(bytes).collect()
    }

    /// `name=value&…` with real and made-up names, some repeated.
    fn pairs(&mut self) -> String {
        let mut out = Vec::new();
        for _ in 0..self.rng.usize(..8) {
            let name = if self.rng.u8(..8) == 0 {
                Self::percent(&self.value())
            } else {
                FIELDS[self.rng.usize(..FIELDS.len())].to_owned()
            };
            for _ in 0..self.rng.usize(1..3) {
                out.push(format!("{name}={}", Self::percent(&self.value())));
            }
        }
        out.join("&")
    }

    /// A path segment to put where an id or slug goes.
    fn segment(&mut self, real: &str) -> String {
        match self.rng.u8(..8) {
            0 => "a".repeat(self.rng.usize(200..600)),
            1 => "%00".into(),
            2 => "%C3%28%FF".into(),
            3 => "99999999999999999999".into(),
            4 => "-1".into(),
            5 => "..%2F..%2Fetc%2Fpasswd".into(),
            _ => real.to_owned(),
        }
    }

    /// A multipart body, sometimes cut short or with a broken boundary.
    fn multipart(&mut self) -> (String, Vec<u8>) {
        let boundary = "fuzz-boundary-1234";
        let mut body = Vec::new();
        for _ in 0..self.rng.usize(..6) {
            let name = FIELDS[self.rng.usize(..FIELDS.len())];
            let name = match self.rng.u8(..6) {
                0 => "cover",
                1 => "image",
                2 => "files",
                _ => name,
            };
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"")
                    .as_bytes(),
            );
            if self.rng.bool() {
                body.extend_from_slice(b"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg");
            }
            body.extend_from_slice(b"\r\n\r\n");
            body.extend(self.value());
            body.extend_from_slice(b"\r\n");
        }
        match self.rng.u8(..4) {
            0 => body.truncate(self.rng.usize(..=body.len())),
            1 => body.extend_from_slice(b"--wrong--\r\n"),
            _ => body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes()),
        }
        (format!("multipart/form-data; boundary={boundary}"), body)
    }

    fn request(&mut self, data: &Data, cookie: &str) -> Request<Body> {
        let (method, pattern) = ROUTES[self.rng.usize(..ROUTES.len())];
        let mut path = pattern.to_owned();
        for (hole, real) in [
            ("{category_slug}", data.category_slug.as_str()),
            ("{article_slug}", &data.article_slug),
            ("{category_id}", &data.category_id),
            ("{article_id}", &data.article_id),
            ("{comment_id}", &data.comment_id),
            ("{user_id}", &data.user_id),
            ("{document_slug}", &data.document_slug),
            ("{document_id}", &data.document_id),
            ("{file_id}", "1"),
            ("{term_id}", &data.term_id),
            ("{revision}", "1"),
            ("{action}", "approve"),
            ("{file}", "style.css"),
        ] {
            if path.contains(hole) {
                let segment = self.segment(real);
                path = path.replace(hole, &segment);
            }
        }
        if self.rng.u8(..6) == 0 {
            path.push('/');
            path.push_str(&self.segment("x"));
        }
        if self.rng.bool() {
            path.push('?');
            path.push_str(&self.pairs());
            // Longer is refused by `http` before any server sees it.
            path.truncate(60_000);
        }
        let mut builder = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(path)
            .header(header::ORIGIN, ORIGIN)
            .header("sec-fetch-site", "same-origin");
        // The session is kept for the whole run: logging out is tried without it.
        let staff_only = pattern.starts_with("/admin") && !pattern.starts_with("/admin/log");
        if staff_only || self.rng.u8(..8) == 0 && pattern != "/admin/logout" {
            builder = builder.header(header::COOKIE, cookie);
        }
        match self.rng.u8(..10) {
            0 => builder = builder.header(header::USER_AGENT, "u".repeat(16_000)),
            1 => {
                builder =
                    builder.header(header::COOKIE, format!("toasoan_session={}", "é".repeat(300)))
            }
            2 => builder = builder.header("x-forwarded-for", "999.1.1.1, ::zz"),
            3 => builder = builder.header(header::IF_NONE_MATCH, r#"W/"zz", *, ""#),
            _ => {}
        }
        let body = if method == "GET" {
            Body::empty()
        } else if pattern.ends_with("/articles")
            || pattern.ends_with("{article_id}")
            || pattern.ends_with("/media")
            || pattern.ends_with("/documents")
            || pattern.ends_with("{document_id}")
        {
            let (content_type, body) = self.multipart();
            builder = builder.header(header::CONTENT_TYPE, content_type);
            Body::from(body)
        } else {
            let content_type = match self.rng.u8(..8) {
                0 => "text/plain",
                1 => "application/x-www-form-urlencoded; charset=klingon",
                _ => "application/x-www-form-urlencoded",
            };
            builder = builder.header(header::CONTENT_TYPE, content_type);
            Body::from(self.pairs())
        };
        builder.body(body).unwrap()
    }
}

#[db_test]
async fn thousands_of_malformed_requests_get_no_500_and_no_slow_answer(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let title = "Xã Xuân Quang đón nông thôn mới";
    let article_id = ArticleFixture::new(title, news).insert(&db).await;
    let comment_id = db::comments::insert(
        &db,
        &NewComment {
            article_id,
            author_name: "Bạn đọc",
            title: "Hỏi",
            body: "Nội dung",
            status: db::comments::CommentStatus::Pending,
            flag: "",
            ip: "203.0.113.7",
            user_agent: "Firefox",
        },
    )
    .await
    .unwrap();
    let other = create_user(&db, "phongvien", Role::Reporter).await;
    let document_id = crate::documents::document(&db, "15-NQ/HU", "Về kinh tế", "2026-03-15").await;
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let data = Data {
        document_slug: slugify("15-NQ/HU Về kinh tế"),
        document_id: document_id.to_string(),
        term_id: crate::documents::term(&db, "field", "y-te")
            .await
            .to_string(),
        category_slug: slugify("Tin tức"),
        article_slug: slugify(title),
        category_id: news.to_string(),
        article_id: article_id.to_string(),
        comment_id: comment_id.to_string(),
        user_id: other.to_string(),
    };

    let mut generator = Generator {
        rng: fastrand::Rng::with_seed(20261204),
    };
    let mut failures = Vec::new();
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    let started = Instant::now();
    for _ in 0..REQUESTS {
        let request = generator.request(&data, &admin.cookie);
        let asked = format!("{} {:.200}", request.method(), request.uri());
        let sent = Instant::now();
        let response = app.request(request).await;
        let took = sent.elapsed();
        *statuses.entry(response.status.as_u16()).or_default() += 1;
        if response.status.is_server_error() && response.status.as_u16() != 503 || took > SLOWEST {
            failures.push(format!("{asked}: {} in {took:?}", response.status));
        }
    }
    eprintln!("{REQUESTS} malformed requests in {:?}, by status: {statuses:?}", started.elapsed());
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
