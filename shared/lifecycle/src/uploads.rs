//! Annex files sent over HTTP rather than read from beside a circular file: the console's draft
//! form sends them with the circular, the API one file at a time. Each is checked as a file
//! beside a circular file is ([`crate::annexes::read_annexes`]): an annex the circular lists, a
//! known language, within `[mail] max_annex_bytes`; a plain file serves every language without
//! its own, and every annex that has a file must then have one for all six languages. They are
//! stored with the draft, in the draft's transaction, replacing the stored file of the same
//! annex and language; the other stored files the circular still lists are kept.

use crate::rules::Policy;
use crate::LifecycleError;
use circulars_core::domain::{Actor, Annex, Circular, CircularId, Language, Role};
use circulars_core::input::FileProblems;
use circulars_store::{DraftOutcome, Store};
use std::collections::BTreeMap;

/// One annex file as sent.
#[derive(Clone, PartialEq, Eq)]
pub struct AnnexUpload {
    /// The annex it is a file of, as the circular lists it (`annex1.pdf`).
    pub file_name: String,
    /// The language it is for, as sent (`fr`); `None` for the plain file, which serves every
    /// language that has no file of its own.
    pub language: Option<String>,
    /// The file's bytes.
    pub content: Vec<u8>,
}

impl std::fmt::Debug for AnnexUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnnexUpload")
            .field("file_name", &self.file_name)
            .field("language", &self.language)
            .field("bytes", &self.content.len())
            .finish()
    }
}

/// The annex files sent with a circular (or alone), and how they are checked.
#[derive(Debug, Clone, Copy)]
pub struct Uploaded<'a> {
    /// The files, in the order sent.
    pub files: &'a [AnnexUpload],
    /// Whether every annex listed must have its files now.
    pub required: AnnexFiles,
    /// `[mail] max_annex_bytes`: the largest file accepted.
    pub max_bytes: u64,
}

impl Uploaded<'_> {
    /// No file sent: the stored files the circular still lists are kept, and an annex without
    /// any may wait for its upload.
    pub fn none() -> Uploaded<'static> {
        Uploaded {
            files: &[],
            required: AnnexFiles::AsUploaded,
            max_bytes: u64::MAX,
        }
    }
}

/// Whether every annex a circular lists must have its files when it is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnexFiles {
    /// Every annex listed has a file in every language once saved: a form that sends the
    /// circular with its files (the console), as a circular file has its files beside it.
    AllNow,
    /// An annex listed without any file yet may wait for its upload (the API, whose callers
    /// send the circular first and its files next); one with a file must cover all six.
    AsUploaded,
}

/// The field of the annex at 1-based `position` in problems (`annexes[1]`), as
/// [`crate::annexes::read_annexes`] names it; with the language of a language's own file
/// (`annexes[1].fr`).
pub fn annex_field(position: usize, language: Option<Language>) -> String {
    match language {
        Some(language) => format!("annexes[{position}].{language}"),
        None => format!("annexes[{position}]"),
    }
}

/// The name a language's own file of annex `file_name` is known by (`annex1.fr.pdf`), as
/// beside a circular file.
pub fn localised_name(file_name: &str, language: Language) -> String {
    match file_name.rsplit_once('.') {
        Some((stem, extension)) => format!("{stem}.{language}.{extension}"),
        None => format!("{file_name}.{language}"),
    }
}

/// Stores `circular` as a draft by `actor` (a drafter) with its annex files: those stored for
/// it under names it still lists, each replaced by the upload of the same annex and language;
/// every upload and the result checked (see the module). `source` names where it came from in
/// problems and the audit trail (`page`, `api`). Nothing is stored unless all is well; an edit
/// of a submitted or approved circular returns it to draft.
pub async fn save_with_uploads(
    store: &Store,
    policy: Policy,
    actor: &Actor,
    circular: &Circular,
    source: &str,
    uploaded: Uploaded<'_>,
) -> Result<DraftOutcome, LifecycleError> {
    policy.allow(actor, Role::Drafter)?;
    let stored = crate::annexes::stored_annexes(store, &circular.id).await?;
    let annexes = merge(source, circular, &stored, uploaded)?;
    crate::draft::save_draft(store, policy, actor, circular, source, &annexes).await
}

/// Stores one uploaded annex file of the stored circular `id` (the API's upload), by `actor` (a
/// drafter), as [`save_with_uploads`] does: the circular returns to draft.
pub async fn upload_annex(
    store: &Store,
    policy: Policy,
    actor: &Actor,
    id: &CircularId,
    upload: AnnexUpload,
    max_bytes: u64,
) -> Result<DraftOutcome, LifecycleError> {
    policy.allow(actor, Role::Drafter)?;
    let stored = store.existing_circular(id).await?;
    let files = [upload];
    let uploaded = Uploaded {
        files: &files,
        required: AnnexFiles::AsUploaded,
        max_bytes,
    };
    let source = actor.via.as_str();
    save_with_uploads(store, policy, actor, &stored.circular, source, uploaded).await
}

/// The files of one annex: its plain file and each language's own, with the name each is known
/// by (`annex1.pdf`, `annex1.fr.pdf`).
#[derive(Default)]
struct AnnexFilesOf {
    plain: Option<(String, Vec<u8>)>,
    own: BTreeMap<Language, (String, Vec<u8>)>,
}

/// The annexes of `circular` in every language: `stored` ones it still lists, replaced by
/// the files `uploaded`; every problem reported against `source`.
pub fn merge(
    source: &str,
    circular: &Circular,
    stored: &[Annex],
    uploaded: Uploaded<'_>,
) -> Result<Vec<Annex>, FileProblems> {
    let mut problems = FileProblems::new(source);
    let mut by_annex: Vec<AnnexFilesOf> = circular
        .annexes
        .iter()
        .map(|_| AnnexFilesOf::default())
        .collect();
    for annex in stored {
        let Some(index) = circular.annexes.iter().position(|n| *n == annex.file_name) else {
            continue;
        };
        let file = (annex.source.clone(), annex.content.clone());
        if annex.source == annex.file_name {
            by_annex[index].plain = Some(file);
        } else {
            by_annex[index].own.insert(annex.language, file);
        }
    }
    for upload in uploaded.files {
        match check_upload(&circular.id, &circular.annexes, upload, uploaded.max_bytes) {
            Ok((index, language, name)) => {
                let file = (name, upload.content.clone());
                match language {
                    Some(language) => {
                        by_annex[index].own.insert(language, file);
                    }
                    None => by_annex[index].plain = Some(file),
                }
            }
            Err((field, message)) => problems.push(None, field, message),
        }
    }
    let mut annexes = Vec::new();
    for (index, (file_name, files_of)) in circular.annexes.iter().zip(&by_annex).enumerate() {
        let none_yet = files_of.plain.is_none() && files_of.own.is_empty();
        if none_yet && uploaded.required == AnnexFiles::AsUploaded {
            continue;
        }
        let content_type = mime_guess::from_path(file_name)
            .first_or_octet_stream()
            .to_string();
        let mut missing = Vec::new();
        for language in Language::ALL {
            let Some((source, content)) = files_of.own.get(&language).or(files_of.plain.as_ref())
            else {
                missing.push(language);
                continue;
            };
            annexes.push(Annex {
                position: index as u32 + 1,
                language,
                file_name: file_name.clone(),
                source: source.clone(),
                content_type: content_type.clone(),
                content: content.clone(),
            });
        }
        if let Some(message) = missing_files(file_name, &missing) {
            problems.push(None, annex_field(index + 1, None), message);
        }
    }
    problems.into_result(annexes)
}

/// Checks one upload against the annexes a circular lists: an annex listed, a known language,
/// within `max_bytes`. Gives the annex's index, the language (`None`: the plain file) and the
/// name the file is known by (`annex1.fr.pdf`); or the field at fault and what is wrong.
fn check_upload(
    id: &impl std::fmt::Display,
    annexes: &[String],
    upload: &AnnexUpload,
    max_bytes: u64,
) -> Result<(usize, Option<Language>, String), (String, String)> {
    let Some(index) = annexes.iter().position(|n| *n == upload.file_name) else {
        let listed = if annexes.is_empty() {
            "none".to_owned()
        } else {
            annexes.join(", ")
        };
        return Err((
            "annexes".to_owned(),
            format!(
                "'{}' is not an annex of {id} (its annexes: {listed})",
                upload.file_name
            ),
        ));
    };
    let language = match upload.language.as_deref().map(str::parse::<Language>) {
        None => None,
        Some(Ok(language)) => Some(language),
        Some(Err(e)) => return Err(("language".to_owned(), e.to_string())),
    };
    let name = match language {
        Some(language) => localised_name(&upload.file_name, language),
        None => upload.file_name.clone(),
    };
    let size = upload.content.len() as u64;
    if size > max_bytes {
        return Err((
            annex_field(index + 1, language),
            format!(
                "{name} is {size} bytes, over the limit of {max_bytes} bytes (mail.max_annex_bytes)"
            ),
        ));
    }
    Ok((index, language, name))
}

/// The problems of `uploaded` sent with a `document` that is itself refused, so that one answer
/// names every problem: each file checked against the annexes the document lists, as far as
/// they can be read from it. `source` names the request.
pub fn upload_problems(
    source: &str,
    document: &serde_json::Value,
    uploaded: Uploaded<'_>,
) -> Vec<circulars_core::input::Problem> {
    let annexes: Vec<String> = document["annexes"]
        .as_array()
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let id = format!(
        "{}-{}",
        document["series"].as_str().unwrap_or_default(),
        document["number"]
    );
    let mut problems = FileProblems::new(source);
    for upload in uploaded.files {
        if let Err((field, message)) = check_upload(&id, &annexes, upload, uploaded.max_bytes) {
            problems.push(None, field, message);
        }
    }
    problems.problems
}

/// What is wrong with annex `file_name` lacking a file for the `missing` languages (in one
/// line, so that a form shows one message beside the annex), or `None` when none is missing.
fn missing_files(file_name: &str, missing: &[Language]) -> Option<String> {
    match missing {
        [] => None,
        all if all.len() == Language::ALL.len() => Some(format!(
            "no file: upload {file_name} (for every language) or one file per language"
        )),
        some => {
            let languages: Vec<&str> = some.iter().map(|l| l.code()).collect();
            let own: Vec<String> = some.iter().map(|l| localised_name(file_name, *l)).collect();
            Some(format!(
                "no file for {}: upload {file_name} or {}",
                languages.join(", "),
                own.join(", ")
            ))
        }
    }
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

    fn upload(file_name: &str, language: Option<&str>, content: &[u8]) -> AnnexUpload {
        AnnexUpload {
            file_name: file_name.into(),
            language: language.map(str::to_owned),
            content: content.to_vec(),
        }
    }

    fn sent(files: &[AnnexUpload], required: AnnexFiles) -> Uploaded<'_> {
        Uploaded {
            files,
            required,
            max_bytes: 10,
        }
    }

    fn sources(annexes: &[Annex]) -> Vec<(Language, &str)> {
        annexes
            .iter()
            .map(|a| (a.language, a.source.as_str()))
            .collect()
    }

    #[test]
    fn a_plain_upload_serves_every_language_and_a_language_s_own_wins() {
        let c = circular(&["annex1.pdf"]);
        let uploads = [
            upload("annex1.pdf", Some("fr"), b"fr"),
            upload("annex1.pdf", None, b"all"),
        ];
        let annexes = merge("page", &c, &[], sent(&uploads, AnnexFiles::AllNow)).unwrap();
        assert_eq!(annexes.len(), 6);
        let fr = annexes.iter().find(|a| a.language == Language::Fr).unwrap();
        assert_eq!(
            (fr.source.as_str(), fr.content.as_slice()),
            ("annex1.fr.pdf", &b"fr"[..])
        );
        assert!(annexes
            .iter()
            .filter(|a| a.language != Language::Fr)
            .all(|a| a.source == "annex1.pdf" && a.content == b"all"));
        assert!(annexes
            .iter()
            .all(|a| a.content_type == "application/pdf" && a.position == 1));
    }

    #[test]
    fn uploads_replace_the_stored_file_of_their_language_and_keep_the_others() {
        let c = circular(&["annex1.pdf"]);
        let stored = merge(
            "page",
            &c,
            &[],
            sent(
                &[
                    upload("annex1.pdf", None, b"old"),
                    upload("annex1.pdf", Some("ar"), b"ar"),
                ],
                AnnexFiles::AllNow,
            ),
        )
        .unwrap();
        let uploads = [upload("annex1.pdf", None, b"new")];
        let annexes = merge("api", &c, &stored, sent(&uploads, AnnexFiles::AsUploaded)).unwrap();
        let ar = annexes.iter().find(|a| a.language == Language::Ar).unwrap();
        assert_eq!(ar.content, b"ar", "a language's own file stays");
        assert!(annexes
            .iter()
            .filter(|a| a.language != Language::Ar)
            .all(|a| a.content == b"new"));
        // An annex renamed in the circular leaves its old files behind.
        let renamed = circular(&["annexe1.pdf"]);
        let annexes = merge("api", &renamed, &stored, sent(&[], AnnexFiles::AsUploaded)).unwrap();
        assert!(annexes.is_empty(), "{:?}", sources(&annexes));
    }

    #[test]
    fn every_problem_names_its_annex_and_language_in_the_file_loader_s_words() {
        let c = circular(&["annex1.pdf", "annex2.docx"]);
        let uploads = [
            upload("annex1.pdf", Some("fr"), &[b'x'; 11]),
            upload("annex2.docx", Some("de"), b"x"),
            upload("annex3.pdf", None, b"x"),
            upload("annex2.docx", Some("es"), b"x"),
        ];
        let report = merge("page", &c, &[], sent(&uploads, AnnexFiles::AllNow)).unwrap_err();
        let lines: Vec<(String, String)> = report
            .problems
            .iter()
            .map(|p| (p.field.clone(), p.message.clone()))
            .collect();
        assert!(lines.contains(&(
            "annexes[1].fr".into(),
            "annex1.fr.pdf is 11 bytes, over the limit of 10 bytes (mail.max_annex_bytes)".into()
        )));
        assert!(lines.contains(&(
            "language".into(),
            "'de' is not one of the six languages (ar, zh, en, fr, ru, es)".into()
        )));
        assert!(lines.contains(&(
            "annexes".into(),
            "'annex3.pdf' is not an annex of TSB-36 (its annexes: annex1.pdf, annex2.docx)".into()
        )));
        assert!(lines.contains(&(
            "annexes[2]".into(),
            "no file for ar, zh, en, fr, ru: upload annex2.docx or annex2.ar.docx, \
             annex2.zh.docx, annex2.en.docx, annex2.fr.docx, annex2.ru.docx"
                .into()
        )));
        assert!(lines.contains(&(
            "annexes[1]".into(),
            "no file: upload annex1.pdf (for every language) or one file per language".into()
        )));
        assert_eq!(lines.len(), 5, "one line per annex: {lines:?}");
    }

    #[test]
    fn through_the_api_an_annex_without_any_file_yet_may_wait() {
        let c = circular(&["annex1.pdf", "annex2.pdf"]);
        let uploads = [upload("annex1.pdf", None, b"x")];
        let annexes = merge("api", &c, &[], sent(&uploads, AnnexFiles::AsUploaded)).unwrap();
        assert_eq!(annexes.len(), 6, "annex 2 waits for its file");
        let report = merge("page", &c, &[], sent(&uploads, AnnexFiles::AllNow)).unwrap_err();
        assert!(report.problems.iter().all(|p| p.field == "annexes[2]"));
        // One language's own file alone leaves five languages without one.
        let only_fr = [upload("annex1.pdf", Some("fr"), b"x")];
        let report = merge("api", &c, &[], sent(&only_fr, AnnexFiles::AsUploaded)).unwrap_err();
        assert_eq!(
            report.problems[0].message,
            "no file for ar, zh, en, ru, es: upload annex1.pdf or annex1.ar.pdf, annex1.zh.pdf, \
             annex1.en.pdf, annex1.ru.pdf, annex1.es.pdf",
            "{report}"
        );
    }

    #[test]
    fn with_a_refused_document_the_uploads_are_still_checked() {
        let document = serde_json::json!({"series": "TSB", "number": 36, "annexes": ["a.pdf"]});
        let uploads = [
            upload("a.pdf", Some("fr"), &[b'x'; 11]),
            upload("a.pdf", None, b"fits"),
            upload("b.pdf", None, b"x"),
        ];
        let problems = upload_problems("page", &document, sent(&uploads, AnnexFiles::AllNow));
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["annexes[1].fr", "annexes"]);
        assert!(
            problems[1].message.contains("not an annex of TSB-36"),
            "{problems:?}"
        );
    }
}
