//! The append-only audit log.

use sqlx::PgExecutor;
use time::OffsetDateTime;

/// Who did it: a staff member, or the system (the scheduler).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub user_id: Option<i64>,
    pub name: &'a str,
    pub ip: &'a str,
}

impl Actor<'static> {
    pub const SYSTEM: Actor<'static> = Actor {
        user_id: None,
        name: "hệ thống",
        ip: "",
    };
}

pub async fn record(
    db: impl PgExecutor<'_>,
    actor: Actor<'_>,
    action: &str,
    target: Option<(&str, i64)>,
    details: &str,
) -> sqlx::Result<()> {
    let (target_type, target_id) = target.map_or(("", None), |(t, id)| (t, Some(id)));
    sqlx::query!(
        "insert into audit_log (user_id, actor, action, target_type, target_id, details, ip)
         values ($1, $2, $3, $4, $5, $6, $7)",
        actor.user_id,
        actor.name,
        action,
        target_type,
        target_id,
        details,
        actor.ip
    )
    .execute(db)
    .await?;
    Ok(())
}

#[derive(Debug)]
pub struct Entry {
    pub audit_log_id: i64,
    pub at: OffsetDateTime,
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub details: String,
    pub ip: String,
}

/// Newest first, optionally only one action prefix (e.g. "login").
pub async fn list(
    db: impl PgExecutor<'_>,
    action_prefix: Option<&str>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as!(
        Entry,
        "select audit_log_id, at, actor, action, target_type, target_id, details, ip
         from audit_log
         where $1::text is null or action like $1 || '%'
         order by at desc, audit_log_id desc
         limit $2 offset $3",
        action_prefix,
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

pub async fn count(db: impl PgExecutor<'_>, action_prefix: Option<&str>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from audit_log where $1::text is null or action like $1 || '%'"#,
        action_prefix
    )
    .fetch_one(db)
    .await
}
