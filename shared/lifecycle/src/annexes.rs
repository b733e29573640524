//! A circular's annexes in every language: read from beside its file (one file per annex, or
//! a version per language, `annex1.fr.pdf`, with the plain file, `annex1.pdf`, as the
//! fallback; each file checked against the size limit and given its content type), or read
//! back from the store for a stored circular.

use circulars_core::domain::{Circular, CircularId, Language};
use circulars_core::input::FileProblems;
use circulars_store::{Annex, Store, StoreError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Reads the annexes `circular` names from `folder`, for every language; every problem is
/// reported against `circular_file`, nothing is returned unless all annexes are good.
pub fn read_annexes(
    circular_file: &str,
    folder: &Path,
    circular: &Circular,
    max_bytes: u64,
) -> Result<Vec<Annex>, FileProblems> {
    let mut problems = FileProblems::new(circular_file);
    let mut annexes = Vec::new();
    let mut read: HashMap<PathBuf, Option<Vec<u8>>> = HashMap::new();
    let listing: Vec<String> = std::fs::read_dir(folder)
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    for (index, name) in circular.annexes.iter().enumerate() {
        let field = format!("annexes[{}]", index + 1);
        let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
        // Files that look like a language version of this annex but name no known language.
        for other in &listing {
            let Some(middle) = other
                .strip_prefix(stem)
                .and_then(|r| r.strip_prefix('.'))
                .and_then(|r| r.strip_suffix(extension))
                .and_then(|r| r.strip_suffix('.'))
            else {
                continue;
            };
            if !middle.is_empty() && !middle.contains('.') && middle.parse::<Language>().is_err() {
                problems.push(
                    None,
                    field.clone(),
                    format!("{other}: '{middle}' is not one of the six languages (ar, zh, en, fr, ru, es)"),
                );
            }
        }
        for language in Language::ALL {
            let localised = format!("{stem}.{language}.{extension}");
            let source = if folder.join(&localised).is_file() {
                localised
            } else if folder.join(name).is_file() {
                name.clone()
            } else {
                problems.push(
                    None,
                    field.clone(),
                    format!(
                        "no file for {language}: looked for {localised} and {name} in {}",
                        folder.display()
                    ),
                );
                continue;
            };
            let path = folder.join(&source);
            let content = read
                .entry(path.clone())
                .or_insert_with(|| match std::fs::metadata(&path) {
                    Ok(m) if m.len() > max_bytes => {
                        problems.push(
                            None,
                            field.clone(),
                            format!(
                                "{source} is {} bytes, over the limit of {max_bytes} bytes (mail.max_annex_bytes)",
                                m.len()
                            ),
                        );
                        None
                    }
                    _ => match std::fs::read(&path) {
                        Ok(bytes) => Some(bytes),
                        Err(e) => {
                            problems.push(None, field.clone(), format!("cannot read {source}: {e}"));
                            None
                        }
                    },
                })
                .clone();
            if let Some(content) = content {
                annexes.push(Annex {
                    position: index as u32 + 1,
                    language,
                    file_name: name.clone(),
                    source,
                    content_type: mime_guess::from_path(name)
                        .first_or_octet_stream()
                        .to_string(),
                    content,
                });
            }
        }
    }
    problems.into_result(annexes)
}

/// The stored annexes of `circular` in all six languages, as [`read_annexes`] gives them for a
/// file: what a stored circular's preview attaches.
pub async fn stored_annexes(
    store: &Store,
    circular: &CircularId,
) -> Result<Vec<Annex>, StoreError> {
    let mut annexes = Vec::new();
    for language in Language::ALL {
        annexes.extend(store.annexes(circular, language).await?);
    }
    Ok(annexes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn circular(annexes: &[&str]) -> Circular {
        let text = include_str!("../../../samples/circulars/tsb-36.toml");
        let mut c = Circular::from_toml("tsb-36.toml", text).unwrap();
        c.annexes = annexes.iter().map(|a| a.to_string()).collect();
        c
    }

    #[test]
    fn a_language_version_wins_over_the_fallback() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("annex1.pdf"), b"%PDF-1.4 en").unwrap();
        std::fs::write(dir.path().join("annex1.fr.pdf"), b"%PDF-1.4 fr").unwrap();
        let annexes = read_annexes("c.toml", dir.path(), &circular(&["annex1.pdf"]), 1000).unwrap();
        assert_eq!(annexes.len(), 6);
        let fr = annexes.iter().find(|a| a.language == Language::Fr).unwrap();
        assert_eq!(
            (fr.source.as_str(), fr.content.as_slice()),
            ("annex1.fr.pdf", &b"%PDF-1.4 fr"[..])
        );
        let ar = annexes.iter().find(|a| a.language == Language::Ar).unwrap();
        assert_eq!(ar.source, "annex1.pdf");
        assert!(annexes
            .iter()
            .all(|a| a.content_type == "application/pdf" && a.file_name == "annex1.pdf"));
    }

    #[test]
    fn missing_too_big_and_unknown_language_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("annex1.pdf"), vec![b'x'; 2000]).unwrap();
        std::fs::write(dir.path().join("annex2.fr.docx"), b"x").unwrap();
        std::fs::write(dir.path().join("annex2.de.docx"), b"x").unwrap();
        let report = read_annexes(
            "c.toml",
            dir.path(),
            &circular(&["annex1.pdf", "annex2.docx"]),
            1000,
        )
        .unwrap_err()
        .to_string();
        assert!(
            report.contains(
                "c.toml: annexes[1]: annex1.pdf is 2000 bytes, over the limit of 1000 bytes"
            ),
            "{report}"
        );
        assert!(
            report.contains(
                "c.toml: annexes[2]: annex2.de.docx: 'de' is not one of the six languages"
            ),
            "{report}"
        );
        assert!(
            report.contains(
                "c.toml: annexes[2]: no file for ar: looked for annex2.ar.docx and annex2.docx"
            ),
            "{report}"
        );
        assert_eq!(
            report.matches("over the limit").count(),
            1,
            "one file, one message: {report}"
        );
    }
}
