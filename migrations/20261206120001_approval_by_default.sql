-- Approval by default: reporters send their articles to an editor unless an admin turns on
-- "reporters publish directly" (Cài đặt trang). A site whose admin never changed that setting
-- in the back office (no audit entry names it) still holds the old default, not a choice: it
-- gets the new one, and the audit log says so when the site has staff to read it. A site
-- whose admin changed it keeps what it has.
alter table site_setting alter column reporters_publish_directly set default false;

with switched as (
    update site_setting set reporters_publish_directly = false, updated_at = now()
    where reporters_publish_directly
      and not exists (
          select 1 from audit_log
          where action = 'settings.updated' and details ~ '\mreporters_publish_directly\M'
      )
    returning 1
)
insert into audit_log (actor, action, details)
select 'hệ thống', 'settings.updated', 'reporters_publish_directly'
from switched
where exists (select 1 from app_user);
