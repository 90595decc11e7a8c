//! The footer's visitor counter: today's salt, the visitors seen, the running total.

use sqlx::PgExecutor;
use time::{Date, OffsetDateTime};

/// The salt of `day`: the one already stored (by any instance), or else `fresh`.
pub async fn salt_of(db: impl PgExecutor<'_>, day: Date, fresh: &[u8]) -> sqlx::Result<Vec<u8>> {
    sqlx::query_scalar!(
        r#"with inserted as (
               insert into visitor_salt (day, salt) values ($1, $2)
               on conflict (day) do nothing
               returning salt
           )
           select salt as "salt!" from inserted
           union all
           select salt from visitor_salt where day = $1
           limit 1"#,
        day,
        fresh
    )
    .fetch_one(db)
    .await
}

/// Records visitors (`visitors[i]` seen on `days[i]` at `seen[i]`) and adds the ones not seen
/// before that day to the total, in one statement; returns how many were new.
pub async fn record(
    db: impl PgExecutor<'_>,
    days: &[Date],
    visitors: &[Vec<u8>],
    seen: &[OffsetDateTime],
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"with seen as (
               insert into visitor_seen (day, visitor, last_seen)
               select * from unnest($1::date[], $2::bytea[], $3::timestamptz[])
               on conflict (day, visitor)
                   do update set last_seen = greatest(visitor_seen.last_seen, excluded.last_seen)
               returning (xmax = 0) as new
           ), added as (
               select count(*) filter (where new) as n from seen
           )
           update visitor_total set total = total + added.n from added
           returning added.n as "new!""#,
        days,
        visitors,
        seen
    )
    .fetch_one(db)
    .await
}

/// What the footer shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VisitorCounts {
    /// Seen in the last five minutes.
    pub online: i64,
    /// Seen on `today`.
    pub today: i64,
    pub total: i64,
}

pub async fn counts(db: impl PgExecutor<'_>, today: Date) -> sqlx::Result<VisitorCounts> {
    sqlx::query_as!(
        VisitorCounts,
        r#"select (select count(distinct visitor) from visitor_seen
                   where last_seen > now() - interval '5 minutes') as "online!",
                  (select count(*) from visitor_seen where day = $1) as "today!",
                  (select total from visitor_total) as "total!""#,
        today
    )
    .fetch_one(db)
    .await
}

/// Forgets the salts of the days before `today`, and the visitors of those days once they are
/// no longer "online".
pub async fn forget_before(db: impl PgExecutor<'_>, today: Date) -> sqlx::Result<()> {
    sqlx::query!(
        "with salts as (delete from visitor_salt where day < $1)
         delete from visitor_seen
         where day < $1 and last_seen < now() - interval '5 minutes'",
        today
    )
    .execute(db)
    .await?;
    Ok(())
}
