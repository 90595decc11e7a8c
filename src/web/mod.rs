//! Every URL of the application, and the layers around them: read this file to know the app.

pub(crate) mod admin;
pub(crate) mod caching;
pub(crate) mod client;
pub(crate) mod cookies;
mod error_pages;
pub(crate) mod extract;
mod files;
pub(crate) mod filters;
pub(crate) mod form;
pub mod format;
mod health;
pub(crate) mod layout;
mod load;
mod metrics;
pub(crate) mod page_cache;
pub(crate) mod pager;
pub(crate) mod print;
pub mod public;
mod readers;
mod same_origin;
mod security_headers;
pub(crate) mod ui;

use std::time::Duration;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::StatusCode,
    middleware,
    response::IntoResponse,
    routing::{get, post},
};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer, compression::CompressionLayer, timeout::TimeoutLayer,
    trace::TraceLayer,
};

use crate::{
    AppState,
    auth::CurrentUser,
    error::{AppError, ErrorPage},
};

/// Largest comment form a reader may send (the fields allow about 4,300 characters).
const COMMENT_BODY_LIMIT: usize = 32 * 1024;

/// Largest contact form a reader may send (the fields allow about 5,500 characters).
const CONTACT_BODY_LIMIT: usize = 64 * 1024;

/// Room in an article or document form beside its image or file (the text fields).
const ARTICLE_FORM_ROOM: usize = 4 * 1024 * 1024;

/// First path segments that are not pages: a page's slug (its address is `/{slug}`) may not be
/// one of them, nor start with one ending in `*`. Every first segment of the routes below is
/// here (a test reads this file to check), and those the portal keeps for itself.
pub(crate) const RESERVED_SEGMENTS: &[&str] = &[
    "admin",
    "static",
    "media",
    "bai-viet",
    "chuyen-muc",
    "tim-kiem",
    "rss.xml",
    "robots.txt",
    "sitemap*",
    "ma-kiem-tra*",
    "healthz",
    "readyz",
    "metrics",
    "van-ban",
    "lien-he",
    "en",
    "trang",
    "tai-lieu",
];

/// Whether a page may not take `slug` because it names one of [`RESERVED_SEGMENTS`].
pub(crate) fn is_reserved_segment(slug: &str) -> bool {
    RESERVED_SEGMENTS
        .iter()
        .any(|reserved| match reserved.strip_suffix('*') {
            Some(prefix) => slug.starts_with(prefix),
            None => slug == *reserved,
        })
}

/// The documents library and the contact page (menu entries lead there).
pub(crate) const DOCUMENTS_URL: &str = "/van-ban";
pub(crate) const CONTACT_URL: &str = "/lien-he";

/// How long any request may take before it is answered with an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub fn router(state: AppState) -> Router {
    use admin::{
        account, articles, audit, categories, comments, contact as inbox, dashboard, documents,
        library as media_library, login, menu, notifications, pages, settings, two_factor, users,
    };
    use public::{
        articles as reading, comments as commenting, contact, documents as library, feeds, home,
        pages as reading_pages, search, sitemaps, visitors,
    };

    let database = middleware::from_fn_with_state(state.clone(), load::require_database);
    let heavy = middleware::from_fn_with_state(state.clone(), load::heavy_page);

    // Readers: pages, feeds, sitemaps. No session is read here.
    let public = Router::new()
        .route("/", get(home::show_home))
        .route("/chuyen-muc/{slug}", get(public::categories::show_category))
        .route("/chuyen-muc/{slug}/rss.xml", get(feeds::show_category_feed))
        .route("/bai-viet/{slug}", get(reading::show_article))
        .route("/bai-viet/{slug}/ban-in", get(reading::print_article))
        .route(layout::ENGLISH_URL, get(reading_pages::list_english_pages))
        // Pages at the top level: every other first segment is in `RESERVED_SEGMENTS`.
        .route("/{slug}", get(reading_pages::show_page))
        .route("/{slug}/ban-in", get(reading_pages::print_page))
        .route("/ma-kiem-tra.png", get(commenting::new_captcha_image))
        .route("/ma-kiem-tra/{file}", get(commenting::show_captcha_image))
        .route(
            search::SEARCH_URL,
            get(search::search_articles).layer(heavy.clone()),
        )
        .route("/rss.xml", get(feeds::show_site_feed))
        .route(DOCUMENTS_URL, get(library::list_documents))
        .route(library::DOCUMENTS_FEED_URL, get(feeds::show_document_feed))
        .route("/van-ban/{slug}", get(library::show_document))
        .route("/van-ban/{slug}/ban-in", get(library::print_document))
        .route("/tai-lieu/{id}/{name}", get(library::download_file))
        .route(
            "/sitemap.xml",
            get(sitemaps::show_sitemap).layer(heavy.clone()),
        )
        .route("/sitemap-news.xml", get(sitemaps::show_news_sitemap))
        // `/sitemap-{n}.xml`: the router takes no suffix after a parameter, so `{file}` is "n.xml".
        .route(
            "/sitemap-{file}",
            get(sitemaps::show_sitemap_page).layer(heavy),
        )
        .route("/robots.txt", get(sitemaps::show_robots))
        .route(visitors::PIXEL_URL, get(visitors::count_visitor))
        .route(
            CONTACT_URL,
            get(contact::contact_page)
                .post(contact::send_message)
                .layer(DefaultBodyLimit::max(CONTACT_BODY_LIMIT)),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            readers::read_from_replica,
        ))
        .route_layer(database.clone());

    // Posting a comment answers an outage itself (the error page shows the reader's text
    // back); the form page needs the database like any other.
    let comment_form = Router::new().route(
        "/bai-viet/{slug}/binh-luan",
        get(commenting::comment_form)
            .route_layer(database.clone())
            .post(commenting::create_comment)
            .layer(DefaultBodyLimit::max(COMMENT_BODY_LIMIT)),
    );

    // What needs no database: files, the health checks (one says whether it answers) and the
    // metrics.
    let without_database = Router::new()
        .route("/healthz", get(health::alive))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(metrics::show_metrics_with_token))
        .nest_service("/static", files::static_files())
        .nest("/media", files::media_files(&state));

    // Staff logging in and out: no session required.
    let staff_login = Router::new()
        .route("/admin/login", get(login::login_form).post(login::login))
        .route(
            login::CODE_URL,
            get(login::code_form).post(login::submit_code),
        )
        .route("/admin/logout", post(login::logout))
        .route_layer(database.clone());

    // The forms that carry an image and attached files: over the image and file limits (so an
    // oversize image or file gets a message beside the field, with the rest of the form kept)
    // but bounded.
    let uploads = Router::new()
        .route(
            "/articles",
            get(articles::list::list_articles).post(articles::editor::create_article),
        )
        .route(
            "/articles/{id}",
            get(articles::editor::edit_article).post(articles::editor::update_article),
        )
        // "Xem trước": the article as saved (GET), or what the form holds (POST).
        .route(
            "/articles/{id}/preview",
            get(articles::workflow::preview_article).post(articles::desk::preview_article_form),
        )
        .route(
            "/articles/new/preview",
            post(articles::desk::preview_new_article),
        )
        .route("/media", post(articles::uploads::upload_image))
        .layer(DefaultBodyLimit::max(
            state.config.max_upload_bytes + state.config.max_file_bytes + ARTICLE_FORM_ROOM,
        ));

    // The document form carries files: over the file limit, so an oversize file gets a message
    // beside the field with the rest of the form kept.
    let document_uploads = Router::new()
        .route(
            "/documents",
            get(documents::list_documents).post(documents::create_document),
        )
        .route(
            "/documents/{id}",
            get(documents::edit_document).post(documents::update_document),
        )
        .layer(DefaultBodyLimit::max(
            state.config.max_file_bytes + ARTICLE_FORM_ROOM,
        ));

    // The editor's autosave and heartbeat (JSON, bounded).
    let desk = Router::new()
        .route("/articles/new/draft", post(articles::desk::save_new_draft))
        .route("/articles/{id}/draft", post(articles::desk::save_draft))
        .route("/articles/{id}/heartbeat", post(articles::desk::heartbeat))
        .layer(DefaultBodyLimit::max(articles::desk::DRAFT_MAX_BYTES));

    // The back office under `/admin`: every route needs a logged-in user, and each handler
    // checks the capability it needs.
    let back_office = Router::new()
        .route("/", get(dashboard::show_dashboard))
        .route(
            "/password",
            get(account::password_form).post(account::change_password),
        )
        .route(
            "/two-factor",
            get(two_factor::show_two_factor).post(two_factor::enable_two_factor),
        )
        .route("/two-factor/disable", post(two_factor::disable_two_factor))
        .route("/thong-bao", get(notifications::list_notifications))
        .route("/thong-bao/da-doc", post(notifications::mark_all_read))
        .route("/thong-bao/{id}/da-doc", post(notifications::mark_read))
        .route("/articles/new", get(articles::editor::new_article))
        .route(
            "/articles/new/draft/delete",
            post(articles::desk::discard_new_draft),
        )
        .route(
            "/articles/{id}/draft/delete",
            post(articles::desk::discard_draft),
        )
        .route(
            "/articles/{id}/approve",
            post(articles::workflow::approve_article),
        )
        .route(
            "/articles/{id}/return",
            post(articles::workflow::return_article),
        )
        .route(
            "/articles/{id}/unpublish",
            post(articles::workflow::unpublish_article),
        )
        .route(
            "/articles/{id}/delete",
            post(articles::workflow::delete_article),
        )
        .route(
            "/articles/{id}/featured",
            get(articles::featured::edit_featured).post(articles::featured::update_featured),
        )
        .route(
            "/articles/{id}/revisions",
            get(articles::revisions::list_revisions),
        )
        .route(
            "/articles/{id}/revisions/compare",
            get(articles::revisions::compare_revisions),
        )
        .route(
            "/articles/{id}/revisions/{revision}",
            get(articles::revisions::show_revision),
        )
        .route(
            "/articles/{id}/revisions/{revision}/restore",
            post(articles::revisions::restore_revision),
        )
        .merge(uploads)
        .merge(document_uploads)
        .route("/documents/new", get(documents::new_document))
        .route("/documents/{id}/delete", post(documents::delete_document))
        .route(
            "/documents/terms",
            get(documents::terms::list_terms).post(documents::terms::create_term),
        )
        .route("/documents/terms/{id}", post(documents::terms::rename_term))
        .route(
            "/documents/terms/{id}/delete",
            post(documents::terms::delete_term),
        )
        .route("/comments", get(comments::list::list_comments))
        .route(
            "/comments/bulk",
            post(comments::moderate::moderate_comments),
        )
        .route(
            "/comments/{id}",
            get(comments::edit::edit_comment).post(comments::edit::update_comment),
        )
        .route(
            "/comments/{id}/{action}",
            post(comments::moderate::moderate_comment),
        )
        .route("/thu-vien", get(media_library::list_library))
        .route("/thu-vien/chon", get(media_library::picker::pick_images))
        .route(
            "/thu-vien/anh/{id}",
            get(media_library::show_image).post(media_library::update_image),
        )
        .route(
            "/thu-vien/anh/{id}/delete",
            post(media_library::delete_image),
        )
        .route("/thu-vien/tep/{id}", get(media_library::show_file))
        .route(
            "/thu-vien/tep/{id}/delete",
            post(media_library::delete_file),
        )
        .route(
            "/thu-vien/khong-dung",
            get(media_library::orphans::list_orphans).post(media_library::orphans::remove_orphans),
        )
        .route("/contact", get(inbox::list_messages))
        .route("/contact/{id}", get(inbox::show_message))
        .route("/contact/{id}/state", post(inbox::change_state))
        .route(
            "/categories",
            get(categories::list_categories).post(categories::create_category),
        )
        .route(
            "/categories/{id}",
            get(categories::edit_category).post(categories::update_category),
        )
        .route("/categories/{id}/move", post(categories::move_category))
        .route("/categories/{id}/delete", post(categories::delete_category))
        .route("/users", get(users::list_users).post(users::create_user))
        .route("/users/new", get(users::new_user))
        .route(
            "/users/{id}",
            get(users::edit_user).post(users::update_user),
        )
        .route("/users/{id}/password", post(users::reset_password))
        .route("/users/{id}/deactivate", post(users::deactivate_user))
        .route("/users/{id}/reactivate", post(users::reactivate_user))
        .route(
            "/users/{id}/two-factor/reset",
            post(users::reset_two_factor),
        )
        .route(
            "/settings",
            get(settings::edit_settings).post(settings::update_settings),
        )
        .route("/pages", get(pages::list_pages).post(pages::create_page))
        .route("/pages/new", get(pages::new_page))
        .route(
            "/pages/{id}",
            get(pages::edit_page).post(pages::update_page),
        )
        .route("/pages/{id}/delete", post(pages::delete_page))
        .route("/pages/{id}/revisions", get(pages::list_revisions))
        .route(
            "/pages/{id}/revisions/compare",
            get(pages::compare_revisions),
        )
        .route(
            "/pages/{id}/revisions/{revision}",
            get(pages::show_revision),
        )
        .route(
            "/pages/{id}/revisions/{revision}/restore",
            post(pages::restore_revision),
        )
        .route("/menu", get(menu::list_menu).post(menu::create_item))
        .route("/menu/{id}", get(menu::edit_item).post(menu::update_item))
        .route("/menu/{id}/move", post(menu::move_item))
        .route("/menu/{id}/delete", post(menu::delete_item))
        .route("/audit", get(audit::list_audit))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            page_cache::clear_after_write,
        ))
        // Outside `clear_after_write`: they change nothing readers see, every few seconds.
        .merge(desk)
        // Inside the login guard: the user is known here.
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            two_factor::require_two_factor,
        ))
        .route_layer(middleware::from_extractor_with_state::<CurrentUser, _>(
            state.clone(),
        ))
        .route_layer(database);

    let app = Router::new()
        .merge(public)
        .merge(comment_form)
        .merge(without_database)
        .merge(staff_login)
        .nest("/admin", back_office)
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn(form::screen_query))
        .layer(CatchPanicLayer::custom(|_| {
            ErrorPage::INTERNAL.into_response()
        }))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        // Unsafe requests from other sites get a 403 page (see `same_origin`).
        .layer(middleware::from_fn_with_state(
            same_origin::SameOrigin::new(&state.config),
            same_origin::referer_check,
        ))
        .layer(same_origin::csrf_layer(&state.config))
        // Inside `error_pages` (whose pages say `no-store`) and `CompressionLayer` (so the
        // ETag names the content whatever the encoding: it is weak).
        .layer(middleware::from_fn(caching::http_caching))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error_pages::error_pages,
        ))
        .layer(middleware::from_fn(metrics::remember_route))
        .with_state(state.clone());

    // The outer layers wrap the whole router once, so that a page sent from the page cache
    // goes through nothing else: no routing, no per-route layers.
    Router::new().fallback_service(
        ServiceBuilder::new()
            .layer(middleware::from_fn(metrics::record_requests))
            .layer(TraceLayer::new_for_http())
            .layer(CompressionLayer::new())
            // Every response, error pages and cached pages included.
            .layer(middleware::from_fn_with_state(
                security_headers::security_headers(&state.config, &state.assets),
                security_headers::add_security_headers,
            ))
            // Outside the HTTP caching policy (it keeps what the policy made public) and inside
            // `CompressionLayer` (which leaves its already compressed answers alone).
            .layer(middleware::from_fn_with_state(
                state,
                page_cache::page_cache,
            ))
            .service(app),
    )
}

/// What the metrics listener (`TOASOAN_METRICS_ADDR`) serves: `/metrics`, without a token.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics::show_metrics))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_first_segment_of_the_routes_is_reserved() {
        // The routes outside `/admin` (the back office's are nested under it).
        let source = include_str!("mod.rs");
        let source =
            &source[source.find("let public =").unwrap()..source.find("let uploads =").unwrap()];
        let mut checked = 0;
        for (at, _) in source.match_indices(".route(") {
            let rest = source[at..].trim_start_matches(".route(").trim_start();
            let Some(path) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) else {
                continue; // a constant: checked below
            };
            let Some(first) = path.trim_start_matches('/').split('/').next() else {
                continue;
            };
            if first.is_empty() || first.starts_with('{') {
                continue;
            }
            assert!(is_reserved_segment(first), "/{first} is not reserved");
            checked += 1;
        }
        assert!(checked > 8, "the routes were not found");
        for path in [
            public::search::SEARCH_URL,
            layout::ENGLISH_URL,
            DOCUMENTS_URL,
            CONTACT_URL,
            "/static",
            "/media",
        ] {
            assert!(is_reserved_segment(&path[1..]), "{path} is not reserved");
        }
    }

    #[test]
    fn reserved_prefixes_cover_their_family() {
        assert!(is_reserved_segment("sitemap-news"));
        assert!(is_reserved_segment("ma-kiem-tra"));
        assert!(is_reserved_segment("admin"));
        assert!(!is_reserved_segment("administration"));
        assert!(!is_reserved_segment("gioi-thieu"));
    }
}
