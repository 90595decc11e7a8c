-- Site-wide settings: exactly one row, edited by admins.
create table site_setting (
    site_setting_id  integer primary key default 1,
    site_name        text not null default 'Tòa Soạn',
    tagline          text not null default '',
    agency_name      text not null default '',
    agency_address   text not null default '',
    agency_phone     text not null default '',
    agency_email     text not null default '',
    agency_editor    text not null default '',
    agency_license   text not null default '',
    badge_image      text not null default '',
    badge_link       text not null default '',
    updated_at       timestamptz not null default now(),
    constraint site_setting_single_row check (site_setting_id = 1)
);
insert into site_setting default values;
