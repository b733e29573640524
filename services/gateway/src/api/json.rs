//! The API's JSON request bodies (`application/json` only, every field known) and query
//! strings, with a refusal that names the field at fault in the API's error shape rather than
//! axum's plain text.

use super::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

/// A JSON body read into `T` (whose fields are `deny_unknown_fields`).
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if !json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "the body must be JSON: Content-Type: application/json",
            )
            .at("Content-Type"));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    "the body is over the limit of [gateway] max_request_bytes",
                )
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "bad_body", e.body_text())
            }
        })?;
        parse(&bytes).map(ApiJson)
    }
}

/// Reads `bytes` as `T`, naming the field at fault (`text.fr.subject`) when it is not.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut reader).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let code = if inner.is_syntax() || inner.is_eof() {
            "bad_json"
        } else {
            "invalid"
        };
        let status = if code == "bad_json" {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let error = ApiError::new(status, code, inner.to_string());
        if path == "." {
            error.at("body")
        } else {
            error.at(path)
        }
    })
}

/// A query string read into `T` (whose fields are `deny_unknown_fields`): `?limit=ten` is
/// refused as `422 invalid` naming `limit`, in the API's error shape.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parse_query(parts.uri.query().unwrap_or_default()).map(ApiQuery)
    }
}

/// Reads the query string `query` as `T`, naming the parameter at fault when it is not.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let pairs = form_urlencoded::parse(query.as_bytes());
    let reader = serde_urlencoded::Deserializer::new(pairs);
    serde_path_to_error::deserialize(reader).map_err(|e| {
        let path = e.path().to_string();
        let error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            e.into_inner().to_string(),
        );
        if path == "." {
            error.at("query")
        } else {
            error.at(path)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Page {
        q: Option<String>,
        limit: Option<u32>,
    }

    #[test]
    fn a_query_string_is_read_or_refused_naming_its_parameter() {
        let page: Page = parse_query("q=amina%40example.org&limit=5").unwrap();
        assert_eq!(
            page,
            Page {
                q: Some("amina@example.org".into()),
                limit: Some(5)
            }
        );
        assert_eq!(
            parse_query::<Page>("").unwrap(),
            Page {
                q: None,
                limit: None
            }
        );
        let refused = parse_query::<Page>("limit=ten").unwrap_err();
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.body.field.as_deref(), Some("limit"));
        let unknown = parse_query::<Page>("colour=blue").unwrap_err();
        assert_eq!(unknown.body.code, "invalid");
        assert!(unknown.body.message.contains("colour"), "{unknown:?}");
    }
}
