-- The site's menus, arranged by admins: the main menu in the header (two levels) and the
-- footer links. An entry leads to a category, a page, the documents library, the contact page
-- or an external http(s) address.
create type menu_name as enum ('main', 'footer');
create type menu_target as enum ('category', 'page', 'documents', 'contact', 'url');

create table menu_item (
    menu_item_id bigint generated always as identity primary key,
    menu         menu_name not null,
    parent_id    bigint references menu_item (menu_item_id) on delete cascade,
    position     integer not null default 0,
    -- Empty: the category's name or the page's title.
    label        text not null default '',
    target       menu_target not null,
    category_id  bigint references category (category_id) on delete cascade,
    page_id      bigint references page (page_id) on delete cascade,
    url          text not null default '',
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    constraint menu_item_label_length check (char_length(label) <= 100),
    constraint menu_item_label_nfc check (label is nfc normalized),
    constraint menu_item_not_own_parent check (parent_id is distinct from menu_item_id),
    constraint menu_item_target_fields check (
        (target = 'category') = (category_id is not null)
        and (target = 'page') = (page_id is not null)
        and (target = 'url') = (url <> '')),
    constraint menu_item_url_scheme check (url = '' or url ~ '^https?://[^\s]+$' and char_length(url) <= 2000),
    constraint menu_item_label_needed check (target in ('category', 'page') or label <> '')
);
create index menu_item_parent_idx on menu_item (menu, parent_id, position);

-- An existing site keeps the menu it had: its categories, two levels, in the same order.
insert into menu_item (menu, position, target, category_id)
select 'main', row_number() over (order by position, category_id) - 1, 'category', category_id
from category where parent_id is null;
insert into menu_item (menu, parent_id, position, target, category_id)
select 'main', m.menu_item_id,
       row_number() over (partition by c.parent_id order by c.position, c.category_id) - 1,
       'category', c.category_id
from category c join menu_item m on m.category_id = c.parent_id and m.parent_id is null;

-- The menu is part of every page (and of the cached site frame).
create trigger menu_item_changed after insert or update or delete or truncate on menu_item
    for each statement execute function notify_reader_change();
