-- The footer's visitor counter, counted without cookies and without IP addresses: a visitor
-- is HMAC-SHA256(today's salt, IP + user agent). The salt is random, one per day (Vietnam's
-- day), shared by every instance through this table and deleted once its day is over, so a
-- visitor cannot be followed from one day to the next nor the hash turned back into an IP.
-- Not announced to the page cache: counting visitors changes no content.
create table visitor_salt (
    day  date primary key,
    salt bytea not null,
    constraint visitor_salt_length check (octet_length(salt) = 32)
);

-- Each visitor seen today (and, until they are five minutes old, yesterday's last ones).
create table visitor_seen (
    day       date not null,
    visitor   bytea not null,
    last_seen timestamptz not null,
    constraint visitor_seen_pkey primary key (day, visitor)
);
-- "Đang truy cập": visitors seen in the last five minutes.
create index visitor_seen_last_idx on visitor_seen (last_seen);

-- "Tổng lượt truy cập": visitors per day, added up since the counter started.
create table visitor_total (
    visitor_total_id integer primary key default 1,
    total            bigint not null default 0,
    constraint visitor_total_single_row check (visitor_total_id = 1)
);
insert into visitor_total default values;
