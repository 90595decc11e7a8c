//! The menus (`/admin/menu`, admins only): the main menu in the header (two levels) and the
//! footer links, each entry leading to a category, a page, the documents library, the contact
//! page or an external address; reordered with up/down buttons that are plain forms.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use sqlx::PgConnection;

use crate::{
    AppState,
    auth::Capability,
    db::{
        self,
        audit::{AuditAction, Target},
        categories::Category,
        menu::{MenuFields, MenuItem, MenuName, MenuTarget},
        pages::PageRow,
    },
    error::{AppError, AppResult},
    text::clean,
    web::{
        admin::{AdminLayout, Flash, Staff},
        extract::IdParam,
        form::{FieldErrors, Form, optional},
    },
};

const LIST_URL: &str = "/admin/menu";
const LABEL_MAX: usize = 100;
const URL_MAX: usize = 2000;

const LABEL_NEEDED: &str = "Vui lòng nhập nhãn cho mục này.";
const CATEGORY_NEEDED: &str = "Vui lòng chọn chuyên mục.";
const PAGE_NEEDED: &str = "Vui lòng chọn trang.";
const URL_INVALID: &str =
    "Địa chỉ phải bắt đầu bằng http:// hoặc https:// và không chứa khoảng trắng.";
const PARENT_INVALID: &str = "Mục cha không hợp lệ.";
const PARENT_TOO_DEEP: &str =
    "Menu chỉ có hai cấp: hãy chọn một mục cấp trên cùng của cùng menu làm mục cha.";
const HAS_CHILDREN: &str = "Mục này đang có mục con nên không thể đặt vào trong mục khác.";
const FOOTER_FLAT: &str = "Liên kết chân trang chỉ có một cấp.";
const MENU_WITH_CHILDREN: &str =
    "Mục này đang có mục con nên không thể chuyển sang menu khác: hãy chuyển các mục con trước.";

/// The default label of entries that lead to a fixed place.
fn default_label(target: MenuTarget) -> &'static str {
    match target {
        MenuTarget::Documents => "Văn bản",
        MenuTarget::Contact => "Liên hệ",
        MenuTarget::Category | MenuTarget::Page | MenuTarget::Url => "",
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct MenuForm {
    menu: String,
    /// "" for the first level, or the parent entry's id.
    parent: String,
    label: String,
    target: String,
    category: String,
    page: String,
    url: String,
}

impl MenuForm {
    fn of(item: &MenuItem) -> Self {
        let id = |id: Option<i64>| id.map(|id| id.to_string()).unwrap_or_default();
        Self {
            menu: item.menu.as_str().to_owned(),
            parent: id(item.parent_id),
            label: item.label.clone(),
            target: item.target.as_str().to_owned(),
            category: id(item.category_id),
            page: id(item.page_id),
            url: item.url.clone(),
        }
    }

    /// Checks the fields against the menus, categories and pages as they are (`items` read
    /// under the menu lock); `editing`: the entry being saved.
    fn parse(
        &self,
        errors: &mut FieldErrors,
        items: &[MenuItem],
        categories: &[Category],
        pages: &[PageRow],
        editing: Option<i64>,
    ) -> MenuFields {
        let menu = MenuName::parse(&self.menu).unwrap_or(MenuName::Main);
        let has_children = editing.is_some() && items.iter().any(|m| m.parent_id == editing);
        let moved_menu = items
            .iter()
            .any(|m| Some(m.menu_item_id) == editing && m.menu != menu);
        if has_children && moved_menu {
            errors.add("menu", MENU_WITH_CHILDREN);
        }
        let target = MenuTarget::parse(&self.target).unwrap_or(MenuTarget::Category);
        let mut label = optional(errors, "label", &self.label, LABEL_MAX);
        if label.is_empty() {
            label = default_label(target).to_owned();
        }
        let id = |value: &str| value.trim().parse::<i64>().ok();
        let category_id = (target == MenuTarget::Category)
            .then(|| id(&self.category))
            .flatten()
            .filter(|id| categories.iter().any(|c| c.category_id == *id));
        if target == MenuTarget::Category && category_id.is_none() {
            errors.add("category", CATEGORY_NEEDED);
        }
        let page_id = (target == MenuTarget::Page)
            .then(|| id(&self.page))
            .flatten()
            .filter(|id| pages.iter().any(|p| p.page_id == *id));
        if target == MenuTarget::Page && page_id.is_none() {
            errors.add("page", PAGE_NEEDED);
        }
        let url = if target == MenuTarget::Url {
            let url = clean(&self.url);
            if !is_web_address(&url) {
                errors.add("url", URL_INVALID);
            }
            if label.is_empty() {
                errors.add("label", LABEL_NEEDED);
            }
            url
        } else {
            String::new()
        };
        let parent_id = match self.parent.trim() {
            "" => None,
            typed => {
                let parent = id(typed).and_then(|id| items.iter().find(|m| m.menu_item_id == id));
                match parent {
                    None => errors.add("parent", PARENT_INVALID),
                    Some(_) if menu == MenuName::Footer => errors.add("parent", FOOTER_FLAT),
                    Some(p) if p.menu != menu || Some(p.menu_item_id) == editing => {
                        errors.add("parent", PARENT_INVALID);
                    }
                    Some(p) if p.parent_id.is_some() => errors.add("parent", PARENT_TOO_DEEP),
                    Some(_) if has_children => errors.add("parent", HAS_CHILDREN),
                    Some(_) => {}
                }
                parent.map(|p| p.menu_item_id)
            }
        };
        MenuFields {
            menu,
            parent_id,
            label,
            target,
            category_id,
            page_id,
            url,
        }
    }
}

/// An absolute http(s) address without spaces.
fn is_web_address(text: &str) -> bool {
    text.chars().count() <= URL_MAX
        && !text.chars().any(char::is_whitespace)
        && url::Url::parse(text)
            .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some())
}

/// A row of the list: an entry, its depth and place among its siblings.
pub(crate) struct MenuRow {
    item: MenuItem,
    name: String,
    leads_to: String,
    depth: usize,
    first: bool,
    last: bool,
}

/// One menu on the list page.
pub(crate) struct MenuSection {
    title: &'static str,
    id: &'static str,
    is_main: bool,
    rows: Vec<MenuRow>,
}

/// Everything the menus page and the entry page show.
struct Context {
    items: Vec<MenuItem>,
    categories: Vec<Category>,
    pages: Vec<PageRow>,
}

impl Context {
    async fn read(db: &mut PgConnection) -> sqlx::Result<Self> {
        Ok(Self {
            items: db::menu::list_all(&mut *db).await?,
            categories: db::categories::list_all(&mut *db).await?,
            pages: db::pages::list_all(&mut *db).await?,
        })
    }

    /// The entries of `menu` in order, each parent followed by its children.
    fn rows(&self, menu: MenuName) -> Vec<MenuRow> {
        let mut rows = Vec::new();
        let level = |parent: Option<i64>| -> Vec<&MenuItem> {
            self.items
                .iter()
                .filter(|m| m.menu == menu && m.parent_id == parent)
                .collect()
        };
        let top = level(None);
        for (i, item) in top.iter().enumerate() {
            rows.push(self.row(item, 0, i == 0, i + 1 == top.len()));
            let children = level(Some(item.menu_item_id));
            for (j, child) in children.iter().enumerate() {
                rows.push(self.row(child, 1, j == 0, j + 1 == children.len()));
            }
        }
        rows
    }

    fn row(&self, item: &MenuItem, depth: usize, first: bool, last: bool) -> MenuRow {
        let (name, leads_to) = self.describe(item);
        MenuRow {
            item: item.clone(),
            name,
            leads_to,
            depth,
            first,
            last,
        }
    }

    /// What the entry shows, and where it leads (in words).
    fn describe(&self, item: &MenuItem) -> (String, String) {
        let category = item
            .category_id
            .and_then(|id| self.categories.iter().find(|c| c.category_id == id));
        let page = item
            .page_id
            .and_then(|id| self.pages.iter().find(|p| p.page_id == id));
        let (fallback, leads_to) = match (item.target, category, page) {
            (MenuTarget::Category, Some(c), _) => (
                c.name.clone(),
                format!("Chuyên mục: /chuyen-muc/{}", c.slug),
            ),
            (MenuTarget::Page, _, Some(p)) => (
                p.title.clone(),
                format!("Trang: /{} ({})", p.slug, p.status.label()),
            ),
            (MenuTarget::Url, _, _) => (String::new(), item.url.clone()),
            (target, _, _) => (String::new(), target.label().to_owned()),
        };
        let name = if item.label.is_empty() {
            fallback
        } else {
            item.label.clone()
        };
        (name, leads_to)
    }

    /// First-level entries of either menu, to nest under.
    fn parents(&self) -> Vec<(i64, String)> {
        self.items
            .iter()
            .filter(|m| m.menu == MenuName::Main && m.parent_id.is_none())
            .map(|m| (m.menu_item_id, self.describe(m).0))
            .collect()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/menu/list.html")]
pub(crate) struct MenuPage {
    layout: AdminLayout,
    sections: [MenuSection; 2],
    context: Context,
    form: MenuForm,
    errors: FieldErrors,
    /// The entry edited (`None`: the list with the "add" form).
    editing: Option<i64>,
}

impl MenuPage {
    fn new(
        layout: AdminLayout,
        context: Context,
        form: MenuForm,
        errors: FieldErrors,
        editing: Option<i64>,
    ) -> Self {
        let title = if editing.is_some() {
            "Sửa mục menu"
        } else {
            "Menu"
        };
        Self {
            layout: layout.page(title, "menu"),
            sections: [
                MenuSection {
                    title: "Menu chính (đầu trang, hai cấp)",
                    id: "menu-chinh",
                    is_main: true,
                    rows: context.rows(MenuName::Main),
                },
                MenuSection {
                    title: "Liên kết chân trang",
                    id: "lien-ket-chan-trang",
                    is_main: false,
                    rows: context.rows(MenuName::Footer),
                },
            ],
            context,
            form,
            errors,
            editing,
        }
    }

    fn refused(self) -> Response {
        (StatusCode::UNPROCESSABLE_ENTITY, self).into_response()
    }

    fn action_url(&self) -> String {
        match self.editing {
            Some(id) => format!("{LIST_URL}/{id}"),
            None => LIST_URL.to_owned(),
        }
    }

    fn menus(&self) -> [MenuName; 2] {
        MenuName::ALL
    }

    fn targets(&self) -> [MenuTarget; 5] {
        MenuTarget::ALL
    }

    fn selected(&self, field: &str, value: &str) -> bool {
        let typed = match field {
            "menu" => &self.form.menu,
            "parent" => &self.form.parent,
            "target" => &self.form.target,
            "category" => &self.form.category,
            "page" => &self.form.page,
            _ => return false,
        };
        typed == value
    }
}

pub(crate) async fn list_menu(
    State(state): State<AppState>,
    layout: AdminLayout,
) -> AppResult<MenuPage> {
    layout.user.require(Capability::ManageMenu)?;
    let context = Context::read(&mut *state.db.acquire().await?).await?;
    let form = MenuForm {
        menu: MenuName::Main.as_str().to_owned(),
        ..MenuForm::default()
    };
    Ok(MenuPage::new(
        layout,
        context,
        form,
        FieldErrors::default(),
        None,
    ))
}

pub(crate) async fn edit_item(
    State(state): State<AppState>,
    layout: AdminLayout,
    IdParam(id): IdParam,
) -> AppResult<MenuPage> {
    layout.user.require(Capability::ManageMenu)?;
    let item = db::menu::get(&state.db, id).await?;
    let context = Context::read(&mut *state.db.acquire().await?).await?;
    let form = MenuForm::of(&item);
    Ok(MenuPage::new(
        layout,
        context,
        form,
        FieldErrors::default(),
        Some(id),
    ))
}

pub(crate) async fn create_item(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    Form(form, mut errors): Form<MenuForm>,
) -> AppResult<Response> {
    staff.require(Capability::ManageMenu)?;
    let mut tx = state.db.begin().await?;
    db::menu::lock_menus(&mut *tx).await?;
    let context = Context::read(&mut tx).await?;
    let fields = form.parse(
        &mut errors,
        &context.items,
        &context.categories,
        &context.pages,
        None,
    );
    if !errors.is_empty() {
        drop(tx);
        return Ok(MenuPage::new(layout, context, form, errors, None).refused());
    }
    let position = db::menu::next_position(&mut *tx, fields.menu, fields.parent_id).await?;
    let id = db::menu::insert(&mut *tx, &fields, position).await?;
    let details = summary(&context, &fields, id);
    let entry = (
        AuditAction::MenuItemCreated,
        Target::MenuItem(id),
        &*details,
    );
    staff.finish(tx, entry, LIST_URL, Flash::Created).await
}

/// The audit log's words for a saved entry.
fn summary(context: &Context, fields: &MenuFields, id: i64) -> String {
    let item = MenuItem {
        menu_item_id: id,
        menu: fields.menu,
        parent_id: fields.parent_id,
        position: 0,
        label: fields.label.clone(),
        target: fields.target,
        category_id: fields.category_id,
        page_id: fields.page_id,
        url: fields.url.clone(),
    };
    let (name, leads_to) = context.describe(&item);
    format!("{}: {name} → {leads_to}", fields.menu.label())
}

pub(crate) async fn update_item(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    IdParam(id): IdParam,
    Form(form, mut errors): Form<MenuForm>,
) -> AppResult<Response> {
    staff.require(Capability::ManageMenu)?;
    let mut tx = state.db.begin().await?;
    db::menu::lock_menus(&mut *tx).await?;
    let current = db::menu::get(&mut *tx, id).await?;
    let context = Context::read(&mut tx).await?;
    let fields = form.parse(
        &mut errors,
        &context.items,
        &context.categories,
        &context.pages,
        Some(id),
    );
    if !errors.is_empty() {
        drop(tx);
        return Ok(MenuPage::new(layout, context, form, errors, Some(id)).refused());
    }
    let same_place = fields.menu == current.menu && fields.parent_id == current.parent_id;
    let position = if same_place {
        current.position
    } else {
        db::menu::next_position(&mut *tx, fields.menu, fields.parent_id).await?
    };
    db::menu::update(&mut *tx, id, &fields, position).await?;
    let details = summary(&context, &fields, id);
    let entry = (
        AuditAction::MenuItemUpdated,
        Target::MenuItem(id),
        &*details,
    );
    staff.finish(tx, entry, LIST_URL, Flash::Saved).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct MoveForm {
    /// "up" or "down".
    direction: String,
}

/// Swaps an entry with its previous ("up") or next ("down") sibling; the siblings are numbered
/// afresh under the menu lock, so concurrent moves leave a permutation.
pub(crate) async fn move_item(
    State(state): State<AppState>,
    staff: Staff,
    IdParam(id): IdParam,
    Form(form, errors): Form<MoveForm>,
) -> AppResult<Response> {
    staff.require(Capability::ManageMenu)?;
    errors.refuse_any()?;
    let (up, label) = match form.direction.as_str() {
        "up" => (true, "lên"),
        "down" => (false, "xuống"),
        _ => return Ok(Redirect::to(LIST_URL).into_response()),
    };
    let mut tx = state.db.begin().await?;
    db::menu::lock_menus(&mut *tx).await?;
    let item = db::menu::get(&mut *tx, id).await?;
    let mut siblings = db::menu::list_siblings(&mut *tx, id).await?;
    let index = siblings
        .iter()
        .position(|s| *s == id)
        .ok_or(AppError::NotFound)?;
    let neighbour = if up {
        index.checked_sub(1)
    } else {
        Some(index + 1).filter(|n| *n < siblings.len())
    };
    let Some(neighbour) = neighbour else {
        // Already first (or last): nothing to do.
        return Ok(Redirect::to(LIST_URL).into_response());
    };
    siblings.swap(index, neighbour);
    db::menu::renumber(&mut *tx, &siblings).await?;
    let name = if item.label.is_empty() {
        format!("#{id}")
    } else {
        item.label.clone()
    };
    let details = format!("{}: {name} {label}", item.menu.label());
    let entry = (AuditAction::MenuItemMoved, Target::MenuItem(id), &*details);
    staff.finish(tx, entry, LIST_URL, Flash::Moved).await
}

/// Deletes an entry and the entries nested under it.
pub(crate) async fn delete_item(
    State(state): State<AppState>,
    staff: Staff,
    IdParam(id): IdParam,
) -> AppResult<Response> {
    staff.require(Capability::ManageMenu)?;
    let mut tx = state.db.begin().await?;
    db::menu::lock_menus(&mut *tx).await?;
    let item = db::menu::get(&mut *tx, id).await?;
    let context = Context::read(&mut tx).await?;
    let children = db::menu::child_count(&mut *tx, id).await?;
    db::menu::delete(&mut *tx, id).await?;
    let (name, leads_to) = context.describe(&item);
    let details = format!(
        "{}: {name} → {leads_to} ({children} mục con)",
        item.menu.label()
    );
    let entry = (
        AuditAction::MenuItemDeleted,
        Target::MenuItem(id),
        &*details,
    );
    staff.finish(tx, entry, LIST_URL, Flash::Deleted).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_addresses_are_web_addresses() {
        assert!(is_web_address("https://chinhphu.vn/"));
        assert!(is_web_address("http://laocai.gov.vn/tin-tuc?id=1"));
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "//evil.example",
            "/van-ban",
            "https://a b.vn",
            "ftp://x.vn",
            "",
        ] {
            assert!(!is_web_address(bad), "{bad}");
        }
    }
}
