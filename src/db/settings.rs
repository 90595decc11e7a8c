use sqlx::PgExecutor;

/// The single row of `site_setting`.
#[derive(Debug, Clone, Default)]
pub struct SiteSettings {
    pub site_name: String,
    pub tagline: String,
    pub agency_name: String,
    pub agency_address: String,
    pub agency_phone: String,
    pub agency_email: String,
    pub agency_editor: String,
    pub agency_license: String,
    pub badge_image: String,
    pub badge_link: String,
    /// New articles accept comments unless the author closes them.
    pub comments_open_default: bool,
    /// Reporters may publish their own articles without an editor's review.
    pub reporters_publish_directly: bool,
    /// Days after moderation when a comment's IP address and user agent are erased.
    pub comment_data_retention_days: i32,
    /// Admins and editors must turn on two-factor authentication before using the back office.
    pub require_two_factor: bool,
    /// "Đọc nhiều" counts the views of this many days (7 or 30).
    pub most_read_days: i32,
    /// Days after which a contact message is deleted.
    pub contact_retention_days: i32,
    /// The footer shows the visitor counter.
    pub show_visitor_counter: bool,
}

pub async fn get(db: impl PgExecutor<'_>) -> sqlx::Result<SiteSettings> {
    sqlx::query_as!(
        SiteSettings,
        "select site_name, tagline, agency_name, agency_address, agency_phone, agency_email,
                agency_editor, agency_license, badge_image, badge_link, comments_open_default,
                reporters_publish_directly, comment_data_retention_days, require_two_factor,
                most_read_days, contact_retention_days, show_visitor_counter
         from site_setting where site_setting_id = 1"
    )
    .fetch_one(db)
    .await
}

pub async fn update(db: impl PgExecutor<'_>, s: &SiteSettings) -> sqlx::Result<()> {
    sqlx::query!(
        "update site_setting set site_name = $1, tagline = $2, agency_name = $3,
                agency_address = $4, agency_phone = $5, agency_email = $6, agency_editor = $7,
                agency_license = $8, badge_image = $9, badge_link = $10,
                comments_open_default = $11, reporters_publish_directly = $12,
                comment_data_retention_days = $13, require_two_factor = $14,
                most_read_days = $15, contact_retention_days = $16, show_visitor_counter = $17,
                updated_at = now()
         where site_setting_id = 1",
        s.site_name,
        s.tagline,
        s.agency_name,
        s.agency_address,
        s.agency_phone,
        s.agency_email,
        s.agency_editor,
        s.agency_license,
        s.badge_image,
        s.badge_link,
        s.comments_open_default,
        s.reporters_publish_directly,
        s.comment_data_retention_days,
        s.require_two_factor,
        s.most_read_days,
        s.contact_retention_days,
        s.show_visitor_counter
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The settings, locked until the transaction ends (to compare them with an edit).
pub async fn get_for_update(db: impl PgExecutor<'_>) -> sqlx::Result<SiteSettings> {
    sqlx::query_as!(
        SiteSettings,
        "select site_name, tagline, agency_name, agency_address, agency_phone, agency_email,
                agency_editor, agency_license, badge_image, badge_link, comments_open_default,
                reporters_publish_directly, comment_data_retention_days, require_two_factor,
                most_read_days, contact_retention_days, show_visitor_counter
         from site_setting where site_setting_id = 1 for update"
    )
    .fetch_one(db)
    .await
}
