//! The comment moderation queue: listing, filters, approve / reject / spam / delete one at a
//! time or in bulk, corrections and replies, who may do it, and the retention of readers' data.

use axum::http::StatusCode;
use sqlx::PgPool;
use toasoan::{
    auth::Role,
    db::{
        self,
        comments::{CommentStatus, NewComment},
    },
    scheduler,
    text::slugify,
};

use crate::support::{
    ArticleFixture, Staff, TestApp, TestResponse, assert_redirect, category, count,
};

const ARTICLE: &str = "Xã Xuân Quang đón nông thôn mới";
const OTHER_ARTICLE: &str = "Thị trấn Phố Lu mở rộng chợ trung tâm";

/// A comment on `article_id`, sent `minutes_ago` minutes ago from 203.0.113.`n`.
struct Reader<'a> {
    name: &'a str,
    title: &'a str,
    body: &'a str,
    status: CommentStatus,
    minutes_ago: i32,
}

impl<'a> Reader<'a> {
    fn new(title: &'a str) -> Self {
        Self {
            name: "Nguyễn Thị Lan",
            title,
            body: "Nội dung bình luận của bạn đọc.",
            status: CommentStatus::Pending,
            minutes_ago: 10,
        }
    }

    fn status(mut self, status: CommentStatus) -> Self {
        self.status = status;
        self
    }

    fn minutes_ago(mut self, minutes: i32) -> Self {
        self.minutes_ago = minutes;
        self
    }

    async fn send(self, db: &PgPool, article_id: i64) -> i64 {
        let id = db::comments::insert(
            db,
            &NewComment {
                article_id,
                author_name: self.name,
                title: self.title,
                body: self.body,
                status: self.status,
                flag: "",
                ip: "203.0.113.7",
                user_agent: "Mozilla/5.0 (Android 14; Mobile) Firefox/133.0",
            },
        )
        .await
        .expect("insert comment");
        sqlx::query(
            "update comment set created_at = now() - make_interval(mins => $2) where comment_id = $1",
        )
        .bind(id)
        .bind(self.minutes_ago)
        .execute(db)
        .await
        .unwrap();
        id
    }
}

/// Two published articles (in "Tin tức"); returns their ids.
async fn articles(db: &PgPool) -> (i64, i64) {
    let news = category(db, "Tin tức", None).await;
    let first = ArticleFixture::new(ARTICLE, news).insert(db).await;
    let second = ArticleFixture::new(OTHER_ARTICLE, news).insert(db).await;
    (first, second)
}

fn public_url(title: &str) -> String {
    format!("/bai-viet/{}", slugify(title))
}

async fn status_of(db: &PgPool, comment_id: i64) -> Option<String> {
    sqlx::query_scalar("select status::text from comment where comment_id = $1")
        .bind(comment_id)
        .fetch_optional(db)
        .await
        .unwrap()
}

/// (action, target_id, details, user_id) of the audit entries, oldest first.
async fn audit(db: &PgPool) -> Vec<(String, Option<i64>, String, Option<i64>)> {
    sqlx::query_as(
        "select action, target_id, details, user_id from audit_log
         where action like 'comment.%' order by audit_log_id",
    )
    .fetch_all(db)
    .await
    .unwrap()
}

async fn moderator(app: &TestApp) -> Staff {
    app.staff(Role::Moderator).await
}

// --- The queue ------------------------------------------------------------------------------

#[db_test]
async fn the_queue_lists_pending_comments_newest_first(db: PgPool) {
    let (first, second) = articles(&db).await;
    let older = Reader::new("Đường liên thôn đã đẹp hơn")
        .minutes_ago(120)
        .send(&db, first)
        .await;
    Reader::new("Cảm ơn phóng viên")
        .minutes_ago(5)
        .send(&db, second)
        .await;
    Reader::new("Bình luận đã duyệt từ trước")
        .status(CommentStatus::Approved)
        .send(&db, first)
        .await;
    sqlx::query("update comment set created_at = '2026-11-20 03:05:00+00' where comment_id = $1")
        .bind(older)
        .execute(&db)
        .await
        .unwrap();
    let app = TestApp::new(db.clone()).await;
    let who = moderator(&app).await;

    let page = who.get(&app, "/admin/comments").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.position("Cảm ơn phóng viên") < page.position("Đường liên thôn đã đẹp hơn"));
    page.assert_not_contains("Bình luận đã duyệt từ trước");
    page.assert_contains(ARTICLE);
    page.assert_contains(&format!(r#"href="{}""#, public_url(ARTICLE)));
    page.assert_contains("Nguyễn Thị Lan");
    page.assert_contains("Nội dung bình luận của bạn đọc.");
    // 03:05 UTC is 10:05 in Vietnam.
    page.assert_contains("20/11/2026 10:05");
    page.assert_contains("IP: 203.0.113.7");
    page.assert_contains("Mozilla/5.0 (Android 14; Mobile) Firefox/133.0");
    page.assert_contains(r#"<span class="status pending">Chờ duyệt</span>"#);
    page.assert_contains(&format!(r#"name="ids" value="{older}""#));
    page.assert_contains(&format!(r#"formaction="/admin/comments/{older}/approve""#));
    page.assert_contains(&format!(r#"href="/admin/comments/{older}""#));
    page.assert_contains(r#"<input type="hidden" name="back" value="/admin/comments">"#);
    // Tabs with their counts, the pending one current.
    page.assert_contains(
        r#"<a href="/admin/comments" aria-current="page">Chờ duyệt <span class="count">2</span></a>"#,
    );
    page.assert_contains(
        r#"<a href="/admin/comments?trang-thai=approved">Đã duyệt <span class="count">1</span></a>"#,
    );
    page.assert_contains(
        r#"<a href="/admin/comments?trang-thai=all">Tất cả <span class="count">3</span></a>"#,
    );
    // A moderator does not edit articles: no link to the editor.
    page.assert_not_contains(&format!(r#"href="/admin/articles/{first}""#));
    let editor = app.staff(Role::Editor).await;
    editor
        .get(&app, "/admin/comments")
        .await
        .assert_contains(&format!(r#"href="/admin/articles/{first}""#));
}

#[db_test]
async fn the_queue_filters_by_status_and_article(db: PgPool) {
    let (first, second) = articles(&db).await;
    Reader::new("Chờ ở bài một").send(&db, first).await;
    Reader::new("Chờ ở bài hai").send(&db, second).await;
    Reader::new("Duyệt ở bài một")
        .status(CommentStatus::Approved)
        .send(&db, first)
        .await;
    Reader::new("Từ chối ở bài hai")
        .status(CommentStatus::Rejected)
        .send(&db, second)
        .await;
    Reader::new("Rác ở bài một")
        .status(CommentStatus::Spam)
        .send(&db, first)
        .await;
    let app = TestApp::new(db.clone()).await;
    let who = moderator(&app).await;
    let titles = [
        "Chờ ở bài một",
        "Chờ ở bài hai",
        "Duyệt ở bài một",
        "Từ chối ở bài hai",
        "Rác ở bài một",
    ];
    let shows = |page: &TestResponse| -> Vec<&str> {
        titles
            .iter()
            .copied()
            .filter(|t| {
                page.body
                    .contains(&format!(r#"<p class="comment-title">{t}</p>"#))
            })
            .collect()
    };

    for (uri, expected) in [
        ("/admin/comments", vec!["Chờ ở bài một", "Chờ ở bài hai"]),
        ("/admin/comments?trang-thai=pending", vec!["Chờ ở bài một", "Chờ ở bài hai"]),
        ("/admin/comments?trang-thai=approved", vec!["Duyệt ở bài một"]),
        ("/admin/comments?trang-thai=rejected", vec!["Từ chối ở bài hai"]),
        ("/admin/comments?trang-thai=spam", vec!["Rác ở bài một"]),
        ("/admin/comments?trang-thai=all", titles.to_vec()),
        (&format!("/admin/comments?bai={first}"), vec!["Chờ ở bài một"]),
        (
            &format!("/admin/comments?trang-thai=all&bai={second}"),
            vec!["Chờ ở bài hai", "Từ chối ở bài hai"],
        ),
    ] {
        let page = who.get(&app, uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        assert_eq!(shows(&page), expected, "{uri}");
    }

    // Filtered by an article, the tabs count that article's comments and keep the filter.
    let page = who
        .get(&app, &format!("/admin/comments?trang-thai=all&bai={first}"))
        .await;
    page.assert_contains(&format!(
        r#"<a href="/admin/comments?trang-thai=all&#38;bai={first}" aria-current="page">Tất cả <span class="count">3</span></a>"#
    ));
    page.assert_contains(&format!(
        r#"<a href="/admin/comments?trang-thai=spam&#38;bai={first}">Thư rác <span class="count">1</span></a>"#
    ));
    page.assert_contains(&format!("Của bài “<a href=\"{}\"", public_url(ARTICLE)));
    page.assert_contains(
        r#"<a href="/admin/comments?trang-thai=all">Xem bình luận của mọi bài</a>"#,
    );

    for uri in [
        "/admin/comments?trang-thai=bogus",
        "/admin/comments?trang-thai=pending&trang-thai=spam",
        "/admin/comments?bai=abc",
        "/admin/comments?bai=0",
        "/admin/comments?bai=999999",
        "/admin/comments?trang=2",
        "/admin/comments?trang=0",
    ] {
        assert_eq!(who.get(&app, uri).await.status, StatusCode::NOT_FOUND, "{uri}");
    }
}

#[db_test]
async fn the_queue_has_30_comments_a_page_and_actions_come_back_to_the_same_view(db: PgPool) {
    let (first, second) = articles(&db).await;
    for n in 1..=31 {
        Reader::new(&format!("Ý kiến số {n}"))
            .minutes_ago(n)
            .send(&db, first)
            .await;
    }
    let elsewhere = Reader::new("Ở bài khác")
        .status(CommentStatus::Approved)
        .send(&db, second)
        .await;
    let app = TestApp::new(db.clone()).await;
    let who = moderator(&app).await;

    let page = who.get(&app, "/admin/comments").await;
    page.assert_contains(r#"<p class="comment-title">Ý kiến số 30</p>"#);
    page.assert_not_contains(r#"<p class="comment-title">Ý kiến số 31</p>"#);
    page.assert_contains(r#"<a href="/admin/comments?trang=2" rel="next">Trang sau</a>"#);
    let last = who.get(&app, "/admin/comments?trang=2").await;
    last.assert_contains(r#"<p class="comment-title">Ý kiến số 31</p>"#);
    last.assert_not_contains(r#"<p class="comment-title">Ý kiến số 30</p>"#);
    last.assert_contains(r#"<input type="hidden" name="back" value="/admin/comments?trang=2">"#);

    // Approving the only comment of page 2 empties it: back to page 1.
    let oldest: i64 =
        sqlx::query_scalar("select comment_id from comment where title = 'Ý kiến số 31'")
            .fetch_one(&db)
            .await
            .unwrap();
    let done = who
        .post(
            &app,
            &format!("/admin/comments/{oldest}/approve"),
            &[("back", "/admin/comments?trang=2")],
        )
        .await;
    assert_redirect(&done, "/admin/comments?msg=comment-approved");
    who.get(&app, "/admin/comments?msg=comment-approved")
        .await
        .assert_contains("Đã duyệt bình luận.");

    // Filters are kept.
    let back = format!("/admin/comments?trang-thai=approved&bai={second}");
    let done = who
        .post(&app, &format!("/admin/comments/{elsewhere}/reject"), &[("back", &back)])
        .await;
    assert_redirect(&done, &format!("{back}&msg=comment-rejected"));

    // Only the list: never another page of this site, nor another site.
    for bad in [
        "https://evil.example/admin/comments",
        "//evil.example/admin/comments",
        "/admin/users",
        "/admin/commentsx",
        "/admin/comments?trang-thai=<script>",
    ] {
        let done = who
            .post(&app, &format!("/admin/comments/{elsewhere}/spam"), &[("back", bad)])
            .await;
        assert_redirect(&done, "/admin/comments?msg=comment-spam");
    }
}

// --- One comment at a time -------------------------------------------------------------------

#[db_test]
async fn an_approved_comment_appears_on_the_article_page(db: PgPool) {
    let (first, _) = articles(&db).await;
    let id = Reader::new("Mong xã tiếp tục phát huy")
        .send(&db, first)
        .await;
    let app = TestApp::new(db.clone()).await;
    let who = moderator(&app).await;
    let article = app.get(&public_url(ARTICLE)).await;
    article.assert_contains("Bình luận (0)");
    article.assert_not_contains("Mong xã tiếp tục phát huy");

    let done = who
        .post(&app, &format!("/admin/comments/{id}/approve"), &[("back", "/admin/comments")])
        .await;
    assert_redirect(&done, "/admin/comments?msg=comment-approved");
    let (status, moderated_by, moderated): (String, Option<i64>, bool) = sqlx::query_as(
        "select status::text, moderated_by, moderated_at > now() - interval '1 minute'
         from comment where comment_id = $1",
    )
    .bind(id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!((status.as_str(), moderated_by, moderated), ("approved", Some(who.user_id), true));
    assert_eq!(
        audit(&db).await,
        [(
            "comment.approved".to_owned(),
            Some(id),
            "Mong xã tiếp tục phát huy".to_owned(),
            Some(who.user_id)
        )]
    );

    let article = app.get(&public_url(ARTICLE)).await;
    let section = &article.body[article.position(r#"<section class="comments" id="binh-luan""#)..];
    assert!(section.contains("Bình luận (1)"), "{section}");
    assert!(section.contains("Mong xã tiếp tục phát huy"), "{section}");
    assert!(section.contains("Nội dung bình luận của bạn đọc."), "{section}");

    // Approving it again changes nothing and logs nothing.
    let again = who
        .post(&app, &format!("/admin/comments/{id}/approve"), &[])
        .await;
    assert_redirect(&again, "/admin/comments?msg=comment-approved");
    assert_eq!(audit(&db).await.len(), 1);
}

#[db_test]
async fn rejected_spam_and_deleted_comments_never_show_on_the_article_page(db: PgPool) {
    let (first, _) = articles(&db).await;
    let rejected = Reader::new("Lời lẽ xúc phạm").send(&db, first).await;
    let spam = Reader::new("Mua thuốc giá rẻ").send(&db, first).await;
    let deleted = Reader::new("Gửi nhầm").send(&db, first).await;
    // An approved one goes back to rejected.
    let withdrawn = Reader::new("Đã duyệt rồi gỡ")
        .status(CommentStatus::Approved)
        .send(&db, first)
        .await;
    let app = TestApp::new(db.clone()).await;
    let who = moderator(&app).await;

    for (id, action, message) in [
        (rejected, "reject", "comment-rejected"),
        (spam, "spam", "comment-spam"),
        (deleted, "delete", "comment-deleted"),
        (withdrawn, "reject", "comment-rejected"),
    ] {
        let done = who
            .post(&app, &format!("/admin/comments/{id}/{action}"), &[("back", "/admin/comments")])
            .await;
        assert_redirect(&done, &format!("/admin/comments?msg={message}"));
    }
    assert_eq!(status_of(&db, rejected).await.as_deref(), Some("rejected"));
    assert_eq!(status_of(&db, spam).await.as_deref(), Some("spam"));
    assert_eq!(status_of(&db, deleted).await, None);
    assert_eq!(status_of(&db, withdrawn).await.as_deref(), Some("rejected"));
    let actions: Vec<(String, Option<i64>, String)> = audit(&db)
        .await
        .into_iter()
        .map(|(action, target, details, _)| (action, target, details))
        .collect();
    assert_eq!(
        actions,
        [
            ("comment.rejected".into(), Some(rejected), "Lời lẽ xúc phạm".into()),
            ("comment.spam".into(), Some(spam), "Mua thuốc giá rẻ".into()),
            ("comment.deleted".into(), Some(deleted), "Gửi nhầm".into()),
            ("comment.rejected".into(), Some(withdrawn), "Đã duyệt rồi gỡ".into()),
        ]
    );

    let article = app.get(&public_url(ARTICLE)).await;
    article.assert_contains("Bình luận (0)");
    for title in [
        "Lời lẽ xúc phạm",
        "Mua thuốc giá rẻ",
        "Gửi nhầm",
        "Đã duyệt rồi gỡ",
    ] {
        article.assert_not_contains(title);
    }
    // The spam tab shows it, with its badge.
    who.get(&app, "/admin/comments?trang-thai=spam")
        .await
        .assert_contains(r#"<span class="status spam">Thư rác</span>"#);
}

// --- Many at once -------------------------------------------------------------------------

#[db_test]
async fn bulk_actions_apply_to_every_ticked_comment(db: PgPool) {
    let (first, second) = articles(&db).await;
    let a = Reader::new("Ý kiến A").send(&db, first).await;
    let b = Reader::new("Ý kiến B").send(&db, second).await;
    let c = Reader::new("Ý kiến C").send(&db, first).await;
    // Not in the pending view the moderator is looking at.
    let d = Reader::new("Ý kiến D")
        .status(CommentStatus::Spam)
        .send(&db, first)
        .await;
    let app = TestApp::new(db.clone()).await;
    let who = moderator(&app).await;
    let (a_, b_, c_, d_) = (a.to_string(), b.to_string(), c.to_string(), d.to_string());

    let done = who
        .post(
            &app,
            "/admin/comments/bulk",
            &[
                ("back", "/admin/comments"),
                ("ids", &a_),
                ("ids", &b_),
                ("ids", &d_),
                // Deleted meanwhile by someone else.
                ("ids", "999999"),
                ("action", "approve"),
            ],
        )
        .await;
    assert_redirect(&done, "/admin/comments?msg=comment-approved");
    for (id, status) in [
        (a, "approved"),
        (b, "approved"),
        (c, "pending"),
        (d, "approved"),
    ] {
        assert_eq!(status_of(&db, id).await.as_deref(), Some(status), "{id}");
    }
    let article = app.get(&public_url(ARTICLE)).await;
    article.assert_contains("Bình luận (2)");
    app.get(&public_url(OTHER_ARTICLE))
        .await
        .assert_contains("Bình luận (1)");

    let done = who
        .post(
            &app,
            "/admin/comments/bulk",
            &[
                ("back", "/admin/comments?trang-thai=all"),
                ("ids", &b_),
                ("ids", &c_),
                ("action", "delete"),
            ],
        )
        .await;
    assert_redirect(&done, "/admin/comments?trang-thai=all&msg=comment-deleted");
    assert_eq!(count(&db, "comment").await, 2);
    assert_eq!(status_of(&db, b).await, None);
    assert_eq!(status_of(&db, c).await, None);

    let (mut first_ids, mut second_ids) = ([a, b, d], [b, c]);
    first_ids.sort_unstable();
    second_ids.sort_unstable();
    let list = |ids: &[i64]| {
        ids.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let entries: Vec<(String, Option<i64>, String)> = audit(&db)
        .await
        .into_iter()
        .map(|(action, target, details, _)| (action, target, details))
        .collect();
    assert_eq!(
        entries,
        [
            ("comment.approved".into(), None, format!("3 bình luận (mã {})", list(&first_ids))),
            ("comment.deleted".into(), None, format!("2 bình luận (mã {})", list(&second_ids))),
        ]
    );

    // Nothing left to change: nothing is logged, and the moderator is told.
    let done = who
        .post(&app, "/admin/comments/bulk", &[("ids", &b_), ("ids", &a_), ("action", "approve")])
        .await;
    assert_redirect(&done, "/admin/comments?msg=comment-unchanged");
    assert_eq!(audit(&db).await.len(), 2);
    who.get(&app, "/admin/comments?msg=comment-unchanged")
        .await
        .assert_contains("Không có bình luận nào thay đổi");
}

#[db_test]
async fn a_refused_bulk_action_shows_the_list_again_with_the_reason(db: PgPool) {
    let (first, _) = articles(&db).await;
    let a = Reader::new("Ý kiến A").send(&db, first).await;
    Reader::new("Ý kiến B")
        .status(CommentStatus::Approved)
        .send(&db, first)
        .await;
    let app = TestApp::new(db.clone()).await;
    let who = moderator(&app).await;
    let a_ = a.to_string();
    let too_many: Vec<String> = (1..=201).map(|n| n.to_string()).collect();
    let mut crowd: Vec<(&str, &str)> = too_many.iter().map(|id| ("ids", id.as_str())).collect();
    crowd.push(("action", "spam"));

    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![
                ("action", "approve"),
                ("back", "/admin/comments?trang-thai=approved"),
            ],
            "Hãy đánh dấu ít nhất một bình luận",
        ),
        (vec![("ids", "abc"), ("action", "approve")], "Danh sách bình luận đã chọn không hợp lệ"),
        (vec![("ids", "-3"), ("action", "approve")], "Danh sách bình luận đã chọn không hợp lệ"),
        (vec![("ids", &a_), ("action", "publish")], "Hãy chọn một thao tác"),
        (vec![("ids", &a_)], "Hãy chọn một thao tác"),
        (crowd, "tối đa 200 bình luận"),
    ];
    for (fields, message) in cases {
        let page = who.post(&app, "/admin/comments/bulk", &fields).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        page.assert_contains(r#"<p class="flash error" role="alert">"#);
        page.assert_contains(message);
    }
    // The list shown is the one the moderator came from.
    let page = who
        .post(
            &app,
            "/admin/comments/bulk",
            &[
                ("action", "approve"),
                ("back", "/admin/comments?trang-thai=approved"),
            ],
        )
        .await;
    page.assert_contains(r#"<p class="comment-title">Ý kiến B</p>"#);
    page.assert_not_contains(r#"<p class="comment-title">Ý kiến A</p>"#);

    assert_eq!(status_of(&db, a).await.as_deref(), Some("pending"));
    assert_eq!(count(&db, "comment").await, 2);
    assert_eq!(count(&db, "audit_log").await, 0);
}

// --- Escaping -------------------------------------------------------------------------------

#[db_test]
async fn markup_in_a_comment_is_shown_as_text(db: PgPool) {
    let (first, _) = articles(&db).await;
    let id = Reader {
        name: "<script>alert('tên')</script>",
        title: "<b>Tiêu đề</b><script>alert(1)</script>",
        body: "Dòng một\n<img src=x onerror=alert(2)>\nDòng ba <script>alert(3)</script>",
        status: CommentStatus::Pending,
        minutes_ago: 1,
    }
    .send(&db, first)
    .await;
    sqlx::query("update comment set user_agent = '<script>ua</script>' where comment_id = $1")
        .bind(id)
        .execute(&db)
        .await
        .unwrap();
    let app = TestApp::new(db.clone()).await;
    let who = moderator(&app).await;

    for uri in [
        "/admin/comments".to_owned(),
        format!("/admin/comments/{id}"),
    ] {
        let page = who.get(&app, &uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        page.assert_contains("&#60;script&#62;alert(&#39;tên&#39;)&#60;/script&#62;");
        page.assert_contains(
            "&#60;b&#62;Tiêu đề&#60;/b&#62;&#60;script&#62;alert(1)&#60;/script&#62;",
        );
        page.assert_contains("&#60;img src=x onerror=alert(2)&#62;");
        page.assert_contains("&#60;script&#62;ua&#60;/script&#62;");
        for raw in ["<script>alert", "<b>Tiêu đề", "<img src=x", "<script>ua"] {
            page.assert_not_contains(raw);
        }
    }
    // Line breaks are kept (the text is shown with `white-space: pre-line`).
    who.get(&app, "/admin/comments").await.assert_contains(
        "<div class=\"comment-text\">Dòng một\n&#60;img src=x onerror=alert(2)&#62;\nDòng ba",
    );
}

// --- Corrections and replies ------------------------------------------------------------------

#[db_test]
async fn a_correction_keeps_the_readers_original_and_shows_both(db: PgPool) {
    let (first, _) = articles(&db).await;
    let id = Reader {
        body: "Đường xá đẹp, nhưng số điện thoại tôi là 0912 345 678.",
        ..Reader::new("Đuong xa dep qua")
    }
    .send(&db, first)
    .await;
    let app = TestApp::new(db.clone()).await;
    let who = moderator(&app).await;
    let back = format!("/admin/comments?bai={first}");

    let form = who
        .get(&app, &format!("/admin/comments/{id}?back={}", urlencode(&back)))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains(r#"<input id="title" name="title" value="Đuong xa dep qua""#);
    form.assert_contains(&format!(
        r#"<input type="hidden" name="back" value="/admin/comments?bai={first}">"#
    ));
    form.assert_contains(r#"<label for="approve">Duyệt luôn</label>"#);
    form.assert_not_contains("Bản gốc của bạn đọc");

    // Decomposed (NFD) text from the keyboard is stored composed; CRLF becomes LF.
    let saved = who
        .post(
            &app,
            &format!("/admin/comments/{id}"),
            &[
                ("title", " Đường xá đe\u{323}p quá "),
                ("content", "Đường xá đẹp,\r\nnhưng số điện thoại tôi là […]."),
                ("reply", ""),
                ("back", &back),
            ],
        )
        .await;
    assert_redirect(&saved, &format!("{back}&msg=comment-saved"));
    // A second correction: the original stays the reader's.
    let saved = who
        .post(
            &app,
            &format!("/admin/comments/{id}"),
            &[
                ("title", "Đường xá đẹp quá!"),
                ("content", "Đường xá đẹp,\r\nnhưng số điện thoại tôi là […]."),
            ],
        )
        .await;
    assert_redirect(&saved, "/admin/comments?msg=comment-saved");

    let stored: (String, String, Option<String>, Option<String>, Option<i64>, String) =
        sqlx::query_as(
            "select title, body, original_title, original_body, edited_by, status::text
             from comment where comment_id = $1",
        )
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(
        stored,
        (
            "Đường xá đẹp quá!".to_owned(),
            "Đường xá đẹp,\nnhưng số điện thoại tôi là […].".to_owned(),
            Some("Đuong xa dep qua".to_owned()),
            Some("Đường xá đẹp, nhưng số điện thoại tôi là 0912 345 678.".to_owned()),
            Some(who.user_id),
            "pending".to_owned(),
        )
    );
    let entries: Vec<(String, String)> = audit(&db)
        .await
        .into_iter()
        .map(|(action, _, details, _)| (action, details))
        .collect();
    assert_eq!(
        entries,
        [
            ("comment.edited".into(), "Đường xá đẹp quá: title, body".into()),
            ("comment.edited".into(), "Đường xá đẹp quá!: title".into()),
        ]
    );

    let list = who.get(&app, "/admin/comments").await;
    list.assert_contains(r#"<p class="comment-title">Đường xá đẹp quá!</p>"#);
    list.assert_contains("Đã sửa — bản gốc:");
    list.assert_contains(r#"<p class="comment-title">Đuong xa dep qua</p>"#);
    list.assert_contains("số điện thoại tôi là 0912 345 678.");
    let page = who.get(&app, &format!("/admin/comments/{id}")).await;
    page.assert_contains("Bản gốc của bạn đọc");
    page.assert_contains("Đuong xa dep qua");
    page.assert_contains("0912 345 678");
    page.assert_contains(r#"value="Đường xá đẹp quá!""#);
    page.assert_contains("nhưng số điện thoại tôi là […].</textarea>");

    // Saving without a change writes nothing.
    let saved = who
        .post(
            &app,
            &format!("/admin/comments/{id}"),
            &[
                ("title", "Đường xá đẹp quá!"),
                ("content", "Đường xá đẹp,\r\nnhưng số điện thoại tôi là […]."),
            ],
        )
        .await;
    assert_redirect(&saved, "/admin/comments?msg=comment-saved");
    assert_eq!(audit(&db).await.len(), 2);
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[db_test]
async fn an_invalid_correction_keeps_the_input_and_changes_nothing(db: PgPool) {
    let (first, _) = articles(&db).await;
    let id = Reader::new("Tiêu đề gốc").send(&db, first).await;
    let app = TestApp::new(db.clone()).await;
    let who = moderator(&app).await;
    let long = "ư".repeat(4001);

    let page = who
        .post(
            &app,
            &format!("/admin/comments/{id}"),
            &[
                ("title", "   "),
                ("content", &long),
                ("reply", &long),
                ("approve", "on"),
                ("back", "/admin/comments?trang-thai=all"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains(
        r#"<p class="field-error" id="title-error">Vui lòng nhập thông tin này.</p>"#,
    );
    page.assert_contains(
        r#"<p class="field-error" id="content-error">Tối đa 4000 ký tự (hiện có 4001).</p>"#,
    );
    page.assert_contains(
        r#"<p class="field-error" id="reply-error">Tối đa 4000 ký tự (hiện có 4001).</p>"#,
    );
    page.assert_contains(&format!(">{long}</textarea>"));
    page.assert_contains(r#"name="approve" type="checkbox" checked>"#);
    page.assert_contains(r#"name="back" value="/admin/comments?trang-thai=all""#);

    let too_long_title = "t".repeat(201);
    let page = who
        .post(
            &app,
            &format!("/admin/comments/{id}"),
            &[("title", &too_long_title), ("content", " \n ")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("Tối đa 200 ký tự (hiện có 201).");
    page.assert_contains(
        r#"<p class="field-error" id="content-error">Vui lòng nhập thông tin này.</p>"#,
    );

    let stored: (String, Option<String>, String, String) = sqlx::query_as(
        "select title, original_title, reply, status::text from comment where comment_id = $1",
    )
    .bind(id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(stored, ("Tiêu đề gốc".into(), None, String::new(), "pending".into()));
    assert_eq!(count(&db, "audit_log").await, 0);
}

#[db_test]
async fn the_editorial_reply_is_stored_and_shown_under_the_comment(db: PgPool) {
    let (first, _) = articles(&db).await;
    let id = Reader::new("Khi nào sửa cầu Phố Lu?")
        .send(&db, first)
        .await;
    let app = TestApp::new(db.clone()).await;
    let who = moderator(&app).await;

    let reply = "Cảm ơn bạn đọc. Theo UBND huyện, cầu sẽ được sửa trong quý I.\r\nBan biên tập sẽ tiếp tục thông tin.";
    let saved = who
        .post(
            &app,
            &format!("/admin/comments/{id}"),
            &[
                ("title", "Khi nào sửa cầu Phố Lu?"),
                ("content", "Nội dung bình luận của bạn đọc."),
                ("reply", reply),
                ("approve", "on"),
            ],
        )
        .await;
    assert_redirect(&saved, "/admin/comments?msg=comment-saved-approved");
    let stored: (String, Option<i64>, bool, String, Option<String>) = sqlx::query_as(
        "select reply, reply_by, reply_at is not null, status::text, original_title
         from comment where comment_id = $1",
    )
    .bind(id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        stored,
        (
            reply.replace("\r\n", "\n"),
            Some(who.user_id),
            true,
            "approved".to_owned(),
            // Only the reply changed: the reader's text is not marked as corrected.
            None
        )
    );
    let entries: Vec<(String, Option<i64>, String)> = audit(&db)
        .await
        .into_iter()
        .map(|(action, target, details, _)| (action, target, details))
        .collect();
    assert_eq!(
        entries,
        [
            ("comment.replied".into(), Some(id), "Khi nào sửa cầu Phố Lu?".into()),
            ("comment.approved".into(), Some(id), "Khi nào sửa cầu Phố Lu?".into()),
        ]
    );

    let article = app.get(&public_url(ARTICLE)).await;
    let comment = &article.body[article.position(&format!(r#"id="binh-luan-{id}""#))..];
    assert!(comment.contains("Ban biên tập trả lời"), "{comment}");
    assert!(comment.contains("cầu sẽ được sửa trong quý I."), "{comment}");
    who.get(&app, "/admin/comments?trang-thai=approved")
        .await
        .assert_contains("Ban biên tập trả lời:");
    // The comment is approved: the edit page no longer offers "Duyệt luôn".
    who.get(&app, &format!("/admin/comments/{id}"))
        .await
        .assert_not_contains("Duyệt luôn");

    // Removing the reply.
    let saved = who
        .post(
            &app,
            &format!("/admin/comments/{id}"),
            &[
                ("title", "Khi nào sửa cầu Phố Lu?"),
                ("content", "Nội dung bình luận của bạn đọc."),
                ("reply", "  "),
            ],
        )
        .await;
    assert_redirect(&saved, "/admin/comments?msg=comment-saved");
    let stored: (String, Option<i64>, Option<String>) =
        sqlx::query_as("select reply, reply_by, reply_at::text from comment where comment_id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(stored, (String::new(), None, None));
    assert_eq!(audit(&db).await.last().unwrap().2, "Khi nào sửa cầu Phố Lu?: gỡ câu trả lời");
    app.get(&public_url(ARTICLE))
        .await
        .assert_not_contains("Ban biên tập trả lời");
}

// --- Who may moderate ----------------------------------------------------------------------

#[db_test]
async fn reporters_are_refused_and_anonymous_visitors_sent_to_login(db: PgPool) {
    let (first, _) = articles(&db).await;
    let id = Reader::new("Chờ duyệt").send(&db, first).await;
    let app = TestApp::new(db.clone()).await;
    let reporter = app.staff(Role::Reporter).await;
    let gets = [
        "/admin/comments".to_owned(),
        format!("/admin/comments/{id}"),
    ];
    let posts = [
        format!("/admin/comments/{id}"),
        format!("/admin/comments/{id}/approve"),
        format!("/admin/comments/{id}/reject"),
        format!("/admin/comments/{id}/spam"),
        format!("/admin/comments/{id}/delete"),
        "/admin/comments/bulk".to_owned(),
    ];
    let id_ = id.to_string();
    let fields = [
        ("ids", id_.as_str()),
        ("action", "delete"),
        ("title", "Chiếm quyền"),
        ("content", "Chiếm quyền"),
        ("approve", "on"),
    ];
    for uri in &gets {
        let page = reporter.get(&app, uri).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{uri}");
        page.assert_contains("Không có quyền truy cập");
        assert_redirect(&app.get(uri).await, "/admin/login");
    }
    for uri in &posts {
        let page = reporter.post(&app, uri, &fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{uri}");
        assert_redirect(&app.post(uri, &fields).await, "/admin/login");
    }
    // Their menu has no comments entry.
    reporter
        .get(&app, "/admin")
        .await
        .assert_not_contains(r#"href="/admin/comments""#);
    assert_eq!(status_of(&db, id).await.as_deref(), Some("pending"));
    assert_eq!(count(&db, "audit_log").await, 0);

    // Moderators, editors and admins may.
    for role in [Role::Moderator, Role::Editor, Role::Admin] {
        let who = app.staff(role).await;
        for uri in &gets {
            assert_eq!(who.get(&app, uri).await.status, StatusCode::OK, "{role:?} {uri}");
        }
    }
}

#[db_test]
async fn the_menu_shows_how_many_comments_wait_on_every_page(db: PgPool) {
    let (first, _) = articles(&db).await;
    let a = Reader::new("Một").send(&db, first).await;
    Reader::new("Hai").send(&db, first).await;
    Reader::new("Đã duyệt")
        .status(CommentStatus::Approved)
        .send(&db, first)
        .await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let badge =
        |n: i64| format!(r#"<a href="/admin/comments">Bình luận <span class="count">{n}</span>"#);
    // Pages of other handlers too (the articles list, the dashboard, categories).
    for uri in [
        "/admin",
        "/admin/articles",
        "/admin/categories",
        "/admin/password",
    ] {
        let page = editor.get(&app, uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        page.assert_contains(&badge(2));
    }
    let moderator = moderator(&app).await;
    moderator.get(&app, "/admin/comments")
        .await
        .assert_contains(r#"<a href="/admin/comments" aria-current="page">Bình luận <span class="count">2</span>"#);

    moderator
        .post(&app, &format!("/admin/comments/{a}/approve"), &[])
        .await;
    editor.get(&app, "/admin").await.assert_contains(&badge(1));
    sqlx::query("update comment set status = 'rejected'")
        .execute(&db)
        .await
        .unwrap();
    let page = editor.get(&app, "/admin").await;
    page.assert_contains(r#"<a href="/admin/comments">Bình luận</a>"#);

    // An admin sees it; a reporter has neither the entry nor the count.
    Reader::new("Ba").send(&db, first).await;
    let admin = app.staff(Role::Admin).await;
    admin
        .get(&app, "/admin/users")
        .await
        .assert_contains(&badge(1));
    let reporter = app.staff(Role::Reporter).await;
    let page = reporter.get(&app, "/admin/articles").await;
    page.assert_not_contains("Bình luận <span");
}

// --- Readers' personal data -----------------------------------------------------------------

async fn settings_form(app: &TestApp, who: &Staff, days: &str) -> TestResponse {
    who.post(
        app,
        "/admin/settings",
        &[
            ("site_name", "Tòa Soạn"),
            ("comments_open_default", "on"),
            ("comment_data_retention_days", days),
        ],
    )
    .await
}

#[db_test]
async fn the_retention_setting_is_validated_and_saved(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let form = admin.get(&app, "/admin/settings").await;
    form.assert_contains(
        r#"<label for="comment_data_retention_days">Xóa IP và trình duyệt của bình luận đã kiểm duyệt sau (ngày)</label>"#,
    );
    form.assert_contains(r#"type="number" min="1" max="3650" step="1" required value="90""#);

    for bad in ["0", "5000", "", "mười"] {
        let page = settings_form(&app, &admin, bad).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        page.assert_contains(
            r#"<p class="field-error" id="comment_data_retention_days-error">Hãy nhập một số ngày từ 1 đến 3650.</p>"#,
        );
        page.assert_contains(&format!(r#"required value="{bad}""#));
    }
    assert_eq!(
        db::settings::get(&db)
            .await
            .unwrap()
            .comment_data_retention_days,
        90
    );
    assert_eq!(count(&db, "audit_log").await, 0);

    let saved = settings_form(&app, &admin, "30").await;
    assert_redirect(&saved, "/admin/settings?msg=saved");
    assert_eq!(
        db::settings::get(&db)
            .await
            .unwrap()
            .comment_data_retention_days,
        30
    );
    let changed: String =
        sqlx::query_scalar("select details from audit_log where action = 'settings.updated'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(changed, "comment_data_retention_days");
    admin
        .get(&app, "/admin/settings")
        .await
        .assert_contains(r#"required value="30""#);

    // A form without the field (from before it existed) leaves it as it is.
    let saved = admin
        .post(
            &app,
            "/admin/settings",
            &[
                ("site_name", "Tòa Soạn mới"),
                ("comments_open_default", "on"),
            ],
        )
        .await;
    assert_redirect(&saved, "/admin/settings?msg=saved");
    let settings = db::settings::get(&db).await.unwrap();
    assert_eq!(
        (settings.site_name.as_str(), settings.comment_data_retention_days),
        ("Tòa Soạn mới", 30)
    );
}

#[db_test]
async fn ip_and_browser_are_erased_after_the_retention_period(db: PgPool) {
    let (first, _) = articles(&db).await;
    let old = Reader::new("Duyệt 100 ngày trước")
        .status(CommentStatus::Approved)
        .send(&db, first)
        .await;
    let recent = Reader::new("Từ chối 10 ngày trước")
        .status(CommentStatus::Rejected)
        .send(&db, first)
        .await;
    let pending = Reader::new("Còn chờ duyệt").send(&db, first).await;
    for (id, days) in [(old, 100), (recent, 10), (pending, 200)] {
        sqlx::query(
            "update comment set created_at = now() - make_interval(days => $2 + 1),
                    moderated_at = case when status = 'pending' then null
                                        else now() - make_interval(days => $2) end
             where comment_id = $1",
        )
        .bind(id)
        .bind(days)
        .execute(&db)
        .await
        .unwrap();
    }
    let app = TestApp::new(db.clone()).await;
    let kept = |db: PgPool, id: i64| async move {
        let (ip, agent): (Option<String>, Option<String>) =
            sqlx::query_as("select ip, user_agent from comment where comment_id = $1")
                .bind(id)
                .fetch_one(&db)
                .await
                .unwrap();
        (ip.is_some(), agent.is_some())
    };

    // The default: 90 days.
    assert_eq!(
        scheduler::erase_comment_personal_data(&app.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(kept(db.clone(), old).await, (false, false));
    assert_eq!(kept(db.clone(), recent).await, (true, true));
    assert_eq!(kept(db.clone(), pending).await, (true, true));
    // Nothing left to erase.
    assert_eq!(
        scheduler::erase_comment_personal_data(&app.state)
            .await
            .unwrap(),
        0
    );

    let who = moderator(&app).await;
    let page = who.get(&app, "/admin/comments?trang-thai=all").await;
    page.assert_contains("IP: <em>đã xóa</em>");
    page.assert_contains("Trình duyệt: <em>đã xóa</em>");
    page.assert_contains("IP: 203.0.113.7");

    // A shorter period takes the 10-day-old one too; pending comments keep theirs.
    sqlx::query("update site_setting set comment_data_retention_days = 5")
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        scheduler::erase_comment_personal_data(&app.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(kept(db.clone(), recent).await, (false, false));
    assert_eq!(kept(db.clone(), pending).await, (true, true));
}
