//! An annex file of a circular, as a recipient in one language receives it.

use super::Language;

/// One annex as a recipient in one language receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annex {
    /// 1-based order in the circular.
    pub position: u32,
    /// The language it serves.
    pub language: Language,
    /// The file name the recipient sees.
    pub file_name: String,
    /// The file it was read from (`annex1.fr.pdf`, or the fallback `annex1.pdf`).
    pub source: String,
    /// Its MIME type.
    pub content_type: String,
    /// Its bytes.
    pub content: Vec<u8>,
}
