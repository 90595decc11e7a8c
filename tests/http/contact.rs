//! "Liên hệ": the contact page and its form's defences, and the back office's inbox.

use std::net::SocketAddr;

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{Request, StatusCode, header},
};
use futures_util::future::join_all;
use sqlx::PgPool;
use toasoan::auth::Role;

use crate::support::{ORIGIN, TestApp, TestResponse, assert_cache_control, assert_redirect};

/// The contact page as a reader at `ip` gets it, with its challenge shown long enough ago:
/// returns the challenge's id and answer (read from the database, as only a test can).
async fn challenge(app: &TestApp, ip: &str) -> (String, String) {
    let page = get_from(app, ip, "/lien-he").await;
    assert_eq!(page.status, StatusCode::OK);
    let marker = r#"name="captcha_id" value=""#;
    let start = page.position(marker) + marker.len();
    let id = page.body[start..start + 32].to_owned();
    let answer = sqlx::query_scalar(
        "update captcha set created_at = now() - interval '10 seconds' where captcha_id = $1
         returning answer",
    )
    .bind(&id)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    (id, answer)
}

async fn get_from(app: &TestApp, ip: &str, uri: &str) -> TestResponse {
    let mut request = Request::get(uri).body(Body::empty()).unwrap();
    let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    app.request(request).await
}

async fn post_from(app: &TestApp, ip: &str, fields: &[(&str, &str)]) -> TestResponse {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut request = Request::post("/lien-he")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, ORIGIN)
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap();
    let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    app.request(request).await
}

/// A complete message with a fresh challenge, plus `extra` fields that replace the defaults.
async fn send(app: &TestApp, ip: &str, extra: &[(&str, &str)]) -> TestResponse {
    let (id, answer) = challenge(app, ip).await;
    let mut fields = vec![
        ("name", "Nguyễn Thị Hoà"),
        ("reply_to", "hoa.nguyen@example.vn"),
        ("subject", "Hỏi về thủ tục cấp giấy phép xây dựng"),
        ("content", "Xin hỏi hồ sơ gồm những gì?\nCảm ơn."),
        ("captcha_id", id.as_str()),
        ("captcha", answer.as_str()),
    ];
    for (name, value) in extra {
        fields.retain(|(n, _)| n != name);
        fields.push((name, value));
    }
    post_from(app, ip, &fields).await
}

async fn messages(db: &PgPool) -> i64 {
    sqlx::query_scalar("select count(*) from contact_message")
        .fetch_one(db)
        .await
        .unwrap()
}

async fn app_with_agency(db: &PgPool) -> TestApp {
    sqlx::query(
        "update site_setting set agency_name = 'Ủy ban nhân dân huyện Bảo Thắng',
                agency_address = 'Thị trấn Phố Lu', agency_phone = '0214 3 861 000',
                agency_email = 'ubnd@example.vn'",
    )
    .execute(db)
    .await
    .unwrap();
    TestApp::new(db.clone()).await
}

#[db_test]
async fn the_contact_page_shows_the_agency_and_a_form_with_a_privacy_notice(db: PgPool) {
    let app = app_with_agency(&db).await;
    let page = get_from(&app, "10.2.0.1", "/lien-he").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_cache_control(&page, "no-store");
    page.assert_contains("<h1 class=\"page-title\">Liên hệ</h1>");
    page.assert_contains("Ủy ban nhân dân huyện Bảo Thắng");
    page.assert_contains("Địa chỉ: Thị trấn Phố Lu");
    page.assert_contains(r#"<a href="mailto:ubnd@example.vn">ubnd@example.vn</a>"#);
    page.assert_contains("Thư được lưu 365 ngày kể từ khi gửi rồi xóa hẳn");
    for label in [
        "Họ tên",
        "E-mail hoặc số điện thoại",
        "Tiêu đề",
        "Nội dung",
        "Mã kiểm tra",
    ] {
        page.assert_contains(&format!(">{label}</label>"));
    }
    // The text question for readers who cannot see the image.
    get_from(&app, "10.2.0.1", "/lien-he?kieu=cau-hoi")
        .await
        .assert_contains("Câu hỏi:");
}

#[db_test]
async fn a_message_lands_in_the_inbox_and_its_state_changes_are_audited(db: PgPool) {
    let app = app_with_agency(&db).await;
    let sent = send(&app, "10.2.1.1", &[]).await;
    assert_redirect(&sent, "/lien-he?gui=xong");
    get_from(&app, "10.2.1.1", "/lien-he?gui=xong")
        .await
        .assert_contains("Cảm ơn bạn. Thư đã được gửi");
    let (id, body, ip): (i64, String, Option<String>) =
        sqlx::query_as("select contact_message_id, body, ip from contact_message")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(body, "Xin hỏi hồ sơ gồm những gì?\nCảm ơn.");
    assert_eq!(ip.as_deref(), Some("10.2.1.1"), "kept for the per-IP limit");

    let editor = app.staff(Role::Editor).await;
    let dashboard = editor.get(&app, "/admin").await;
    dashboard.assert_contains(
        r#"Hộp thư liên hệ <span class="count">1</span><span class="visually-hidden"> thư mới</span>"#,
    );
    let inbox = editor.get(&app, "/admin/contact").await;
    assert_eq!(inbox.status, StatusCode::OK);
    inbox.assert_contains("Hỏi về thủ tục cấp giấy phép xây dựng");
    inbox.assert_contains("Nguyễn Thị Hoà");
    let message = editor.get(&app, &format!("/admin/contact/{id}")).await;
    message.assert_contains("Xin hỏi hồ sơ gồm những gì?");
    message.assert_contains("mailto:hoa.nguyen@example.vn?subject=Re%3A%20H");

    let answered = editor
        .post(&app, &format!("/admin/contact/{id}/state"), &[("state", "answered")])
        .await;
    assert_redirect(&answered, &format!("/admin/contact/{id}?msg=message-state-changed"));
    let (action, target, details): (String, String, String) =
        sqlx::query_as("select action, target_type, details from audit_log where target_id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(
        (action.as_str(), target.as_str(), details.as_str()),
        ("contact.state_changed", "contact_message", "Mới → Đã trả lời")
    );
    let new_only = editor.get(&app, "/admin/contact?trang-thai=new").await;
    new_only.assert_contains("Không có thư nào.");
    let answered_only = editor.get(&app, "/admin/contact?trang-thai=answered").await;
    answered_only.assert_contains("Hỏi về thủ tục cấp giấy phép xây dựng");
    assert_eq!(
        editor
            .get(&app, "/admin/contact?trang-thai=bogus")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let bogus = editor
        .post(&app, &format!("/admin/contact/{id}/state"), &[("state", "deleted")])
        .await;
    assert_eq!(bogus.status, StatusCode::NOT_FOUND);
    editor
        .get(&app, "/admin")
        .await
        .assert_not_contains("thư mới");
}

#[db_test]
async fn reporters_and_moderators_cannot_read_the_inbox(db: PgPool) {
    let app = app_with_agency(&db).await;
    send(&app, "10.2.2.1", &[]).await;
    for role in [Role::Reporter, Role::Moderator] {
        let who = app.staff(role).await;
        assert_eq!(who.get(&app, "/admin/contact").await.status, StatusCode::FORBIDDEN);
        who.get(&app, "/admin")
            .await
            .assert_not_contains("Hộp thư liên hệ");
        let post = who
            .post(&app, "/admin/contact/1/state", &[("state", "read")])
            .await;
        assert_eq!(post.status, StatusCode::FORBIDDEN);
    }
    let admin = app.staff(Role::Admin).await;
    assert_eq!(admin.get(&app, "/admin/contact").await.status, StatusCode::OK);
}

#[db_test]
async fn validation_errors_keep_the_input_beside_their_messages(db: PgPool) {
    let app = app_with_agency(&db).await;
    let long = "â".repeat(5001);
    let refused = send(
        &app,
        "10.2.3.1",
        &[
            ("name", "  "),
            ("reply_to", "ông Ba ở xóm trên"),
            ("content", long.as_str()),
            ("captcha", "sai"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_cache_control(&refused, "no-store");
    refused.assert_contains("Thư chưa được gửi: xin xem lại các mục được đánh dấu.");
    refused.assert_contains(
        r#"<p class="field-error" id="lh-name-error">Vui lòng nhập thông tin này.</p>"#,
    );
    refused.assert_contains(
        "Hãy nhập một địa chỉ thư điện tử (ví dụ ten@example.vn) hoặc một số điện thoại.",
    );
    refused.assert_contains("Tối đa 5000 ký tự (hiện có 5001).");
    refused.assert_contains("Mã kiểm tra không đúng.");
    // What the reader typed is still there.
    refused.assert_contains(r#"value="ông Ba ở xóm trên""#);
    refused.assert_contains(r#"value="Hỏi về thủ tục cấp giấy phép xây dựng""#);
    refused.assert_contains(&long);
    assert_eq!(messages(&db).await, 0);

    // A control character gets its message; a phone number is a way to answer.
    let control = send(&app, "10.2.3.2", &[("subject", "Hỏi\u{1b}[31m")]).await;
    assert_eq!(control.status, StatusCode::UNPROCESSABLE_ENTITY);
    control.assert_contains("Có ký tự điều khiển không hợp lệ");
    let phone = send(&app, "10.2.3.3", &[("reply_to", "0912 345 678")]).await;
    assert_eq!(phone.status, StatusCode::SEE_OTHER);
    assert_eq!(messages(&db).await, 1);
}

#[db_test]
async fn robots_are_refused_by_the_captcha_the_honeypot_and_the_clock(db: PgPool) {
    let app = app_with_agency(&db).await;
    // The honeypot: the robot is thanked, nothing is stored.
    let honeypot = send(&app, "10.2.4.1", &[("website", "http://spam.example")]).await;
    assert_redirect(&honeypot, "/lien-he?gui=xong");
    // No challenge at all.
    let missing = send(&app, "10.2.4.2", &[("captcha_id", ""), ("captcha", "")]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    missing.assert_contains("Mã kiểm tra đã hết hạn hoặc đã được dùng.");
    // Answered within a second of seeing the form.
    let page = get_from(&app, "10.2.4.3", "/lien-he").await;
    let marker = r#"name="captcha_id" value=""#;
    let start = page.position(marker) + marker.len();
    let id = page.body[start..start + 32].to_owned();
    let answer: String = sqlx::query_scalar("select answer from captcha where captcha_id = $1")
        .bind(&id)
        .fetch_one(&db)
        .await
        .unwrap();
    let fast = send(&app, "10.2.4.3", &[("captcha_id", &id), ("captcha", &answer)]).await;
    assert_eq!(fast.status, StatusCode::UNPROCESSABLE_ENTITY);
    fast.assert_contains("Bạn gửi nhanh quá.");
    assert_eq!(messages(&db).await, 0);
}

#[db_test]
async fn twenty_messages_at_once_from_one_ip_store_exactly_the_limit(db: PgPool) {
    let app = app_with_agency(&db).await;
    let mut challenges = Vec::new();
    for _ in 0..20 {
        challenges.push(challenge(&app, "10.2.5.1").await);
    }
    let app = &app;
    let posts = challenges.iter().map(|(id, answer)| async move {
        post_from(
            app,
            "10.2.5.1",
            &[
                ("name", "Bạn đọc"),
                ("reply_to", "0912345678"),
                ("subject", "Cùng một lúc"),
                ("content", "Nội dung."),
                ("captcha_id", id),
                ("captcha", answer),
            ],
        )
        .await
    });
    let statuses: Vec<StatusCode> = join_all(posts).await.iter().map(|r| r.status).collect();
    let accepted = statuses
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((accepted, refused), (5, 15), "{statuses:?}");
    assert_eq!(messages(&db).await, 5);
    // Another reader is not affected.
    assert_eq!(send(app, "10.2.5.2", &[]).await.status, StatusCode::SEE_OTHER);
}

#[db_test]
async fn the_retention_job_deletes_old_messages_and_erases_addresses(db: PgPool) {
    let app = app_with_agency(&db).await;
    for (subject, age) in [
        ("Thư cũ", "400 days"),
        ("Thư tháng trước", "30 days"),
        ("Thư mới", "1 minute"),
    ] {
        sqlx::query(
            "insert into contact_message (sender_name, reply_to, subject, body, ip, created_at)
             values ('Bạn đọc', '0912345678', $1, 'Nội dung.', '10.2.6.1', now() - $2::interval)",
        )
        .bind(subject)
        .bind(age)
        .execute(&db)
        .await
        .unwrap();
    }
    let deleted = toasoan::scheduler::delete_old_contact_messages(&app.state)
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    let left: Vec<(String, Option<String>)> =
        sqlx::query_as("select subject, ip from contact_message order by created_at")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(
        left,
        [
            ("Thư tháng trước".to_owned(), None),
            ("Thư mới".to_owned(), Some("10.2.6.1".to_owned()))
        ]
    );
    // A shorter retention set by an admin applies at the next run.
    sqlx::query("update site_setting set contact_retention_days = 7")
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        toasoan::scheduler::delete_old_contact_messages(&app.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(messages(&db).await, 1);
}
