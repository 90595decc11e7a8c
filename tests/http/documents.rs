//! The documents library ("Văn bản"): the back office (create, edit, files, delete, the
//! managed lists, roles), the public listing with its filters and search, a document's page,
//! downloads, the feed and the sitemap.

use axum::http::{StatusCode, header};
use sqlx::PgPool;
use toasoan::{auth::Role, db::documents::DocumentFields, media::files::minimal_pdf};

use crate::support::{
    Multipart, Staff, TestApp, TestResponse, assert_redirect, create_user, location_id,
};

/// The id of a seeded entry of a managed list.
pub(crate) async fn term(db: &PgPool, kind: &str, slug: &str) -> i64 {
    sqlx::query_scalar("select document_term_id from document_term where kind = $1 and slug = $2")
        .bind(kind)
        .bind(slug)
        .fetch_one(db)
        .await
        .unwrap_or_else(|_| panic!("no {kind} {slug}"))
}

/// A document inserted directly (Nghị quyết of the Huyện ủy, in force).
pub(crate) async fn document(db: &PgPool, number: &str, summary: &str, issued_on: &str) -> i64 {
    let created_by = create_user(db, &format!("vanthu{}", fastrand::u32(..)), Role::Editor).await;
    let fields = DocumentFields {
        slug: toasoan::text::slugify(&format!("{number} {summary}")),
        number: number.into(),
        type_id: term(db, "type", "nghi-quyet").await,
        issuer_id: term(db, "issuer", "huyen-uy").await,
        field_id: None,
        signer: String::new(),
        issued_on: time::Date::parse(
            issued_on,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .unwrap(),
        effective_on: None,
        summary: summary.into(),
        body_html: String::new(),
        in_force: true,
    };
    toasoan::db::documents::insert(db, &fields, Some(created_by))
        .await
        .unwrap()
}

/// The document form as an editor fills it in; `extra` overrides or adds fields.
async fn document_form(db: &PgPool, extra: &[(&str, &str)]) -> Multipart {
    let type_id = term(db, "type", "nghi-quyet").await.to_string();
    let issuer_id = term(db, "issuer", "huyen-uy").await.to_string();
    let field_id = term(db, "field", "kinh-te").await.to_string();
    let mut fields: Vec<(&str, &str)> = vec![
        ("number", "15-NQ/HU"),
        ("type_id", &type_id),
        ("issuer_id", &issuer_id),
        ("field_id", &field_id),
        ("signer", "Nguyễn Văn Hùng"),
        ("issued_on", "2026-03-15"),
        ("effective_on", "2026-04-01"),
        (
            "summary",
            "Về phát triển kinh tế nông thôn gắn với xây dựng nông thôn mới giai đoạn 2026 - 2030",
        ),
        ("body_html", "<p>Điều 1. Mục tiêu<script>alert(1)</script></p>"),
        ("in_force", "1"),
        ("slug", ""),
    ];
    for (name, value) in extra {
        fields.retain(|(n, _)| n != name);
        fields.push((name, value));
    }
    Multipart::default().fields(&fields)
}

async fn create(app: &TestApp, who: &Staff, form: Multipart) -> i64 {
    let response = who.post_multipart(app, "/admin/documents", form).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    location_id(&response, "/admin/documents/")
}

async fn count_rows(db: &PgPool, table: &str) -> i64 {
    let sql = match table {
        "legal_document" => "select count(*) from legal_document",
        "media_file" => "select count(*) from media_file",
        other => panic!("no count for {other}"),
    };
    sqlx::query_scalar(sql).fetch_one(db).await.unwrap()
}

async fn audit_actions(db: &PgPool) -> Vec<String> {
    sqlx::query_scalar("select action from audit_log order by audit_log_id")
        .fetch_all(db)
        .await
        .unwrap()
}

/// The file of a document: its id and download URL.
async fn file_of(db: &PgPool, document_id: i64) -> (i64, String) {
    sqlx::query_as(
        "select media_file_id, original_name from legal_document_file join media_file using (media_file_id)
         where legal_document_id = $1",
    )
    .bind(document_id)
    .fetch_one(db)
    .await
    .unwrap()
}

async fn download(app: &TestApp, uri: &str) -> (TestResponse, Vec<u8>) {
    let request = axum::http::Request::get(uri)
        .body(axum::body::Body::empty())
        .unwrap();
    app.request_raw(request).await
}

#[db_test]
async fn an_editor_adds_a_document_with_a_pdf_that_readers_see_and_download(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let pdf = minimal_pdf(&["Nghi quyet so 15-NQ/HU"]);

    let form = editor.get(&app, "/admin/documents/new").await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains(r#"enctype="multipart/form-data""#);
    form.assert_contains(r#"<option value="#);

    let form = document_form(&db, &[]).await.file(
        "files",
        "Nghị quyết số 15-NQ-HU.pdf",
        "application/pdf",
        &pdf,
    );
    let id = create(&app, &editor, form).await;
    assert_eq!(audit_actions(&db).await, ["document.created"]);
    let slug = "15-nq-hu-ve-phat-trien-kinh-te-nong-thon-gan-voi-xay-dung-nong-thon-moi-giai-doan-2026-2030";

    let listing = app.get("/van-ban").await;
    assert_eq!(listing.status, StatusCode::OK);
    listing.assert_contains(&format!(r#"<a href="/van-ban/{slug}">15-NQ/HU</a>"#));
    listing.assert_contains("15/03/2026");

    let page = app.get(&format!("/van-ban/{slug}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for shown in [
        "Nghị quyết số 15-NQ/HU",
        "Huyện ủy",
        "Kinh tế",
        "Nguyễn Văn Hùng",
        "15/03/2026",
        "01/04/2026",
        "Còn hiệu lực",
        "Về phát triển kinh tế nông thôn gắn với xây dựng nông thôn mới giai đoạn 2026 - 2030",
        "<p>Điều 1. Mục tiêu</p>",
        "Nghị quyết số 15-NQ-HU.pdf",
    ] {
        page.assert_contains(shown);
    }
    page.assert_not_contains("<script>alert");
    let (file_id, name) = file_of(&db, id).await;
    assert_eq!(name, "Nghị quyết số 15-NQ-HU.pdf");
    let url = format!("/tai-lieu/{file_id}/nghi-quyet-so-15-nq-hu.pdf");
    page.assert_contains(&format!(r#"href="{url}""#));

    let (response, bytes) = download(&app, &url).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(bytes, pdf);
    assert_eq!(response.header(header::CONTENT_TYPE), "application/pdf");
    assert_eq!(
        response.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"nghi-quyet-so-15-nq-hu.pdf\"; \
         filename*=UTF-8''Ngh%E1%BB%8B%20quy%E1%BA%BFt%20s%E1%BB%91%2015-NQ-HU.pdf"
    );
    assert_eq!(response.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(
        response.header(header::CONTENT_LENGTH),
        pdf.len().to_string(),
        "streamed from storage with its length"
    );
    assert_eq!(response.header(header::CACHE_CONTROL), "public, max-age=86400");
    // Only the id counts; a file nobody's document carries is not served.
    assert_eq!(
        download(&app, &format!("/tai-lieu/{file_id}/x.pdf"))
            .await
            .0
            .status,
        StatusCode::OK
    );
    assert_eq!(download(&app, "/tai-lieu/999999/x.pdf").await.0.status, StatusCode::NOT_FOUND);
    assert_eq!(download(&app, "/tai-lieu/abc/x.pdf").await.0.status, StatusCode::NOT_FOUND);
}

#[db_test]
async fn a_document_prints_with_its_fields_files_and_source_without_the_site_frame(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let form = document_form(&db, &[]).await.file(
        "files",
        "Nghị quyết số 15-NQ-HU.pdf",
        "application/pdf",
        &minimal_pdf(&["15-NQ/HU"]),
    );
    let id = create(&app, &editor, form).await;
    let (file_id, _) = file_of(&db, id).await;
    let slug = "15-nq-hu-ve-phat-trien-kinh-te-nong-thon-gan-voi-xay-dung-nong-thon-moi-giai-doan-2026-2030";

    let page = app.get(&format!("/van-ban/{slug}")).await;
    page.assert_contains(&format!(
        r#"<a class="print-link" href="/van-ban/{slug}/ban-in" rel="nofollow">In bài</a>"#
    ));
    let print = app.get(&format!("/van-ban/{slug}/ban-in")).await;
    assert_eq!(print.status, StatusCode::OK);
    for shown in [
        r#"<h1 class="article-title">Nghị quyết số 15-NQ/HU</h1>"#,
        r#"<tr><th scope="row">Ngày ban hành</th><td>15/03/2026</td></tr>"#,
        "Nguyễn Văn Hùng",
        "<p>Điều 1. Mục tiêu</p>",
        &format!(
            "Nghị quyết số 15-NQ-HU.pdf: https://baothang.example.vn/tai-lieu/{file_id}/nghi-quyet-so-15-nq-hu.pdf"
        ),
        &format!("Nguồn: https://baothang.example.vn/van-ban/{slug}"),
        r#"<meta name="robots" content="noindex">"#,
    ] {
        print.assert_contains(shown);
    }
    for frame in ["main-nav", "site-footer", "<script", "print-link"] {
        print.assert_not_contains(frame);
    }
    assert_eq!(app.get("/van-ban/khong-co/ban-in").await.status, StatusCode::NOT_FOUND);
}

#[db_test]
async fn renamed_programs_and_pages_are_refused_with_the_form_kept(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    elf.resize(4096, 0);
    let mut pe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff".to_vec();
    pe.resize(4096, 0);
    let html = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>".to_vec();
    for (bytes, message) in [
        (&elf, "chương trình chạy được"),
        (&pe, "chương trình chạy được"),
        (&html, "không phải tài liệu được chấp nhận"),
    ] {
        let form = document_form(&db, &[("signer", "Trần Thị Mai")])
            .await
            .file("files", "quyết-định.pdf", "application/pdf", bytes);
        let response = editor.post_multipart(&app, "/admin/documents", form).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.body);
        response.assert_contains("quyết-định.pdf: Tệp");
        response.assert_contains(message);
        response.assert_contains(r#"value="15-NQ/HU""#);
        response.assert_contains(r#"value="Trần Thị Mai""#);
        response.assert_contains(r#"value="2026-03-15""#);
    }
    assert_eq!(count_rows(&db, "legal_document").await, 0);
    assert_eq!(count_rows(&db, "media_file").await, 0);
    assert!(!app.media_dir().join("files").exists(), "nothing refused was stored");
}

#[db_test]
async fn a_file_over_20_mb_is_refused_and_one_of_20_mb_accepted(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    assert_eq!(app.state.config.max_file_bytes, 20 * 1024 * 1024, "the default");
    let editor = app.staff(Role::Editor).await;
    let mut pdf = minimal_pdf(&["lon"]);
    pdf.resize(20 * 1024 * 1024 + 1, b' ');

    let form = document_form(&db, &[])
        .await
        .file("files", "lớn.pdf", "application/pdf", &pdf);
    let response = editor.post_multipart(&app, "/admin/documents", form).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    response.assert_contains("lớn.pdf: Tệp vượt quá dung lượng cho phép (tối đa 20 MB).");
    response.assert_contains(r#"value="15-NQ/HU""#);
    assert_eq!(count_rows(&db, "media_file").await, 0);

    pdf.pop();
    let form = document_form(&db, &[])
        .await
        .file("files", "vừa.pdf", "application/pdf", &pdf);
    create(&app, &editor, form).await;
    assert_eq!(count_rows(&db, "media_file").await, 1);
}

#[db_test]
async fn a_name_with_dot_dot_and_vietnamese_letters_is_only_display_metadata(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let pdf = minimal_pdf(&["To trinh"]);
    let form = document_form(&db, &[]).await.file(
        "files",
        "../../../etc/Tờ trình số 7 (dự thảo).pdf",
        "application/pdf",
        &pdf,
    );
    let id = create(&app, &editor, form).await;

    let (key, name): (String, String) = sqlx::query_as(
        "select storage_key, original_name from media_file join legal_document_file using (media_file_id)
         where legal_document_id = $1",
    )
    .bind(id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(name, "Tờ trình số 7 (dự thảo).pdf");
    assert!(
        key.starts_with("files/") && key.ends_with(".pdf") && key.is_ascii() && !key.contains(".."),
        "{key}"
    );
    assert_eq!(std::fs::read(app.media_dir().join(&key)).unwrap(), pdf);
    // Nothing was written outside the media directory, under any part of the name.
    let parent = app.media_dir().parent().unwrap();
    assert!(
        !parent
            .join("etc")
            .join("Tờ trình số 7 (dự thảo).pdf")
            .exists()
    );

    let (file_id, _) = file_of(&db, id).await;
    let (response, bytes) =
        download(&app, &format!("/tai-lieu/{file_id}/to-trinh-so-7-du-thao.pdf")).await;
    assert_eq!(bytes, pdf);
    assert_eq!(
        response.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"to-trinh-so-7-du-thao.pdf\"; \
         filename*=UTF-8''T%E1%BB%9D%20tr%C3%ACnh%20s%E1%BB%91%207%20%28d%E1%BB%B1%20th%E1%BA%A3o%29.pdf"
    );
}

#[db_test]
async fn reporters_and_moderators_cannot_touch_documents(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let id = document(&db, "3-QĐ/UBND", "Về việc thành lập tổ công tác", "2026-01-05").await;
    let type_id = term(&db, "type", "cong-van").await;
    for role in [Role::Reporter, Role::Moderator] {
        let who = app.staff(role).await;
        for path in [
            "/admin/documents",
            "/admin/documents/new",
            "/admin/documents/terms",
        ] {
            let response = who.get(&app, path).await;
            assert_eq!(response.status, StatusCode::FORBIDDEN, "{role:?} GET {path}");
        }
        let response = who.get(&app, &format!("/admin/documents/{id}")).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN);
        let form = document_form(&db, &[("number", "99-NQ/HU")]).await;
        let response = who.post_multipart(&app, "/admin/documents", form).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN);
        let response = who
            .post(&app, &format!("/admin/documents/{id}/delete"), &[])
            .await;
        assert_eq!(response.status, StatusCode::FORBIDDEN);
        let response = who
            .post(&app, "/admin/documents/terms", &[("kind", "type"), ("name", "Tờ trình mới")])
            .await;
        assert_eq!(response.status, StatusCode::FORBIDDEN);
        let response = who
            .post(&app, &format!("/admin/documents/terms/{type_id}/delete"), &[])
            .await;
        assert_eq!(response.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(count_rows(&db, "legal_document").await, 1);
    assert!(audit_actions(&db).await.is_empty());
    // The back office's menu shows the library to those who may use it only.
    let editor = app.staff(Role::Editor).await;
    editor
        .get(&app, "/admin")
        .await
        .assert_contains(r#"href="/admin/documents""#);
    let reporter = app.staff(Role::Reporter).await;
    reporter
        .get(&app, "/admin")
        .await
        .assert_not_contains(r#"href="/admin/documents""#);
}

#[db_test]
async fn the_number_and_words_find_the_document_with_or_without_accents(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    create(&app, &editor, document_form(&db, &[]).await).await;
    let other = document_form(
        &db,
        &[
            ("number", "16-NQ/HU"),
            ("summary", "Về công tác cán bộ"),
            ("type_id", &term(&db, "type", "quyet-dinh").await.to_string()),
            (
                "issuer_id",
                &term(&db, "issuer", "uy-ban-nhan-dan-huyen")
                    .await
                    .to_string(),
            ),
            ("field_id", &term(&db, "field", "to-chuc-can-bo").await.to_string()),
            ("issued_on", "2025-06-01"),
            ("effective_on", ""),
            ("body_html", ""),
            ("in_force", ""),
        ],
    )
    .await;
    create(&app, &editor, other).await;
    sqlx::query("update legal_document set in_force = false where number = '16-NQ/HU'")
        .execute(&db)
        .await
        .unwrap();

    let ours = r#">15-NQ/HU</a>"#;
    let theirs = r#">16-NQ/HU</a>"#;
    let finds = |response: &TestResponse, one: bool, two: bool| {
        assert_eq!(response.status, StatusCode::OK, "{}", response.request);
        assert_eq!(response.body.contains(ours), one, "15 in {}", response.request);
        assert_eq!(response.body.contains(theirs), two, "16 in {}", response.request);
    };
    finds(&app.get("/van-ban").await, true, true);
    for q in [
        "15-nq/hu",
        "15-NQ/HU",
        "nghi+quyet+15",
        "ngh%E1%BB%8B+quy%E1%BA%BFt+15",
        "NGHI+QUYET+15",
        "15+nq+hu",
        "nong+thon+moi",
        "%22kinh+te+nong+thon%22",
        "dieu+1+muc+tieu",
    ] {
        finds(&app.get(&format!("/van-ban?q={q}")).await, true, false);
    }
    finds(&app.get("/van-ban?q=16-nq%2Fhu").await, false, true);
    finds(&app.get("/van-ban?q=quyet+dinh+16").await, false, true);
    finds(&app.get("/van-ban?q=17-nq%2Fhu").await, false, false);
    finds(&app.get("/van-ban?q=nghi+quyet+16").await, false, false);

    // The filters, alone and together; an unknown value is ignored.
    finds(&app.get("/van-ban?loai=nghi-quyet").await, true, false);
    finds(&app.get("/van-ban?loai=quyet-dinh").await, false, true);
    finds(&app.get("/van-ban?co-quan=huyen-uy").await, true, false);
    finds(&app.get("/van-ban?linh-vuc=to-chuc-can-bo").await, false, true);
    finds(&app.get("/van-ban?nam=2026").await, true, false);
    finds(&app.get("/van-ban?nam=2025").await, false, true);
    finds(&app.get("/van-ban?hieu-luc=con").await, true, false);
    finds(&app.get("/van-ban?hieu-luc=het").await, false, true);
    finds(&app.get("/van-ban?loai=nghi-quyet&nam=2025").await, false, false);
    finds(&app.get("/van-ban?loai=khong-co&nam=1").await, true, true);
    let short = app.get("/van-ban?q=a").await;
    finds(&short, true, true);
    short.assert_contains("Từ khóa cần ít nhất 2 chữ cái hoặc chữ số");
    let filtered = app.get("/van-ban?q=nghi+quyet+15&loai=nghi-quyet").await;
    filtered.assert_contains(r#"value="nghi quyet 15""#);
    filtered.assert_contains(r#"<option value="nghi-quyet" selected>Nghị quyết</option>"#);
    filtered.assert_contains("Tìm thấy 1 văn bản");
    filtered.assert_contains(r#"<meta name="robots" content="noindex">"#);

    // A renamed type is searched under its new name.
    let type_id = term(&db, "type", "nghi-quyet").await;
    let response = editor
        .post(
            &app,
            &format!("/admin/documents/terms/{type_id}"),
            &[("name", "Nghị quyết chuyên đề")],
        )
        .await;
    assert_redirect(&response, "/admin/documents/terms?msg=saved");
    finds(&app.get("/van-ban?q=chuyen+de+15").await, true, false);
}

#[db_test]
async fn the_feed_and_the_sitemap_list_documents(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let id =
        document(&db, "7-KH/UBND", "Kế hoạch phòng chống lụt bão & tìm kiếm cứu nạn", "2026-02-10")
            .await;
    let slug = "7-kh-ubnd-ke-hoach-phong-chong-lut-bao-tim-kiem-cuu-nan";

    let feed = app.get("/van-ban/rss.xml").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert_eq!(feed.header(header::CONTENT_TYPE), "application/rss+xml; charset=utf-8");
    feed.assert_contains("<title>Nghị quyết số 7-KH/UBND</title>");
    feed.assert_contains(&format!("<link>https://baothang.example.vn/van-ban/{slug}</link>"));
    feed.assert_contains(&format!("tag:baothang.example.vn,2026:van-ban/{id}</guid>"));
    feed.assert_contains("<pubDate>Tue, 10 Feb 2026 00:00:00 +0700</pubDate>");
    feed.assert_contains("phòng chống lụt bão &#38;amp; tìm kiếm");

    let sitemap = app.get("/sitemap.xml").await;
    assert_eq!(sitemap.status, StatusCode::OK);
    sitemap.assert_contains("<loc>https://baothang.example.vn/van-ban</loc>");
    sitemap.assert_contains(&format!("<loc>https://baothang.example.vn/van-ban/{slug}</loc>"));

    // The listing and the page announce the feed.
    let page = app.get(&format!("/van-ban/{slug}")).await;
    page.assert_contains(r#"href="/van-ban/rss.xml""#);
}

#[db_test]
async fn a_deleted_document_is_gone_for_readers_and_logged(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let pdf = minimal_pdf(&["xoa"]);
    let form = document_form(&db, &[])
        .await
        .file("files", "nq.pdf", "application/pdf", &pdf);
    let id = create(&app, &editor, form).await;
    let (file_id, _) = file_of(&db, id).await;
    let slug = "15-nq-hu-ve-phat-trien-kinh-te-nong-thon-gan-voi-xay-dung-nong-thon-moi-giai-doan-2026-2030";
    assert_eq!(app.get(&format!("/van-ban/{slug}")).await.status, StatusCode::OK);

    let response = editor
        .post(&app, &format!("/admin/documents/{id}/delete"), &[])
        .await;
    assert_redirect(&response, "/admin/documents?msg=deleted");
    assert_eq!(app.get(&format!("/van-ban/{slug}")).await.status, StatusCode::NOT_FOUND);
    app.get("/van-ban")
        .await
        .assert_not_contains(">15-NQ/HU</a>");
    app.get("/van-ban/rss.xml")
        .await
        .assert_not_contains("15-NQ/HU");
    app.get("/sitemap.xml").await.assert_not_contains(slug);
    let (gone, _) = download(&app, &format!("/tai-lieu/{file_id}/nq.pdf")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(audit_actions(&db).await, ["document.created", "document.deleted"]);
    let details: String = sqlx::query_scalar(
        "select details from audit_log where action = 'document.deleted' and target_id = $1",
    )
    .bind(id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(details, "15-NQ/HU");
    let again = editor
        .post(&app, &format!("/admin/documents/{id}/delete"), &[])
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[db_test]
async fn editing_keeps_adds_and_removes_files(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let first = minimal_pdf(&["mot"]);
    let form = document_form(&db, &[])
        .await
        .file("files", "một.pdf", "application/pdf", &first);
    let id = create(&app, &admin, form).await;
    let (first_id, _) = file_of(&db, id).await;

    let edit = admin.get(&app, &format!("/admin/documents/{id}")).await;
    edit.assert_contains(&format!(r#"name="file_ids" value="{first_id}""#));
    edit.assert_contains(r#"value="15-NQ/HU""#);

    // A second file, and a field left wrong: the new file is kept for the next try.
    let second = minimal_pdf(&["hai"]);
    let first_text = first_id.to_string();
    let form = document_form(&db, &[("file_ids", &first_text), ("summary", "")])
        .await
        .file("files", "hai.pdf", "application/pdf", &second);
    let refused = admin
        .post_multipart(&app, &format!("/admin/documents/{id}"), form)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Vui lòng nhập thông tin này.");
    refused.assert_contains("hai.pdf");
    let second_id: i64 = sqlx::query_scalar("select max(media_file_id) from media_file")
        .fetch_one(&db)
        .await
        .unwrap();
    refused.assert_contains(&format!(r#"name="file_ids" value="{second_id}""#));

    // Saved with both, then the first removed.
    let second_text = second_id.to_string();
    let form = Multipart::default()
        .text("file_ids", &first_text)
        .text("file_ids", &second_text);
    let form = document_form_into(&db, form, &[("number", "15-NQ/HU (sửa)")]).await;
    let saved = admin
        .post_multipart(&app, &format!("/admin/documents/{id}"), form)
        .await;
    assert_redirect(&saved, &format!("/admin/documents/{id}?msg=saved"));
    let page = app.get("/van-ban?q=15-nq%2Fhu").await;
    page.assert_contains("15-NQ/HU (sửa)");
    let slug: String =
        sqlx::query_scalar("select slug from legal_document where legal_document_id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap();
    let shown = app.get(&format!("/van-ban/{slug}")).await;
    assert!(shown.position("một.pdf") < shown.position("hai.pdf"));

    let form = Multipart::default()
        .text("file_ids", &first_text)
        .text("file_ids", &second_text)
        .text("remove_files", &first_text);
    let form = document_form_into(&db, form, &[]).await;
    let saved = admin
        .post_multipart(&app, &format!("/admin/documents/{id}"), form)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let shown = app.get(&format!("/van-ban/{slug}")).await;
    shown.assert_not_contains("một.pdf");
    shown.assert_contains("hai.pdf");
    assert_eq!(
        audit_actions(&db).await,
        ["document.created", "document.updated", "document.updated"]
    );
}

/// [`document_form`]'s fields appended to `form`.
async fn document_form_into(db: &PgPool, form: Multipart, extra: &[(&str, &str)]) -> Multipart {
    let type_id = term(db, "type", "nghi-quyet").await.to_string();
    let issuer_id = term(db, "issuer", "huyen-uy").await.to_string();
    let mut fields: Vec<(&str, &str)> = vec![
        ("number", "15-NQ/HU"),
        ("type_id", &type_id),
        ("issuer_id", &issuer_id),
        ("issued_on", "2026-03-15"),
        ("summary", "Về phát triển kinh tế nông thôn"),
        ("in_force", "1"),
        ("slug", "nghi-quyet-15"),
    ];
    for (name, value) in extra {
        fields.retain(|(n, _)| n != name);
        fields.push((name, value));
    }
    form.fields(&fields)
}

#[db_test]
async fn the_same_slug_saved_twice_at_once_is_stored_once(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let (a, b) = tokio::join!(
        editor.post_multipart(
            &app,
            "/admin/documents",
            document_form(&db, &[("slug", "trung")]).await
        ),
        editor.post_multipart(
            &app,
            "/admin/documents",
            document_form(&db, &[("slug", "trung")]).await
        ),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY]);
    let refused = if a.status == StatusCode::SEE_OTHER {
        b
    } else {
        a
    };
    refused.assert_contains("Đường dẫn này đã được dùng cho văn bản khác.");
    assert_eq!(count_rows(&db, "legal_document").await, 1);
}

#[db_test]
async fn the_managed_lists_are_edited_and_an_entry_in_use_is_kept(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let page = editor.get(&app, "/admin/documents/terms").await;
    assert_eq!(page.status, StatusCode::OK);
    for seeded in [
        "Nghị quyết",
        "Quyết định",
        "Chỉ thị",
        "Hướng dẫn",
        "Huyện ủy",
        "Đất đai",
    ] {
        page.assert_contains(seeded);
    }
    // Vietnamese order: đ after d, before e.
    assert!(page.position("Đất đai") < page.position("Giáo dục"));
    assert!(page.position("Giáo dục") < page.position("Kinh tế"));

    let added = editor
        .post(
            &app,
            "/admin/documents/terms",
            &[("kind", "type"), ("name", " Quy che\u{302}\u{301} ")],
        )
        .await;
    assert_redirect(&added, "/admin/documents/terms?msg=created");
    let stored: String =
        sqlx::query_scalar("select name from document_term where slug = 'quy-che'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(stored, "Quy chế", "stored NFC, trimmed");
    let twice = editor
        .post(&app, "/admin/documents/terms", &[("kind", "issuer"), ("name", "Huyện ủy")])
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    twice.assert_contains("Danh mục này đã có mục cùng tên.");
    twice.assert_contains(r#"value="Huyện ủy" required maxlength="200" aria-invalid="true""#);
    let empty = editor
        .post(&app, "/admin/documents/terms", &[("kind", "field"), ("name", "  ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    empty.assert_contains("Vui lòng nhập thông tin này.");
    let unknown = editor
        .post(&app, "/admin/documents/terms", &[("kind", "x"), ("name", "Khác")])
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    document(&db, "1-NQ/HU", "Về công tác năm", "2026-01-02").await;
    let in_use = term(&db, "type", "nghi-quyet").await;
    let refused = editor
        .post(&app, &format!("/admin/documents/terms/{in_use}/delete"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Không xóa được: còn văn bản thuộc mục này.");
    let unused = term(&db, "type", "chi-thi").await;
    let deleted = editor
        .post(&app, &format!("/admin/documents/terms/{unused}/delete"), &[])
        .await;
    assert_redirect(&deleted, "/admin/documents/terms?msg=deleted");
    assert_eq!(audit_actions(&db).await, ["document_term.created", "document_term.deleted"]);
    let listing = app.get("/van-ban").await;
    listing.assert_not_contains(">Chỉ thị<");
    listing.assert_contains(r#"<option value="quy-che">Quy chế</option>"#);
}
