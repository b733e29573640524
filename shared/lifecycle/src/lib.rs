//! `circulars-lifecycle`: a circular's life as staff drive it, one function per step, called
//! alike by the CLI and the gateway's API and console.
//!
//! # Layout
//! - [`draft`]: a circular drafted from its file, checked in every language, with its annexes
//! - [`annexes`]: a circular's annex files read from beside it, per language, size-checked
//! - [`issue`]: a circular issued once (publishes `circular.issued`)
//! - [`dispatch`]: a circular in flight paused, resumed or cancelled

pub mod annexes;
pub mod dispatch;
pub mod draft;
pub mod issue;

pub use dispatch::set_dispatch_state;
pub use draft::draft_file;
pub use issue::{issue, Issued};

use circulars_core::domain::CircularId;
use circulars_core::input::{FileProblems, Unreadable};
use circulars_core::nats::BusError;
use circulars_render::templates::TemplateError;
use circulars_store::StoreError;

/// Why a step of a circular's life failed.
#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    /// The circular file could not be read.
    #[error(transparent)]
    Read(#[from] Unreadable),
    /// The circular file has problems; nothing was stored.
    #[error(transparent)]
    Invalid(#[from] FileProblems),
    /// The wording files compiled into this build are broken.
    #[error("the wording files are broken: {0}")]
    Wording(#[from] TemplateError),
    /// The database refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// NATS refused.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// The circular is a draft: nothing is being sent yet.
    #[error("{0} is a draft: nothing is being sent yet")]
    NotIssued(CircularId),
}
