//! Sites whose returned mail lands in an IMAP mailbox: the tracker reads it from there. Each
//! message is handed over byte for byte and then deleted; a message the tracker could not take
//! stays for the next poll; one over the size limit is never downloaded and stays for a person
//! to look at; a wrong password is reported with the server's name. Against a real dovecot on
//! loopback (see `circulars_tests::imap`).

use circulars_intake::mailbox::{poll_once, run, MailboxError, PollSummary};
use circulars_tests::imap::ImapServer;
use std::future::{ready, Ready};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// The largest message the tests hand over.
const MAX_BYTES: usize = 2048;

/// A message of the bounce corpus with CRLF line ends, as IMAP hands every message over.
fn bounce(file: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("bounces")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    text.replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

/// What the tracker's handler was handed, in order.
#[derive(Clone, Default)]
struct Handed(Arc<Mutex<Vec<Vec<u8>>>>);

impl Handed {
    /// A handler that keeps each message and takes it.
    fn handler(&self) -> impl FnMut(Vec<u8>) -> Ready<Result<(), String>> + Send + 'static {
        let handed = self.clone();
        move |raw| {
            handed.0.lock().unwrap().push(raw);
            ready(Ok(()))
        }
    }

    fn messages(&self) -> Vec<Vec<u8>> {
        self.0.lock().unwrap().clone()
    }
}

fn imap_server(dir: &tempfile::TempDir) -> ImapServer {
    ImapServer::start(&dir.path().join("imap"))
}

#[tokio::test]
async fn a_bounce_mailbox_is_read_and_emptied() {
    let dir = tempfile::tempdir().unwrap();
    let server = imap_server(&dir);
    let first = bounce("postfix-user-unknown.eml");
    let large = bounce("dsn-postfix-user-unknown.eml");
    let second = bounce("gmail-address-not-found.eml");
    assert!(first.len() < MAX_BYTES && second.len() < MAX_BYTES && large.len() > MAX_BYTES);
    server.deliver(&first);
    server.deliver(&large);
    server.deliver(&second);
    assert_eq!(server.messages_left(), 3);

    let handed = Handed::default();
    let summary = poll_once(&server.mailbox_config(), MAX_BYTES, handed.handler())
        .await
        .unwrap();

    assert_eq!(
        summary,
        PollSummary {
            handled: 2,
            failed: 0,
            too_large: 1
        }
    );
    assert_eq!(handed.messages(), vec![first, second]);
    assert_eq!(
        server.messages_left(),
        1,
        "only the large message is left:\n{}",
        server.log()
    );

    let handed = Handed::default();
    let again = poll_once(&server.mailbox_config(), MAX_BYTES, handed.handler())
        .await
        .unwrap();
    assert_eq!(
        again,
        PollSummary {
            handled: 0,
            failed: 0,
            too_large: 1
        }
    );
    assert!(handed.messages().is_empty(), "nothing new is handed over");
    assert_eq!(server.messages_left(), 1);
}

#[tokio::test]
async fn a_message_the_tracker_could_not_take_is_handed_over_by_the_next_poll() {
    let dir = tempfile::tempdir().unwrap();
    let server = imap_server(&dir);
    let report = bounce("exim-user-unknown.eml");
    server.deliver(&report);

    let failing = |_: Vec<u8>| async { Err::<(), _>("the database is down") };
    let summary = poll_once(&server.mailbox_config(), MAX_BYTES, failing)
        .await
        .unwrap();
    assert_eq!(
        summary,
        PollSummary {
            handled: 0,
            failed: 1,
            too_large: 0
        }
    );
    assert_eq!(server.messages_left(), 1, "the message stays");

    let handed = Handed::default();
    let summary = poll_once(&server.mailbox_config(), MAX_BYTES, handed.handler())
        .await
        .unwrap();
    assert_eq!(summary.handled, 1);
    assert_eq!(handed.messages(), vec![report]);
    assert_eq!(server.messages_left(), 0);
}

#[tokio::test]
async fn a_wrong_password_is_reported_with_the_server_name() {
    let dir = tempfile::tempdir().unwrap();
    let server = imap_server(&dir);
    server.deliver(&bounce("yahoo-no-account.eml"));
    let mut config = server.mailbox_config();
    config.password = "not-the-password".into();

    let handed = Handed::default();
    let error = poll_once(&config, MAX_BYTES, handed.handler())
        .await
        .unwrap_err();

    assert!(
        matches!(error, MailboxError::LoginRefused { .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.contains(&format!("127.0.0.1:{}", server.port())),
        "{text}"
    );
    assert!(text.contains("refused the login"), "{text}");
    assert!(
        text.contains(server.username()),
        "the user is named: {text}"
    );
    assert!(
        text.contains("Authentication failed"),
        "dovecot's words: {text}"
    );
    assert!(handed.messages().is_empty());
    assert_eq!(server.messages_left(), 1);
}

#[tokio::test]
async fn a_folder_that_does_not_exist_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let server = imap_server(&dir);
    let mut config = server.mailbox_config();
    config.folder = "Bounces".into();

    let handed = Handed::default();
    let error = poll_once(&config, MAX_BYTES, handed.handler())
        .await
        .unwrap_err();

    assert!(
        matches!(error, MailboxError::FolderMissing { .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains("\"Bounces\""), "{text}");
    assert!(
        text.contains("Mailbox doesn't exist"),
        "dovecot's words: {text}"
    );
}

#[tokio::test]
async fn the_tracker_polls_until_it_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let server = imap_server(&dir);
    let report = bounce("sendmail-user-unknown.eml");
    server.deliver(&report);

    let handed = Handed::default();
    let shutdown = CancellationToken::new();
    let poller = tokio::spawn(run(
        server.mailbox_config(),
        MAX_BYTES,
        handed.handler(),
        shutdown.clone(),
    ));
    let deadline = Instant::now() + circulars_tests::PATIENCE;
    while handed.messages().is_empty() {
        assert!(Instant::now() < deadline, "the first poll never came");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(10), poller)
        .await
        .expect("the poller stops when told")
        .unwrap();

    assert_eq!(handed.messages(), vec![report]);
    assert_eq!(server.messages_left(), 0);
}
