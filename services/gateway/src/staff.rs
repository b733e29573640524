//! What secretariat staff do with a circular: draft it from a file and issue it. The CLI calls
//! these directly; the HTTP API will call the same functions.

use chrono::Utc;
use circulars_shared::domain::{Circular, CircularId};
use circulars_shared::events::CircularIssued;
use circulars_shared::input::FileProblems;
use circulars_shared::nats::{Bus, BusError};
use circulars_shared::store::{DraftOutcome, IssueMark, Store, StoreError};
use std::path::Path;
use tracing::info;

/// Why a staff action failed.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    /// The circular file could not be read.
    #[error("cannot read {file}: {why}")]
    Read {
        /// The file.
        file: String,
        /// The system's reason.
        why: String,
    },
    /// The circular file has problems; nothing was stored.
    #[error(transparent)]
    Invalid(#[from] FileProblems),
    /// The wording files compiled into this build are broken.
    #[error("the wording files are broken: {0}")]
    Wording(String),
    /// The database refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// NATS refused.
    #[error(transparent)]
    Bus(#[from] BusError),
}

/// Reads a circular file and stores it as a draft (new, or replacing the unissued draft).
pub async fn draft_file(
    store: &Store,
    path: &Path,
    max_annex_bytes: u64,
) -> Result<(CircularId, DraftOutcome), StaffError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| StaffError::Read {
        file: file.clone(),
        why: e.to_string(),
    })?;
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
fn check_renders(file: &str, circular: &Circular) -> Result<(), StaffError> {
    let templates = circulars_composer::templates::Templates::embedded()
        .map_err(|e| StaffError::Wording(e.to_string()))?;
    let mut problems = FileProblems::new(file);
    for language in circulars_shared::domain::Language::ALL {
        if let Err(e) = circulars_composer::render::render(&templates, circular, language) {
            let text = e.to_string();
            let (field, message) = text.split_once(": ").unwrap_or(("text", text.as_str()));
            problems.push(None, field, message);
        }
    }
    Ok(problems.into_result(())?)
}

/// What `issue` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issued {
    /// Issued now: the directory will freeze its audience.
    Now,
    /// Issued before; nothing new is sent.
    Already,
}

/// Issues a circular: marks it issued (once), then publishes `circular.issued` and waits for
/// JetStream's ack. When an earlier issue stopped between the two, issuing again finishes it.
pub async fn issue(store: &Store, bus: &Bus, id: &CircularId) -> Result<Issued, StaffError> {
    let now = Utc::now();
    let mark = store.mark_issued(id, now).await?;
    if mark == (IssueMark::AlreadyIssued { announced: true }) {
        return Ok(Issued::Already);
    }
    let issued_at = store.issued_at(id).await?.unwrap_or(now);
    bus.publish(&CircularIssued {
        circular: id.clone(),
        issued_at,
    })
    .await?;
    store.mark_announced(id, Utc::now()).await?;
    info!(circular = %id, "issued");
    Ok(match mark {
        IssueMark::NewlyIssued => Issued::Now,
        IssueMark::AlreadyIssued { .. } => Issued::Already,
    })
}
