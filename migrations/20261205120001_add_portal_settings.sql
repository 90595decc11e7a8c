-- Settings of the home page, the contact inbox and the footer.
alter table site_setting
    -- "Đọc nhiều" counts the views of the last 7 or 30 days.
    add column most_read_days integer not null default 7,
    -- Contact messages are deleted this many days after they were sent.
    add column contact_retention_days integer not null default 365,
    -- The footer shows the visitor counter (online now, today, total).
    add column show_visitor_counter boolean not null default false,
    add constraint site_setting_most_read_days check (most_read_days in (7, 30)),
    add constraint site_setting_contact_retention_range check (contact_retention_days between 1 and 3650);
