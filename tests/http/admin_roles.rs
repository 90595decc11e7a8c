//! Every back-office route × every role, and anonymous visitors: the server enforces roles;
//! and every id in a back-office URL that names no row is a 404.

use axum::http::{StatusCode, header};
use sqlx::PgPool;
use toasoan::{
    auth::Role,
    db::comments::{CommentStatus, NewComment},
};

use crate::support::{
    ArticleFixture, Multipart, Staff, TestApp, TestResponse, assert_redirect, category, count,
    create_user,
};

use Role::{Admin as A, Editor as E, Moderator as M, Reporter as R};

const EVERYONE: &[Role] = &[A, E, R, M];
const WRITERS: &[Role] = &[A, E, R];
const EDITORS: &[Role] = &[A, E];
const MODERATORS: &[Role] = &[A, E, M];
const ADMINS: &[Role] = &[A];

/// (method, path, roles allowed). `{a}`: an article by another reporter; `{r}`: one of its
/// revisions; `{m}`: a pending comment on it; `{c}`: a category; `{u}`: a user; `{x}`: a
/// contact message; `{i}`: an image of the media library; `{f}`: an attached file; `{n}`: a
/// notice given to the article's author (everyone else is told it does not exist).
pub(crate) const ROUTES: &[(&str, &str, &[Role])] = &[
    ("GET", "/admin", EVERYONE),
    ("GET", "/admin/password", EVERYONE),
    ("POST", "/admin/password", EVERYONE),
    ("GET", "/admin/two-factor", EVERYONE),
    ("POST", "/admin/two-factor", EVERYONE),
    ("POST", "/admin/two-factor/disable", EVERYONE),
    ("GET", "/admin/thong-bao", EVERYONE),
    ("POST", "/admin/thong-bao/da-doc", EVERYONE),
    ("POST", "/admin/thong-bao/{n}/da-doc", EVERYONE),
    ("GET", "/admin/articles", WRITERS),
    ("POST", "/admin/articles", WRITERS),
    ("GET", "/admin/articles/new", WRITERS),
    ("POST", "/admin/articles/new/preview", WRITERS),
    ("POST", "/admin/articles/new/draft", WRITERS),
    ("POST", "/admin/articles/new/draft/delete", WRITERS),
    ("POST", "/admin/media", WRITERS),
    ("GET", "/admin/thu-vien", WRITERS),
    ("GET", "/admin/thu-vien/chon", WRITERS),
    ("GET", "/admin/thu-vien/anh/{i}", WRITERS),
    ("POST", "/admin/thu-vien/anh/{i}", EDITORS),
    ("POST", "/admin/thu-vien/anh/{i}/delete", EDITORS),
    ("GET", "/admin/thu-vien/tep/{f}", WRITERS),
    ("POST", "/admin/thu-vien/tep/{f}/delete", EDITORS),
    ("GET", "/admin/thu-vien/khong-dung", EDITORS),
    ("POST", "/admin/thu-vien/khong-dung", EDITORS),
    ("GET", "/admin/articles/{a}", EDITORS),
    ("POST", "/admin/articles/{a}", EDITORS),
    ("GET", "/admin/articles/{a}/preview", EDITORS),
    ("POST", "/admin/articles/{a}/preview", EDITORS),
    ("POST", "/admin/articles/{a}/draft", EDITORS),
    ("POST", "/admin/articles/{a}/draft/delete", EDITORS),
    ("POST", "/admin/articles/{a}/heartbeat", EDITORS),
    ("GET", "/admin/articles/{a}/revisions", EDITORS),
    ("GET", "/admin/articles/{a}/revisions/compare?tu={r}&den=hien-tai", EDITORS),
    ("GET", "/admin/articles/{a}/revisions/{r}", EDITORS),
    ("POST", "/admin/articles/{a}/revisions/{r}/restore", EDITORS),
    ("POST", "/admin/articles/{a}/approve", EDITORS),
    ("POST", "/admin/articles/{a}/return", EDITORS),
    ("POST", "/admin/articles/{a}/unpublish", EDITORS),
    ("POST", "/admin/articles/{a}/delete", EDITORS),
    ("GET", "/admin/documents", EDITORS),
    ("POST", "/admin/documents", EDITORS),
    ("GET", "/admin/documents/new", EDITORS),
    ("GET", "/admin/documents/{d}", EDITORS),
    ("POST", "/admin/documents/{d}", EDITORS),
    ("POST", "/admin/documents/{d}/delete", EDITORS),
    ("GET", "/admin/documents/terms", EDITORS),
    ("POST", "/admin/documents/terms", EDITORS),
    ("POST", "/admin/documents/terms/{t}", EDITORS),
    ("POST", "/admin/documents/terms/{t}/delete", EDITORS),
    ("GET", "/admin/articles/{a}/featured", EDITORS),
    ("POST", "/admin/articles/{a}/featured", EDITORS),
    ("GET", "/admin/contact", EDITORS),
    ("GET", "/admin/contact/{x}", EDITORS),
    ("POST", "/admin/contact/{x}/state", EDITORS),
    ("GET", "/admin/categories", EDITORS),
    ("POST", "/admin/categories", EDITORS),
    ("GET", "/admin/categories/{c}", EDITORS),
    ("POST", "/admin/categories/{c}", EDITORS),
    ("POST", "/admin/categories/{c}/move", EDITORS),
    ("POST", "/admin/categories/{c}/delete", EDITORS),
    ("GET", "/admin/comments", MODERATORS),
    ("POST", "/admin/comments/bulk", MODERATORS),
    ("GET", "/admin/comments/{m}", MODERATORS),
    ("POST", "/admin/comments/{m}", MODERATORS),
    ("POST", "/admin/comments/{m}/approve", MODERATORS),
    ("POST", "/admin/comments/{m}/reject", MODERATORS),
    ("POST", "/admin/comments/{m}/spam", MODERATORS),
    ("POST", "/admin/comments/{m}/delete", MODERATORS),
    ("GET", "/admin/users", ADMINS),
    ("POST", "/admin/users", ADMINS),
    ("GET", "/admin/users/new", ADMINS),
    ("GET", "/admin/users/{u}", ADMINS),
    ("POST", "/admin/users/{u}", ADMINS),
    ("POST", "/admin/users/{u}/password", ADMINS),
    ("POST", "/admin/users/{u}/deactivate", ADMINS),
    ("POST", "/admin/users/{u}/reactivate", ADMINS),
    ("POST", "/admin/users/{u}/two-factor/reset", ADMINS),
    ("GET", "/admin/settings", ADMINS),
    ("POST", "/admin/settings", ADMINS),
    ("GET", "/admin/audit", ADMINS),
];

/// The article editor and the image upload take multipart forms, like the browser sends.
fn is_multipart(template: &str) -> bool {
    matches!(
        template,
        "/admin/articles"
            | "/admin/articles/{a}"
            | "/admin/articles/new/preview"
            | "/admin/articles/{a}/preview"
            | "/admin/media"
            | "/admin/documents"
            | "/admin/documents/{d}"
    )
}

async fn call(
    app: &TestApp,
    who: Option<&Staff>,
    method: &str,
    template: &str,
    path: &str,
) -> TestResponse {
    match (method, who) {
        ("GET", Some(who)) => who.get(app, path).await,
        ("GET", None) => app.get(path).await,
        (_, Some(who)) if is_multipart(template) => {
            who.post_multipart(app, path, Multipart::default().text("title", ""))
                .await
        }
        (_, Some(who)) => who.post(app, path, &[]).await,
        (_, None) => app.post(path, &[]).await,
    }
}

/// The rows a route's ids name, for [`fill`]: an article in `news` by `author`, one of its
/// revisions, a pending comment on it, a category, a user, a document, an entry of the
/// documents' lists, a contact message, an image of the library, an attached file and a notice
/// for the author. `n` keeps their names apart.
pub(crate) async fn rows(
    db: &PgPool,
    news: i64,
    author: i64,
    n: usize,
) -> [(&'static str, i64); 11] {
    let article = ArticleFixture::new(&format!("Bài thử quyền {n}"), news)
        .insert(db)
        .await;
    sqlx::query("update article set author_id = $1 where article_id = $2")
        .bind(author)
        .bind(article)
        .execute(db)
        .await
        .unwrap();
    toasoan::db::revisions::snapshot(db, article, author)
        .await
        .unwrap();
    let revision: i64 = sqlx::query_scalar(
        "select max(article_revision_id) from article_revision where article_id = $1",
    )
    .bind(article)
    .fetch_one(db)
    .await
    .unwrap();
    let comment = toasoan::db::comments::insert(
        db,
        &NewComment {
            article_id: article,
            author_name: "Bạn đọc",
            title: "Bình luận thử quyền",
            body: "Nội dung.",
            status: CommentStatus::Pending,
            flag: "",
            ip: "203.0.113.9",
            user_agent: "test",
        },
    )
    .await
    .unwrap();
    let section = category(db, &format!("Chuyên mục {n}"), None).await;
    let user = create_user(db, &format!("nguoi{n}"), M).await;
    let document = crate::documents::document(
        db,
        &format!("{n}-TB/UBND"),
        "Thông báo thử quyền",
        "2026-01-01",
    )
    .await;
    let term: i64 = sqlx::query_scalar(
        "insert into document_term (kind, name, slug) values ('field', $1, $2) returning document_term_id",
    )
    .bind(format!("Lĩnh vực {n}"))
    .bind(format!("linh-vuc-{n}"))
    .fetch_one(db)
    .await
    .unwrap();
    let message: i64 = sqlx::query_scalar(
        "insert into contact_message (sender_name, reply_to, subject, body)
         values ('Bạn đọc', '0912345678', 'Hỏi thủ tục', 'Nội dung.') returning contact_message_id",
    )
    .fetch_one(db)
    .await
    .unwrap();
    let image = crate::library::image_row(db, &format!("2026/11/quyen{n}-480.jpg"), &[480]).await;
    let file = crate::library::file_row(db, &format!("files/2026/11/quyen{n}.pdf")).await;
    let notice: i64 = sqlx::query_scalar(
        "insert into notification (user_id, kind, article_id, title)
         values ($1, 'published', $2, 'Bài thử quyền') returning notification_id",
    )
    .bind(author)
    .bind(article)
    .fetch_one(db)
    .await
    .unwrap();
    [
        ("{a}", article),
        ("{r}", revision),
        ("{m}", comment),
        ("{c}", section),
        ("{u}", user),
        ("{d}", document),
        ("{t}", term),
        ("{x}", message),
        ("{i}", image),
        ("{f}", file),
        ("{n}", notice),
    ]
}

/// `template` with each `{x}` replaced by the id of its row.
pub(crate) fn fill(template: &str, ids: &[(&str, i64)]) -> String {
    ids.iter()
        .fold(template.to_owned(), |path, (placeholder, id)| {
            path.replace(placeholder, &id.to_string())
        })
}

#[db_test]
async fn every_admin_route_checks_the_role_on_the_server(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let staff: Vec<(Role, Staff)> = {
        let mut staff = Vec::new();
        // The forbidden roles first: an allowed one may delete the row.
        for role in [M, R, E, A] {
            staff.push((role, app.staff(role).await));
        }
        staff
    };
    let author = create_user(&db, "tacgia", R).await;

    for (n, (method, template, allowed)) in ROUTES.iter().enumerate() {
        // Fresh rows for each route: an allowed role may delete or change them.
        let ids = rows(&db, news, author, n).await;
        let path = fill(template, &ids);

        let audit_before: i64 =
            sqlx::query_scalar("select coalesce(max(audit_log_id), 0) from audit_log")
                .fetch_one(&db)
                .await
                .unwrap();
        let anonymous = call(&app, None, method, template, &path).await;
        assert_redirect(&anonymous, "/admin/login");

        for (role, who) in &staff {
            let response = call(&app, Some(who), method, template, &path).await;
            if allowed.contains(role) {
                assert_ne!(response.status, StatusCode::FORBIDDEN, "{role:?} may {method} {path}");
                assert_ne!(
                    response.header(header::LOCATION),
                    "/admin/login",
                    "{role:?} {method} {path}"
                );
                if *method == "GET" {
                    assert_eq!(response.status, StatusCode::OK, "{role:?} GET {path}");
                }
            } else {
                assert_eq!(
                    response.status,
                    StatusCode::FORBIDDEN,
                    "{role:?} may not {method} {path}"
                );
                response.assert_contains("Không có quyền truy cập");
            }
        }
        // What the forbidden roles tried changed nothing they could see: the audit log only
        // has entries by the allowed roles.
        let by_forbidden: i64 = sqlx::query_scalar(
            "select count(*) from audit_log l join app_user u on u.user_id = l.user_id
             where l.audit_log_id > $2 and not (u.role::text = any($1))",
        )
        .bind(
            allowed
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect::<Vec<_>>(),
        )
        .bind(audit_before)
        .fetch_one(&db)
        .await
        .unwrap();
        assert_eq!(by_forbidden, 0, "{method} {template}: a forbidden role changed something");
    }
}

/// Ids that name no row: malformed ones (anything but a plain positive decimal that fits an
/// `i64`) and unknown ones.
const NO_SUCH_IDS: &[&str] = &[
    "abc",
    "0",
    "-1",
    "1.5",
    "1e3",
    "%FF",
    "1%20",
    "999999",
    "99999999",
    "99999999999999999999",
];

/// What the forms get: the fields the categories', users', comments', featuring and contact
/// forms read, so that a 404 comes from the id, not from a form that was refused.
const FIELDS: &[(&str, &str)] = &[
    ("name", "X"),
    ("rank", "1"),
    ("state", "read"),
    ("direction", "up"),
    ("role", "admin"),
    ("title", "Tiêu đề"),
    ("content", "Nội dung"),
];

#[db_test]
async fn malformed_and_unknown_ids_are_404_pages_on_every_admin_route(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let author = create_user(&db, "tacgia", R).await;
    // Real rows for a route's other ids: only the one tried names nothing.
    let ids = rows(&db, news, author, 0).await;
    let mut staff = Vec::new();
    for role in [A, E, R, M] {
        staff.push((role, app.staff(role).await));
    }

    let mut tried = 0;
    for (method, template, allowed) in ROUTES {
        for (placeholder, _) in ids.iter().filter(|(p, _)| template.contains(p)) {
            for bad in NO_SUCH_IDS {
                let path = fill(&template.replace(placeholder, bad), &ids);
                // Every role that may use the route.
                for (role, who) in staff.iter().filter(|(role, _)| allowed.contains(role)) {
                    let response = match *method {
                        "GET" => who.get(&app, &path).await,
                        _ if is_multipart(template) => {
                            let form = Multipart::default().fields(FIELDS);
                            who.post_multipart(&app, &path, form).await
                        }
                        _ => who.post(&app, &path, FIELDS).await,
                    };
                    assert_eq!(
                        response.status,
                        StatusCode::NOT_FOUND,
                        "{role:?} {method} {path}: {}",
                        response.body
                    );
                    if *method == "GET" {
                        response.assert_contains("Không tìm thấy trang");
                    }
                    tried += 1;
                }
            }
        }
    }
    // Each id of each route, with every bad id, for every role allowed: 20 article and revision
    // paths for 2 roles, 4 category paths for 2, 6 comment paths for 3, 6 user paths for 1,
    // 3 document paths, 2 list-entry paths and 2 contact message paths for 2; 2 library paths
    // (an image, a file) for 3 and 3 (changes) for 2; 1 notice path for 4.
    assert_eq!(
        tried,
        (20 * 2 + 4 * 2 + 6 * 3 + 6 + 3 * 2 + 2 * 2 + 2 * 2 + 2 * 3 + 3 * 2 + 4)
            * NO_SUCH_IDS.len()
    );
    assert_eq!(count(&db, "audit_log").await, 0, "nothing was changed");
}
