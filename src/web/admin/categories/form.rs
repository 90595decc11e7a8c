//! The category form: reading and checking what was typed.

use serde::Deserialize;
use sqlx::PgConnection;

use crate::{
    db::{
        self,
        categories::{Category, NewCategory},
    },
    text::{is_slug, slugify},
    web::form::{FieldErrors, Unique, optional, required},
};

const NAME_MAX: usize = 100;
const DESCRIPTION_MAX: usize = 300;
const POSITION_MAX: i32 = 99_999;

const SLUG_TAKEN: &str = "Đường dẫn này đã được dùng.";
/// The unique constraint a save can still break (a concurrent save of the same slug).
pub(super) const UNIQUE: &[Unique] = &[Unique {
    constraint: "category_slug_key",
    field: "slug",
    message: SLUG_TAKEN,
}];
const SLUG_FORMAT: &str =
    "Đường dẫn chỉ gồm chữ thường không dấu (a-z), chữ số và dấu gạch ngang, ví dụ: tin-tuc.";
const SLUG_UNDERIVABLE: &str = "Tên này không tạo được đường dẫn, hãy tự nhập đường dẫn.";
const PARENT_INVALID: &str = "Chuyên mục cha không hợp lệ.";
const PARENT_MISSING: &str = "Chuyên mục cha không còn tồn tại.";
const PARENT_TOO_DEEP: &str =
    "Chuyên mục chỉ có hai cấp: hãy chọn một chuyên mục cấp trên cùng làm chuyên mục cha.";
const HAS_CHILDREN: &str =
    "Chuyên mục này đang có chuyên mục con nên không thể đặt vào trong chuyên mục khác.";
const PARENT_CYCLE: &str =
    "Không thể đặt chuyên mục vào trong chính nó hoặc chuyên mục con của nó.";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CategoryForm {
    pub(super) name: String,
    pub(super) slug: String,
    /// "" for the top level, or the parent's id.
    pub(super) parent: String,
    pub(super) description: String,
    pub(super) position: String,
}

/// A category form that passed the checks that need no database.
pub(super) struct CategoryInput {
    pub(super) name: String,
    pub(super) slug: String,
    pub(super) parent_id: Option<i64>,
    pub(super) description: String,
    /// `None`: after the last sibling (new), or where it was (edited, same parent).
    pub(super) position: Option<i32>,
}

impl CategoryForm {
    pub(super) fn of(category: &Category) -> Self {
        Self {
            name: category.name.clone(),
            slug: category.slug.clone(),
            parent: category
                .parent_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            description: category.description.clone(),
            position: category.position.to_string(),
        }
    }

    pub(super) fn parse(&self, errors: &mut FieldErrors) -> CategoryInput {
        let name = required(errors, "name", &self.name, NAME_MAX);
        let slug = match self.slug.trim() {
            "" => {
                let slug = slugify(&name);
                if slug.is_empty() && !name.is_empty() {
                    errors.add("slug", SLUG_UNDERIVABLE);
                }
                slug
            }
            typed if is_slug(typed) => typed.to_owned(),
            typed => {
                errors.add("slug", SLUG_FORMAT);
                typed.to_owned()
            }
        };
        let parent_id = match self.parent.trim() {
            "" => None,
            id => {
                let id = id.parse::<i64>().ok().filter(|id| *id > 0);
                if id.is_none() {
                    errors.add("parent", PARENT_INVALID);
                }
                id
            }
        };
        let description = optional(errors, "description", &self.description, DESCRIPTION_MAX);
        let position = match self.position.trim() {
            "" => None,
            number => {
                let position = number
                    .parse::<i32>()
                    .ok()
                    .filter(|p| (0..=POSITION_MAX).contains(p));
                if position.is_none() {
                    errors.add(
                        "position",
                        format!("Thứ tự là một số nguyên từ 0 đến {POSITION_MAX}."),
                    );
                }
                position
            }
        };
        CategoryInput {
            name,
            slug,
            parent_id,
            description,
            position,
        }
    }
}

impl CategoryInput {
    /// The checks that need the tree (inside the transaction that holds its lock).
    pub(super) async fn check(
        &self,
        tx: &mut PgConnection,
        editing: Option<i64>,
        errors: &mut FieldErrors,
    ) -> sqlx::Result<()> {
        if !errors.has("slug") && db::categories::slug_taken(&mut *tx, &self.slug, editing).await? {
            errors.add("slug", SLUG_TAKEN);
        }
        if let Some(parent_id) = self.parent_id {
            if !db::categories::exists(&mut *tx, parent_id).await? {
                errors.add("parent", PARENT_MISSING);
            } else if let Some(id) = editing
                && db::categories::is_in_subtree(&mut *tx, id, parent_id).await?
            {
                errors.add("parent", PARENT_CYCLE);
            } else if db::categories::get(&mut *tx, parent_id)
                .await?
                .parent_id
                .is_some()
            {
                // The menu, the article editor and the home page show two levels.
                errors.add("parent", PARENT_TOO_DEEP);
            } else if let Some(id) = editing
                && db::categories::dependents(&mut *tx, id).await?.children > 0
            {
                errors.add("parent", HAS_CHILDREN);
            }
        }
        Ok(())
    }

    pub(super) fn as_new(&self, position: i32) -> NewCategory<'_> {
        NewCategory {
            parent_id: self.parent_id,
            name: &self.name,
            slug: &self.slug,
            description: &self.description,
            position,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slug_comes_from_the_name_unless_typed() {
        let mut errors = FieldErrors::default();
        let form = CategoryForm {
            name: " Văn hóa - Xã hội ".into(),
            ..CategoryForm::default()
        };
        let input = form.parse(&mut errors);
        assert!(errors.is_empty());
        assert_eq!(
            (input.name.as_str(), input.slug.as_str()),
            ("Văn hóa - Xã hội", "van-hoa-xa-hoi")
        );
        assert_eq!(input.position, None);

        let form = CategoryForm {
            name: "!!!".into(),
            ..CategoryForm::default()
        };
        form.parse(&mut errors);
        assert_eq!(errors.get("slug").unwrap(), SLUG_UNDERIVABLE);

        let mut errors = FieldErrors::default();
        let form = CategoryForm {
            name: "Tin".into(),
            slug: "Tin Tức".into(),
            parent: "abc".into(),
            position: "-1".into(),
            ..CategoryForm::default()
        };
        form.parse(&mut errors);
        assert_eq!(errors.get("slug").unwrap(), SLUG_FORMAT);
        assert_eq!(errors.get("parent").unwrap(), PARENT_INVALID);
        assert!(errors.has("position"));
    }
}
