//! `multipart/form-data` bodies that carry files (RFC 7578): the console's draft form with its
//! annex files, and the API's annex upload. The body is read whole within a limit
//! (`[gateway] max_request_bytes`), then split into its text fields and its files.

use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::HeaderMap;
use std::convert::Infallible;

/// One file of a form, as sent.
#[derive(Clone, PartialEq, Eq)]
pub struct SentFile {
    /// The form field it was sent in (`annex-fr`).
    pub field: String,
    /// Its name, without any folder a browser may have sent (`annex1.pdf`).
    pub file_name: String,
    /// Its bytes.
    pub content: Vec<u8>,
}

impl std::fmt::Debug for SentFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentFile")
            .field("field", &self.field)
            .field("file_name", &self.file_name)
            .field("bytes", &self.content.len())
            .finish()
    }
}

/// A form's text fields (in the order sent) and its files (an empty file input, sent by
/// browsers as a part without a name and without content, is left out).
#[derive(Debug, Clone, Default)]
pub struct SentForm {
    /// The text fields, name and value.
    pub fields: Vec<(String, String)>,
    /// The files.
    pub files: Vec<SentFile>,
}

impl SentForm {
    /// The first value of text field `name`, or `""`.
    pub fn text(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of text field `name` (checkboxes), in the order sent.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// Why a body is not a form that can be read.
#[derive(Debug, thiserror::Error)]
pub enum FormBodyError {
    /// The body is over the limit.
    #[error("the request is over the limit of {limit} bytes (gateway.max_request_bytes)")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The body is not `multipart/form-data`.
    #[error("expected a multipart/form-data body")]
    NotMultipart,
    /// The body does not follow RFC 7578.
    #[error("the multipart/form-data body is malformed: {0}")]
    Malformed(#[source] multer::Error),
    /// A text field is not UTF-8.
    #[error("the form field {0} is not UTF-8 text")]
    NotText(String),
}

/// Reads `body` as `multipart/form-data` within `limit` bytes.
pub async fn read_form(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<SentForm, FormBodyError> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let is_multipart = content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("multipart/form-data"));
    if !is_multipart {
        return Err(FormBodyError::NotMultipart);
    }
    let announced = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|n| n > limit) {
        return Err(FormBodyError::TooLarge { limit });
    }
    // A body that cannot be read whole within the limit is refused as too large.
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| FormBodyError::TooLarge { limit })?;
    parse(content_type, bytes).await
}

/// Splits a `multipart/form-data` body into its text fields and its files.
pub async fn parse(content_type: &str, body: Bytes) -> Result<SentForm, FormBodyError> {
    let boundary = multer::parse_boundary(content_type).map_err(FormBodyError::Malformed)?;
    let mut multipart = multer::Multipart::new(
        futures::stream::once(async move { Ok::<_, Infallible>(body) }),
        boundary,
    );
    let mut form = SentForm::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(FormBodyError::Malformed)?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(base_name);
        let value = field.bytes().await.map_err(FormBodyError::Malformed)?;
        match file_name {
            Some(file_name) if file_name.is_empty() && value.is_empty() => {}
            Some(file_name) => form.files.push(SentFile {
                field: name,
                file_name,
                content: value.to_vec(),
            }),
            None => {
                let text = String::from_utf8(value.to_vec())
                    .map_err(|_| FormBodyError::NotText(name.clone()))?;
                form.fields.push((name, text));
            }
        }
    }
    Ok(form)
}

/// A file name without the folders some browsers send (`C:\fakepath\annex1.pdf`).
fn base_name(sent: &str) -> String {
    sent.rsplit(['/', '\\'])
        .next()
        .unwrap_or(sent)
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(parts: &[(&str, Option<&str>, &str)]) -> Bytes {
        let mut text = String::new();
        for (name, file, value) in parts {
            let file = file
                .map(|f| format!("; filename=\"{f}\""))
                .unwrap_or_default();
            text.push_str(&format!(
                "--b\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\n\r\n{value}\r\n"
            ));
        }
        text.push_str("--b--\r\n");
        Bytes::from(text)
    }

    #[tokio::test]
    async fn fields_and_files_are_told_apart_and_empty_file_inputs_dropped() {
        let sent = body(&[
            ("categories", None, "member-states"),
            ("categories", None, "academia"),
            ("annex-fr", Some("C:\\fakepath\\annexe.pdf"), "%PDF"),
            ("annex-all", Some(""), ""),
            ("subject-en", None, "<script>x</script>"),
        ]);
        let form = parse("multipart/form-data; boundary=b", sent)
            .await
            .unwrap();
        assert_eq!(form.all("categories"), ["member-states", "academia"]);
        assert_eq!(form.text("subject-en"), "<script>x</script>");
        assert_eq!(form.text("nothing"), "");
        assert_eq!(form.files.len(), 1, "{:?}", form.files);
        assert_eq!(
            (
                form.files[0].field.as_str(),
                form.files[0].file_name.as_str()
            ),
            ("annex-fr", "annexe.pdf")
        );
        assert_eq!(form.files[0].content, b"%PDF");
    }

    #[tokio::test]
    async fn a_body_that_is_not_multipart_or_too_large_is_refused() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, "text/plain".parse().unwrap());
        let refused = read_form(&headers, Body::from("x"), 10).await;
        assert!(matches!(refused, Err(FormBodyError::NotMultipart)));
        headers.insert(
            CONTENT_TYPE,
            "multipart/form-data; boundary=b".parse().unwrap(),
        );
        let refused = read_form(&headers, Body::from(vec![b'x'; 11]), 10).await;
        assert!(matches!(
            refused,
            Err(FormBodyError::TooLarge { limit: 10 })
        ));
    }
}
