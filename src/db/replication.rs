//! Write-ahead log positions, to tell whether a streaming replica has replayed a change yet.
//! Positions are bytes from the start of the log (`pg_lsn` minus `0/0`).

/// How far the primary has flushed its log: every committed change is before this position,
/// and a replica cannot receive what lies beyond it.
pub async fn flushed_position(db: impl sqlx::PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select (pg_current_wal_flush_lsn() - '0/0'::pg_lsn)::int8 as "position!""#
    )
    .fetch_one(db)
    .await
}

/// How far a replica has replayed the primary's log. A server that is not replaying (the
/// primary itself, named as its own replica) answers its own flushed position; a replica that
/// has replayed nothing yet, 0.
pub async fn replayed_position(db: impl sqlx::PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select coalesce(
               (case when pg_is_in_recovery() then pg_last_wal_replay_lsn()
                     else pg_current_wal_flush_lsn() end - '0/0'::pg_lsn)::int8,
               0) as "position!""#
    )
    .fetch_one(db)
    .await
}
