//! A circular drafted from its file: read, checked against the directory, rendered once in
//! every language (so whatever the composer would refuse is refused now), its annexes read,
//! then stored as a draft.

use crate::rules::Policy;
use crate::uploads::Uploaded;
use crate::LifecycleError;
use circulars_core::domain::{Actor, Circular, CircularId, Language, Role};
use circulars_core::input::{FileProblems, Unreadable};
use circulars_render::render::render;
use circulars_render::templates::Templates;
use circulars_store::{Annex, DraftOutcome, Store};
use std::path::Path;
use tracing::info;

/// Reads a circular file and stores it as a draft (new, or replacing the unissued draft), by
/// `actor` (a drafter).
pub async fn draft_file(
    store: &Store,
    policy: Policy,
    actor: &Actor,
    path: &Path,
    max_annex_bytes: u64,
) -> Result<(CircularId, DraftOutcome), LifecycleError> {
    policy.allow(actor, Role::Drafter)?;
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(Unreadable::of(&file))?;
    let known = store.directory_ids().await?;
    let circular = Circular::from_toml_with(&file, &text, &known)?;
    let folder = path.parent().unwrap_or(Path::new("."));
    let annexes = crate::annexes::read_annexes(&file, folder, &circular, max_annex_bytes)?;
    let outcome = save_draft(store, policy, actor, &circular, &file, &annexes).await?;
    Ok((circular.id, outcome))
}

/// Stores a checked circular as a draft with its annexes, by `actor` (a drafter): rendered
/// once in every language first, so that whatever the composer would refuse is refused now.
/// An edit of a submitted or approved circular returns it to draft and clears its approval.
/// `source` names where it came from (the file, `page`, `api`), for the audit trail.
pub async fn save_draft(
    store: &Store,
    policy: Policy,
    actor: &Actor,
    circular: &Circular,
    source: &str,
    annexes: &[Annex],
) -> Result<DraftOutcome, LifecycleError> {
    policy.allow(actor, Role::Drafter)?;
    check_renders(source, circular)?;
    let outcome = store
        .save_draft(circular, source, annexes, &actor.name(), actor.via)
        .await?;
    info!(circular = %circular.id, ?outcome, by = %actor.name(), via = %actor.via, "draft stored");
    Ok(outcome)
}

/// Renders every language version once, so a body or wording the composer would refuse is
/// refused now, naming the language and the body's line, before anything is stored.
fn check_renders(file: &str, circular: &Circular) -> Result<(), LifecycleError> {
    let templates = Templates::embedded()?;
    let mut problems = FileProblems::new(file);
    for language in Language::ALL {
        if let Err(e) = render(&templates, circular, language) {
            let (field, problem) = e.field_and_problem();
            problems.push(None, field, problem);
        }
    }
    Ok(problems.into_result(())?)
}

/// Stores a circular sent as a document in the shape of its file (the API, the console) as a
/// draft, by `actor` (a drafter): checked as a file is, then as [`save_draft`] does. When
/// `expected` is given the document must be that circular. The annex files already stored
/// under names the document still lists are kept.
pub async fn draft_document(
    store: &Store,
    policy: Policy,
    actor: &Actor,
    document: &serde_json::Value,
    expected: Option<&CircularId>,
) -> Result<(Circular, DraftOutcome), LifecycleError> {
    draft_document_with_uploads(store, policy, actor, document, expected, Uploaded::none()).await
}

/// [`draft_document`] with annex files sent alongside (the console's draft form): the stored
/// files the document still lists are kept unless `uploaded` replaces them, every file checked
/// as [`crate::uploads::save_with_uploads`] does, and all stored together with the draft.
pub async fn draft_document_with_uploads(
    store: &Store,
    policy: Policy,
    actor: &Actor,
    document: &serde_json::Value,
    expected: Option<&CircularId>,
    uploaded: Uploaded<'_>,
) -> Result<(Circular, DraftOutcome), LifecycleError> {
    policy.allow(actor, Role::Drafter)?;
    let source = actor.via.as_str();
    let known = store.directory_ids().await?;
    let circular = match crate::document::circular_from_json(source, document, &known) {
        Ok(circular) => circular,
        Err(mut report) => {
            let uploads = crate::uploads::upload_problems(source, document, uploaded);
            report.problems.extend(uploads);
            return Err(report.into());
        }
    };
    if let Some(expected) = expected.filter(|e| **e != circular.id) {
        let mut problems = FileProblems::new(source);
        problems.push(
            None,
            "number",
            format!(
                "the document is {}, not {expected}: series and number name the circular",
                circular.id
            ),
        );
        return Err(problems.into());
    }
    let outcome =
        crate::uploads::save_with_uploads(store, policy, actor, &circular, source, uploaded)
            .await?;
    Ok((circular, outcome))
}
