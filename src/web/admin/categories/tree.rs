//! The category tree as the list shows it, and the choices of a parent: pure, no database.

use std::collections::HashMap;

use crate::db::categories::CategoryWithCount;

/// A row of the tree as the list shows it: indented under its parent, in menu order.
pub(super) struct TreeRow {
    pub category: CategoryWithCount,
    pub depth: usize,
    /// First among its siblings (cannot move up).
    pub first: bool,
    /// Last among its siblings (cannot move down).
    pub last: bool,
}

impl TreeRow {
    pub(super) fn indent(&self) -> String {
        "— ".repeat(self.depth)
    }
}

/// The categories in menu order, each followed by its sub-categories (depth first).
pub(super) fn tree_rows(all: Vec<CategoryWithCount>) -> Vec<TreeRow> {
    // `all` comes ordered by (position, id), which is the order among siblings.
    let mut children: HashMap<Option<i64>, Vec<usize>> = HashMap::new();
    for (index, category) in all.iter().enumerate() {
        children.entry(category.parent_id).or_default().push(index);
    }
    let mut order = Vec::with_capacity(all.len());
    let mut seen = vec![false; all.len()];
    // (index, depth, first, last), pushed in reverse so siblings pop in order.
    let mut stack: Vec<(usize, usize, bool, bool)> = Vec::new();
    let push_children = |stack: &mut Vec<_>, parent: Option<i64>, depth: usize| {
        let kids = children.get(&parent).map(Vec::as_slice).unwrap_or_default();
        for (n, &index) in kids.iter().enumerate().rev() {
            stack.push((index, depth, n == 0, n + 1 == kids.len()));
        }
    };
    push_children(&mut stack, None, 0);
    while let Some((index, depth, first, last)) = stack.pop() {
        if std::mem::replace(&mut seen[index], true) {
            continue; // a cycle cannot be stored, but never loop on one
        }
        order.push((index, depth, first, last));
        push_children(&mut stack, Some(all[index].category_id), depth + 1);
    }
    let mut slots: Vec<Option<CategoryWithCount>> = all.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|(index, depth, first, last)| {
            slots[index].take().map(|category| TreeRow {
                category,
                depth,
                first,
                last,
            })
        })
        .collect()
}

/// An entry of the "parent" select.
pub(super) struct ParentOption {
    pub id: i64,
    pub label: String,
    pub selected: bool,
}

/// Every category that can be the parent of `editing` (not itself nor anything below it).
pub(super) fn parent_options(
    rows: &[TreeRow],
    selected: &str,
    editing: Option<i64>,
) -> Vec<ParentOption> {
    let mut options = Vec::with_capacity(rows.len());
    let mut skip_below: Option<usize> = None;
    for row in rows {
        if let Some(depth) = skip_below {
            if row.depth > depth {
                continue;
            }
            skip_below = None;
        }
        if Some(row.category.category_id) == editing {
            skip_below = Some(row.depth);
            continue;
        }
        let id = row.category.category_id;
        options.push(ParentOption {
            id,
            label: format!("{}{}", row.indent(), row.category.name),
            selected: selected == id.to_string(),
        });
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(id: i64, parent_id: Option<i64>, position: i32) -> CategoryWithCount {
        CategoryWithCount {
            category_id: id,
            parent_id,
            name: format!("c{id}"),
            slug: format!("c{id}"),
            description: String::new(),
            position,
            article_count: 0,
        }
    }

    #[test]
    fn rows_follow_the_menu_depth_first() {
        // Already in (position, id) order, as the database returns them.
        let rows = tree_rows(vec![
            category(1, None, 0),
            category(3, Some(1), 0),
            category(5, Some(3), 0),
            category(4, None, 1),
            category(2, Some(1), 1),
        ]);
        let shape: Vec<_> = rows
            .iter()
            .map(|r| (r.category.category_id, r.depth, r.first, r.last))
            .collect();
        assert_eq!(
            shape,
            [
                (1, 0, true, false),
                (3, 1, true, false),
                (5, 2, true, true),
                (2, 1, false, true),
                (4, 0, false, true)
            ]
        );
        assert_eq!(rows[2].indent(), "— — ");
    }

    #[test]
    fn a_category_cannot_be_offered_as_its_own_parent_or_below_itself() {
        let rows = tree_rows(vec![
            category(1, None, 0),
            category(3, Some(1), 0),
            category(5, Some(3), 0),
            category(2, Some(1), 1),
            category(4, None, 1),
        ]);
        let ids =
            |options: Vec<ParentOption>| options.into_iter().map(|o| o.id).collect::<Vec<_>>();
        assert_eq!(ids(parent_options(&rows, "", Some(3))), [1, 2, 4]);
        assert_eq!(ids(parent_options(&rows, "", Some(1))), [4]);
        let options = parent_options(&rows, "2", None);
        assert_eq!(options.len(), 5);
        assert!(options.iter().all(|o| o.selected == (o.id == 2)));
    }
}
