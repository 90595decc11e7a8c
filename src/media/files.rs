//! Attached files (PDF, Word, Excel, OpenDocument, ZIP): the type is read from the content,
//! never from the name; the file is stored under a generated key; the uploader's name is kept
//! only to be shown and offered again on download (`Content-Disposition`).

use sha2::{Digest, Sha256};

use super::{MediaStore, format_size};
use crate::text::{clean, slugify};

/// Longest original name kept (longer ones are cut, keeping the extension).
pub const NAME_MAX: usize = 255;

/// What an attached file may be, recognised from its first bytes and, for ZIP and OLE
/// containers, from what they hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Doc,
    Docx,
    Xls,
    Xlsx,
    Odt,
    Ods,
    Zip,
}

impl FileKind {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Doc => "doc",
            Self::Docx => "docx",
            Self::Xls => "xls",
            Self::Xlsx => "xlsx",
            Self::Odt => "odt",
            Self::Ods => "ods",
            Self::Zip => "zip",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Doc => "application/msword",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xls => "application/vnd.ms-excel",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Odt => "application/vnd.oasis.opendocument.text",
            Self::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            Self::Zip => "application/zip",
        }
    }

    /// What readers see beside a download link ("PDF", "Word"…).
    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Doc | Self::Docx => "Word",
            Self::Xls | Self::Xlsx => "Excel",
            Self::Odt => "ODT",
            Self::Ods => "ODS",
            Self::Zip => "ZIP",
        }
    }

    /// The kind a stored content type stands for.
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        [
            Self::Pdf,
            Self::Doc,
            Self::Docx,
            Self::Xls,
            Self::Xlsx,
            Self::Odt,
            Self::Ods,
            Self::Zip,
        ]
        .into_iter()
        .find(|kind| kind.content_type() == content_type)
    }
}

/// Why a file was refused (or could not be stored).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("file larger than {max_bytes} bytes")]
    TooLarge { max_bytes: usize },
    #[error("empty file")]
    Empty,
    #[error("a program, not a document")]
    Executable,
    #[error("not an accepted document type")]
    NotAccepted,
    #[error("could not store file: {0}")]
    Storage(#[from] std::io::Error),
}

impl FileError {
    /// A message for the uploader, in Vietnamese.
    pub fn message(&self) -> String {
        match self {
            Self::TooLarge { max_bytes } => format!(
                "Tệp vượt quá dung lượng cho phép (tối đa {}).",
                format_size(*max_bytes)
            ),
            Self::Empty => "Tệp tải lên trống.".to_owned(),
            Self::Executable => {
                "Tệp này là một chương trình chạy được, không phải tài liệu: không được phép tải lên."
                    .to_owned()
            }
            Self::NotAccepted => format!("Tệp không phải tài liệu được chấp nhận ({ACCEPTED}).",),
            Self::Storage(_) => "Không lưu được tệp, xin thử lại.".to_owned(),
        }
    }

    /// Logs a failure of the server at error level (see `ImageError::log_if_ours`).
    pub fn log_if_ours(&self) {
        if let Self::Storage(error) = self {
            tracing::error!(%error, "cannot store an uploaded file");
        }
    }
}

/// The accepted types, as the form's hint and messages name them.
pub const ACCEPTED: &str = "PDF, DOC, DOCX, XLS, XLSX, ODT, ODS hoặc ZIP";

/// The types a file input offers (`accept`); only a hint to the browser, the server decides.
pub const ACCEPT_ATTRIBUTE: &str = ".pdf,.doc,.docx,.xls,.xlsx,.odt,.ods,.zip";

const OLE2: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The type of `bytes`, from their content alone.
pub fn detect(bytes: &[u8]) -> Result<FileKind, FileError> {
    if bytes.is_empty() {
        return Err(FileError::Empty);
    }
    // Programs are named, so the uploader knows what was refused: ELF, PE ("MZ"), Mach-O,
    // shell scripts.
    let executable = [
        &b"\x7fELF"[..],
        b"MZ",
        b"#!",
        &[0xCF, 0xFA, 0xED, 0xFE],
        &[0xFE, 0xED, 0xFA, 0xCF],
        &[0xCA, 0xFE, 0xBA, 0xBE],
    ];
    if executable.iter().any(|magic| bytes.starts_with(magic)) {
        return Err(FileError::Executable);
    }
    // PDF readers accept the header anywhere in the first KB; we want it first.
    if bytes.starts_with(b"%PDF-") {
        return Ok(FileKind::Pdf);
    }
    if bytes.starts_with(OLE2) {
        return ole_kind(bytes).ok_or(FileError::NotAccepted);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return zip_kind(bytes).ok_or(FileError::NotAccepted);
    }
    Err(FileError::NotAccepted)
}

/// A Word or Excel 97–2003 file: an OLE2 compound file whose directory names the
/// `WordDocument` or `Workbook` (`Book` in Excel 5) stream. Names are UTF-16LE.
fn ole_kind(bytes: &[u8]) -> Option<FileKind> {
    let utf16 =
        |name: &str| -> Vec<u8> { name.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let holds = |name: &str| {
        let needle = utf16(name);
        bytes.windows(needle.len()).any(|window| window == needle)
    };
    if holds("WordDocument") {
        Some(FileKind::Doc)
    } else if holds("Workbook") || holds("Book\0") {
        Some(FileKind::Xls)
    } else {
        None
    }
}

/// A ZIP archive, and what it is a container for: OpenDocument files start with an
/// uncompressed `mimetype` entry naming their type; Office Open XML files hold
/// `[Content_Types].xml` and `word/` or `xl/` parts. The entries are read from the central
/// directory; an archive whose directory cannot be read is refused.
fn zip_kind(bytes: &[u8]) -> Option<FileKind> {
    const MIMETYPE: &[u8] = b"mimetype";
    if bytes.get(30..30 + MIMETYPE.len()) == Some(MIMETYPE) {
        let rest = &bytes[30 + MIMETYPE.len()..];
        if rest.starts_with(b"application/vnd.oasis.opendocument.text") {
            return Some(FileKind::Odt);
        }
        if rest.starts_with(b"application/vnd.oasis.opendocument.spreadsheet") {
            return Some(FileKind::Ods);
        }
    }
    let names = zip_names(bytes)?;
    let has = |wanted: &str| names.contains(&wanted.as_bytes());
    let under = |prefix: &str| names.iter().any(|name| name.starts_with(prefix.as_bytes()));
    if has("[Content_Types].xml") {
        if under("word/") {
            return Some(FileKind::Docx);
        }
        if under("xl/") {
            return Some(FileKind::Xlsx);
        }
    }
    Some(FileKind::Zip)
}

/// The entry names of a ZIP archive's central directory; `None` when it cannot be read.
fn zip_names(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let u16_at = |at: usize| -> Option<usize> {
        bytes
            .get(at..at + 2)
            .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let u32_at = |at: usize| -> Option<usize> {
        bytes
            .get(at..at + 4)
            .and_then(|b| usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok())
    };
    // The end record is in the last 22 + 65,535 bytes (its comment is at most that long).
    let search_from = bytes.len().saturating_sub(22 + 0xFFFF);
    let end = (search_from..bytes.len().saturating_sub(21))
        .rev()
        .find(|&at| bytes[at..].starts_with(b"PK\x05\x06"))?;
    let count = u16_at(end + 10)?;
    let mut at = u32_at(end + 16)?;
    let mut names = Vec::with_capacity(count.min(4096));
    for _ in 0..count {
        if bytes.get(at..at + 4)? != b"PK\x01\x02" {
            return None;
        }
        let name_len = u16_at(at + 28)?;
        let extra_len = u16_at(at + 30)?;
        let comment_len = u16_at(at + 32)?;
        names.push(bytes.get(at + 46..at + 46 + name_len)?);
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(names)
}

/// The uploader's file name as kept for display: the last path segment (`../x`, `C:\x`),
/// NFC, without control characters or leading dots, at most [`NAME_MAX`] characters (the
/// extension kept); `tai-lieu.{ext}` when nothing is left.
pub fn display_name(raw: &str, kind: FileKind) -> String {
    let name = shown_name(raw);
    if name.is_empty() {
        format!("tai-lieu.{}", kind.extension())
    } else {
        name
    }
}

/// [`display_name`] without the fallback (empty when nothing is left): what a message about
/// a refused file names.
pub fn shown_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let printable: String = last.chars().filter(|c| !c.is_control()).collect();
    let name = clean(&printable);
    let name = name.trim_start_matches('.').trim();
    if name.chars().count() <= NAME_MAX {
        return name.to_owned();
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.chars().count() <= 10 => (stem, ext),
        _ => (name, ""),
    };
    let keep = NAME_MAX - ext.chars().count() - usize::from(!ext.is_empty());
    let stem: String = stem.chars().take(keep).collect();
    if ext.is_empty() {
        stem
    } else {
        format!("{stem}.{ext}")
    }
}

/// The end of a download URL: the name without diacritics, as a slug, with its extension
/// ("Nghị quyết 15.pdf" → "nghi-quyet-15.pdf").
pub fn url_name(name: &str, kind: FileKind) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let slug = slugify(stem);
    let slug = if slug.is_empty() { "tai-lieu" } else { &slug };
    format!("{slug}.{}", kind.extension())
}

/// `Content-Disposition: attachment` carrying `name` twice (RFC 6266): an ASCII fallback for
/// old clients, and the exact name as UTF-8 percent-encoded (RFC 5987 / 8187).
pub fn content_disposition(name: &str, kind: FileKind) -> String {
    let fallback = url_name(name, kind);
    let mut encoded = String::with_capacity(name.len() * 3);
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// A file as stored: what the `media_file` row records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedFile {
    pub storage_key: String,
    pub original_name: String,
    pub kind: FileKind,
    pub byte_size: i64,
    pub sha256: Vec<u8>,
}

/// Checks an upload (size, type by content) and stores it under a new key
/// `files/{yyyy}/{mm}/{random}.{ext}`: a key of our own, never derived from the name.
pub async fn save_file(
    store: &dyn MediaStore,
    bytes: &[u8],
    name: &str,
    max_bytes: usize,
    now: time::OffsetDateTime,
) -> Result<SavedFile, FileError> {
    if bytes.len() > max_bytes {
        return Err(FileError::TooLarge { max_bytes });
    }
    let kind = detect(bytes)?;
    let random: [u8; 12] = rand::random();
    let storage_key = format!(
        "files/{:04}/{:02}/{}.{}",
        now.year(),
        u8::from(now.month()),
        crate::text::hex(&random),
        kind.extension()
    );
    store.put(&storage_key, bytes).await?;
    Ok(SavedFile {
        storage_key,
        original_name: display_name(name, kind),
        kind,
        byte_size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: Sha256::digest(bytes).to_vec(),
    })
}

/// A minimal valid one-page PDF showing `lines` (ASCII; others become `?`), for the demo and
/// tests: written here, so no binary is committed.
pub fn minimal_pdf(lines: &[&str]) -> Vec<u8> {
    let mut text = String::from("BT /F1 14 Tf 72 760 Td 18 TL\n");
    for line in lines {
        let escaped: String = line
            .chars()
            .map(|c| {
                if c.is_ascii() && !c.is_ascii_control() {
                    c
                } else {
                    '?'
                }
            })
            .collect::<String>()
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        text.push_str(&format!("({escaped}) Tj T*\n"));
    }
    text.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored (uncompressed) ZIP archive of `entries`, with a central directory.
    fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data) in entries {
            let offset = u32::try_from(out.len()).unwrap();
            let len = u32::try_from(data.len()).unwrap();
            let name_len = u16::try_from(name.len()).unwrap();
            out.extend_from_slice(b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0");
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&name_len.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);
            central.extend_from_slice(b"PK\x01\x02\x14\0\x14\0\0\0\0\0\0\0\0\0\0\0\0\0");
            central.extend_from_slice(&len.to_le_bytes());
            central.extend_from_slice(&len.to_le_bytes());
            central.extend_from_slice(&name_len.to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let start = u32::try_from(out.len()).unwrap();
        let size = u32::try_from(central.len()).unwrap();
        let count = u16::try_from(entries.len()).unwrap();
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&start.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    fn ole(stream: &str) -> Vec<u8> {
        let mut bytes = OLE2.to_vec();
        bytes.resize(512, 0);
        bytes.extend(stream.encode_utf16().flat_map(u16::to_le_bytes));
        bytes.resize(1024, 0);
        bytes
    }

    #[test]
    fn types_come_from_the_content() {
        assert_eq!(detect(&minimal_pdf(&["x"])).unwrap(), FileKind::Pdf);
        assert_eq!(detect(&ole("WordDocument")).unwrap(), FileKind::Doc);
        assert_eq!(detect(&ole("Workbook")).unwrap(), FileKind::Xls);
        let docx = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w:document/>"),
        ]);
        assert_eq!(detect(&docx).unwrap(), FileKind::Docx);
        let xlsx = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook/>"),
        ]);
        assert_eq!(detect(&xlsx).unwrap(), FileKind::Xlsx);
        let odt = zip(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"<office/>"),
        ]);
        assert_eq!(detect(&odt).unwrap(), FileKind::Odt);
        let ods = zip(&[(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        )]);
        assert_eq!(detect(&ods).unwrap(), FileKind::Ods);
        assert_eq!(detect(&zip(&[("a.txt", b"a")])).unwrap(), FileKind::Zip);
    }

    #[test]
    fn programs_and_pages_are_refused() {
        for program in [&b"\x7fELF\x02\x01\x01"[..], b"MZ\x90\0\x03", b"#!/bin/sh\n"] {
            assert!(matches!(detect(program), Err(FileError::Executable)));
        }
        for other in [
            &b"<!DOCTYPE html><html>"[..],
            b"  %PDF-1.4 late header",
            b"GIF89a",
            OLE2,
            b"PK\x03\x04 cut short",
        ] {
            assert!(
                matches!(detect(other), Err(FileError::NotAccepted)),
                "{other:?}"
            );
        }
        assert!(matches!(detect(b""), Err(FileError::Empty)));
    }

    #[test]
    fn names_are_display_only_and_safe() {
        let pdf = FileKind::Pdf;
        assert_eq!(
            display_name("../../etc/Quyết định số 5.pdf", pdf),
            "Quyết định số 5.pdf"
        );
        assert_eq!(display_name("C:\\Văn bản\\a.pdf", pdf), "a.pdf");
        assert_eq!(
            display_name("Nghi\u{323} quyê\u{301}t.pdf", pdf),
            "Nghị quyết.pdf"
        );
        assert_eq!(display_name("../", pdf), "tai-lieu.pdf");
        assert_eq!(display_name("..", pdf), "tai-lieu.pdf");
        let long = format!("{}.pdf", "ạ".repeat(300));
        let kept = display_name(&long, pdf);
        assert_eq!(kept.chars().count(), NAME_MAX);
        assert!(kept.ends_with("ạ.pdf"));
        assert_eq!(url_name("Nghị quyết 15.PDF", pdf), "nghi-quyet-15.pdf");
        assert_eq!(url_name("...", pdf), "tai-lieu.pdf");
    }

    #[test]
    fn the_download_name_is_encoded_for_every_client() {
        assert_eq!(
            content_disposition("Nghị quyết \"15\".pdf", FileKind::Pdf),
            "attachment; filename=\"nghi-quyet-15.pdf\"; \
             filename*=UTF-8''Ngh%E1%BB%8B%20quy%E1%BA%BFt%20%2215%22.pdf"
        );
    }

    #[test]
    fn sizes_are_limited_before_anything_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = super::super::LocalStore::new(dir.path());
        let now = time::OffsetDateTime::now_utc();
        let pdf = minimal_pdf(&["x"]);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let refused = runtime.block_on(save_file(&store, &pdf, "a.pdf", pdf.len() - 1, now));
        assert!(matches!(refused, Err(FileError::TooLarge { .. })));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let saved = runtime
            .block_on(save_file(&store, &pdf, "../Tờ trình.pdf", pdf.len(), now))
            .unwrap();
        assert!(saved.storage_key.starts_with("files/"));
        assert!(saved.storage_key.ends_with(".pdf"));
        assert_eq!(saved.original_name, "Tờ trình.pdf");
        assert_eq!(
            std::fs::read(dir.path().join(&saved.storage_key)).unwrap(),
            pdf
        );
    }
}
