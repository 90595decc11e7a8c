//! The admins' pages: staff accounts, site settings and the audit log.

use axum::http::{StatusCode, header};
use sqlx::PgPool;
use toasoan::{
    auth::Role,
    db::{
        self,
        audit::{Actor, AuditAction, Target},
    },
};

use crate::support::{PASSWORD, Staff, TestApp, TestResponse, assert_redirect, count};

/// The details of the audit entries with this action, oldest first.
async fn audited(db: &PgPool, action: &str) -> Vec<String> {
    sqlx::query_scalar("select details from audit_log where action = $1 order by audit_log_id")
        .bind(action)
        .fetch_all(db)
        .await
        .unwrap()
}

async fn log_in(app: &TestApp, login: &str, password: &str) -> TestResponse {
    app.post("/admin/login", &[("login", login), ("password", password)])
        .await
}

async fn role_and_active(db: &PgPool, user_id: i64) -> (String, bool) {
    sqlx::query_as("select role::text, is_active from app_user where user_id = $1")
        .bind(user_id)
        .fetch_one(db)
        .await
        .unwrap()
}

async fn sessions_of(db: &PgPool, who: &Staff) -> i64 {
    sqlx::query_scalar("select count(*) from session where user_id = $1")
        .bind(who.user_id)
        .fetch_one(db)
        .await
        .unwrap()
}

const NEW_PASSWORD: &str = "mật-khẩu-mới-dài-hơn";

// --- Who may come in ------------------------------------------------------------------------

#[db_test]
async fn only_admins_see_users_settings_and_the_audit_log(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    for uri in [
        "/admin/users",
        "/admin/users/new",
        &format!("/admin/users/{}", admin.user_id),
        "/admin/settings",
        "/admin/audit",
    ] {
        assert_eq!(admin.get(&app, uri).await.status, StatusCode::OK, "{uri}");
    }
    for role in [Role::Reporter, Role::Moderator, Role::Editor] {
        let who = app.staff(role).await;
        for uri in [
            "/admin/users",
            "/admin/users/new",
            &format!("/admin/users/{}", admin.user_id),
            "/admin/settings",
            "/admin/audit",
        ] {
            let page = who.get(&app, uri).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{role:?} {uri}");
            page.assert_contains("Không có quyền truy cập");
        }
        let posts = [
            (
                "/admin/users".to_owned(),
                vec![
                    ("username", "moi"),
                    ("display_name", "Mới"),
                    ("role", "admin"),
                ],
            ),
            (
                format!("/admin/users/{}", admin.user_id),
                vec![("display_name", "Đổi"), ("role", "reporter")],
            ),
            (format!("/admin/users/{}/deactivate", admin.user_id), vec![]),
            (format!("/admin/users/{}/reactivate", admin.user_id), vec![]),
            (
                format!("/admin/users/{}/password", admin.user_id),
                vec![("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
            ),
            ("/admin/settings".to_owned(), vec![("site_name", "Chiếm quyền")]),
        ];
        for (uri, fields) in posts {
            let response = who.post(&app, &uri, &fields).await;
            assert_eq!(response.status, StatusCode::FORBIDDEN, "{role:?} {uri}");
        }
        // Their menu does not offer these pages either.
        who.get(&app, "/admin")
            .await
            .assert_not_contains(r#"href="/admin/users""#);
    }
    assert_eq!(count(&db, "app_user").await, 4);
    assert_eq!(role_and_active(&db, admin.user_id).await, ("admin".to_owned(), true));
    assert_eq!(count(&db, "audit_log").await, 0);
    app.get("/").await.assert_not_contains("Chiếm quyền");
}

#[db_test]
async fn anonymous_visitors_are_sent_to_login_from_admin_pages(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    for uri in [
        "/admin/users",
        "/admin/users/new",
        "/admin/users/1",
        "/admin/settings",
        "/admin/audit",
    ] {
        assert_redirect(&app.get(uri).await, "/admin/login");
    }
    assert_redirect(&app.post("/admin/settings", &[("site_name", "X")]).await, "/admin/login");
    assert_redirect(&app.post("/admin/users", &[("username", "x")]).await, "/admin/login");
    assert_eq!(count(&db, "app_user").await, 0);
}

// --- Users ----------------------------------------------------------------------------------

#[db_test]
async fn admin_creates_an_account_that_can_log_in(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;

    let form = admin.get(&app, "/admin/users/new").await;
    form.assert_contains(r#"<label for="username">Tên đăng nhập</label>"#);
    form.assert_contains(r#"<option value="reporter" selected>Phóng viên</option>"#);

    let created = admin
        .post(
            &app,
            "/admin/users",
            &[
                ("username", "ThuThuy"),
                ("display_name", "Lê Thu Thuỷ"),
                ("email", "thuy@baothang.vn"),
                ("role", "editor"),
                ("password", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_redirect(&created, "/admin/users?msg=user-created");

    let list = admin.get(&app, "/admin/users?msg=user-created").await;
    list.assert_contains("Đã tạo tài khoản.");
    let row = &list.body[list.position(">Lê Thu Thuỷ</a>")..];
    let row = &row[..row.find("</tr>").unwrap()];
    for cell in [
        "<td>thuthuy</td>",
        "<td>thuy@baothang.vn</td>",
        r#"<span class="role">Biên tập viên</span>"#,
        "Hoạt động",
    ] {
        assert!(row.contains(cell), "{cell} in {row}");
    }
    assert_eq!(audited(&db, "user.created").await, ["thuthuy (editor)"]);

    let login = log_in(&app, "thuthuy", NEW_PASSWORD).await;
    assert_redirect(&login, "/admin");
}

#[db_test]
async fn an_invalid_new_account_keeps_the_input_with_a_message_per_field(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let page = admin
        .post(
            &app,
            "/admin/users",
            &[
                ("username", "Thu Thuỷ"),
                ("display_name", " "),
                ("email", "thuy@"),
                ("role", "root"),
                ("password", "ngắn-quá"),
                ("confirm", "ngắn-quá"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains(r#"value="Thu Thuỷ""#);
    page.assert_contains(r#"value="thuy@""#);
    for message in [
        "Tên đăng nhập gồm 2–40 ký tự",
        "Vui lòng nhập thông tin này.",
        "Địa chỉ email không hợp lệ",
        "Hãy chọn một vai trò.",
        "Mật khẩu phải có ít nhất 10 ký tự.",
    ] {
        page.assert_contains(message);
    }
    page.assert_not_contains("ngắn-quá");

    let page = admin
        .post(
            &app,
            "/admin/users",
            &[
                ("username", "thuthuy"),
                ("display_name", "Thuỷ"),
                ("role", "reporter"),
                ("password", NEW_PASSWORD),
                ("confirm", "khác"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("Hai lần nhập mật khẩu không khớp nhau.");
    page.assert_contains(r#"value="thuthuy""#);
    assert_eq!(count(&db, "app_user").await, 1);
}

#[db_test]
async fn usernames_and_emails_must_be_unique(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let taken_email = format!("{}@Example.VN", admin.username.to_uppercase());
    let page = admin
        .post(
            &app,
            "/admin/users",
            &[
                ("username", &admin.username.to_uppercase()),
                ("display_name", "Trùng"),
                ("email", &taken_email),
                ("role", "reporter"),
                ("password", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("Tên đăng nhập này đã có người dùng.");
    page.assert_contains("Email này đã được dùng cho một tài khoản khác.");
    assert_eq!(count(&db, "app_user").await, 1);

    // Editing another account onto a taken address is refused the same way.
    let reporter = app.staff(Role::Reporter).await;
    let page = admin
        .post(
            &app,
            &format!("/admin/users/{}", reporter.user_id),
            &[
                ("display_name", "Phóng viên"),
                ("email", &taken_email),
                ("role", "reporter"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("Email này đã được dùng cho một tài khoản khác.");
}

#[db_test]
async fn changing_a_role_takes_effect_at_once_and_is_logged(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let reporter = app.staff(Role::Reporter).await;
    assert_eq!(reporter.get(&app, "/admin/categories").await.status, StatusCode::FORBIDDEN);

    let page = admin
        .get(&app, &format!("/admin/users/{}", reporter.user_id))
        .await;
    page.assert_contains(r#"<option value="reporter" selected>Phóng viên</option>"#);
    let saved = admin
        .post(
            &app,
            &format!("/admin/users/{}", reporter.user_id),
            &[
                ("display_name", "Lê Văn Bình"),
                ("email", ""),
                ("role", "editor"),
            ],
        )
        .await;
    assert_redirect(&saved, &format!("/admin/users/{}?msg=saved", reporter.user_id));

    assert_eq!(role_and_active(&db, reporter.user_id).await.0, "editor");
    assert_eq!(reporter.get(&app, "/admin/categories").await.status, StatusCode::OK);
    let name = &reporter.username;
    assert_eq!(audited(&db, "user.role_changed").await, [format!("{name}: reporter → editor")]);
    assert_eq!(audited(&db, "user.updated").await, [format!("{name}: display_name, email")]);
    admin
        .get(&app, "/admin/users")
        .await
        .assert_contains(">Lê Văn Bình</a>");
}

#[db_test]
async fn deactivating_a_user_ends_their_session_until_reactivated(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let reporter = app.staff(Role::Reporter).await;
    assert_eq!(reporter.get(&app, "/admin").await.status, StatusCode::OK);

    let page = admin
        .get(&app, &format!("/admin/users/{}", reporter.user_id))
        .await;
    page.assert_contains(r#"data-confirm="Khóa tài khoản của Nhà báo"#);
    let done = admin
        .post(&app, &format!("/admin/users/{}/deactivate", reporter.user_id), &[])
        .await;
    assert_redirect(&done, &format!("/admin/users/{}?msg=deactivated", reporter.user_id));

    assert_redirect(&reporter.get(&app, "/admin").await, "/admin/login");
    assert_eq!(sessions_of(&db, &reporter).await, 0);
    assert_eq!(log_in(&app, &reporter.username, PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    admin
        .get(&app, "/admin/users")
        .await
        .assert_contains("Đã khóa");
    assert_eq!(audited(&db, "user.deactivated").await, [reporter.username.as_str()]);

    let done = admin
        .post(&app, &format!("/admin/users/{}/reactivate", reporter.user_id), &[])
        .await;
    assert_redirect(&done, &format!("/admin/users/{}?msg=reactivated", reporter.user_id));
    assert_redirect(&log_in(&app, &reporter.username, PASSWORD).await, "/admin");
    assert_eq!(audited(&db, "user.reactivated").await, [reporter.username.as_str()]);
}

#[db_test]
async fn an_admin_cannot_deactivate_themself(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    app.staff(Role::Admin).await; // not the last admin: still refused

    let own = admin
        .get(&app, &format!("/admin/users/{}", admin.user_id))
        .await;
    own.assert_not_contains("/deactivate");
    let page = admin
        .post(&app, &format!("/admin/users/{}/deactivate", admin.user_id), &[])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains(r#"<p class="flash error" role="alert">Bạn không thể tự khóa tài khoản của chính mình.</p>"#);
    assert_eq!(role_and_active(&db, admin.user_id).await, ("admin".to_owned(), true));
    assert_eq!(admin.get(&app, "/admin").await.status, StatusCode::OK);
}

#[db_test]
async fn the_last_active_admin_cannot_be_demoted(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let own = format!("/admin/users/{}", admin.user_id);
    let demote = [
        ("display_name", "Quản trị"),
        ("email", ""),
        ("role", "editor"),
    ];

    let page = admin.post(&app, &own, &demote).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("Không thể đổi vai trò: đây là quản trị viên cuối cùng còn hoạt động.");
    assert_eq!(role_and_active(&db, admin.user_id).await.0, "admin");
    assert!(audited(&db, "user.role_changed").await.is_empty());

    // An inactive admin does not count…
    let sleeping = crate::support::create_user(&db, "ngu-dong", Role::Admin).await;
    db::users::set_active(&db, sleeping, false).await.unwrap();
    assert_eq!(admin.post(&app, &own, &demote).await.status, StatusCode::UNPROCESSABLE_ENTITY);

    // … an active one does: then one may step down, and lands on the dashboard.
    let other = app.staff(Role::Admin).await;
    let done = admin.post(&app, &own, &demote).await;
    assert_redirect(&done, "/admin?msg=saved");
    assert_eq!(role_and_active(&db, admin.user_id).await.0, "editor");
    assert_eq!(
        audited(&db, "user.role_changed").await,
        [format!("{}: admin → editor", admin.username)]
    );

    // Now `other` is the last one.
    let page = other
        .post(&app, &format!("/admin/users/{}", other.user_id), &demote)
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(role_and_active(&db, other.user_id).await.0, "admin");
}

#[db_test]
async fn a_password_reset_lets_them_log_in_with_the_new_password_only(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let reporter = app.staff(Role::Reporter).await;
    let uri = format!("/admin/users/{}/password", reporter.user_id);

    let page = admin
        .post(&app, &uri, &[("password", NEW_PASSWORD), ("confirm", "gõ-nhầm-mật-khẩu")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("Hai lần nhập mật khẩu không khớp nhau.");
    assert_eq!(sessions_of(&db, &reporter).await, 1);

    let done = admin
        .post(&app, &uri, &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)])
        .await;
    assert_redirect(&done, &format!("/admin/users/{}?msg=password-reset", reporter.user_id));
    assert_redirect(&reporter.get(&app, "/admin").await, "/admin/login");
    assert_eq!(log_in(&app, &reporter.username, PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_redirect(&log_in(&app, &reporter.username, NEW_PASSWORD).await, "/admin");
    assert_eq!(audited(&db, "user.password_reset").await, [reporter.username.as_str()]);
    // The admin's own session is untouched.
    assert_eq!(admin.get(&app, "/admin").await.status, StatusCode::OK);
}

#[db_test]
async fn a_display_name_with_markup_is_shown_escaped(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let created = admin
        .post(
            &app,
            "/admin/users",
            &[
                ("username", "xss"),
                ("display_name", "<script>alert(1)</script>"),
                ("role", "reporter"),
                ("password", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_redirect(&created, "/admin/users?msg=user-created");
    let user_id = db::users::find_id_by_username(&db, "xss")
        .await
        .unwrap()
        .unwrap();

    for uri in ["/admin/users".to_owned(), format!("/admin/users/{user_id}")] {
        let page = admin.get(&app, &uri).await;
        page.assert_contains("&#60;script&#62;alert(1)&#60;/script&#62;");
        page.assert_not_contains("<script>alert(1)</script>");
    }
    // Their own pages show it escaped in the header too.
    let login = log_in(&app, "xss", NEW_PASSWORD).await;
    let cookie = login
        .header(header::SET_COOKIE)
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let own = Staff {
        user_id,
        username: "xss".into(),
        cookie,
    };
    let page = own.get(&app, "/admin").await;
    page.assert_contains("&#60;script&#62;alert(1)&#60;/script&#62;");
    page.assert_not_contains("<script>alert(1)</script>");
}

// --- Settings -------------------------------------------------------------------------------

fn settings_fields(site_name: &str) -> Vec<(&str, &str)> {
    vec![
        ("site_name", site_name),
        ("tagline", "Tiếng nói của Đảng bộ, chính quyền và nhân dân"),
        ("agency_name", "UBND huyện Bảo Thắng"),
        ("agency_address", "Thị trấn Phố Lu, huyện Bảo Thắng, tỉnh Lào Cai"),
        ("agency_phone", "0214 3862 123"),
        ("agency_email", "baothang@laocai.gov.vn"),
        ("agency_editor", "Nguyễn Văn A"),
        ("agency_license", "Giấy phép số 12/GP-TTĐT"),
        ("badge_image", "/static/img/tin-nhiem-mang.png"),
        ("badge_link", "https://tinnhiemmang.vn/danh-ba-tin-nhiem"),
        ("reporters_publish_directly", "on"),
    ]
}

#[db_test]
async fn a_settings_change_shows_on_the_public_site_and_is_audited(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let form = admin.get(&app, "/admin/settings").await;
    form.assert_contains(r#"<input id="site_name" name="site_name" value="Tòa Soạn""#);
    form.assert_contains(
        r#"<label for="comments_open_default">Mặc định cho phép bình luận bài mới</label>"#,
    );
    form.assert_contains(r#"name="comments_open_default" type="checkbox" checked>"#);

    // Decomposed (NFD) input is stored composed.
    let nfd = "Cổng thông tin Ba\u{309}o Tha\u{306}\u{301}ng";
    let saved = admin
        .post(&app, "/admin/settings", &settings_fields(nfd))
        .await;
    assert_redirect(&saved, "/admin/settings?msg=saved");

    let stored = db::settings::get(&db).await.unwrap();
    assert_eq!(stored.site_name, "Cổng thông tin Bảo Thắng");
    assert!(!stored.comments_open_default && stored.reporters_publish_directly);

    let home = app.get("/").await;
    home.assert_contains("<title>Cổng thông tin Bảo Thắng</title>");
    home.assert_contains("Cơ quan chủ quản: UBND huyện Bảo Thắng");
    home.assert_contains(r#"Điện thoại: <a href="tel:02143862123">0214 3862 123</a>"#);
    home.assert_contains(r#"<a href="https://tinnhiemmang.vn/danh-ba-tin-nhiem"><img src="/static/img/tin-nhiem-mang.png""#);

    let changed = audited(&db, "settings.updated").await;
    assert_eq!(changed.len(), 1);
    assert!(changed[0].starts_with("site_name, tagline, agency_name"), "{changed:?}");
    assert!(
        changed[0].ends_with("badge_link, comments_open_default, reporters_publish_directly"),
        "{changed:?}"
    );

    // Saving again without a change writes nothing to the log.
    let again = admin
        .post(&app, "/admin/settings", &settings_fields(nfd))
        .await;
    assert_redirect(&again, "/admin/settings?msg=saved");
    assert_eq!(audited(&db, "settings.updated").await.len(), 1);
    let form = admin.get(&app, "/admin/settings?msg=saved").await;
    form.assert_contains("Đã lưu.");
    form.assert_contains(r#"name="comments_open_default" type="checkbox">"#);
    form.assert_contains(r#"name="reporters_publish_directly" type="checkbox" checked>"#);
}

#[db_test]
async fn invalid_settings_keep_the_input_and_change_nothing(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let long = "x".repeat(301);
    let mut fields = settings_fields(" ");
    fields.retain(|(name, _)| !name.starts_with("badge"));
    fields.push(("badge_image", "//evil.example/a.png"));
    fields.push(("badge_link", "javascript:alert(1)"));
    fields.retain(|(name, _)| *name != "agency_editor");
    fields.push(("agency_editor", &long));

    let page = admin.post(&app, "/admin/settings", &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains(
        r#"<p class="field-error" id="site_name-error">Vui lòng nhập thông tin này.</p>"#,
    );
    page.assert_contains(
        r#"<p class="field-error" id="badge_image-error">Hãy nhập một đường dẫn bắt đầu bằng “/”"#,
    );
    page.assert_contains(r#"<p class="field-error" id="badge_link-error">Hãy nhập một đường dẫn"#);
    page.assert_contains("Tối đa 300 ký tự (hiện có 301).");
    page.assert_contains(r#"value="javascript:alert(1)""#);
    page.assert_contains(r#"value="UBND huyện Bảo Thắng""#);
    page.assert_contains(r#"name="reporters_publish_directly" type="checkbox" checked>"#);

    assert_eq!(db::settings::get(&db).await.unwrap().site_name, "Tòa Soạn");
    assert_eq!(count(&db, "audit_log").await, 0);
    app.get("/")
        .await
        .assert_contains("<title>Tòa Soạn</title>");
}

#[db_test]
async fn a_site_name_with_markup_is_shown_escaped(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let saved = admin
        .post(&app, "/admin/settings", &settings_fields("<script>alert(1)</script>"))
        .await;
    assert_redirect(&saved, "/admin/settings?msg=saved");
    for page in [
        admin.get(&app, "/admin/settings").await,
        app.get("/").await,
        app.get("/admin/login").await,
    ] {
        page.assert_contains("&#60;script&#62;alert(1)&#60;/script&#62;");
        page.assert_not_contains("<script>alert(1)</script>");
    }
}

// --- Audit log ------------------------------------------------------------------------------

#[db_test]
async fn the_audit_log_lists_a_login_with_its_label(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let reporter = app.staff(Role::Reporter).await;
    assert_redirect(&log_in(&app, &reporter.username, PASSWORD).await, "/admin");
    assert_eq!(
        log_in(&app, &reporter.username, "sai-mật-khẩu")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let page = admin.get(&app, "/admin/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    let failure = page.position(r#"<span title="login.failure">Đăng nhập sai</span>"#);
    let success = page.position(r#"<span title="login.success">Đăng nhập</span>"#);
    assert!(failure < success, "newest first");
    page.assert_contains(&format!("<td>{}</td>", reporter.username));
    page.assert_contains(&format!(
        r#"<a href="/admin/users/{id}">Người dùng #{id}</a>"#,
        id = reporter.user_id
    ));
}

#[db_test]
async fn the_audit_log_is_paginated_and_filtered_by_kind(db: PgPool) {
    let actor = Actor {
        user_id: None,
        name: "máy",
        ip: "10.0.0.9",
    };
    for n in 0..55 {
        db::audit::record(&db, actor, AuditAction::LoginFailure, Target::None, &format!("lần {n}"))
            .await
            .unwrap();
    }
    for n in 0..5 {
        db::audit::record(
            &db,
            actor,
            AuditAction::CategoryCreated,
            Target::Category(n + 1),
            &format!("mục {n}"),
        )
        .await
        .unwrap();
    }
    // An action this version does not write (an older or newer one did) shows as stored.
    sqlx::query(
        "insert into audit_log (actor, action, target_type, details, ip)
         values ('máy', 'something.new', '', 'lạ', '10.0.0.9')",
    )
    .execute(&db)
    .await
    .unwrap();
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let rows = |page: &TestResponse| page.body.matches("<tr>").count() - 1; // minus the header

    let first = admin.get(&app, "/admin/audit").await;
    assert_eq!(rows(&first), 50);
    first.assert_contains("61 mục, mới nhất trước.");
    first.assert_contains("<td>lạ</td>");
    first.assert_contains("<td>10.0.0.9</td>");
    first.assert_contains("<td>something.new</td>");
    first.assert_contains(r#"<a href="/admin/audit?trang=2" rel="next">Trang sau</a>"#);
    first.assert_contains(r#"<a href="/admin/categories/5">Chuyên mục #5</a>"#);

    let second = admin.get(&app, "/admin/audit?trang=2").await;
    assert_eq!(rows(&second), 11);
    second.assert_contains("<td>lần 0</td>");
    second.assert_contains(r#"<a href="/admin/audit" rel="prev">Trang trước</a>"#);

    let logins = admin.get(&app, "/admin/audit?loai=login").await;
    assert_eq!(rows(&logins), 50);
    logins.assert_contains(r#"<option value="login" selected>Đăng nhập</option>"#);
    logins.assert_not_contains("mục 4");
    logins.assert_contains(r#"href="/admin/audit?loai=login&#38;trang=2""#);
    assert_eq!(rows(&admin.get(&app, "/admin/audit?loai=login&trang=2").await), 5);

    let categories = admin.get(&app, "/admin/audit?loai=category").await;
    assert_eq!(rows(&categories), 5);
    categories.assert_contains(r#"<span title="category.created">Tạo chuyên mục</span>"#);
    categories.assert_not_contains("Trang sau");
    let nothing = admin.get(&app, "/admin/audit?loai=comment").await;
    nothing.assert_contains("Không có hoạt động nào.");
    assert_eq!(admin.get(&app, "/admin/audit?loai=").await.status, StatusCode::OK);

    for uri in [
        "/admin/audit?loai=bogus",
        "/admin/audit?loai=login%25",
        "/admin/audit?loai=%27%20or%201=1--",
        "/admin/audit?loai=login&loai=user",
        "/admin/audit?trang=3",
        "/admin/audit?trang=0",
        "/admin/audit?loai=category&trang=2",
    ] {
        assert_eq!(admin.get(&app, uri).await.status, StatusCode::NOT_FOUND, "{uri}");
    }
}

#[db_test]
async fn audit_rows_cannot_be_changed_or_deleted(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    admin
        .post(&app, "/admin/settings", &settings_fields("Bảo Thắng"))
        .await;
    assert_eq!(count(&db, "audit_log").await, 1);

    let page = admin.get(&app, "/admin/audit").await;
    page.assert_not_contains("<form method=\"post\"");
    for sql in [
        "delete from audit_log",
        "update audit_log set actor = 'ai đó'",
        "truncate audit_log",
    ] {
        let error = sqlx::query(sql).execute(&db).await.expect_err(sql);
        assert!(error.to_string().contains("audit_log is append-only"), "{sql}: {error}");
    }
    assert_eq!(count(&db, "audit_log").await, 1);
    assert_eq!(admin.post(&app, "/admin/audit", &[]).await.status, StatusCode::METHOD_NOT_ALLOWED);
}
