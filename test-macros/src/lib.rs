//! `#[db_test]` and `#[db_test(migrations = false)]`: an `async fn name(db: PgPool)` test that
//! runs on its own Tokio runtime over its own fresh database. The database work is in the test
//! crate's `test_db` module (tests/http/test_db.rs), which the expansion calls as
//! `crate::test_db::run`; this crate only rewrites the function.

use proc_macro::TokenStream;
use quote::quote;
use syn::{ItemFn, LitBool, meta, parse_macro_input, spanned::Spanned};

#[proc_macro_attribute]
pub fn db_test(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut migrations = true;
    let arguments = meta::parser(|meta| {
        if meta.path.is_ident("migrations") {
            migrations = meta.value()?.parse::<LitBool>()?.value;
            Ok(())
        } else {
            Err(meta.error("#[db_test] takes only `migrations = false`"))
        }
    });
    parse_macro_input!(args with arguments);

    let mut test = parse_macro_input!(item as ItemFn);
    if test.sig.asyncness.is_none() || test.sig.inputs.len() != 1 {
        return syn::Error::new(
            test.sig.span(),
            "#[db_test] needs `async fn name(db: PgPool)`",
        )
        .to_compile_error()
        .into();
    }
    // Doc comments and attributes such as #[ignore] stay on the test the harness sees.
    let attrs = std::mem::take(&mut test.attrs);
    let name = &test.sig.ident;
    quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        fn #name() {
            #test
            crate::test_db::run(#migrations, #name);
        }
    }
    .into()
}
