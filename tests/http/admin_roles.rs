//! Every back-office route × every role, and anonymous visitors: the server enforces roles.

use axum::http::{StatusCode, header};
use sqlx::PgPool;
use toasoan::{
    auth::Role,
    db::comments::{CommentStatus, NewComment},
};

use crate::support::{
    ArticleFixture, Multipart, Staff, TestApp, TestResponse, assert_redirect, category, create_user,
};

use Role::{Admin as A, Editor as E, Moderator as M, Reporter as R};

const EVERYONE: &[Role] = &[A, E, R, M];
const WRITERS: &[Role] = &[A, E, R];
const EDITORS: &[Role] = &[A, E];
const MODERATORS: &[Role] = &[A, E, M];
const ADMINS: &[Role] = &[A];

/// (method, path, roles allowed). `{a}`: an article by another reporter; `{r}`: one of its
/// revisions; `{m}`: a pending comment on it; `{c}`: a category; `{u}`: a user.
const ROUTES: &[(&str, &str, &[Role])] = &[
    ("GET", "/admin", EVERYONE),
    ("GET", "/admin/password", EVERYONE),
    ("POST", "/admin/password", EVERYONE),
    ("GET", "/admin/articles", WRITERS),
    ("POST", "/admin/articles", WRITERS),
    ("GET", "/admin/articles/new", WRITERS),
    ("POST", "/admin/media", WRITERS),
    ("GET", "/admin/articles/{a}", EDITORS),
    ("POST", "/admin/articles/{a}", EDITORS),
    ("GET", "/admin/articles/{a}/preview", EDITORS),
    ("GET", "/admin/articles/{a}/revisions", EDITORS),
    ("GET", "/admin/articles/{a}/revisions/{r}", EDITORS),
    ("POST", "/admin/articles/{a}/revisions/{r}/restore", EDITORS),
    ("POST", "/admin/articles/{a}/approve", EDITORS),
    ("POST", "/admin/articles/{a}/return", EDITORS),
    ("POST", "/admin/articles/{a}/unpublish", EDITORS),
    ("POST", "/admin/articles/{a}/delete", EDITORS),
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
    ("GET", "/admin/settings", ADMINS),
    ("POST", "/admin/settings", ADMINS),
    ("GET", "/admin/audit", ADMINS),
];

/// The article editor and the image upload take multipart forms, like the browser sends.
fn is_multipart(template: &str) -> bool {
    matches!(
        template,
        "/admin/articles" | "/admin/articles/{a}" | "/admin/media"
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

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
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
        let article = ArticleFixture::new(&format!("Bài thử quyền {n}"), news)
            .insert(&db)
            .await;
        sqlx::query("update article set author_id = $1 where article_id = $2")
            .bind(author)
            .bind(article)
            .execute(&db)
            .await
            .unwrap();
        toasoan::db::revisions::snapshot(&db, article, author)
            .await
            .unwrap();
        let revision: i64 = sqlx::query_scalar(
            "select max(article_revision_id) from article_revision where article_id = $1",
        )
        .bind(article)
        .fetch_one(&db)
        .await
        .unwrap();
        let comment = toasoan::db::comments::insert(
            &db,
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
        let section = category(&db, &format!("Chuyên mục {n}"), None).await;
        let user = create_user(&db, &format!("nguoi{n}"), M).await;
        let path = template
            .replace("{a}", &article.to_string())
            .replace("{r}", &revision.to_string())
            .replace("{m}", &comment.to_string())
            .replace("{c}", &section.to_string())
            .replace("{u}", &user.to_string());

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
                assert_ne!(
                    response.status,
                    StatusCode::FORBIDDEN,
                    "{role:?} may {method} {path}"
                );
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
        assert_eq!(
            by_forbidden, 0,
            "{method} {template}: a forbidden role changed something"
        );
    }
}
