//! The user's own two-factor authentication ("Xác thực hai lớp"): turning it on with a QR code
//! and a code that confirms it, the recovery codes shown once, turning it off; and the guard
//! that keeps admins and editors on this page while the site requires it and theirs is off.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{OriginalUri, Request, State},
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use crate::{
    AppState,
    auth::{Checked, CurrentUser, Role, check_limited, check_password, two_factor},
    db::{
        self,
        audit::{AuditAction, Target},
    },
    error::AppResult,
    web::{
        admin::{AdminLayout, Flash, Staff, login::TOO_MANY_ATTEMPTS},
        form::{FieldErrors, Form},
    },
};

pub(crate) const TWO_FACTOR_URL: &str = "/admin/two-factor";
const TITLE: &str = "Xác thực hai lớp";
const WRONG_CODE: &str = "Mã không đúng. Hãy nhập mã 6 chữ số đang hiện trong ứng dụng.";
const WRONG_PROOF: &str = "Mật khẩu hoặc mã xác thực không đúng.";
const NO_PROOF: &str = "Hãy nhập mật khẩu hoặc một mã xác thực.";

#[derive(Template, WebTemplate)]
#[template(path = "admin/two_factor.html")]
pub(crate) struct TwoFactorPage {
    layout: AdminLayout,
    shown: Shown,
    errors: FieldErrors,
}

/// What the page shows, by the state of the account.
pub(crate) enum Shown {
    /// Off: the secret to scan or type, and the form that confirms it.
    Setup(Setup),
    /// Just turned on: the recovery codes, this once.
    RecoveryCodes(Vec<String>),
    /// On: how many recovery codes are left, and the form that turns it off.
    On(i64),
}

pub(crate) struct Setup {
    /// The otpauth URL as a PNG QR code, base64-encoded.
    qr_png: String,
    /// The secret in base32, in groups of four, for typing it in.
    secret: String,
}

impl TwoFactorPage {
    fn new(layout: AdminLayout, shown: Shown, errors: FieldErrors) -> Self {
        Self {
            layout: layout.page(TITLE, "two-factor"),
            shown,
            errors,
        }
    }
}

/// The setup of `secret` for the account of `layout`, named after the site in the app.
fn setup(state: &AppState, username: &str, secret: &[u8]) -> AppResult<Shown> {
    let site_name = state.site.get().settings.site_name.clone();
    let totp = two_factor::totp(secret, &site_name, username)?;
    let qr_png = totp
        .to_qr_base64()
        .map_err(|error| anyhow::anyhow!("QR code: {error}"))?;
    let base32 = totp.secret().to_base32();
    let groups: Vec<&str> = base32
        .as_bytes()
        .chunks(4)
        .map(|group| std::str::from_utf8(group).unwrap_or_default())
        .collect();
    Ok(Shown::Setup(Setup {
        qr_png,
        secret: groups.join(" "),
    }))
}

async fn on(state: &AppState, user_id: i64) -> AppResult<Shown> {
    Ok(Shown::On(
        db::recovery_codes::count_unused(&state.db, user_id).await?,
    ))
}

pub(crate) async fn show_two_factor(
    State(state): State<AppState>,
    layout: AdminLayout,
) -> AppResult<TwoFactorPage> {
    let user = &layout.user;
    let shown = if user.two_factor {
        on(&state, user.user_id).await?
    } else {
        let offered = two_factor::new_secret();
        let secret = db::users::offer_two_factor_secret(&state.db, user.user_id, &offered).await?;
        setup(&state, &user.username, &secret)?
    };
    Ok(TwoFactorPage::new(layout, shown, FieldErrors::default()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct EnableForm {
    code: String,
}

/// Turns two-factor authentication on once a code shows the app has the secret; the answer
/// is the only page that ever shows the recovery codes.
pub(crate) async fn enable_two_factor(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    // Codes and passwords are only compared, never stored: a control character is just wrong.
    Form(form, _): Form<EnableForm>,
) -> AppResult<Response> {
    let secrets = db::users::two_factor_secrets(&state.db, staff.user_id).await?;
    // On already, or no secret offered yet: the page shows which.
    let (None, Some(secret)) = (secrets.secret, secrets.pending) else {
        return Ok(Redirect::to(TWO_FACTOR_URL).into_response());
    };
    let totp = two_factor::totp(&secret, "", &staff.username)?;
    let Some(step) = two_factor::current_step(&totp, &form.code) else {
        let mut errors = FieldErrors::default();
        errors.add("code", WRONG_CODE);
        let page = TwoFactorPage::new(layout, setup(&state, &staff.username, &secret)?, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };

    let codes = two_factor::new_recovery_codes();
    let hashes: Vec<Vec<u8>> = codes.iter().map(|c| two_factor::recovery_hash(c)).collect();
    let mut tx = state.db.begin().await?;
    if !db::users::enable_two_factor(&mut *tx, staff.user_id, &secret, step).await? {
        // Turned on (or offered another secret) in another tab meanwhile.
        return Ok(Redirect::to(TWO_FACTOR_URL).into_response());
    }
    db::recovery_codes::replace(&mut tx, staff.user_id, &hashes).await?;
    let target = Target::User(staff.user_id);
    staff
        .log(&mut *tx, AuditAction::TwoFactorEnabled, target, "")
        .await?;
    tx.commit().await?;
    let page = TwoFactorPage::new(layout, Shown::RecoveryCodes(codes), FieldErrors::default());
    Ok(page.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct DisableForm {
    password: String,
    code: String,
}

/// Turns two-factor authentication off, given the password or a code (under the login
/// limits: a session left open must not let anyone guess them).
pub(crate) async fn disable_two_factor(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    Form(form, _): Form<DisableForm>,
) -> AppResult<Response> {
    let secrets = db::users::two_factor_secrets(&state.db, staff.user_id).await?;
    let Some(secret) = secrets.secret else {
        return Ok(Redirect::to(TWO_FACTOR_URL).into_response());
    };
    let (account, ip) = (&staff.username, &staff.ip);
    let checked = if !form.password.is_empty() {
        let stored = db::users::get_password_hash(&state.db, staff.user_id).await?;
        Some(check_password(&state, account, ip, form.password, Some(stored)).await?)
    } else if !form.code.trim().is_empty() {
        let accepted = two_factor::accept_code(&state.db, staff.user_id, Some(&secret), &form.code);
        let check = async { Ok(accepted.await?.is_some()) };
        Some(check_limited(&state, account, ip, check).await?)
    } else {
        None
    };
    let (status, message) = match checked {
        Some(Checked::Right(attempt)) => {
            let mut tx = state.db.begin().await?;
            db::login_attempts::succeeded(&mut *tx, attempt).await?;
            two_factor::turn_off(&mut tx, staff.user_id).await?;
            let entry = (
                AuditAction::TwoFactorDisabled,
                Target::User(staff.user_id),
                "",
            );
            return staff
                .finish(tx, entry, TWO_FACTOR_URL, Flash::TwoFactorDisabled)
                .await;
        }
        Some(Checked::Wrong) => (StatusCode::UNPROCESSABLE_ENTITY, WRONG_PROOF),
        Some(Checked::Blocked) => (StatusCode::TOO_MANY_REQUESTS, TOO_MANY_ATTEMPTS),
        None => (StatusCode::UNPROCESSABLE_ENTITY, NO_PROOF),
    };
    let mut errors = FieldErrors::default();
    errors.add("password", message);
    let page = TwoFactorPage::new(layout, on(&state, staff.user_id).await?, errors);
    Ok((status, page).into_response())
}

/// While the site requires two-factor authentication, an admin or editor without it reaches
/// only its setup page (logging out is outside the back office).
pub(crate) async fn require_two_factor(
    State(state): State<AppState>,
    user: CurrentUser,
    OriginalUri(uri): OriginalUri,
    request: Request,
    next: Next,
) -> Response {
    let required = state.site.get().settings.require_two_factor
        && matches!(user.role, Role::Admin | Role::Editor)
        && !user.two_factor;
    if required && uri.path() != TWO_FACTOR_URL {
        return Flash::TwoFactorRequired.redirect(TWO_FACTOR_URL);
    }
    next.run(request).await
}
