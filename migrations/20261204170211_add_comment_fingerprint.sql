-- What two comments must share to be "the same text" (letters and digits only, lowercase,
-- one space between words), computed by the application (`text::fingerprint`). Comments from
-- before this column have none: the duplicate window is one hour, so nothing is lost.
alter table comment add column body_fingerprint text;
create index comment_fingerprint_idx on comment (article_id, body_fingerprint, created_at desc)
    where body_fingerprint is not null;
