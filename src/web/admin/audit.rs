//! The audit log, read-only: who did what, when, from where. Nothing here changes or removes
//! an entry (the table refuses it anyway).

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{FromRequestParts, State},
    http::request::Parts,
};
use time::OffsetDateTime;

use crate::{
    AppState,
    auth::Capability,
    db::{
        self,
        audit::{AuditAction, Entry},
    },
    error::{AppError, AppResult},
    web::{
        admin::{
            AdminLayout,
            revisions::{Pick, compare_url},
        },
        extract::PageParam,
        filters,
        pager::Pager,
    },
};

const PER_PAGE: u32 = 50;
const BASE_URL: &str = "/admin/audit";
/// The query parameter of the filter ("loai" = kind).
const KIND_PARAM: &str = "loai";

/// A filter of the log: its `?loai=` value, its label, and the action prefix it selects.
pub(crate) struct Kind {
    pub value: &'static str,
    pub label: &'static str,
    prefix: &'static str,
}

const KINDS: &[Kind] = &[
    Kind {
        value: "login",
        label: "Đăng nhập",
        prefix: "login.",
    },
    Kind {
        value: "logout",
        label: "Đăng xuất",
        prefix: "logout",
    },
    Kind {
        value: "article",
        label: "Bài viết",
        prefix: "article.",
    },
    Kind {
        value: "user",
        label: "Người dùng",
        prefix: "user.",
    },
    Kind {
        value: "category",
        label: "Chuyên mục",
        prefix: "category.",
    },
    Kind {
        value: "page",
        label: "Trang",
        prefix: "page.",
    },
    Kind {
        value: "menu",
        label: "Menu",
        prefix: "menu.",
    },
    Kind {
        value: "settings",
        label: "Cài đặt",
        prefix: "settings.",
    },
    Kind {
        value: "comment",
        label: "Bình luận",
        prefix: "comment.",
    },
    Kind {
        value: "document",
        label: "Văn bản",
        prefix: "document",
    },
    Kind {
        value: "media",
        label: "Thư viện",
        prefix: "media.",
    },
    Kind {
        value: "contact",
        label: "Thư liên hệ",
        prefix: "contact.",
    },
];

/// `?loai=…`: one of [`KINDS`], or nothing (everything). Anything else is a 404, so no text
/// from the URL ever reaches the query.
pub(crate) struct KindParam(Option<&'static Kind>);

impl<S: Send + Sync> FromRequestParts<S> for KindParam {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or_default();
        let mut values = url::form_urlencoded::parse(query.as_bytes())
            .filter(|(key, _)| key == KIND_PARAM)
            .map(|(_, value)| value);
        match (values.next(), values.next()) {
            (None, _) => Ok(Self(None)),
            (Some(value), None) if value.is_empty() => Ok(Self(None)),
            (Some(value), None) => KINDS
                .iter()
                .find(|kind| kind.value == value)
                .map(|kind| Self(Some(kind)))
                .ok_or(AppError::NotFound),
            (Some(_), Some(_)) => Err(AppError::NotFound),
        }
    }
}

/// An entry as the table shows it.
pub(crate) struct AuditRow {
    pub at: OffsetDateTime,
    pub actor: String,
    pub action: String,
    pub label: Option<&'static str>,
    pub target: Option<Target>,
    pub details: String,
    pub ip: String,
    pub revision: Option<RevisionLink>,
}

pub(crate) struct Target {
    pub text: String,
    /// The back-office page of the target, while it can still exist.
    pub url: Option<String>,
}

/// The revision an entry's change made: its page and what it changed.
pub(crate) struct RevisionLink {
    pub version: i32,
    pub url: String,
    pub changes_url: String,
}

impl RevisionLink {
    /// The link of an entry about an article or a page whose revision still exists.
    fn of(entry: &Entry) -> Option<Self> {
        let owner = match entry.target_type.as_str() {
            "article" => "articles",
            "page" => "pages",
            _ => return None,
        };
        let (id, revision, version) = (
            entry.target_id?,
            entry.revision_id?,
            entry.revision_version?,
        );
        let base = format!("/admin/{owner}/{id}/revisions");
        Some(Self {
            version,
            url: format!("{base}/{revision}"),
            changes_url: compare_url(&base, None, Pick::Revision(revision)),
        })
    }
}

impl From<Entry> for AuditRow {
    fn from(entry: Entry) -> Self {
        let revision = RevisionLink::of(&entry);
        let target = entry.target_id.map(|id| {
            let (noun, page) = match entry.target_type.as_str() {
                "article" => ("Bài viết", Some("articles")),
                "user" => ("Người dùng", Some("users")),
                "category" => ("Chuyên mục", Some("categories")),
                "comment" => ("Bình luận", None),
                "page" => ("Trang", Some("pages")),
                "menu_item" => ("Mục menu", Some("menu")),
                "document" => ("Văn bản", Some("documents")),
                "document_term" => ("Danh mục văn bản", None),
                "contact_message" => ("Thư liên hệ", Some("contact")),
                "media_image" => ("Ảnh", Some("thu-vien/anh")),
                "media_file" => ("Tệp", Some("thu-vien/tep")),
                other => (other, None),
            };
            let gone = AuditAction::parse(&entry.action).is_some_and(AuditAction::removes_target);
            Target {
                text: format!("{noun} #{id}"),
                url: page
                    .filter(|_| !gone)
                    .map(|page| format!("/admin/{page}/{id}")),
            }
        });
        Self {
            at: entry.at,
            label: entry.label(),
            actor: entry.actor,
            action: entry.action,
            target,
            details: entry.details,
            ip: entry.ip,
            revision,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
pub(crate) struct AuditPage {
    layout: AdminLayout,
    rows: Vec<AuditRow>,
    kinds: &'static [Kind],
    kind: Option<&'static Kind>,
    pager: Pager,
    total: i64,
}

impl AuditPage {
    fn is_kind(&self, kind: &Kind) -> bool {
        self.kind.is_some_and(|k| k.value == kind.value)
    }
}

/// The log's first page with the kind filter; the pager adds the page number.
fn list_url(kind: Option<&Kind>) -> String {
    match kind {
        Some(kind) => format!("{BASE_URL}?{KIND_PARAM}={}", kind.value),
        None => BASE_URL.to_owned(),
    }
}

pub(crate) async fn list_audit(
    State(state): State<AppState>,
    layout: AdminLayout,
    PageParam(page): PageParam,
    KindParam(kind): KindParam,
) -> AppResult<AuditPage> {
    layout.user.require(Capability::ViewAuditLog)?;
    let prefix = kind.map(|k| k.prefix);
    let total = db::audit::count(&state.db, prefix).await?;
    let pager = Pager::new(list_url(kind), page, total, PER_PAGE).ok_or(AppError::NotFound)?;
    let entries = db::audit::list(
        &state.db,
        prefix,
        i64::from(PER_PAGE),
        pager.offset(PER_PAGE),
    )
    .await?;
    Ok(AuditPage {
        layout: layout.page("Nhật ký hoạt động", "audit"),
        rows: entries.into_iter().map(AuditRow::from).collect(),
        kinds: KINDS,
        kind,
        pager,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_urls_keep_the_filter() {
        let all = Pager::new(list_url(None), 1, 200, PER_PAGE).unwrap();
        assert_eq!(all.url(&1), "/admin/audit");
        assert_eq!(all.url(&3), "/admin/audit?trang=3");
        let login = KINDS.iter().find(|k| k.value == "login");
        let logins = Pager::new(list_url(login), 1, 200, PER_PAGE).unwrap();
        assert_eq!(logins.url(&1), "/admin/audit?loai=login");
        assert_eq!(logins.url(&2), "/admin/audit?loai=login&trang=2");
    }

    #[test]
    fn targets_link_to_their_pages_unless_deleted() {
        let entry = |action: &str, target_type: &str| Entry {
            audit_log_id: 1,
            at: time::OffsetDateTime::UNIX_EPOCH,
            actor: "admin".into(),
            action: action.into(),
            target_type: target_type.into(),
            target_id: Some(7),
            details: String::new(),
            ip: String::new(),
            revision_id: None,
            revision_version: None,
        };
        let url = |row: AuditRow| row.target.and_then(|t| t.url);
        assert_eq!(
            url(entry("article.published", "article").into()).as_deref(),
            Some("/admin/articles/7")
        );
        assert_eq!(
            url(entry("user.created", "user").into()).as_deref(),
            Some("/admin/users/7")
        );
        assert_eq!(url(entry("article.deleted", "article").into()), None);
        assert_eq!(url(entry("comment.approved", "comment").into()), None);
    }
}
