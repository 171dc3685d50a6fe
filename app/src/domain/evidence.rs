//! Evidence: the photos and documents an entry carries (a visit's photos, a receipt, a signed
//! document). An entry names each file by the SHA-256 of its bytes; the text of the entry travels
//! first and the files follow, resumably (`server::files`). A file is stored once however many
//! entries name it.

use crate::domain::FieldError;
use serde::{Deserialize, Serialize};

/// The largest file an entry may carry: a scanned document of several pages. Photos are resized
/// on the phone to a few hundred KB before they are kept.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
/// The most files one entry carries.
pub const MAX_FILES_PER_ENTRY: usize = 12;
/// The longest caption.
pub const MAX_CAPTION_CHARS: usize = 200;

/// The kinds of file Athar keeps, each recognised by its first bytes, never by its name. No SVG,
/// no HTML: nothing a browser could run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Media {
    Jpeg,
    Png,
    Webp,
    Pdf,
}

impl Media {
    pub fn content_type(self) -> &'static str {
        match self {
            Media::Jpeg => "image/jpeg",
            Media::Png => "image/png",
            Media::Webp => "image/webp",
            Media::Pdf => "application/pdf",
        }
    }

    pub fn is_image(self) -> bool {
        self != Media::Pdf
    }

    /// What the file is, read from its first bytes; `None` for anything else.
    pub fn sniff(bytes: &[u8]) -> Option<Media> {
        match bytes {
            [0xFF, 0xD8, 0xFF, ..] => Some(Media::Jpeg),
            [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n', ..] => Some(Media::Png),
            [
                b'R',
                b'I',
                b'F',
                b'F',
                _,
                _,
                _,
                _,
                b'W',
                b'E',
                b'B',
                b'P',
                ..,
            ] => Some(Media::Webp),
            [b'%', b'P', b'D', b'F', b'-', ..] => Some(Media::Pdf),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Media::Jpeg => "jpeg",
            Media::Png => "png",
            Media::Webp => "webp",
            Media::Pdf => "pdf",
        }
    }

    pub fn parse(s: &str) -> Option<Media> {
        [Media::Jpeg, Media::Png, Media::Webp, Media::Pdf]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// One file an entry carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The SHA-256 of the file's bytes, 64 lowercase hexadecimal digits: its name everywhere.
    pub sha256: String,
    pub bytes: u64,
    pub media: Media,
    /// What it shows, in the facilitator's words; optional.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub caption: String,
    /// A photo of people: they agreed to be photographed. A photo of people without their
    /// agreement is not kept, so this is `true` or absent.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub people_agreed: bool,
}

/// Whether `s` is a SHA-256 as Athar writes it.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The rules an entry's list of files meets: real names, sizes within the limit, short captions,
/// each file once.
pub fn check_files(files: &[Evidence]) -> Result<(), FieldError> {
    if files.len() > MAX_FILES_PER_ENTRY {
        return Err(FieldError::new("files", "too_many"));
    }
    for (i, f) in files.iter().enumerate() {
        if !is_sha256(&f.sha256) {
            return Err(FieldError::new("files", "invalid"));
        }
        if f.bytes == 0 || f.bytes > MAX_FILE_BYTES {
            return Err(FieldError::new("files", "too_large"));
        }
        if f.caption.chars().count() > MAX_CAPTION_CHARS {
            return Err(FieldError::new("files", "too_long"));
        }
        if f.caption.contains('\0') {
            return Err(FieldError::new("files", "invalid"));
        }
        if files[..i].iter().any(|g| g.sha256 == f.sha256) {
            return Err(FieldError::new("files", "duplicate"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(sha: &str, bytes: u64) -> Evidence {
        Evidence {
            sha256: sha.into(),
            bytes,
            media: Media::Jpeg,
            caption: String::new(),
            people_agreed: false,
        }
    }

    #[test]
    fn a_file_is_known_by_its_first_bytes_not_its_name() {
        assert_eq!(
            Media::sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF"),
            Some(Media::Jpeg)
        );
        assert_eq!(Media::sniff(b"\x89PNG\r\n\x1a\n\0\0"), Some(Media::Png));
        assert_eq!(Media::sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(Media::Webp));
        assert_eq!(Media::sniff(b"%PDF-1.7\n"), Some(Media::Pdf));
        // HTML and SVG, whatever they are called, are nothing Athar keeps.
        assert_eq!(Media::sniff(b"<!doctype html><script>"), None);
        assert_eq!(
            Media::sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\">"),
            None
        );
        assert_eq!(Media::sniff(b"RIFF\x10\0\0\0WAVEfmt "), None);
        assert_eq!(Media::sniff(b""), None);
    }

    #[test]
    fn an_entrys_files_are_named_sized_and_listed_once() {
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        assert_eq!(
            check_files(&[file(&a, 1), file(&b, MAX_FILE_BYTES)]),
            Ok(())
        );
        assert_eq!(
            check_files(&[file(&a, 1), file(&a, 2)]),
            Err(FieldError::new("files", "duplicate"))
        );
        assert_eq!(
            check_files(&[file(&a, MAX_FILE_BYTES + 1)]),
            Err(FieldError::new("files", "too_large"))
        );
        assert_eq!(
            check_files(&[file(&a.to_uppercase(), 1)]),
            Err(FieldError::new("files", "invalid"))
        );
        assert_eq!(
            check_files(&[file("../../etc/passwd", 1)]),
            Err(FieldError::new("files", "invalid"))
        );
        let many: Vec<_> = (0..=MAX_FILES_PER_ENTRY)
            .map(|i| file(&format!("{i:064x}"), 1))
            .collect();
        assert_eq!(
            check_files(&many),
            Err(FieldError::new("files", "too_many"))
        );
        let mut long = file(&a, 1);
        long.caption = "ن".repeat(MAX_CAPTION_CHARS + 1);
        assert_eq!(
            check_files(&[long]),
            Err(FieldError::new("files", "too_long"))
        );
    }
}
