//! The API's errors: one JSON shape, `{code, message, field}`, with stable codes, and the
//! HTTP status each code answers with.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use circulars_core::input::FileProblems;
use circulars_lifecycle::LifecycleError;
use circulars_store::StoreError;
use serde::Serialize;
use tracing::error;
use utoipa::ToSchema;

/// What every refused API call answers with.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable code (`unauthenticated`, `forbidden`, `invalid`, `wrong_state`, …).
    pub code: &'static str,
    /// What went wrong, in words for the person calling (the CLI's words for the same error).
    pub message: String,
    /// The field at fault (`text.fr.subject`, `revision`), when there is one.
    pub field: Option<String>,
    /// Every problem found, when the body was checked as a whole (a circular, records).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<FieldProblem>,
}

/// One problem with one field of a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field (`text.fr.subject`, `records[2].address`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// A refused API call: a status and its JSON body.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The body.
    pub body: ErrorBody,
}

impl ApiError {
    /// An error with `code` and `message`, no field.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                code,
                message: message.into(),
                field: None,
                problems: Vec::new(),
            },
        }
    }

    /// The same error, naming the field at fault.
    pub fn at(mut self, field: impl Into<String>) -> ApiError {
        self.body.field = Some(field.into());
        self
    }

    /// `401 unauthenticated`: no session and no valid token.
    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in, or send an API token: Authorization: Bearer <token>",
        )
    }

    /// `404 not_found`.
    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", what)
    }

    /// `500 internal`, logged with its cause; the caller learns nothing of the inside.
    pub fn internal(cause: &dyn std::fmt::Display) -> ApiError {
        error!(%cause, "staff API call failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed; nothing was changed (see the gateway's log)",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

impl From<FileProblems> for ApiError {
    fn from(report: FileProblems) -> ApiError {
        let problems: Vec<FieldProblem> = report
            .problems
            .iter()
            .map(|p| FieldProblem {
                field: p.field.clone(),
                message: p.message.clone(),
            })
            .collect();
        let first = problems.first().cloned();
        let message = match &first {
            Some(p) if problems.len() == 1 => format!("{}: {}", p.field, p.message),
            Some(p) => format!(
                "{}: {} (and {} more)",
                p.field,
                p.message,
                problems.len() - 1
            ),
            None => "the request was refused".to_owned(),
        };
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: ErrorBody {
                code: "invalid",
                message,
                field: first.map(|p| p.field),
                problems,
            },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::UnknownCircular(id) => ApiError::not_found(format!("no circular {id}")),
            StoreError::AlreadyIssued(_) => {
                ApiError::new(StatusCode::CONFLICT, "already_issued", e.to_string())
            }
            other => ApiError::internal(&other),
        }
    }
}

impl From<LifecycleError> for ApiError {
    fn from(e: LifecycleError) -> ApiError {
        let code = e.code();
        let status = match code {
            "not_allowed" | "own_circular" | "account_needed" => StatusCode::FORBIDDEN,
            "wrong_state" | "needs_approval" | "changed" | "already_issued" | "not_issued" => {
                StatusCode::CONFLICT
            }
            "comment_needed" => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        match e {
            LifecycleError::Invalid(report) => report.into(),
            LifecycleError::Store(store) => store.into(),
            LifecycleError::CommentNeeded => {
                ApiError::new(status, code, e.to_string()).at("comment")
            }
            LifecycleError::Changed { .. } => {
                ApiError::new(status, code, e.to_string()).at("revision")
            }
            other if status == StatusCode::INTERNAL_SERVER_ERROR => ApiError::internal(&other),
            other => ApiError::new(status, code, other.to_string()),
        }
    }
}
