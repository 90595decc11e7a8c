-- "Scheduled": approved for publication at a future `published_at`; the scheduler publishes it.
-- (A new enum value can only be used once this migration has committed: see the next one.)
alter type article_status add value 'scheduled' after 'pending';
