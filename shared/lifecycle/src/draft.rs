//! A circular drafted from its file: read, checked against the directory, rendered once in
//! every language (so whatever the composer would refuse is refused now), its annexes read,
//! then stored as a draft.

use crate::LifecycleError;
use circulars_core::domain::{Circular, CircularId, Language};
use circulars_core::input::{FileProblems, Unreadable};
use circulars_render::render::render;
use circulars_render::templates::Templates;
use circulars_store::{DraftOutcome, Store};
use std::path::Path;
use tracing::info;

/// Reads a circular file and stores it as a draft (new, or replacing the unissued draft).
pub async fn draft_file(
    store: &Store,
    path: &Path,
    max_annex_bytes: u64,
) -> Result<(CircularId, DraftOutcome), LifecycleError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(Unreadable::of(&file))?;
    let known = store.directory_ids().await?;
    let circular = Circular::from_toml_with(&file, &text, &known)?;
    check_renders(&file, &circular)?;
    let folder = path.parent().unwrap_or(Path::new("."));
    let annexes = crate::annexes::read_annexes(&file, folder, &circular, max_annex_bytes)?;
    let outcome = store.save_draft(&circular, &file, &annexes).await?;
    info!(circular = %circular.id, ?outcome, "draft stored");
    Ok((circular.id, outcome))
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
