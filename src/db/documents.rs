//! "Văn bản": `legal_document`, its files (`legal_document_file`) and the managed lists it is
//! filed under (`document_term`).

use sqlx::{PgConnection, PgExecutor};
use time::{Date, OffsetDateTime};

use super::media_files::FileLink;

vocabulary! {
    /// The three managed lists; the database stores [`TermKind::as_str`].
    pub enum TermKind {
        Type => "type", "Loại văn bản";
        Issuer => "issuer", "Cơ quan ban hành";
        Field => "field", "Lĩnh vực";
    }
}

/// An entry of a managed list.
#[derive(Debug, Clone)]
pub struct Term {
    pub document_term_id: i64,
    pub kind: String,
    pub name: String,
    pub slug: String,
    /// Documents filed under it.
    pub uses: i64,
}

/// Every entry of every list, each list in Vietnamese alphabetical order.
pub async fn list_terms(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Term>> {
    sqlx::query_as!(
        Term,
        r#"select t.document_term_id, t.kind, t.name, t.slug,
                  (select count(*) from legal_document d
                   where t.document_term_id in (d.type_id, d.issuer_id, d.field_id)) as "uses!"
           from document_term t
           order by t.kind, t.name, t.document_term_id"#
    )
    .fetch_all(db)
    .await
}

pub async fn get_term(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Term> {
    sqlx::query_as!(
        Term,
        r#"select t.document_term_id, t.kind, t.name, t.slug,
                  (select count(*) from legal_document d
                   where t.document_term_id in (d.type_id, d.issuer_id, d.field_id)) as "uses!"
           from document_term t where t.document_term_id = $1"#,
        id
    )
    .fetch_one(db)
    .await
}

pub async fn insert_term(
    db: impl PgExecutor<'_>,
    kind: TermKind,
    name: &str,
    slug: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into document_term (kind, name, slug) values ($1, $2, $3)
         returning document_term_id",
        kind.as_str(),
        name,
        slug
    )
    .fetch_one(db)
    .await
}

pub async fn rename_term(
    db: impl PgExecutor<'_>,
    id: i64,
    name: &str,
    slug: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update document_term set name = $2, slug = $3 where document_term_id = $1",
        id,
        name,
        slug
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes an entry no document is filed under; a foreign-key violation otherwise.
pub async fn delete_term(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query!("delete from document_term where document_term_id = $1", id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// What a document is made of, as the back office saves it.
#[derive(Debug, Clone)]
pub struct DocumentFields {
    pub slug: String,
    pub number: String,
    pub type_id: i64,
    pub issuer_id: i64,
    pub field_id: Option<i64>,
    pub signer: String,
    pub issued_on: Date,
    pub effective_on: Option<Date>,
    pub summary: String,
    pub body_html: String,
    pub in_force: bool,
}

pub async fn insert(
    db: impl PgExecutor<'_>,
    d: &DocumentFields,
    created_by: Option<i64>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into legal_document (slug, number, type_id, issuer_id, field_id, signer,
                                     issued_on, effective_on, summary, body_html, in_force, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         returning legal_document_id",
        d.slug,
        d.number,
        d.type_id,
        d.issuer_id,
        d.field_id,
        d.signer,
        d.issued_on,
        d.effective_on,
        d.summary,
        d.body_html,
        d.in_force,
        created_by
    )
    .fetch_one(db)
    .await
}

pub async fn update(db: impl PgExecutor<'_>, id: i64, d: &DocumentFields) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update legal_document set slug = $2, number = $3, type_id = $4, issuer_id = $5,
                field_id = $6, signer = $7, issued_on = $8, effective_on = $9, summary = $10,
                body_html = $11, in_force = $12, updated_at = now()
         where legal_document_id = $1",
        id,
        d.slug,
        d.number,
        d.type_id,
        d.issuer_id,
        d.field_id,
        d.signer,
        d.issued_on,
        d.effective_on,
        d.summary,
        d.body_html,
        d.in_force
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes a document (its file links go with it; the files stay in the registry).
/// Returns what it was, for the audit log.
pub async fn delete(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "delete from legal_document where legal_document_id = $1 returning number",
        id
    )
    .fetch_optional(db)
    .await
}

pub async fn slug_taken(
    db: impl PgExecutor<'_>,
    slug: &str,
    except: Option<i64>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from legal_document
                         where slug = $1 and legal_document_id is distinct from $2) as "exists!""#,
        slug,
        except
    )
    .fetch_one(db)
    .await
}

/// A document with the names of the entries it is filed under.
#[derive(Debug, Clone)]
pub struct Document {
    pub legal_document_id: i64,
    pub slug: String,
    pub number: String,
    pub type_id: i64,
    pub type_name: String,
    pub issuer_id: i64,
    pub issuer_name: String,
    pub field_id: Option<i64>,
    pub field_name: Option<String>,
    pub signer: String,
    pub issued_on: Date,
    pub effective_on: Option<Date>,
    pub summary: String,
    pub body_html: String,
    pub in_force: bool,
    pub updated_at: OffsetDateTime,
}

/// The document with `slug` (readers) or `id` (back office).
pub async fn get(
    db: impl PgExecutor<'_>,
    id: Option<i64>,
    slug: Option<&str>,
) -> sqlx::Result<Option<Document>> {
    sqlx::query_as!(
        Document,
        r#"select d.legal_document_id, d.slug, d.number, d.type_id, t.name as "type_name!",
                  d.issuer_id, i.name as "issuer_name!", d.field_id, f.name as "field_name?",
                  d.signer, d.issued_on, d.effective_on, d.summary, d.body_html, d.in_force,
                  d.updated_at
           from legal_document d
           join document_term t on t.document_term_id = d.type_id
           join document_term i on i.document_term_id = d.issuer_id
           left join document_term f on f.document_term_id = d.field_id
           where d.legal_document_id = $1 or d.slug = $2"#,
        id,
        slug
    )
    .fetch_optional(db)
    .await
}

/// What a listing filters on; `None` is "any".
#[derive(Debug, Default, Clone)]
pub struct DocumentFilter {
    pub type_id: Option<i64>,
    pub issuer_id: Option<i64>,
    pub field_id: Option<i64>,
    pub year: Option<i32>,
    pub in_force: Option<bool>,
    /// Words and phrases (see `SearchQuery`); a document must match every one.
    pub terms: Option<Vec<String>>,
}

/// A document in a listing.
#[derive(Debug, Clone)]
pub struct DocumentRow {
    pub legal_document_id: i64,
    pub slug: String,
    pub number: String,
    pub type_name: String,
    pub issuer_name: String,
    pub issued_on: Date,
    pub summary: String,
    pub in_force: bool,
    pub updated_at: OffsetDateTime,
    /// How many documents the filter matches in all.
    pub total: i64,
}

/// A page of the documents `f` matches, newest issued first.
pub async fn list(
    db: impl PgExecutor<'_>,
    f: &DocumentFilter,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<DocumentRow>> {
    sqlx::query_as!(
        DocumentRow,
        r#"select d.legal_document_id, d.slug, d.number, t.name as "type_name!",
                  i.name as "issuer_name!", d.issued_on, d.summary, d.in_force, d.updated_at,
                  count(*) over () as "total!"
           from legal_document d
           join document_term t on t.document_term_id = d.type_id
           join document_term i on i.document_term_id = d.issuer_id
           where ($1::bigint is null or d.type_id = $1)
             and ($2::bigint is null or d.issuer_id = $2)
             and ($3::bigint is null or d.field_id = $3)
             and ($4::int is null or (d.issued_on >= make_date($4, 1, 1)
                                      and d.issued_on < make_date($4 + 1, 1, 1)))
             and ($5::boolean is null or d.in_force = $5)
             and ($6::text[] is null or d.search_vector @@ (select f_search_words($6::text[])))
           order by d.issued_on desc, d.legal_document_id desc
           limit $7 offset $8"#,
        f.type_id,
        f.issuer_id,
        f.field_id,
        f.year,
        f.in_force,
        f.terms.as_deref(),
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

/// The years documents were issued in, newest first (the listing's filter).
pub async fn list_years(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<i32>> {
    sqlx::query_scalar!(
        r#"select distinct extract(year from issued_on)::int as "year!"
           from legal_document order by 1 desc"#
    )
    .fetch_all(db)
    .await
}

/// The files of a document, in order.
pub async fn list_files(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Vec<FileLink>> {
    sqlx::query_as!(
        FileLink,
        "select f.media_file_id, f.original_name, f.content_type, f.byte_size
         from legal_document_file l join media_file f using (media_file_id)
         where l.legal_document_id = $1
         order by l.position, f.media_file_id",
        id
    )
    .fetch_all(db)
    .await
}

/// Makes `file_ids` the document's files, in that order (ids with no file are skipped).
pub async fn set_files(tx: &mut PgConnection, id: i64, file_ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query!(
        "delete from legal_document_file
         where legal_document_id = $1 and media_file_id <> all($2)",
        id,
        file_ids
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into legal_document_file (legal_document_id, media_file_id, position)
         select $1, f.media_file_id, wanted.n::int
         from unnest($2::bigint[]) with ordinality as wanted (file_id, n)
         join media_file f on f.media_file_id = wanted.file_id
         on conflict (legal_document_id, media_file_id) do update set position = excluded.position",
        id,
        file_ids
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Every document, for the sitemap.
pub async fn list_for_sitemap(
    db: impl PgExecutor<'_>,
) -> sqlx::Result<Vec<(String, OffsetDateTime)>> {
    let rows = sqlx::query!(
        "select slug, updated_at from legal_document order by issued_on desc, legal_document_id desc"
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.slug, r.updated_at)).collect())
}
