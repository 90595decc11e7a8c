//! Site settings: the name, the agency's contacts in the footer, the badge, two defaults of
//! the newsroom, how long readers' IP addresses and contact messages are kept, the "Đọc nhiều"
//! window, the visitor counter, and whether admins and editors must use two-factor
//! authentication.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use crate::{
    AppState,
    auth::Capability,
    db::{
        self,
        audit::{AuditAction, Target},
        settings::SiteSettings,
    },
    error::AppResult,
    web::{
        admin::{AdminLayout, Flash, Staff},
        form::{FieldErrors, Form, optional, required},
    },
};

const SETTINGS_URL: &str = "/admin/settings";
const TITLE: &str = "Cài đặt trang";
const SITE_NAME_MAX: usize = 150;
const TEXT_MAX: usize = 300;
const LINK_FORMAT: &str = "Hãy nhập một đường dẫn bắt đầu bằng “/” (ví dụ /static/img/tin-nhiem-mang.png) hoặc một địa chỉ http:// hay https://.";
const RETENTION_DAYS: std::ops::RangeInclusive<i32> = 1..=3650;
const RETENTION_FORMAT: &str = "Hãy nhập một số ngày từ 1 đến 3650.";
/// The windows "Đọc nhiều" may count.
const MOST_READ_DAYS: [i32; 2] = [7, 30];
const MOST_READ_FORMAT: &str = "Hãy chọn 7 hoặc 30 ngày.";

/// The form as typed: text fields, and checkboxes that are present only when ticked.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SettingsForm {
    site_name: String,
    tagline: String,
    agency_name: String,
    agency_address: String,
    agency_phone: String,
    agency_email: String,
    agency_editor: String,
    agency_license: String,
    badge_image: String,
    badge_link: String,
    comments_open_default: Option<String>,
    reporters_publish_directly: Option<String>,
    require_two_factor: Option<String>,
    show_visitor_counter: Option<String>,
    /// Absent from a form that predates the field: the stored value stays (the same for the
    /// fields below).
    comment_data_retention_days: Option<String>,
    contact_retention_days: Option<String>,
    most_read_days: Option<String>,
}

fn checkbox(checked: bool) -> Option<String> {
    checked.then(|| "on".to_owned())
}

impl SettingsForm {
    fn of(s: &SiteSettings) -> Self {
        Self {
            site_name: s.site_name.clone(),
            tagline: s.tagline.clone(),
            agency_name: s.agency_name.clone(),
            agency_address: s.agency_address.clone(),
            agency_phone: s.agency_phone.clone(),
            agency_email: s.agency_email.clone(),
            agency_editor: s.agency_editor.clone(),
            agency_license: s.agency_license.clone(),
            badge_image: s.badge_image.clone(),
            badge_link: s.badge_link.clone(),
            comments_open_default: checkbox(s.comments_open_default),
            reporters_publish_directly: checkbox(s.reporters_publish_directly),
            require_two_factor: checkbox(s.require_two_factor),
            show_visitor_counter: checkbox(s.show_visitor_counter),
            comment_data_retention_days: Some(s.comment_data_retention_days.to_string()),
            contact_retention_days: Some(s.contact_retention_days.to_string()),
            most_read_days: Some(s.most_read_days.to_string()),
        }
    }

    /// After a refused save: the fields the form did not send show the stored values.
    fn fill_absent(&mut self, current: &SiteSettings) {
        self.comment_data_retention_days
            .get_or_insert_with(|| current.comment_data_retention_days.to_string());
        self.contact_retention_days
            .get_or_insert_with(|| current.contact_retention_days.to_string());
        self.most_read_days
            .get_or_insert_with(|| current.most_read_days.to_string());
    }

    /// `current`: the stored settings, for the fields the form did not send.
    /// `errors`: what the form extractor found.
    fn validate(
        &self,
        current: &SiteSettings,
        mut errors: FieldErrors,
    ) -> Result<SiteSettings, FieldErrors> {
        let e = &mut errors;
        let settings = SiteSettings {
            site_name: required(e, "site_name", &self.site_name, SITE_NAME_MAX),
            tagline: optional(e, "tagline", &self.tagline, TEXT_MAX),
            agency_name: optional(e, "agency_name", &self.agency_name, TEXT_MAX),
            agency_address: optional(e, "agency_address", &self.agency_address, TEXT_MAX),
            agency_phone: optional(e, "agency_phone", &self.agency_phone, TEXT_MAX),
            agency_email: optional(e, "agency_email", &self.agency_email, TEXT_MAX),
            agency_editor: optional(e, "agency_editor", &self.agency_editor, TEXT_MAX),
            agency_license: optional(e, "agency_license", &self.agency_license, TEXT_MAX),
            badge_image: link(e, "badge_image", &self.badge_image),
            badge_link: link(e, "badge_link", &self.badge_link),
            comments_open_default: self.comments_open_default.is_some(),
            reporters_publish_directly: self.reporters_publish_directly.is_some(),
            require_two_factor: self.require_two_factor.is_some(),
            show_visitor_counter: self.show_visitor_counter.is_some(),
            comment_data_retention_days: match &self.comment_data_retention_days {
                Some(days) => retention_days(e, "comment_data_retention_days", days),
                None => current.comment_data_retention_days,
            },
            contact_retention_days: match &self.contact_retention_days {
                Some(days) => retention_days(e, "contact_retention_days", days),
                None => current.contact_retention_days,
            },
            most_read_days: match &self.most_read_days {
                Some(days) => match days.trim().parse() {
                    Ok(days) if MOST_READ_DAYS.contains(&days) => days,
                    _ => {
                        e.add("most_read_days", MOST_READ_FORMAT);
                        current.most_read_days
                    }
                },
                None => current.most_read_days,
            },
        };
        if errors.is_empty() {
            Ok(settings)
        } else {
            Err(errors)
        }
    }
}

/// A URL the public pages put in `src`/`href`: empty, a path on this site, or http(s).
fn link(errors: &mut FieldErrors, field: &'static str, value: &str) -> String {
    let value = optional(errors, field, value, TEXT_MAX);
    if !value.is_empty() && !is_safe_link(&value) {
        errors.add(field, LINK_FORMAT);
    }
    value
}

/// Whole days, within [`RETENTION_DAYS`].
fn retention_days(errors: &mut FieldErrors, field: &'static str, value: &str) -> i32 {
    match value.trim().parse::<i32>() {
        Ok(days) if RETENTION_DAYS.contains(&days) => days,
        _ => {
            errors.add(field, RETENTION_FORMAT);
            0
        }
    }
}

fn is_safe_link(value: &str) -> bool {
    if value
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return false;
    }
    if value.starts_with('/') {
        // "//host/…" is another site.
        return !value.starts_with("//");
    }
    url::Url::parse(value)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
}

/// The names of the fields that differ, for the audit log.
fn changed_fields(old: &SiteSettings, new: &SiteSettings) -> Vec<&'static str> {
    [
        ("site_name", old.site_name != new.site_name),
        ("tagline", old.tagline != new.tagline),
        ("agency_name", old.agency_name != new.agency_name),
        ("agency_address", old.agency_address != new.agency_address),
        ("agency_phone", old.agency_phone != new.agency_phone),
        ("agency_email", old.agency_email != new.agency_email),
        ("agency_editor", old.agency_editor != new.agency_editor),
        ("agency_license", old.agency_license != new.agency_license),
        ("badge_image", old.badge_image != new.badge_image),
        ("badge_link", old.badge_link != new.badge_link),
        (
            "comments_open_default",
            old.comments_open_default != new.comments_open_default,
        ),
        (
            "reporters_publish_directly",
            old.reporters_publish_directly != new.reporters_publish_directly,
        ),
        (
            "require_two_factor",
            old.require_two_factor != new.require_two_factor,
        ),
        (
            "comment_data_retention_days",
            old.comment_data_retention_days != new.comment_data_retention_days,
        ),
        (
            "contact_retention_days",
            old.contact_retention_days != new.contact_retention_days,
        ),
        ("most_read_days", old.most_read_days != new.most_read_days),
        (
            "show_visitor_counter",
            old.show_visitor_counter != new.show_visitor_counter,
        ),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/settings.html")]
pub(crate) struct SettingsPage {
    layout: AdminLayout,
    form: SettingsForm,
    errors: FieldErrors,
}

pub(crate) async fn edit_settings(
    State(state): State<AppState>,
    layout: AdminLayout,
) -> AppResult<SettingsPage> {
    layout.user.require(Capability::ManageSettings)?;
    let settings = db::settings::get(&state.db).await?;
    Ok(SettingsPage {
        layout: layout.page(TITLE, "settings"),
        form: SettingsForm::of(&settings),
        errors: FieldErrors::default(),
    })
}

pub(crate) async fn update_settings(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    Form(form, screened): Form<SettingsForm>,
) -> AppResult<Response> {
    staff.require(Capability::ManageSettings)?;
    let mut tx = state.db.begin().await?;
    let old = db::settings::get_for_update(&mut *tx).await?;
    let settings = match form.validate(&old, screened) {
        Ok(settings) => settings,
        Err(errors) => {
            drop(tx);
            let mut form = form;
            form.fill_absent(&old);
            let page = SettingsPage {
                layout: layout.page(TITLE, "settings"),
                form,
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let changed = changed_fields(&old, &settings);
    if !changed.is_empty() {
        db::settings::update(&mut *tx, &settings).await?;
        let details = changed.join(", ");
        staff
            .log(
                &mut *tx,
                AuditAction::SettingsUpdated,
                Target::None,
                &details,
            )
            .await?;
        tx.commit().await?;
    }
    Ok(Flash::Saved.redirect(SETTINGS_URL))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_local_paths_or_web_addresses() {
        for good in [
            "/static/img/badge.png",
            "/",
            "https://tinnhiemmang.vn/danh-ba/1",
            "http://example.vn",
        ] {
            assert!(is_safe_link(good), "{good:?}");
        }
        for bad in [
            "javascript:alert(1)",
            "//evil.example/x.png",
            "/\\evil.example",
            "data:image/png;base64,AAAA",
            "ftp://example.vn/a.png",
            "example.vn/badge.png",
            "https://",
            "/a b.png",
        ] {
            assert!(!is_safe_link(bad), "{bad:?}");
        }
    }

    #[test]
    fn text_is_cleaned_and_checkboxes_read_as_booleans() {
        let form = SettingsForm {
            site_name: "  Ba\u{309}o Tha\u{306}\u{301}ng ".into(),
            comments_open_default: Some("on".into()),
            ..SettingsForm::default()
        };
        let settings = form
            .validate(&SiteSettings::default(), FieldErrors::default())
            .unwrap();
        assert_eq!(settings.site_name, "Bảo Thắng");
        assert!(settings.comments_open_default && !settings.reporters_publish_directly);
    }

    #[test]
    fn every_bad_field_gets_its_own_message() {
        let form = SettingsForm {
            site_name: " ".into(),
            tagline: "x".repeat(301),
            badge_link: "javascript:alert(1)".into(),
            ..SettingsForm::default()
        };
        let errors = form
            .validate(&SiteSettings::default(), FieldErrors::default())
            .unwrap_err();
        assert_eq!(errors.len(), 3);
        assert_eq!(errors.get("badge_link").unwrap(), LINK_FORMAT);
    }

    #[test]
    fn comment_data_is_kept_one_day_to_ten_years() {
        let current = SiteSettings {
            comment_data_retention_days: 90,
            ..SiteSettings::default()
        };
        let with_days = |days: Option<&str>| SettingsForm {
            site_name: "Bảo Thắng".into(),
            comment_data_retention_days: days.map(str::to_owned),
            ..SettingsForm::default()
        };
        for (days, kept) in [("1", 1), (" 30 ", 30), ("3650", 3650)] {
            let settings = with_days(Some(days))
                .validate(&current, FieldErrors::default())
                .unwrap();
            assert_eq!(settings.comment_data_retention_days, kept, "{days:?}");
        }
        for bad in ["0", "3651", "-5", "", "ba mươi", "1.5", "99999999999"] {
            let errors = with_days(Some(bad))
                .validate(&current, FieldErrors::default())
                .unwrap_err();
            assert_eq!(
                errors.get("comment_data_retention_days").unwrap(),
                RETENTION_FORMAT,
                "{bad:?}"
            );
        }
        // A form without the field keeps what is stored.
        let settings = with_days(None)
            .validate(&current, FieldErrors::default())
            .unwrap();
        assert_eq!(settings.comment_data_retention_days, 90);
    }

    #[test]
    fn most_read_counts_seven_or_thirty_days_and_messages_are_kept_a_while() {
        let current = SiteSettings {
            site_name: "Bảo Thắng".into(),
            most_read_days: 7,
            contact_retention_days: 365,
            ..SiteSettings::default()
        };
        let form = |most_read: &str, retention: &str| SettingsForm {
            site_name: "Bảo Thắng".into(),
            most_read_days: Some(most_read.into()),
            contact_retention_days: Some(retention.into()),
            show_visitor_counter: Some("on".into()),
            ..SettingsForm::default()
        };
        let settings = form("30", " 90 ")
            .validate(&current, FieldErrors::default())
            .unwrap();
        assert_eq!(
            (
                settings.most_read_days,
                settings.contact_retention_days,
                settings.show_visitor_counter
            ),
            (30, 90, true)
        );
        assert_eq!(
            changed_fields(&current, &settings),
            [
                "contact_retention_days",
                "most_read_days",
                "show_visitor_counter"
            ]
        );
        let errors = form("14", "0")
            .validate(&current, FieldErrors::default())
            .unwrap_err();
        assert_eq!(errors.get("most_read_days").unwrap(), MOST_READ_FORMAT);
        assert_eq!(
            errors.get("contact_retention_days").unwrap(),
            RETENTION_FORMAT
        );
    }

    #[test]
    fn only_changed_fields_are_named() {
        let old = SiteSettings {
            site_name: "A".into(),
            ..SiteSettings::default()
        };
        let new = SiteSettings {
            site_name: "B".into(),
            reporters_publish_directly: true,
            ..SiteSettings::default()
        };
        assert_eq!(
            changed_fields(&old, &new),
            ["site_name", "reporters_publish_directly"]
        );
        assert!(changed_fields(&old, &old.clone()).is_empty());
    }
}
