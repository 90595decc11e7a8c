-- The revision a change made (an article's or a page's, after `target_type`): the audit log
-- links each save and restore to it. No foreign key: the log keeps its rows when an article
-- or a page (and its revisions) is deleted.
alter table audit_log add column revision_id bigint;
