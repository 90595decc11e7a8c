//! The parts of every page that rarely change — site settings, the category tree, the menus and
//! the published pages they name — kept in memory and refreshed in the background, so a page costs no query for its menu and an error
//! page can still show the layout while the database is down.

use std::sync::{Arc, RwLock};

use sqlx::PgPool;

use crate::db::{
    self,
    categories::Category,
    menu::{MenuItem, MenuName},
    pages::PageLink,
    settings::SiteSettings,
};

/// A snapshot of the site frame.
#[derive(Debug)]
pub struct Site {
    pub settings: SiteSettings,
    pub categories: CategoryTree,
    /// Both menus as stored, siblings in order.
    pub menu: Vec<MenuItem>,
    /// The published pages.
    pub pages: Vec<PageLink>,
}

impl Site {
    pub fn page(&self, id: i64) -> Option<&PageLink> {
        self.pages.iter().find(|p| p.page_id == id)
    }

    /// The entries of `menu` under `parent` (`None`: the first level), in order.
    pub fn menu_items(
        &self,
        menu: MenuName,
        parent: Option<i64>,
    ) -> impl Iterator<Item = &MenuItem> {
        self.menu
            .iter()
            .filter(move |m| m.menu == menu && m.parent_id == parent)
    }

    /// The page's ancestors, from the top (for breadcrumbs); published ones only.
    pub fn page_ancestors(&self, page: &PageLink) -> Vec<&PageLink> {
        let mut path: Vec<&PageLink> = Vec::new();
        let mut current = page.parent_id.and_then(|id| self.page(id));
        while let Some(parent) = current {
            if parent.page_id == page.page_id || path.iter().any(|p| p.page_id == parent.page_id) {
                break; // a loop cannot be saved, but never follow one
            }
            path.push(parent);
            current = parent.parent_id.and_then(|id| self.page(id));
        }
        path.reverse();
        path
    }
}

pub struct SiteCache {
    current: RwLock<Arc<Site>>,
}

impl SiteCache {
    pub async fn load(db: &PgPool) -> Result<Self, sqlx::Error> {
        Ok(Self {
            current: RwLock::new(Arc::new(fetch(db).await?)),
        })
    }

    /// The current snapshot (cheap: an `Arc` clone).
    pub fn get(&self) -> Arc<Site> {
        self.current
            .read()
            .expect("site cache lock poisoned")
            .clone()
    }

    /// Re-reads settings and categories; on failure the old snapshot stays.
    pub async fn refresh(&self, db: &PgPool) -> Result<(), sqlx::Error> {
        let site = Arc::new(fetch(db).await?);
        *self.current.write().expect("site cache lock poisoned") = site;
        Ok(())
    }
}

async fn fetch(db: &PgPool) -> Result<Site, sqlx::Error> {
    Ok(Site {
        settings: db::settings::get(db).await?,
        categories: CategoryTree::new(db::categories::list_all(db).await?),
        menu: db::menu::list_all(db).await?,
        pages: db::pages::list_published(db).await?,
    })
}

/// All categories, siblings ordered by position.
#[derive(Debug, Default)]
pub struct CategoryTree {
    all: Vec<Category>,
}

impl CategoryTree {
    pub fn new(mut all: Vec<Category>) -> Self {
        all.sort_by_key(|c| (c.position, c.category_id));
        Self { all }
    }

    pub fn get(&self, id: i64) -> Option<&Category> {
        self.all.iter().find(|c| c.category_id == id)
    }

    pub fn by_slug(&self, slug: &str) -> Option<&Category> {
        self.all.iter().find(|c| c.slug == slug)
    }

    pub fn top_level(&self) -> impl Iterator<Item = &Category> {
        self.all.iter().filter(|c| c.parent_id.is_none())
    }

    pub fn children(&self, id: i64) -> impl Iterator<Item = &Category> {
        self.all.iter().filter(move |c| c.parent_id == Some(id))
    }

    /// The category and everything below it.
    pub fn subtree_ids(&self, id: i64) -> Vec<i64> {
        let mut ids = vec![id];
        let mut next = 0;
        while next < ids.len() {
            let parent = ids[next];
            ids.extend(self.children(parent).map(|c| c.category_id));
            next += 1;
        }
        ids
    }

    /// From the top-level ancestor down to the category itself (for breadcrumbs).
    pub fn path(&self, id: i64) -> Vec<&Category> {
        let mut path = Vec::new();
        let mut current = self.get(id);
        while let Some(category) = current {
            if path
                .iter()
                .any(|c: &&Category| c.category_id == category.category_id)
            {
                break; // a cycle cannot be stored, but never loop on one
            }
            path.push(category);
            current = category.parent_id.and_then(|p| self.get(p));
        }
        path.reverse();
        path
    }

    /// The top-level ancestor of a category.
    pub fn root_of(&self, id: i64) -> Option<&Category> {
        self.path(id).into_iter().next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(id: i64, parent: Option<i64>, position: i32, slug: &str) -> Category {
        Category {
            category_id: id,
            parent_id: parent,
            name: slug.to_owned(),
            slug: slug.to_owned(),
            description: String::new(),
            position,
        }
    }

    fn tree() -> CategoryTree {
        CategoryTree::new(vec![
            category(3, Some(1), 1, "kinh-te"),
            category(1, None, 0, "tin-tuc"),
            category(2, Some(1), 0, "chinh-tri"),
            category(4, None, 1, "du-lich"),
            category(5, Some(3), 0, "nong-nghiep"),
        ])
    }

    #[test]
    fn top_level_and_children_follow_position() {
        let tree = tree();
        let top: Vec<_> = tree.top_level().map(|c| c.slug.as_str()).collect();
        assert_eq!(top, ["tin-tuc", "du-lich"]);
        let children: Vec<_> = tree.children(1).map(|c| c.slug.as_str()).collect();
        assert_eq!(children, ["chinh-tri", "kinh-te"]);
    }

    #[test]
    fn subtree_includes_grandchildren() {
        let mut ids = tree().subtree_ids(1);
        ids.sort();
        assert_eq!(ids, [1, 2, 3, 5]);
        assert_eq!(tree().subtree_ids(4), [4]);
    }

    #[test]
    fn path_runs_from_the_root() {
        let tree = tree();
        let path: Vec<_> = tree.path(5).iter().map(|c| c.slug.as_str()).collect();
        assert_eq!(path, ["tin-tuc", "kinh-te", "nong-nghiep"]);
        assert_eq!(tree.root_of(5).unwrap().slug, "tin-tuc");
        assert!(tree.path(99).is_empty());
    }
}
