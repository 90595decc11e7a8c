//! Vietnamese text handling: NFC normalisation, URL slugs, numbers as Vietnamese writes them.

use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// Longest slug we generate, in bytes (slugs are ASCII).
pub const SLUG_MAX_LEN: usize = 120;

/// Text as we store it: NFC-normalised (keyboards that send decomposed, NFD, Vietnamese are
/// common) and trimmed.
pub fn clean(text: &str) -> String {
    text.trim().nfc().collect()
}

/// Whether `text` holds a control character other than tab, line feed and carriage return
/// (NUL, which PostgreSQL refuses in text, escape, backspace…): no field of ours takes one.
pub fn has_control(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// Plain text as HTML text: `&`, `<`, `>` and both quotes escaped (for HTML we build
/// ourselves; askama escapes what templates print).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A URL slug: diacritics dropped (đ → d), lowercase ASCII words joined by hyphens.
///
/// "Bảo Thắng phát huy tinh thần đoàn kết" → `bao-thang-phat-huy-tinh-than-doan-ket`.
/// Long titles are cut at a word boundary; a title with no letters or digits gives "".
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_hyphen = false;
    let base_letters = text
        .chars()
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            other => other,
        })
        .nfd()
        .filter(|c| !is_combining_mark(*c));
    for c in base_letters {
        if c.is_ascii_alphanumeric() {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            pending_hyphen = true;
        }
    }
    if slug.len() > SLUG_MAX_LEN {
        let cut = slug[..=SLUG_MAX_LEN].rfind('-').unwrap_or(SLUG_MAX_LEN);
        slug.truncate(cut);
    }
    slug
}

/// What two texts must share to count as the same: lowercase letters and digits, one space
/// between words, no punctuation ("Tôi  đồng ý." and "tôi đồng ý" give "tôi đồng ý").
pub fn fingerprint(text: &str) -> String {
    let lowered: String = text.nfc().flat_map(char::to_lowercase).collect();
    lowered
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lowercase hexadecimal, two digits a byte (tokens, fingerprints, hashes in names).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `candidate` has the shape of a slug we could have generated; anything else in a URL
/// is a 404 without asking the database.
pub fn is_slug(candidate: &str) -> bool {
    !candidate.is_empty()
        && candidate.len() <= 200
        && !candidate.starts_with('-')
        && !candidate.ends_with('-')
        && !candidate.contains("--")
        && candidate
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// "1.234.567": Vietnamese groups thousands with dots.
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_text_is_escaped() {
        assert_eq!(
            escape_html("a < b & \"c\" 'd'"),
            "a &lt; b &amp; &quot;c&quot; &#39;d&#39;"
        );
    }

    #[test]
    fn fingerprints_ignore_case_spacing_punctuation_and_decomposition() {
        let decomposed: String = "Tôi đồng ý".nfd().collect();
        for text in [
            "Tôi  đồng ý.",
            " TÔI ĐỒNG Ý!!",
            "tôi\nđồng, ý",
            decomposed.as_str(),
        ] {
            assert_eq!(fingerprint(text), "tôi đồng ý", "{text:?}");
        }
        assert_ne!(fingerprint("Tôi đồng ý"), fingerprint("Tôi đồng ý không"));
    }

    #[test]
    fn seed_title_becomes_the_expected_slug() {
        assert_eq!(
            slugify("Bảo Thắng phát huy tinh thần đoàn kết, vượt khó vững bước đi lên"),
            "bao-thang-phat-huy-tinh-than-doan-ket-vuot-kho-vung-buoc-di-len"
        );
        assert_eq!(
            slugify("BẢO THẮNG PHÁT HUY TINH THẦN ĐOÀN KẾT, VƯỢT KHÓ VỮNG BƯỚC ĐI LÊN"),
            "bao-thang-phat-huy-tinh-than-doan-ket-vuot-kho-vung-buoc-di-len"
        );
    }

    #[test]
    fn d_with_stroke_becomes_d_in_both_cases() {
        assert_eq!(slugify("Đảng bộ đoàn kết"), "dang-bo-doan-ket");
    }

    #[test]
    fn decomposed_input_gives_the_same_slug() {
        let nfd: String = "Văn hóa - Xã hội".nfd().collect();
        assert_ne!(nfd, "Văn hóa - Xã hội");
        assert_eq!(slugify(&nfd), "van-hoa-xa-hoi");
    }

    #[test]
    fn punctuation_and_spaces_collapse_to_single_hyphens() {
        assert_eq!(
            slugify("  Quý I/2022:  thu NSNN 123,4 tỷ!  "),
            "quy-i-2022-thu-nsnn-123-4-ty"
        );
        assert_eq!(
            slugify("“Tự diễn biến” — “tự chuyển hóa”"),
            "tu-dien-bien-tu-chuyen-hoa"
        );
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn long_titles_are_cut_at_a_word_boundary() {
        let slug = slugify(&"Nông thôn mới nâng cao ".repeat(20));
        assert!(slug.len() <= SLUG_MAX_LEN, "{}", slug.len());
        assert!(slug.ends_with("cao") || slug.ends_with("moi") || slug.ends_with("nong"));
        assert!(is_slug(&slug));
    }

    #[test]
    fn generated_slugs_pass_the_shape_check_and_junk_does_not() {
        assert!(is_slug("tin-tuc"));
        assert!(is_slug("quy-1-2022"));
        for junk in [
            "",
            "-a",
            "a-",
            "a--b",
            "Tin-tuc",
            "tin tuc",
            "tin_tuc",
            "tin%20tuc",
            "bảo",
        ] {
            assert!(!is_slug(junk), "{junk:?}");
        }
    }

    #[test]
    fn thousands_are_grouped_with_dots() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(2150), "2.150");
        assert_eq!(group_thousands(12_000), "12.000");
        assert_eq!(group_thousands(1_234_567), "1.234.567");
        assert_eq!(group_thousands(50_000_000), "50.000.000");
        assert_eq!(group_thousands(-1234), "-1.234");
    }

    #[test]
    fn control_characters_other_than_line_breaks_and_tabs_are_found() {
        assert!(!has_control("Bảo Thắng\tngày 1\r\ndòng 2\n"));
        for bad in ["a\0b", "\u{1b}[31m", "x\u{8}", "\u{7f}", "\u{85}"] {
            assert!(has_control(bad), "{bad:?}");
        }
    }

    #[test]
    fn clean_composes_and_trims() {
        let nfd: String = "Bảo Thắng".nfd().collect();
        let cleaned = clean(&format!("  {nfd}\n"));
        assert_eq!(cleaned, "Bảo Thắng");
        assert_eq!(cleaned.chars().count(), 9);
    }
}
