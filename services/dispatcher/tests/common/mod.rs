//! Helpers shared by the dispatcher's test files.

use circulars_core::domain::OutgoingMail;

/// A short mail from the secretariat to `to`.
pub fn mail(to: &str) -> OutgoingMail {
    OutgoingMail {
        return_path: "tsb@itu.example".to_owned(),
        recipient: to.to_owned(),
        message: format!(
            "From: tsb@itu.example\r\nTo: {to}\r\nSubject: TSB Circular 36\r\n\r\nDear Sir/Madam,\r\n"
        )
        .into_bytes(),
    }
}
