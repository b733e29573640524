//! Reading the one-click POST body: RFC 8058's `List-Unsubscribe=One-Click`, form-urlencoded
//! (`form_urlencoded`, after a strict check of its escapes) or multipart/form-data (`multer`).

use super::{ONE_CLICK_KEY, ONE_CLICK_VALUE};
use axum::body::Bytes;
use std::convert::Infallible;
use std::str::Utf8Error;
use std::string::FromUtf8Error;

/// Why a POST body is not an RFC 8058 one-click request (answered 400 with this text).
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// Neither form-urlencoded nor multipart/form-data.
    #[error(
        "content type {0:?} is not accepted: send application/x-www-form-urlencoded or multipart/form-data"
    )]
    UnsupportedContentType(String),
    /// The body cannot be read as the form it claims to be.
    #[error("the body is not a well-formed form: {0}")]
    Malformed(#[from] MalformedForm),
    /// The form lacks `List-Unsubscribe=One-Click`, or gives the field another value.
    #[error("the body must be List-Unsubscribe=One-Click")]
    NotOneClick,
}

/// What makes a body claiming to be a form unreadable as one.
#[derive(Debug, thiserror::Error)]
pub enum MalformedForm {
    /// A form-urlencoded body that is not UTF-8 text.
    #[error("not UTF-8")]
    NotUtf8(#[source] Utf8Error),
    /// A form-urlencoded `%` not followed by two hex digits.
    #[error("a '%' not followed by two hex digits")]
    BadEscape,
    /// Form-urlencoded escapes that decode to bytes that are not UTF-8.
    #[error("an escape that is not UTF-8")]
    EscapeNotUtf8(#[source] Utf8Error),
    /// A multipart content type without a `boundary` parameter that can be read.
    #[error("multipart/form-data without a boundary")]
    NoBoundary(#[source] multer::Error),
    /// A multipart boundary outside RFC 2046's 1 to 70 characters.
    #[error("a multipart boundary of 1 to 70 characters")]
    BoundaryLength,
    /// The multipart body does not follow RFC 7578 (`multer`'s reason).
    #[error("{0}")]
    Multipart(#[source] multer::Error),
    /// A multipart part whose `Content-Disposition` names no field.
    #[error("a multipart part without a form-data name")]
    Nameless,
    /// A multipart value that is not UTF-8 text.
    #[error("a multipart value not UTF-8")]
    ValueNotUtf8(#[source] FromUtf8Error),
}

/// Checks that a POST body is RFC 8058's one-click request: a form, form-urlencoded (also when
/// `content_type` is missing) or multipart/form-data, whose `List-Unsubscribe` field is present
/// and every occurrence of it is exactly `One-Click`. Other fields are ignored.
pub async fn parse_one_click(content_type: Option<&str>, body: Bytes) -> Result<(), BodyError> {
    let media_type = content_type
        .and_then(|c| c.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let fields = match (media_type.as_str(), content_type) {
        ("" | "application/x-www-form-urlencoded", _) => urlencoded_fields(&body)?,
        ("multipart/form-data", Some(content_type)) => multipart_fields(content_type, body).await?,
        _ => {
            return Err(BodyError::UnsupportedContentType(
                content_type.unwrap_or_default().to_owned(),
            ))
        }
    };
    let mut values = fields
        .iter()
        .filter(|(key, _)| key == ONE_CLICK_KEY)
        .map(|(_, value)| value)
        .peekable();
    if values.peek().is_none() || values.any(|v| v != ONE_CLICK_VALUE) {
        return Err(BodyError::NotOneClick);
    }
    Ok(())
}

/// The fields of an `application/x-www-form-urlencoded` body; white space around it is ignored.
///
/// `form_urlencoded` follows the URL standard, which keeps a stray `%` as it is and replaces
/// bytes that are not UTF-8: such a body is refused here instead, before it is parsed.
fn urlencoded_fields(body: &[u8]) -> Result<Vec<(String, String)>, MalformedForm> {
    let text = std::str::from_utf8(body)
        .map_err(MalformedForm::NotUtf8)?
        .trim();
    let escapes_well_formed = text.split('%').skip(1).all(|after| {
        after
            .as_bytes()
            .get(..2)
            .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    });
    if !escapes_well_formed {
        return Err(MalformedForm::BadEscape);
    }
    // Every `&` and `=` is ASCII, so a body that decodes to UTF-8 as a whole does so field by
    // field too.
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map_err(MalformedForm::EscapeNotUtf8)?;
    Ok(form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect())
}

/// The named fields of a `multipart/form-data` body (RFC 7578), values as UTF-8 text.
async fn multipart_fields(
    content_type: &str,
    body: Bytes,
) -> Result<Vec<(String, String)>, MalformedForm> {
    let boundary = multer::parse_boundary(content_type).map_err(MalformedForm::NoBoundary)?;
    if boundary.is_empty() || boundary.len() > 70 {
        return Err(MalformedForm::BoundaryLength);
    }
    let body = with_crlf(body);
    let mut multipart = multer::Multipart::new(
        futures::stream::once(async move { Ok::<_, Infallible>(body) }),
        boundary,
    );
    let mut fields = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(MalformedForm::Multipart)?
    {
        let name = field.name().ok_or(MalformedForm::Nameless)?.to_owned();
        let value = field.bytes().await.map_err(MalformedForm::Multipart)?;
        let value = String::from_utf8(value.to_vec()).map_err(MalformedForm::ValueNotUtf8)?;
        fields.push((name, value));
    }
    Ok(fields)
}

/// `body` with every LF made CRLF when it holds no CR at all: `multer` reads only the CRLF
/// line breaks RFC 7578 requires, and a body written with bare LFs throughout stays accepted.
fn with_crlf(body: Bytes) -> Bytes {
    if body.contains(&b'\r') || !body.contains(&b'\n') {
        return body;
    }
    let mut crlf = Vec::with_capacity(2 * body.len());
    for &byte in &body {
        if byte == b'\n' {
            crlf.push(b'\r');
        }
        crlf.push(byte);
    }
    Bytes::from(crlf)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

    async fn check(content_type: Option<&str>, body: &[u8]) -> Result<(), BodyError> {
        parse_one_click(content_type, Bytes::copy_from_slice(body)).await
    }

    fn multipart(boundary: &str, parts: &[(&str, &str)]) -> Vec<u8> {
        let mut body = String::new();
        for (name, value) in parts {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        body.into_bytes()
    }

    #[tokio::test]
    async fn the_rfc_8058_urlencoded_body_is_accepted() {
        assert!(matches!(
            check(FORM, b"List-Unsubscribe=One-Click").await,
            Ok(())
        ));
        assert!(matches!(
            check(
                Some("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
                b"List-Unsubscribe=One-Click\r\n"
            )
            .await,
            Ok(())
        ));
        assert!(matches!(
            check(FORM, b"List%2DUnsubscribe=One%2dClick").await,
            Ok(())
        ));
        assert!(
            matches!(
                check(FORM, b"other=1&List-Unsubscribe=One-Click").await,
                Ok(())
            ),
            "other fields are ignored"
        );
        assert!(
            matches!(check(None, b"List-Unsubscribe=One-Click").await, Ok(())),
            "no content type is read as a form"
        );
    }

    #[tokio::test]
    async fn any_other_urlencoded_body_is_refused() {
        for body in [
            &b""[..],
            b"List-Unsubscribe",
            b"List-Unsubscribe=",
            b"List-Unsubscribe=One-click",
            b"list-unsubscribe=One-Click",
            b"List-Unsubscribe=One-Click+",
            b"List-Unsubscribe=One-Click&List-Unsubscribe=Other",
            b"List-Unsubscribe=One-Click-Please",
            b"unsubscribe=yes",
        ] {
            let result = check(FORM, body).await;
            assert!(
                matches!(result, Err(BodyError::NotOneClick)),
                "{}: {result:?}",
                String::from_utf8_lossy(body)
            );
        }
        for body in [
            &b"List-Unsubscribe=One-Click%zz"[..],
            b"List-Unsubscribe=One-Click%+1",
            b"List-Unsubscribe=One-Click%",
            b"List-Unsubscribe=\xff",
            b"List-Unsubscribe=%ff",
        ] {
            let result = check(FORM, body).await;
            assert!(
                matches!(result, Err(BodyError::Malformed(_))),
                "{}: {result:?}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[tokio::test]
    async fn malformed_bodies_say_what_is_wrong() {
        let text = |result: Result<(), BodyError>| result.err().map(|e| e.to_string());
        assert_eq!(
            text(check(FORM, b"List-Unsubscribe=%ff").await).as_deref(),
            Some("the body is not a well-formed form: an escape that is not UTF-8")
        );
        assert_eq!(
            text(check(FORM, b"List-Unsubscribe=One-Click%").await).as_deref(),
            Some("the body is not a well-formed form: a '%' not followed by two hex digits")
        );
        assert_eq!(
            text(check(Some("multipart/form-data"), b"").await).as_deref(),
            Some("the body is not a well-formed form: multipart/form-data without a boundary")
        );
    }

    #[tokio::test]
    async fn other_content_types_are_refused() {
        for content_type in [
            "text/plain",
            "application/json",
            "multipart/mixed; boundary=x",
        ] {
            assert!(matches!(
                check(Some(content_type), b"List-Unsubscribe=One-Click").await,
                Err(BodyError::UnsupportedContentType(_))
            ));
        }
    }

    #[tokio::test]
    async fn the_rfc_8058_multipart_body_is_accepted() {
        let body = multipart("abc123", &[(ONE_CLICK_KEY, ONE_CLICK_VALUE)]);
        let result = check(Some("multipart/form-data; boundary=abc123"), &body).await;
        assert!(matches!(result, Ok(())), "{result:?}");
        let body = multipart("a b'c", &[("x", "1"), (ONE_CLICK_KEY, ONE_CLICK_VALUE)]);
        let result = check(Some("multipart/form-data; boundary=\"a b'c\""), &body).await;
        assert!(matches!(result, Ok(())), "{result:?}");
        let body = multipart("B", &[(ONE_CLICK_KEY, ONE_CLICK_VALUE)]);
        let result = check(Some("Multipart/Form-Data; Boundary=B"), &body).await;
        assert!(matches!(result, Ok(())), "{result:?}");
        // A preamble, LF-only line breaks and an unquoted name are tolerated.
        let body = b"preamble\n--b\ncontent-disposition: form-data; name=List-Unsubscribe\n\nOne-Click\n--b--";
        let result = check(Some("multipart/form-data;boundary=b"), body).await;
        assert!(matches!(result, Ok(())), "{result:?}");
    }

    #[tokio::test]
    async fn wrong_or_broken_multipart_bodies_are_refused() {
        let ct = Some("multipart/form-data; boundary=b");
        assert!(matches!(
            check(ct, &multipart("b", &[(ONE_CLICK_KEY, "yes")])).await,
            Err(BodyError::NotOneClick)
        ));
        assert!(matches!(
            check(ct, &multipart("b", &[])).await,
            Err(BodyError::NotOneClick)
        ));
        let good = multipart("b", &[(ONE_CLICK_KEY, ONE_CLICK_VALUE)]);
        assert!(matches!(
            check(Some("multipart/form-data"), &good).await,
            Err(BodyError::Malformed(_))
        ));
        let unclosed = &good[..good.len() - "--b--\r\n".len()];
        assert!(matches!(
            check(ct, unclosed).await,
            Err(BodyError::Malformed(_))
        ));
        assert!(matches!(
            check(ct, b"List-Unsubscribe=One-Click").await,
            Err(BodyError::Malformed(_))
        ));
        let nameless = b"--b\r\nContent-Type: text/plain\r\n\r\nOne-Click\r\n--b--\r\n";
        assert!(matches!(
            check(ct, nameless).await,
            Err(BodyError::Malformed(_))
        ));
        let long = "b".repeat(71);
        let body = multipart(&long, &[(ONE_CLICK_KEY, ONE_CLICK_VALUE)]);
        assert!(matches!(
            check(
                Some(&format!("multipart/form-data; boundary={long}")),
                &body
            )
            .await,
            Err(BodyError::Malformed(MalformedForm::BoundaryLength))
        ));
    }
}
