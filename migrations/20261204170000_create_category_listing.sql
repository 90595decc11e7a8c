-- Category pages at any depth of the archive without counting or sorting it on every request:
-- `category_listing` holds one row per published article for its category and each ancestor
-- (a category page lists its whole subtree), in page order; `category_count` holds how many.
-- Triggers keep both exact in the transaction that publishes, moves or removes an article.
create table category_listing (
    category_id  bigint not null references category (category_id) on delete cascade,
    published_at timestamptz not null,
    article_id   bigint not null,
    primary key (category_id, published_at, article_id)
);

create table category_count (
    category_id bigint primary key references category (category_id) on delete cascade,
    published   bigint not null
);

-- The category and its ancestors, the category first.
create function category_ancestors(start bigint) returns table (category_id bigint)
language sql stable as $$
    with recursive up (category_id, parent_id) as (
        select c.category_id, c.parent_id from category c where c.category_id = start
        union all
        select c.category_id, c.parent_id from category c join up on c.category_id = up.parent_id
    )
    select up.category_id from up
$$;

create function list_published_article() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') and old.status = 'published' then
        delete from category_listing l
        using category_ancestors(old.category_id) a
        where l.category_id = a.category_id
          and l.published_at = old.published_at and l.article_id = old.article_id;
    end if;
    if tg_op in ('INSERT', 'UPDATE') and new.status = 'published' then
        insert into category_listing (category_id, published_at, article_id)
        select a.category_id, new.published_at, new.article_id
        from category_ancestors(new.category_id) a;
    end if;
    -- One statement for the counts, rows in key order (no deadlock between two moves).
    insert into category_count as c (category_id, published)
    select d.category_id, sum(d.delta)
    from (
        select a.category_id, -1 as delta
        from category_ancestors(old.category_id) a
        where tg_op in ('UPDATE', 'DELETE') and old.status = 'published'
        union all
        select a.category_id, 1
        from category_ancestors(new.category_id) a
        where tg_op in ('INSERT', 'UPDATE') and new.status = 'published'
    ) d
    group by d.category_id
    having sum(d.delta) <> 0
    order by d.category_id
    on conflict (category_id) do update set published = c.published + excluded.published;
    return null;
end
$$;

create trigger article_listed after insert on article
    for each row when (new.status = 'published') execute function list_published_article();
create trigger article_unlisted after delete on article
    for each row when (old.status = 'published') execute function list_published_article();
create trigger article_relisted after update of status, category_id, published_at on article
    for each row when ((old.status = 'published' or new.status = 'published')
        and (old.status, old.category_id, old.published_at)
            is distinct from (new.status, new.category_id, new.published_at))
    execute function list_published_article();

-- Every listing and count, from the articles (at creation, and when a category moves).
create function rebuild_category_listing() returns void language sql as $$
    delete from category_listing;
    delete from category_count;
    insert into category_listing (category_id, published_at, article_id)
    select a.category_id, p.published_at, p.article_id
    from article p cross join lateral category_ancestors(p.category_id) a
    where p.status = 'published';
    insert into category_count (category_id, published)
    select category_id, count(*) from category_listing group by category_id;
$$;

create function relist_moved_category() returns trigger language plpgsql as $$
begin
    perform rebuild_category_listing();
    return null;
end
$$;

create trigger category_moved after update of parent_id on category
    for each row when (old.parent_id is distinct from new.parent_id)
    execute function relist_moved_category();

select rebuild_category_listing();
