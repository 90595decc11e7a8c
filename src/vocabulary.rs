//! `vocabulary!`: an enum of named things, each with the name the database or a URL stores
//! and the Vietnamese label people read, declared once as a table.

/// Declares the enum with `ALL` (in declaration order), `as_str`, `label` and `parse`.
///
/// ```ignore
/// vocabulary! {
///     #[derive(sqlx::Type)]
///     pub enum Status {
///         Draft => "draft", "Bản nháp";
///         Published => "published", "Đã đăng";
///     }
/// }
/// ```
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$variant_meta:meta])* $variant:ident => $str:literal, $label:literal;)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $name {
            pub const ALL: [Self; [$($str),+].len()] = [$(Self::$variant),+];

            /// The name stored (in the database or a URL).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $str,)+
                }
            }

            /// What people read.
            pub fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)+
                }
            }

            /// The value a stored name stands for.
            pub fn parse(name: &str) -> Option<Self> {
                Self::ALL.into_iter().find(|value| value.as_str() == name)
            }
        }
    };
}
