//! A file uploaded from a console form: the `multipart/form-data` body read whole within a
//! limit (`[gateway] max_request_bytes`), then split into its text fields and its one file.

use axum::body::{Body, Bytes};
use std::convert::Infallible;

/// A form sent as `multipart/form-data`: its text fields and the file of the field named
/// when it was read.
#[derive(Debug, Default)]
pub struct Upload {
    /// The text fields, in order.
    pub fields: Vec<(String, String)>,
    /// The file: its name as the browser gave it (without any folder) and its bytes; `None`
    /// when no file was chosen.
    pub file: Option<(String, Bytes)>,
}

impl Upload {
    /// The first value of the text field `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why an upload could not be read.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The body is larger than the limit.
    #[error("the request is larger than {limit} bytes")]
    TooLarge {
        /// The limit, `[gateway] max_request_bytes`.
        limit: usize,
    },
    /// The body could not be received.
    #[error("the request could not be read: {0}")]
    Body(#[source] axum::Error),
    /// Not `multipart/form-data` with a boundary.
    #[error("the form was not sent as multipart/form-data: {0}")]
    NotMultipart(#[source] multer::Error),
    /// The multipart body does not follow RFC 7578.
    #[error("the form cannot be read: {0}")]
    Malformed(#[source] multer::Error),
    /// A text field that is not UTF-8.
    #[error("the form field {0} is not UTF-8 text")]
    NotText(String),
}

/// Reads `body` (of `content_type`) up to `limit` bytes; the file is the part named
/// `file_field`, every other named part a text field.
pub async fn read_upload(
    content_type: Option<&str>,
    body: Body,
    limit: usize,
    file_field: &str,
) -> Result<Upload, UploadError> {
    let boundary = multer::parse_boundary(content_type.unwrap_or_default())
        .map_err(UploadError::NotMultipart)?;
    let bytes = read_within(body, limit).await?;
    let mut multipart = multer::Multipart::new(
        futures::stream::once(async move { Ok::<_, Infallible>(bytes) }),
        boundary,
    );
    let mut upload = Upload::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(UploadError::Malformed)?
    {
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        if name == file_field {
            let file_name = field.file_name().map(base_name).unwrap_or_default();
            let content = field.bytes().await.map_err(UploadError::Malformed)?;
            if !file_name.is_empty() || !content.is_empty() {
                upload.file = Some((file_name, content));
            }
        } else {
            let value = field.bytes().await.map_err(UploadError::Malformed)?;
            let value = String::from_utf8(value.to_vec())
                .map_err(|_| UploadError::NotText(name.clone()))?;
            upload.fields.push((name, value));
        }
    }
    Ok(upload)
}

/// The whole of `body`, or [`UploadError::TooLarge`] as soon as it passes `limit` bytes.
async fn read_within(body: Body, limit: usize) -> Result<Bytes, UploadError> {
    use futures::StreamExt as _;
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(UploadError::Body)?;
        if bytes.len() + chunk.len() > limit {
            return Err(UploadError::TooLarge { limit });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(bytes))
}

/// A file name without the folders some browsers send (`C:\Users\ana\d.csv` → `d.csv`),
/// without control characters, at most 200 characters.
pub fn base_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    base.chars().filter(|c| !c.is_control()).take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(parts: &[(&str, Option<&str>, &str)]) -> Body {
        let mut text = String::new();
        for (name, file, value) in parts {
            let file = file
                .map(|f| format!("; filename=\"{f}\""))
                .unwrap_or_default();
            text.push_str(&format!(
                "--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\n\r\n{value}\r\n"
            ));
        }
        text.push_str("--XyZ--\r\n");
        Body::from(text)
    }

    const TYPE: Option<&str> = Some("multipart/form-data; boundary=XyZ");

    #[tokio::test]
    async fn an_upload_gives_its_fields_and_its_file() {
        let sent = body(&[
            ("csrf", None, "t0k"),
            ("dry_run", None, "on"),
            ("file", Some("C:\\Users\\ana\\d.csv"), "a,b\nc,d"),
        ]);
        let upload = read_upload(TYPE, sent, 10_000, "file").await.unwrap();
        assert_eq!(upload.get("csrf"), Some("t0k"));
        assert_eq!(upload.get("dry_run"), Some("on"));
        let (name, bytes) = upload.file.unwrap();
        assert_eq!((name.as_str(), &bytes[..]), ("d.csv", &b"a,b\nc,d"[..]));
    }

    #[tokio::test]
    async fn no_file_chosen_is_no_file() {
        let sent = body(&[("csrf", None, "t"), ("file", Some(""), "")]);
        let upload = read_upload(TYPE, sent, 10_000, "file").await.unwrap();
        assert!(upload.file.is_none());
    }

    #[tokio::test]
    async fn a_body_over_the_limit_or_not_multipart_is_refused_saying_so() {
        let sent = body(&[("file", Some("d.csv"), &"x".repeat(2_000))]);
        let refused = read_upload(TYPE, sent, 1_000, "file").await.unwrap_err();
        assert_eq!(refused.to_string(), "the request is larger than 1000 bytes");
        let refused = read_upload(
            Some("application/x-www-form-urlencoded"),
            Body::from("a=b"),
            1_000,
            "file",
        )
        .await
        .unwrap_err();
        assert!(matches!(refused, UploadError::NotMultipart(_)), "{refused}");
    }

    #[test]
    fn a_file_name_loses_its_folders_and_controls() {
        assert_eq!(base_name("/home/ana/dir.csv"), "dir.csv");
        assert_eq!(base_name("a\u{7}b.csv"), "ab.csv");
        assert_eq!(base_name(""), "");
    }
}
