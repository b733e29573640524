//! `circulars-lifecycle`: a circular's life as staff drive it, one function per step, called
//! alike by the CLI and the gateway's API and console.
//!
//! # Layout
//! - [`draft`]: a circular drafted from its file, checked in every language, with its annexes
//! - [`annexes`]: a circular's annex files read from beside it, per language, size-checked;
//!   a stored circular's annexes in every language
//! - [`uploads`]: annex files sent over HTTP (the console's form, the API), checked as files
//!   beside a circular file are and stored with the draft
//! - [`preview`]: the six versions exactly as recipients get them, and test copies of them
//!   sent through the relays
//! - [`rules`]: who may take which step from which state ([`Policy`], the steps' table)
//! - [`approval`]: submitted, approved by a second person, or sent back with a comment
//! - [`document`]: a circular as JSON in the shape of its file, read through the file's checks
//! - [`issue`]: a circular issued once (publishes `circular.issued`), approved first when
//!   approval is required
//! - [`dispatch`]: a circular in flight paused, resumed or cancelled
//!
//! Every step takes the [`Actor`](circulars_core::domain::Actor) taking it and records it,
//! with where it came from, in the circular's audit trail. A preview is no step: it changes
//! and records nothing, and who may see one is the caller's check.

pub mod annexes;
pub mod approval;
pub mod dispatch;
pub mod document;
pub mod draft;
pub mod issue;
pub mod preview;
pub mod rules;
pub mod uploads;

pub use approval::{approve, send_back, submit};
pub use dispatch::set_dispatch_state;
pub use draft::{draft_document, draft_document_with_uploads, draft_file, save_draft};
pub use issue::{issue, Issued};
pub use preview::{send_test_copies, versions, PreviewError, TestCopySent, Version};
pub use rules::Policy;
pub use uploads::{upload_annex, AnnexFiles, AnnexUpload, Uploaded};

use circulars_core::domain::{CircularId, CircularState, Role};
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
    /// Approval is required and no account was named (the CLI's operating-system user).
    #[error(
        "approval is required ([approval] required = true): name the account acting with --as NAME"
    )]
    AccountNeeded,
    /// The actor lacks the role the step needs.
    #[error("{actor} may not do this: it needs the {needs} role")]
    NotAllowed {
        /// Who tried.
        actor: String,
        /// The role needed.
        needs: Role,
    },
    /// An approver tried to approve what they drafted or last edited.
    #[error("{actor} drafted or last edited {id}: another approver must approve it")]
    OwnCircular {
        /// The circular.
        id: CircularId,
        /// Who tried.
        actor: String,
    },
    /// The step cannot start from the circular's state.
    #[error("{id} is {state}: it cannot be {step} now")]
    WrongState {
        /// The circular.
        id: CircularId,
        /// Its state.
        state: CircularState,
        /// The step (`submitted`, `approved`, `sent-back`, …).
        step: &'static str,
    },
    /// Approval is required and the circular is not approved.
    #[error("{id} needs approval before it is issued: it is {state} (submit it, then an approver approves it)")]
    NeedsApproval {
        /// The circular.
        id: CircularId,
        /// Its state.
        state: CircularState,
    },
    /// The circular changed after its taker read it (an edit racing an approval).
    #[error("{id} changed while you were reading it (revision {seen}, now {now}): read it again")]
    Changed {
        /// The circular.
        id: CircularId,
        /// The revision the taker read.
        seen: i64,
        /// The revision now.
        now: i64,
    },
    /// Sending back needs a comment for the drafter.
    #[error("sending back needs a comment saying what to change")]
    CommentNeeded,
}

impl LifecycleError {
    /// A stable code for the API's JSON errors and the pages (`not_allowed`, `wrong_state`, …).
    pub fn code(&self) -> &'static str {
        match self {
            LifecycleError::Read(_) => "unreadable",
            LifecycleError::Invalid(_) => "invalid",
            LifecycleError::Wording(_) | LifecycleError::Bus(_) => "internal",
            LifecycleError::Store(StoreError::UnknownCircular(_)) => "unknown_circular",
            LifecycleError::Store(StoreError::AlreadyIssued(_)) => "already_issued",
            LifecycleError::Store(_) => "internal",
            LifecycleError::NotIssued(_) => "not_issued",
            LifecycleError::AccountNeeded => "account_needed",
            LifecycleError::NotAllowed { .. } => "not_allowed",
            LifecycleError::OwnCircular { .. } => "own_circular",
            LifecycleError::WrongState { .. } => "wrong_state",
            LifecycleError::NeedsApproval { .. } => "needs_approval",
            LifecycleError::Changed { .. } => "changed",
            LifecycleError::CommentNeeded => "comment_needed",
        }
    }
}
