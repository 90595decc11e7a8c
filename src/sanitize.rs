//! Article bodies are HTML from the editor (or pasted from anywhere): an allow-list keeps the
//! formatting a news article needs and drops everything else — scripts, event handlers,
//! `javascript:` URLs, frames, styles, forms.
//!
//! The allow-list is also the body editor's schema (`editor/src/schema.js`): every tag and
//! attribute here is one the editor writes (`<b>` and `<i>` are read there as `<strong>` and
//! `<em>`), and what it writes passes here unchanged — `tests/browser/editor.test.mjs` checks
//! both.

use std::{collections::HashSet, sync::LazyLock};

use ammonia::{Builder, UrlRelative};

static BODY: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "sub",
        "sup",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "li",
        "a",
        "blockquote",
        "figure",
        "figcaption",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "hr",
    ]
    .into();
    let mut builder = Builder::default();
    builder
        .tags(tags)
        .clean_content_tags(
            [
                "script", "style", "iframe", "form", "object", "embed", "noscript",
            ]
            .into(),
        )
        .generic_attributes(HashSet::new())
        .tag_attributes(
            [
                ("a", ["href", "title"].into()),
                (
                    "img",
                    ["src", "srcset", "sizes", "alt", "width", "height"].into(),
                ),
                ("th", ["colspan", "rowspan", "scope"].into()),
                ("td", ["colspan", "rowspan"].into()),
                ("ol", ["start"].into()),
            ]
            .into(),
        )
        .url_schemes(["http", "https", "mailto", "tel"].into())
        .url_relative(UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true);
    builder
});

/// The body as we store it: allowed tags and attributes only, NFC.
pub fn body(html: &str) -> String {
    crate::text::clean(&BODY.clean(html).to_string())
}

#[cfg(test)]
mod tests {
    use super::body;

    #[test]
    fn formatting_survives() {
        let html = r#"<h2>Tiêu đề</h2><p><strong>Đậm</strong> <em>nghiêng</em> <a href="https://baothang.gov.vn/">liên kết</a></p><blockquote>Trích</blockquote><ul><li>một</li></ul><figure><img src="/media/2026/11/a-960.jpg" alt="Cầu" srcset="/media/2026/11/a-480.jpg 480w"><figcaption>Chú thích</figcaption></figure>"#;
        let clean = body(html);
        for kept in [
            "<h2>Tiêu đề</h2>",
            "<strong>Đậm</strong>",
            "<em>nghiêng</em>",
            "<blockquote>Trích</blockquote>",
            "<li>một</li>",
            "<figcaption>Chú thích</figcaption>",
            r#"src="/media/2026/11/a-960.jpg""#,
            r#"srcset="/media/2026/11/a-480.jpg 480w""#,
        ] {
            assert!(clean.contains(kept), "{kept} in {clean}");
        }
        assert!(clean.contains(r#"rel="noopener noreferrer""#));
    }

    #[test]
    fn dangerous_markup_never_survives() {
        let html = r#"<p onclick="steal()">a</p><script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a><iframe src="https://evil.example"></iframe><style>body{display:none}</style><form action="/x"><input name=a></form><p style="color:red" class="MsoNormal">b</p><svg onload=alert(4)></svg>"#;
        let clean = body(html);
        for gone in [
            "onclick",
            "<script",
            "alert(1)",
            "onerror",
            "javascript:",
            "<iframe",
            "<style",
            "display:none",
            "<form",
            "<input",
            "style=",
            "class=",
            "<svg",
            "onload",
        ] {
            assert!(!clean.contains(gone), "{gone} survived in {clean}");
        }
        assert!(clean.contains("<p>a</p>") && clean.contains("<p>b</p>"));
    }

    #[test]
    fn decomposed_text_is_stored_composed() {
        let nfd = "<p>Ba\u{309}o Tha\u{306}\u{301}ng</p>";
        assert_eq!(body(nfd), "<p>Bảo Thắng</p>");
    }
}
