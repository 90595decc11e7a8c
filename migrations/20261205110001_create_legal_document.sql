-- "Văn bản": the agency's legal and administrative documents, with the managed lists they are
-- filed under (loại văn bản, cơ quan ban hành, lĩnh vực) and their attached files.

-- The three managed lists in one table: `kind` says which.
create table document_term (
    document_term_id bigint generated always as identity primary key,
    kind       text not null,
    name       text not null collate vi,
    slug       text not null,
    created_at timestamptz not null default now(),
    constraint document_term_kind check (kind in ('type', 'issuer', 'field')),
    constraint document_term_slug_key unique (kind, slug),
    constraint document_term_name_key unique (kind, name),
    constraint document_term_slug_format check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) <= 200),
    constraint document_term_name check (char_length(name) between 1 and 200 and name is nfc normalized)
);

create table legal_document (
    legal_document_id bigint generated always as identity primary key,
    slug         text not null,
    -- Số/ký hiệu, e.g. "15-NQ/HU".
    number       text not null,
    type_id      bigint not null references document_term (document_term_id) on delete restrict,
    issuer_id    bigint not null references document_term (document_term_id) on delete restrict,
    field_id     bigint references document_term (document_term_id) on delete restrict,
    signer       text not null default '',
    issued_on    date not null,
    effective_on date,
    -- Trích yếu: plain text.
    summary      text not null,
    -- Optional full text, stored sanitised like article bodies.
    body_html    text not null default '',
    in_force     boolean not null default true,
    created_by   bigint references app_user (user_id) on delete set null,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    -- Kept by the trigger below: the number as typed and as plain words ("15-NQ/HU" and
    -- "15 NQ HU") and the type's name (A), the summary (B), the full text (C); folded like
    -- article search.
    search_vector tsvector not null default ''::tsvector,
    constraint legal_document_slug_key unique (slug),
    constraint legal_document_slug_format check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) <= 200),
    constraint legal_document_number check (char_length(number) between 1 and 100),
    constraint legal_document_signer check (char_length(signer) <= 200),
    constraint legal_document_summary check (char_length(summary) between 1 and 2000),
    constraint legal_document_text_nfc check (number is nfc normalized and signer is nfc normalized
        and summary is nfc normalized and body_html is nfc normalized)
);
create index legal_document_issued_idx on legal_document (issued_on desc, legal_document_id desc);
create index legal_document_type_idx on legal_document (type_id);
create index legal_document_issuer_idx on legal_document (issuer_id);
create index legal_document_field_idx on legal_document (field_id);
create index legal_document_search_idx on legal_document using gin (search_vector);

create function legal_document_search_vector() returns trigger language plpgsql as $$
begin
    new.search_vector :=
        setweight(to_tsvector('simple', f_unaccent(lower(
            new.number || ' ' || regexp_replace(new.number, '[^[:alnum:]]+', ' ', 'g') || ' '
            || coalesce((select name collate "default" from document_term where document_term_id = new.type_id), '')
        ))), 'A')
        || setweight(to_tsvector('simple', f_unaccent(lower(new.summary))), 'B')
        || setweight(to_tsvector('simple', f_unaccent(lower(html_text(new.body_html)))), 'C');
    return new;
end
$$;
create trigger legal_document_search before insert or update on legal_document
    for each row execute function legal_document_search_vector();

-- A renamed type is searched under its new name.
create function document_term_renamed() returns trigger language plpgsql as $$
begin
    update legal_document set type_id = type_id where type_id = new.document_term_id;
    return null;
end
$$;
create trigger document_term_renamed after update of name on document_term
    for each row when (old.name is distinct from new.name)
    execute function document_term_renamed();

-- A document's files, in the order shown.
create table legal_document_file (
    legal_document_id bigint not null references legal_document (legal_document_id) on delete cascade,
    media_file_id     bigint not null references media_file (media_file_id) on delete restrict,
    position          integer not null default 0,
    primary key (legal_document_id, media_file_id)
);
create index legal_document_file_media_idx on legal_document_file (media_file_id);

-- Readers see all of them: cached pages follow every change.
create trigger document_term_changed after insert or update or delete or truncate on document_term
    for each statement execute function notify_reader_change();
create trigger legal_document_changed after insert or update or delete or truncate on legal_document
    for each statement execute function notify_reader_change();
create trigger legal_document_file_changed after insert or update or delete or truncate on legal_document_file
    for each statement execute function notify_reader_change();

insert into document_term (kind, name, slug) values
    ('type', 'Nghị quyết', 'nghi-quyet'),
    ('type', 'Quyết định', 'quyet-dinh'),
    ('type', 'Chỉ thị', 'chi-thi'),
    ('type', 'Công văn', 'cong-van'),
    ('type', 'Kế hoạch', 'ke-hoach'),
    ('type', 'Thông báo', 'thong-bao'),
    ('type', 'Báo cáo', 'bao-cao'),
    ('type', 'Hướng dẫn', 'huong-dan'),
    ('type', 'Tờ trình', 'to-trinh'),
    ('issuer', 'Huyện ủy', 'huyen-uy'),
    ('issuer', 'Hội đồng nhân dân huyện', 'hoi-dong-nhan-dan-huyen'),
    ('issuer', 'Ủy ban nhân dân huyện', 'uy-ban-nhan-dan-huyen'),
    ('issuer', 'Ủy ban Mặt trận Tổ quốc Việt Nam huyện', 'uy-ban-mat-tran-to-quoc-viet-nam-huyen'),
    ('issuer', 'Văn phòng HĐND và UBND huyện', 'van-phong-hdnd-va-ubnd-huyen'),
    ('field', 'Kinh tế', 'kinh-te'),
    ('field', 'Nông nghiệp', 'nong-nghiep'),
    ('field', 'Đất đai', 'dat-dai'),
    ('field', 'Giáo dục', 'giao-duc'),
    ('field', 'Y tế', 'y-te'),
    ('field', 'Văn hóa - Xã hội', 'van-hoa-xa-hoi'),
    ('field', 'Tổ chức - Cán bộ', 'to-chuc-can-bo'),
    ('field', 'Quốc phòng - An ninh', 'quoc-phong-an-ninh');
