//! Two versions of a text compared for the back office: what was removed in `<del>`, what was
//! added in `<ins>`, word by word.
//!
//! **Words.** Vietnamese writes every syllable as its own space-separated word, so splitting
//! on white space (`similar`'s word diff) gives exactly the units a reader compares: a
//! changed tone mark ("Thắng" → "Thăng") marks the one syllable, never half a letter (stored
//! text is NFC, so a letter and its marks are one `char`), and no dictionary segmentation is
//! needed. Punctuation stays with its word.
//!
//! **Bodies.** Article and page bodies are sanitised HTML. Diffing their markup would put
//! `<ins>` and `<del>` across tag boundaries and need the result re-balanced and
//! re-sanitised; instead the readable text is compared **by blocks**: each paragraph,
//! heading, list item, quotation, caption and table cell is one block of plain text, an image
//! is a block naming its file and alt text, a link's address follows its text in
//! parentheses. The blocks are aligned first (so a paragraph added or removed is one `<ins>`
//! or `<del>`), then the words of blocks that changed. Everything in the output is text we
//! escaped, inside elements we wrote (`<p class="diff-block …">`, `<ins>`, `<del>`), so it is
//! safe to insert into a page whatever the bodies held. What this does not show: a change of
//! formatting alone (bold, italic) — [`changed_without_marks`] tells that case apart.

use std::{
    cell::RefCell,
    fmt::Write as _,
    hash::Hash,
    time::{Duration, Instant},
};

use html5ever::{
    tendril::StrTendril,
    tokenizer::{
        BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
    },
};
use similar::{Algorithm, ChangeTag, DiffOp, TextDiff, capture_diff_slices_deadline};

use crate::text::escape_html;

/// The longest a comparison may search for the smallest set of changes; past it the result is
/// still correct, only coarser.
const TIME_LIMIT: Duration = Duration::from_secs(1);

/// Plain text (a title, a sapo, a caption…) compared word by word, as escaped HTML.
pub fn text(old: &str, new: &str) -> String {
    let mut out = String::with_capacity(old.len().max(new.len()) + 32);
    words_into(&mut out, old, new);
    out
}

/// Two sanitised HTML bodies compared block by block, then word by word (see the module
/// comment), as HTML: one `<p class="diff-block KIND">` per block.
pub fn body(old_html: &str, new_html: &str) -> String {
    let (old, new) = (blocks(old_html), blocks(new_html));
    let deadline = Instant::now() + TIME_LIMIT;
    let mut out = String::new();
    for op in capture_diff_slices_deadline(Algorithm::Myers, &old, &new, Some(deadline)) {
        match op {
            DiffOp::Equal { .. } | DiffOp::Insert { .. } => {
                let mark = matches!(op, DiffOp::Insert { .. }).then_some("ins");
                for block in &new[op.new_range()] {
                    block.write(&mut out, |out| marked(out, mark, &block.text));
                }
            }
            DiffOp::Delete { .. } => {
                for block in &old[op.old_range()] {
                    block.write(&mut out, |out| marked(out, Some("del"), &block.text));
                }
            }
            DiffOp::Replace { .. } => {
                let (old, new) = (&old[op.old_range()], &new[op.new_range()]);
                // Word by word while both sides have a block of the same kind, then whole
                // blocks.
                let paired = old
                    .iter()
                    .zip(new)
                    .take_while(|(before, after)| before.kind == after.kind)
                    .count();
                for (before, after) in old.iter().zip(new).take(paired) {
                    after.write(&mut out, |out| words_into(out, &before.text, &after.text));
                }
                for block in &old[paired..] {
                    block.write(&mut out, |out| marked(out, Some("del"), &block.text));
                }
                for block in &new[paired..] {
                    block.write(&mut out, |out| marked(out, Some("ins"), &block.text));
                }
            }
        }
    }
    out
}

/// Whether a comparison's output shows a change: when two stored values differ but this is
/// false, only the formatting changed.
pub fn changed_without_marks(old: &str, new: &str, compared: &str) -> bool {
    old != new && !compared.contains("<ins>") && !compared.contains("<del>")
}

/// `text` escaped, wrapped in `<ins>` or `<del>` when `mark` says so.
fn marked(out: &mut String, mark: Option<&str>, text: &str) {
    if text.is_empty() {
        return;
    }
    match mark {
        Some(tag) => {
            let _ = write!(out, "<{tag}>{}</{tag}>", escape_html(text));
        }
        None => out.push_str(&escape_html(text)),
    }
}

/// The words of `old` and `new` compared: what was removed in one `<del>`, then what was
/// added in one `<ins>`. A space between two replaced words stays inside both, so each
/// reading (without the `<ins>`, or without the `<del>`) is still exactly one of the texts.
fn words_into(out: &mut String, old: &str, new: &str) {
    let diff = TextDiff::configure()
        .timeout(TIME_LIMIT)
        .diff_words(old, new);
    let changes: Vec<_> = diff.iter_all_changes().collect();
    let (mut removed, mut added) = (String::new(), String::new());
    for (i, change) in changes.iter().enumerate() {
        let value = change.value();
        match change.tag() {
            ChangeTag::Delete => removed.push_str(value),
            ChangeTag::Insert => added.push_str(value),
            ChangeTag::Equal => {
                let replacing = !removed.is_empty() && !added.is_empty();
                let between_changes = value.trim().is_empty()
                    && changes
                        .get(i + 1)
                        .is_some_and(|next| next.tag() != ChangeTag::Equal);
                if replacing && between_changes {
                    removed.push_str(value);
                    added.push_str(value);
                } else {
                    marked(out, Some("del"), &std::mem::take(&mut removed));
                    marked(out, Some("ins"), &std::mem::take(&mut added));
                    marked(out, None, value);
                }
            }
        }
    }
    marked(out, Some("del"), &removed);
    marked(out, Some("ins"), &added);
}

// ---------------------------------------------------------------------------------------------
// Blocks of a body

/// What a block was in the body; its CSS class in the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Paragraph,
    Heading,
    ListItem,
    Quote,
    Caption,
    Cell,
    Image,
    Rule,
}

impl Kind {
    fn class(self) -> &'static str {
        match self {
            Kind::Paragraph => "paragraph",
            Kind::Heading => "heading",
            Kind::ListItem => "list-item",
            Kind::Quote => "quote",
            Kind::Caption => "caption",
            Kind::Cell => "cell",
            Kind::Image => "image",
            Kind::Rule => "rule",
        }
    }

    /// The kind of text inside the innermost of these open elements.
    fn of(open: &[String]) -> Kind {
        open.iter()
            .rev()
            .find_map(|tag| match tag.as_str() {
                "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Some(Kind::Heading),
                "figcaption" | "caption" => Some(Kind::Caption),
                "th" | "td" => Some(Kind::Cell),
                "li" => Some(Kind::ListItem),
                "blockquote" => Some(Kind::Quote),
                _ => None,
            })
            .unwrap_or(Kind::Paragraph)
    }
}

/// One block of readable text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Block {
    kind: Kind,
    text: String,
}

impl Block {
    /// The block as a paragraph of the comparison, its content written by `content`.
    fn write(&self, out: &mut String, content: impl FnOnce(&mut String)) {
        let _ = write!(out, "<p class=\"diff-block {}\">", self.kind.class());
        content(out);
        out.push_str("</p>\n");
    }
}

/// Elements that start and end blocks; everything else (bold, italic, links…) is inline.
fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "blockquote"
            | "figure"
            | "figcaption"
            | "table"
            | "caption"
            | "thead"
            | "tbody"
            | "tr"
            | "th"
            | "td"
    )
}

/// The blocks of an HTML body, in order.
fn blocks(html: &str) -> Vec<Block> {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(BlockSink::default(), TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.state.into_inner().blocks
}

#[derive(Default)]
struct BlockSink {
    state: RefCell<Blocks>,
}

#[derive(Default)]
struct Blocks {
    blocks: Vec<Block>,
    /// The block elements open around the text being read.
    open: Vec<String>,
    /// Text of the block being read.
    text: String,
    /// The address of the link being read.
    link: Option<String>,
}

impl Blocks {
    /// Ends the block being read, if it has any text.
    fn end_block(&mut self) {
        let text = self.text.split_whitespace().collect::<Vec<_>>().join(" ");
        self.text.clear();
        if !text.is_empty() {
            let kind = Kind::of(&self.open);
            self.blocks.push(Block { kind, text });
        }
    }

    fn push(&mut self, kind: Kind, text: String) {
        self.end_block();
        self.blocks.push(Block { kind, text });
    }
}

impl TokenSink for BlockSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut state = self.state.borrow_mut();
        match token {
            Token::CharacterTokens(text) => state.text.push_str(&text),
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                let attr = |wanted: &str| {
                    tag.attrs
                        .iter()
                        .find(|a| &*a.name.local == wanted)
                        .map(|a| a.value.to_string())
                        .unwrap_or_default()
                };
                match (tag.kind, name.as_str()) {
                    (TagKind::StartTag, "img") => {
                        let alt = attr("alt");
                        let text = match alt.trim() {
                            "" => format!("Ảnh: {}", attr("src")),
                            alt => format!("Ảnh: {} — {alt}", attr("src")),
                        };
                        state.push(Kind::Image, text);
                    }
                    (TagKind::StartTag, "hr") => state.push(Kind::Rule, "———".to_owned()),
                    (TagKind::StartTag, "br") => state.text.push(' '),
                    (TagKind::StartTag, "a") => state.link = Some(attr("href")),
                    (TagKind::EndTag, "a") => {
                        if let Some(href) = state.link.take().filter(|h| !h.is_empty()) {
                            state.text.push_str(&format!(" ({href})"));
                        }
                    }
                    (TagKind::StartTag, tag) if is_block(tag) => {
                        state.end_block();
                        state.open.push(name);
                    }
                    (TagKind::EndTag, tag) if is_block(tag) => {
                        state.end_block();
                        if let Some(at) = state.open.iter().rposition(|open| *open == name) {
                            state.open.truncate(at);
                        }
                    }
                    _ => {}
                }
            }
            Token::EOFToken => state.end_block(),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_words_are_marked_whole_syllables() {
        assert_eq!(
            text(
                "Bảo Thắng phát huy tinh thần",
                "Bảo Thăng phát huy mạnh tinh thần"
            ),
            "Bảo <del>Thắng</del><ins>Thăng</ins> phát huy <ins>mạnh </ins>tinh thần"
        );
        assert_eq!(text("giống nhau", "giống nhau"), "giống nhau");
        assert_eq!(text("", "mới"), "<ins>mới</ins>");
        assert_eq!(
            text("một hai ba bốn", "một năm sáu bốn"),
            "một <del>hai ba</del><ins>năm sáu</ins> bốn"
        );
        assert_eq!(text("một hai", "một"), "một<del> hai</del>");
    }

    /// The text a comparison reads as without one kind of mark (`drop`) and its content.
    fn reading(compared: &str, drop: &str, keep: &str) -> String {
        let mut rest = compared
            .replace(&format!("<{keep}>"), "")
            .replace(&format!("</{keep}>"), "");
        while let Some(start) = rest.find(&format!("<{drop}>")) {
            let end = rest[start..].find(&format!("</{drop}>")).unwrap() + start + drop.len() + 3;
            rest.replace_range(start..end, "");
        }
        rest
    }

    #[test]
    fn each_reading_of_a_comparison_is_one_of_the_texts() {
        let pairs = [
            ("một hai ba bốn", "một năm sáu bốn"),
            ("một hai ba bốn", "một năm bốn"),
            (
                "Huyện Bảo Thắng tổ chức hội nghị",
                "UBND huyện Bảo Thắng đã tổ chức hội nghị tổng kết",
            ),
            ("a b c d e", "e d c b a"),
            ("", "chỉ thêm"),
            ("chỉ bỏ", ""),
        ];
        for (old, new) in pairs {
            let compared = text(old, new);
            assert_eq!(reading(&compared, "ins", "del"), old, "{compared}");
            assert_eq!(reading(&compared, "del", "ins"), new, "{compared}");
        }
    }

    #[test]
    fn text_is_escaped_inside_and_outside_the_marks() {
        assert_eq!(
            text("a <b> & c", "a <script> & c"),
            "a <del>&lt;b&gt;</del><ins>&lt;script&gt;</ins> &amp; c"
        );
    }

    #[test]
    fn bodies_are_compared_by_blocks_then_words() {
        let old = "<h2>Tiêu đề phụ</h2><p>Đoạn một giữ nguyên.</p><p>Đoạn hai cũ.</p><ul><li>Mục bỏ</li></ul>";
        let new = "<h2>Tiêu đề phụ</h2><p>Đoạn một giữ nguyên.</p><p>Đoạn hai mới.</p><blockquote><p>Trích dẫn thêm</p></blockquote>";
        let out = body(old, new);
        assert!(
            out.contains(r#"<p class="diff-block heading">Tiêu đề phụ</p>"#),
            "{out}"
        );
        assert!(out.contains(r#"<p class="diff-block paragraph">Đoạn một giữ nguyên.</p>"#));
        assert!(
            out.contains(
                r#"<p class="diff-block paragraph">Đoạn hai <del>cũ.</del><ins>mới.</ins></p>"#
            ),
            "{out}"
        );
        assert!(
            out.contains(r#"<p class="diff-block list-item"><del>Mục bỏ</del></p>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<p class="diff-block quote"><ins>Trích dẫn thêm</ins></p>"#),
            "{out}"
        );
    }

    #[test]
    fn images_captions_and_link_addresses_are_compared_too() {
        let old = r#"<figure><img src="/media/a-960.jpg" alt="Cầu"><figcaption>Cây cầu mới</figcaption></figure><p><a href="https://a.vn/">Xem</a></p>"#;
        let new = r#"<figure><img src="/media/b-960.jpg" alt="Cầu"><figcaption>Cây cầu mới</figcaption></figure><p><a href="https://b.vn/">Xem</a></p>"#;
        let out = body(old, new);
        assert!(
            out.contains("Ảnh: <del>/media/a-960.jpg</del><ins>/media/b-960.jpg</ins> — Cầu"),
            "{out}"
        );
        assert!(
            out.contains(r#"<p class="diff-block caption">Cây cầu mới</p>"#),
            "{out}"
        );
        assert!(
            out.contains("Xem <del>(https://a.vn/)</del><ins>(https://b.vn/)</ins>"),
            "{out}"
        );
    }

    #[test]
    fn markup_in_a_body_never_reaches_the_output() {
        // Bodies are stored sanitised; even so, only our own elements come out.
        let old = "<p>An toàn</p>";
        let new = r#"<p onclick="x()">An toàn &lt;script&gt;alert(1)&lt;/script&gt;</p><script>alert(2)</script><img src=x onerror="alert(3)">"#;
        let out = body(old, new);
        for gone in ["<script", "onclick", "onerror=", "<img"] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
        assert!(
            out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{out}"
        );
    }

    #[test]
    fn a_change_of_formatting_alone_is_told_apart() {
        let (old, new) = ("<p>Chữ thường</p>", "<p><strong>Chữ</strong> thường</p>");
        let out = body(old, new);
        assert_eq!(out, "<p class=\"diff-block paragraph\">Chữ thường</p>\n");
        assert!(changed_without_marks(old, new, &out));
        assert!(!changed_without_marks(old, old, &out));
    }
}
