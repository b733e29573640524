//! Feeds arbitrary bytes to the bounce-report reader as if they were a returned mail. Whatever
//! the input, `parse` must return (no panic, no stack overflow, no endless loop), every finding
//! must name an address, no address twice, and the report must serialise to JSON.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use std::sync::Once;

fuzz_target!(|raw: &[u8]| {
    tolerate_mail_parser_recovery_checks();
    let report = circulars_bounce_reports::parse(raw);
    let mut seen = HashSet::new();
    for finding in &report.findings {
        assert!(
            !finding.recipient.is_empty() && finding.recipient.contains('@'),
            "a finding without an address: {finding:?}"
        );
        assert!(
            seen.insert(finding.recipient.to_lowercase()),
            "an address twice: {finding:?}"
        );
    }
    for address in &report.addressed_to {
        assert!(
            address.contains('@'),
            "addressed to a non-address: {address:?}"
        );
    }
    serde_json::to_string(&report).expect("a report serialises to JSON");
});

/// The checks mail-parser 0.11 makes with `debug_assert!(false, ...)` while recovering from
/// malformed MIME, in `src/parsers/message.rs`.
const MAIL_PARSER_RECOVERY_CHECKS: &[&str] = &[
    "Invalid part ID, could not find message.",
    "Invalid part ID, could not find multipart.",
    "Failed to restore parent message. Aborting.",
    "This should not have happened.",
];

/// cargo fuzz builds with debug assertions, so malformed MIME trips mail-parser's recovery
/// checks. Release builds compile them out, and in debug builds `parse` turns the panic of its
/// parsing thread into an `Unknown` report (see the crate's
/// `a_panic_inside_mail_parser_gives_an_unknown_report`). Those panics, and only those, are let
/// through; any other panic still aborts as libFuzzer's hook makes it, and is reported.
fn tolerate_mail_parser_recovery_checks() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_mail_parser = info.location().is_some_and(|location| {
                let file = location.file().replace('\\', "/");
                file.contains("/mail-parser-0.11.") && file.ends_with("/src/parsers/message.rs")
            });
            let recovery_check = info
                .payload_as_str()
                .is_some_and(|message| MAIL_PARSER_RECOVERY_CHECKS.contains(&message));
            if !(in_mail_parser && recovery_check) {
                abort(info);
            }
        }));
    });
}
